"""`drift check` of jobs and worker pools end to end, through the official clients against
the sandbox: a job missing a variable, a job whose latest execution failed on a disabled
secret, a worker pool with a sidecar's secret, a job that does not exist, each item read
once, kind in every format, ids of services unchanged."""

from __future__ import annotations

import asyncio
import json
from pathlib import Path

import pytest

from drift import redact
from drift.diff.context import Context
from drift.diff.jobs import masked
from drift.findings import Location, Severity, finding_id
from drift.fix.plan import plan_environment
from drift.format import OutputFormat, formatter_for
from drift.kinds import Kind
from drift.live.state import LiveState
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile, ServiceProfile, VarRule
from drift.sandbox import Fault
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import PROFILE, TODAY, check, failed_job, jobs_world, write_profile
from tests.livestate import plain, service
from tests.reportschema import schema_errors
from tests.sandbox.jobworld import JOB_SPEC


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    return write_profile(tmp_path / "profiles")


def findings(result: object) -> dict[tuple[str, str, str], object]:
    report = result.report  # type: ignore[attr-defined]
    return {(f.kind.value, f.rule, f.target): f for f in report.findings}


def test_a_job_missing_a_variable_and_a_pool_off_its_instance_count(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    sandbox = make_sandbox(jobs_world())
    result = check(sandbox, monkeypatch, profiles)
    found = findings(result)
    assert set(found) == {
        ("job", "env.missing", "env.NEEDED"),
        ("worker_pool", "setting.value", "setting.instance_count"),
    }
    missing = found[("job", "env.missing", "env.NEEDED")]
    assert missing.service == "job" and missing.location.line == 10  # type: ignore[attr-defined]
    assert "job job" in missing.message  # type: ignore[attr-defined]
    # the kind enters the id of a job's finding, not of a service's
    assert missing.id == finding_id("prod", "job/job", "env.missing", "env.NEEDED")  # type: ignore[attr-defined]
    assert missing.id != finding_id("prod", "job", "env.missing", "env.NEEDED")  # type: ignore[attr-defined]
    pool = found[("worker_pool", "setting.value", "setting.instance_count")]
    assert pool.expected == "3" and pool.actual == "2"  # type: ignore[attr-defined]
    summary = result.report.summary
    assert (summary.services, summary.jobs, summary.worker_pools) == (0, 1, 1)
    assert result.report.exit_code == 1


def test_each_job_and_pool_is_read_once_and_an_execution_only_when_needed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    sandbox = make_sandbox(jobs_world())
    sandbox.clear_calls()
    check(sandbox, monkeypatch, profiles)
    counts = sandbox.call_counts()
    assert counts["GetJob"] == 1 and counts["GetWorkerPool"] == 1
    # the job never ran: Job.latest_created_execution says all GetExecution would
    assert counts.get("GetExecution", 0) == 0
    assert counts.get("ListServices", 0) == 0 and counts.get("GetService", 0) == 0


def test_a_job_whose_latest_execution_failed_on_a_disabled_secret(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    sandbox = make_sandbox(jobs_world(jobs={"job": failed_job()}))
    sandbox.clear_calls()
    result = check(sandbox, monkeypatch, profiles)
    found = findings(result)
    failed = found[("job", "job.failed", "execution")]
    assert failed.severity is Severity.WARNING  # type: ignore[attr-defined]
    assert "rotated/versions/2 is in DISABLED state" in failed.message  # type: ignore[attr-defined]
    assert "SECRETS_ACCESS_CHECK_FAILED" in failed.message  # type: ignore[attr-defined]
    disabled = found[("job", "secret.disabled", "secret.rotated")]
    assert disabled.severity is Severity.ERROR  # type: ignore[attr-defined]
    assert sandbox.call_counts()["GetExecution"] == 1  # only the failed one
    # no secret value anywhere in any format
    for fmt in OutputFormat:
        text = formatter_for(fmt).render(result.report)
        for value in ("fake-rotated-v2", "fake-rotated-v1", "fake-token-v1"):
            assert value not in text, fmt


def test_kind_shows_in_every_format(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    sandbox = make_sandbox(jobs_world(jobs={"job": failed_job()}))
    report = check(sandbox, monkeypatch, profiles).report
    data = json.loads(formatter_for(OutputFormat.JSON).render(report))
    kinds = {(f["kind"], f["rule"]) for f in data["findings"]}
    assert ("job", "job.failed") in kinds and ("worker_pool", "setting.value") in kinds
    assert data["summary"]["jobs"] == 1 and data["summary"]["worker_pools"] == 1
    assert schema_errors(data) == []  # job.failed's target `execution` (revspec2 1)
    sarif = json.loads(formatter_for(OutputFormat.SARIF).render(report))
    props = [r["properties"]["kind"] for r in sarif["runs"][0]["results"]]
    assert set(props) == {"job", "worker_pool"}
    for fmt in (OutputFormat.TABLE, OutputFormat.MARKDOWN, OutputFormat.GITHUB):
        text = formatter_for(fmt).render(report)
        assert "job job" in text and "worker pool pool" in text, fmt


def test_a_job_that_does_not_exist_is_missing_with_its_kind(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(jobs_world())
    profiles = write_profile(
        tmp_path / "p",
        PROFILE.replace("jobs:\n", "jobs:\n  jobb: {}\n").replace(
            "worker_pools:\n", "worker_pools:\n  ghost-pool: {}\n"
        ),
    )
    found = findings(check(sandbox, monkeypatch, profiles))
    job = found[("job", "service.missing", "job")]
    assert job.message == "job jobb does not exist in p/us-central1; did you mean job?"  # type: ignore[attr-defined]
    pool = found[("worker_pool", "service.missing", "worker_pool")]
    assert pool.message.startswith("worker pool ghost-pool does not exist")  # type: ignore[attr-defined]
    assert job.kind is Kind.JOB  # type: ignore[attr-defined]


def test_an_unreadable_job_is_unverified_never_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    sandbox = make_sandbox(jobs_world(jobs={"job": failed_job()}))
    sandbox.inject(Fault("GetExecution", "PERMISSION_DENIED"))
    report = check(sandbox, monkeypatch, profiles).report
    assert [(u.kind, u.target) for u in report.unverified] == [(Kind.JOB, "job.failed")]
    assert report.exit_code == 3 or report.status.value != "clean"
    sandbox.clear_faults()
    sandbox.inject(Fault("GetWorkerPool", "PERMISSION_DENIED"))
    report = check(sandbox, monkeypatch, profiles).report
    assert (Kind.WORKER_POOL, "worker_pool") in {(u.kind, u.target) for u in report.unverified}


def test_a_service_setting_under_a_job_is_a_file_line_error(tmp_path: Path) -> None:
    from drift.errors import ProfileError
    from drift.profiles.loader import load_profile

    profiles = write_profile(
        tmp_path / "p",
        "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n      ingress: all\n"
        "worker_pools:\n  pool:\n    settings:\n      task_count: 2\n",
    )
    with pytest.raises(ProfileError) as info:
        load_profile(profiles, "prod")
    text = str(info.value)
    assert "prod.yaml:6" in text and "ingress is a setting of services, not of a job" in text
    assert "prod.yaml:10" in text and "task_count is a setting of jobs" in text


def test_since_for_a_pool_from_its_revisions_none_for_a_job(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A worker pool has revisions (ListRevisions under `workerPools/*`): a drift gets the
    revision it began with; its instance count is the pool's own (no revision began it), and
    a job has no revisions: no `since`."""
    sandbox = make_sandbox(jobs_world())
    text = PROFILE.replace("QUEUE: events", "QUEUE: jobs").replace("MODE: live", "MODE: test")
    report = check(sandbox, monkeypatch, write_profile(tmp_path / "p", text)).report
    found = {(f.kind.value, f.target): f for f in report.findings}
    queue = found[("worker_pool", "env.QUEUE")]
    assert queue.since is not None and queue.since.revision.startswith("pool-")
    assert found[("worker_pool", "setting.instance_count")].since is None
    assert found[("job", "env.MODE")].since is None
    (listed,) = [c for c in sandbox.calls if c.short == "ListRevisions"]
    assert listed.request.parent.endswith("/workerPools/pool")


def test_a_pool_sidecar_secret_is_resolved_and_iam_checked_like_a_services(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The agent sidecar of the pool references a disabled version, and a secret of another
    project its account may not read: the same findings a service's sidecar gets."""
    import copy

    from tests.sandbox.jobworld import POOL_SPEC

    pool = copy.deepcopy(POOL_SPEC)
    agent = pool["template"]["containers"][1]
    agent["env"] += [
        {
            "name": "OLD",
            "valueSource": {"secretKeyRef": {"secret": "rotated", "version": "2"}},
        },
        {
            "name": "LOCKED",
            "valueSource": {
                "secretKeyRef": {"secret": "projects/q/secrets/locked", "version": "1"}
            },
        },
    ]
    sandbox = make_sandbox(jobs_world(pools={"pool": pool}))
    text = PROFILE.replace(
        "          AGENT_TOKEN: {secret: token}\n",
        "          AGENT_TOKEN: {secret: token}\n          OLD: {secret: rotated, version: '2'}\n",
    )
    report = check(sandbox, monkeypatch, write_profile(tmp_path / "p", text)).report
    found = {(f.kind.value, f.rule, f.target, f.container) for f in report.findings}
    assert ("worker_pool", "secret.disabled", "secret.rotated", "agent") in found
    assert ("worker_pool", "secret.no_access", "secret.q/locked", "agent") in found, found
    assert not report.unverified


def test_a_failure_from_before_the_jobs_last_update_says_how_to_run_it_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, profiles: Path
) -> None:
    """revjobs67 F3: once the job is written after its failed execution (a fix that removed
    the cause), `job.failed` stays (it is the latest execution), saying it ran the
    configuration from before and the command that runs the current one; not before."""
    sandbox = make_sandbox(jobs_world(jobs={"job": failed_job()}))
    rerun = "`gcloud run jobs execute job --project=p --region=us-central1` runs the current one"
    again = (
        ", then run the job again (`gcloud run jobs execute job --project=p --region=us-central1`)"
    )
    before = findings(check(sandbox, monkeypatch, profiles))[("job", "job.failed", "execution")]
    said = before.message  # type: ignore[attr-defined]
    assert "other than the job's current one" not in said and said.endswith(again), said
    sandbox.update_job("p", "job", secrets={"DB": "rotated:1"})
    after = findings(check(sandbox, monkeypatch, profiles))[("job", "job.failed", "execution")]
    message = after.message  # type: ignore[attr-defined]
    assert "ran a configuration other than the job's current one" in message, message
    assert rerun in message and message.startswith(said.removesuffix(again)), message
    assert message.count("gcloud run jobs execute") == 1, message  # said once: the rerun note


@pytest.mark.parametrize(
    ("change", "noted"),
    [({}, False), ({"image": "us-docker.pkg.dev/example/migrate:2"}, True)],
    ids=["labels-only", "image"],
)
def test_the_rerun_note_needs_the_configuration_the_execution_ran_to_differ(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    profiles: Path,
    change: dict[str, str],
    noted: bool,
) -> None:
    """revown67 F4: a write after the failed execution that changed no configuration (the
    same template sent back: labels only, a re-apply) leaves what a re-run runs the same, so
    no re-run hint; a new image is another configuration (`Execution.template`, execution.proto:
    "The template used to create tasks for this execution", against `Job.template`)."""
    sandbox = make_sandbox(jobs_world(jobs={"job": failed_job()}))
    sandbox.update_job("p", "job", **change)
    after = findings(check(sandbox, monkeypatch, profiles))[("job", "job.failed", "execution")]
    message = after.message  # type: ignore[attr-defined]
    assert ("other than the job's current one" in message) is noted, message
    assert ("runs the current one" in message) is noted, message
    assert message.count("gcloud run jobs execute") == 1, message  # the reason's, or the note's


@pytest.mark.parametrize(
    "override", [{"env": {"MODE": "dry-run"}}, {"task_count": 5}], ids=["env", "tasks"]
)
def test_the_rerun_note_claims_no_update_an_override_may_explain(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    profiles: Path,
    override: dict[str, object],
) -> None:
    """revown68 F5: an execution started with overrides (`gcloud run jobs execute
    --update-env-vars … / --tasks …`) ran a template other than the job's, and records no
    marker of them: after a labels-only update the note says only what drift knows (another
    configuration than the current one), never that it was the one before the update, and
    that a re-run with overrides needs them again."""
    sandbox = make_sandbox(jobs_world(jobs={"job": JOB_SPEC}))
    sandbox.run_job("p", "job", failure="Task failed: exit code 1", **override)  # type: ignore[arg-type]
    sandbox.advance(5)
    sandbox.update_job("p", "job")  # labels only: the same template sent back
    after = findings(check(sandbox, monkeypatch, profiles))[("job", "job.failed", "execution")]
    message = after.message  # type: ignore[attr-defined]
    assert "before the job's last update" not in message, message
    assert "ran a configuration other than the job's current one" in message, message
    assert "with the overrides again if that execution was started with any" in message


def test_a_job_whose_latest_update_failed_is_never_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Job.terminal_condition FAILED (its latest update did not reach the desired state):
    `revision.rollout` with the condition's message, exit 1, and the plan's manual step
    describes the job (a job has no revisions)."""
    job = {**JOB_SPEC, "failed": "Image 'us-docker.pkg.dev/example/migrate:1' not found."}
    sandbox = make_sandbox(jobs_world(jobs={"job": job}, pools={}))
    profile = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: live\n"
    profiles = write_profile(tmp_path / "profiles", profile)
    result = check(sandbox, monkeypatch, profiles)
    (finding,) = result.report.findings
    assert (finding.rule, finding.target) == ("revision.rollout", "revision.job")
    assert "not found" in finding.message and finding.severity is Severity.ERROR
    assert result.report.exit_code == 1
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    (step,) = planned.plan.manual
    assert step.commands[0].startswith("gcloud run jobs describe job")


def test_a_failed_jobs_message_hides_a_short_password_and_shows_a_short_key(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The condition's message quotes the job's values: a password's however short is
    hidden (`ADMIN_PASSWORD=hunter2`), a short value under a broad name is not (`CACHE_KEY`)."""
    env = {**JOB_SPEC["template"]["env"], "ADMIN_PASSWORD": "hunter2", "CACHE_KEY": "v2-c"}
    job = {
        "template": {**JOB_SPEC["template"], "env": env},
        "failed": "container exited: ADMIN_PASSWORD=hunter2 rejected for CACHE_KEY=v2-c",
    }
    sandbox = make_sandbox(jobs_world(jobs={"job": job}, pools={}))
    profile = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: live\n"
    result = check(sandbox, monkeypatch, write_profile(tmp_path / "profiles", profile))
    (finding,) = [f for f in result.report.findings if f.rule == "revision.rollout"]
    assert "ADMIN_PASSWORD=*** rejected for CACHE_KEY=v2-c" in finding.message


def test_masked_hides_the_jobs_own_secret_values_and_credentials_the_text_holds() -> None:
    """`drift.diff.jobs.masked` on its own (in a whole run `remember_plain_secrets` has
    registered the job's values already, so losing it passed every end-to-end test): with
    nothing registered, the plain value of a variable the profile expects to be a secret,
    and a credential-named one however short, are hidden, an ordinary value is not; a
    credential shaped in the text itself is hidden and registered for every other output."""
    at = Location("p.yaml", 3)
    rules = {"LICENSE": VarRule("LICENSE", at, secret="lic")}
    profile = ServiceProfile("job", at, env=rules, kind=Kind.JOB)
    live = service("job", [plain("LICENSE", "lic-pasted-4417"), plain("ADMIN_PASSWORD", "hunter2")])
    ctx = Context(Profile("e", "p", "r", Location("p.yaml", 1)), LiveState(), profile, live)
    said = "licence lic-pasted-4417 refused; login hunter2 failed; MODE=live password=Zq8-wLx4"
    assert masked(ctx, said) == "licence *** refused; login *** failed; MODE=live password=***"
    assert redact.mask("retry with Zq8-wLx4") == "retry with ***"
