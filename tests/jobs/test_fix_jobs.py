"""plan / fix / rollback of jobs and worker pools end to end, through the official clients
against the sandbox: updated in place (no canary), only what the plan names changes, the
write says it is drift's, the journal before the write, the etag read (a third party's update
in between: refused, nothing written), Ctrl-C at the prompt writes nothing, rollback puts the
template back, dry-run validates with validate_only, the gcloud script per kind; an update
whose answer is lost is judged from the job or pool read back, never as "nothing changed"."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.workload
from drift import __version__
from drift.errors import ApiError, ExitCode, Interrupted
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.formats.gcloud import plan_script
from drift.fix.journal import Journal, State
from drift.fix.lock import Locks
from drift.fix.plan import plan_environment
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import TODAY, jobs_sandbox, jobs_world, write_profile

UPDATES = ("UpdateJob", "UpdateWorkerPool")


@pytest.fixture
def lab(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> tuple[Sandbox, Path]:
    return jobs_sandbox(make_sandbox, monkeypatch, tmp_path), write_profile(tmp_path / "profiles")


@pytest.fixture(params=["aborted", "ignored"])
def either_etag(
    request: pytest.FixtureRequest, lab: tuple[Sandbox, Path], monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, Path, str]:
    """`lab` on a server that refuses a stale etag (`aborted`, as AIP-154 asks) or lets it
    through (`ignored`: run v2's etag "May be used to detect modification conflict"), and
    which of the two (sandbox option `stale_etag`)."""
    sandbox, profiles = lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", request.param)
    return sandbox, profiles, request.param


def journal(tmp_path: Path) -> Journal:
    return Journal(tmp_path / ".drift" / "journal")


def fix(tmp_path: Path, profiles: Path, ui: ScriptedUI, **options: bool) -> FixResult:
    profile = load_profile(profiles, "prod")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    return asyncio.run(
        run_fix(profile, settings, ui, FixOptions(verify=False, **options), today=TODAY)
    )


def writes(sandbox: Sandbox) -> list[str]:
    return [c.short for c in sandbox.calls if c.short in UPDATES]


def sandbox_kind(method: str) -> str:
    return "job" if method == "UpdateJob" else "worker_pool"


def env(job: run_v2.Job) -> list[tuple[str, str, str]]:
    return [
        (v.name, v.value, v.value_source.secret_key_ref.secret)
        for v in job.template.template.containers[0].env
    ]


def rolled_back_as_before(sandbox: Sandbox, tmp_path: Path, job_before: run_v2.Job) -> None:
    """`drift rollback` of the latest change puts back the job's template and the pool's
    instance count as they were."""
    done = asyncio.run(
        run_rollback(
            load_settings(journal_dir=tmp_path / ".drift" / "journal"), ScriptedUI(), None, yes=True
        )
    )
    assert done.exit_code == ExitCode.OK, done.summary()
    assert sorted(done.restored) == ["job job", "worker pool pool"]
    assert env(sandbox.job("p", "job")) == env(job_before)
    assert sandbox.worker_pool("p", "pool").scaling.manual_instance_count == 2


def test_the_plan_updates_jobs_and_pools_in_place(lab: tuple[Sandbox, Path]) -> None:
    sandbox, profiles = lab
    profile = load_profile(profiles, "prod")
    planned = asyncio.run(plan_environment(profile, load_settings(), today=TODAY))
    by_kind = {sp.kind.value: sp for sp in planned.plan.services}
    assert [c.name for c in by_kind["job"].env] == ["NEEDED"]
    assert [(s.name, s.before, s.after) for s in by_kind["worker_pool"].settings] == [
        ("instance_count", 2, 3)
    ]
    script = plan_script(planned.plan)
    assert "gcloud run jobs update job \\\n  --project=p" in script
    assert "--update-env-vars=NEEDED=x" in script
    assert "gcloud beta run worker-pools update pool \\\n" in script and "--scaling=3" in script
    assert "--set-" not in script
    assert writes(sandbox) == []  # a plan never writes


def test_fix_and_rollback_of_a_job_and_a_pool(lab: tuple[Sandbox, Path], tmp_path: Path) -> None:
    sandbox, profiles = lab
    job_before = sandbox.job("p", "job")
    pool_before = sandbox.worker_pool("p", "pool")
    ui = ScriptedUI([True])
    result = fix(tmp_path, profiles, ui)
    assert result.exit_code == ExitCode.OK, result.summary()
    (question,) = ui.questions
    assert (
        question == "Update job job, worker pool pool in place (no canary: nothing serves traffic)?"
    )
    assert writes(sandbox) == ["UpdateJob", "UpdateWorkerPool"]
    job = sandbox.job("p", "job")
    # only what the plan names changed: NEEDED added, every other variable as it was
    assert env(job) == [*env(job_before), ("NEEDED", "x", "")]
    assert job.template.template.max_retries == job_before.template.template.max_retries
    assert dict(job.labels) == dict(job_before.labels)
    assert (job.client, job.client_version) == ("drift", __version__)
    pool = sandbox.worker_pool("p", "pool")
    assert pool.scaling.manual_instance_count == 3
    assert [c.env for c in pool.template.containers] == [
        c.env for c in pool_before.template.containers
    ]
    entries = journal(tmp_path).entries()
    assert {(e.kind, e.state) for e in entries} == {
        ("job", State.UPDATED),
        ("worker_pool", State.UPDATED),
    }
    assert result.recheck is not None and result.recheck.findings == ()
    # rollback: the template (and the pool's scaling) as they were
    rolled_back_as_before(sandbox, tmp_path, job_before)
    assert {e.state for e in journal(tmp_path).entries()} == {State.ROLLED_BACK}


@pytest.mark.parametrize("yes", [False, True], ids=["prompted", "yes"])
def test_a_third_party_update_between_read_and_write_is_refused(
    either_etag: tuple[Sandbox, Path, str],
    tmp_path: Path,
    yes: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Someone updates the job after the plan read it — while the prompt waits, or (`--yes`)
    once the fix has taken its locks: the job read again right before the write
    (`drift.fix.reread`) shows it, and nothing is written, whether or not the server would
    refuse drift's stale etag (`stale_etag: ignored`: it would not)."""
    sandbox, profiles, _ = either_etag

    def meanwhile(question: str) -> None:
        sandbox.update_job("p", "job", env={"OTHER": "theirs"})

    if yes:  # no prompt: their update lands once drift holds the job's lock
        real = Locks.acquire

        def acquire(locks: Locks, full_name: str, service: str, **kw: Any) -> None:
            real(locks, full_name, service, **kw)
            if full_name.endswith("/jobs/job"):
                meanwhile("")

        monkeypatch.setattr(Locks, "acquire", acquire)
    ui = ScriptedUI([] if yes else [True], on_confirm=meanwhile)
    result = fix(tmp_path, profiles, ui, yes=yes)
    text = result.summary()
    # prompted: the first stop ends the fix; `--yes`: the pool's own fix runs beside the job's
    assert result.exit_code == (ExitCode.DRIFT if yes else ExitCode.ABORTED), text
    assert "job job: it was changed since drift read it" in text and "nothing was changed" in text
    assert ("while the prompt waited" in text) is not yes, text
    # who and what: the generation it is at, who wrote it and with which client
    assert "(generation 1 → 2, last modified by " in text and "with gcloud" in text, text
    job = sandbox.job("p", "job")
    names = [name for name, _, _ in env(job)]
    assert "OTHER" in names and "NEEDED" not in names  # theirs kept, nothing of ours
    # refused before its write: nothing sent to the job, nothing begun for it
    assert "UpdateJob" not in writes(sandbox)
    assert [e.kind for e in journal(tmp_path).entries()] == (["worker_pool"] if yes else [])


@pytest.mark.parametrize("method", UPDATES)
def test_an_update_whose_answer_is_lost_is_judged_from_what_it_runs(
    either_etag: tuple[Sandbox, Path, str],
    tmp_path: Path,
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The update is carried out and its answer lost: it is not sent again, since the
    workload no longer has the etag drift read (a server that lets a stale etag through,
    option `stale_etag`, would apply it twice), yet drift's write landed. Read back — one
    generation later, drift's configuration — it is said, journaled as landed, and rollback
    undoes it."""
    sandbox, profiles, _ = either_etag
    job_before = sandbox.job("p", "job")
    sandbox.inject(Fault(method, "UNAVAILABLE", after=True, first_n=1))
    result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = result.summary()
    assert [c.code for c in sandbox.calls if c.short == method] == ["UNAVAILABLE"]
    assert result.exit_code == ExitCode.OK, text
    assert "nothing was changed" not in text
    who = "job job" if method == "UpdateJob" else "worker pool pool"
    assert f"{who}: updated in place" in text and ": UNAVAILABLE" in text, text
    assert "yet the " in text and "it landed" in text, text
    assert "read back carries it: it landed" in text, text
    assert ("NEEDED", "x", "") in env(sandbox.job("p", "job"))
    assert sandbox.worker_pool("p", "pool").scaling.manual_instance_count == 3
    entries = journal(tmp_path).entries()
    assert {e.state for e in entries} == {State.UPDATED}
    (write,) = [w for e in entries for w in e.writes if e.kind == sandbox_kind(method)]
    assert write["landed"] and write["generation_after"] == write["generation_before"] + 1
    rolled_back_as_before(sandbox, tmp_path, job_before)


def test_ctrl_c_at_the_prompt_writes_nothing(lab: tuple[Sandbox, Path], tmp_path: Path) -> None:
    sandbox, profiles = lab
    with pytest.raises(Interrupted) as info:
        fix(tmp_path, profiles, ScriptedUI([KeyboardInterrupt()]))
    assert info.value.message == "interrupted: nothing was changed" or "nothing was changed" in str(
        info.value
    )
    assert writes(sandbox) == []
    assert journal(tmp_path).entries() == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))


def test_declined_and_dry_run_write_nothing(lab: tuple[Sandbox, Path], tmp_path: Path) -> None:
    sandbox, profiles = lab
    assert fix(tmp_path, profiles, ScriptedUI([False])).exit_code == ExitCode.ABORTED
    ui = ScriptedUI()
    result = fix(tmp_path, profiles, ui, dry_run=True)
    assert result.exit_code == ExitCode.OK, result.summary()
    assert (
        "job job: the server accepted the patch (validate_only): the request is valid; its "
        "secrets and image may be checked only at deploy" in ui.said
    )
    requests = [c.request for c in sandbox.calls if c.short in UPDATES]
    assert len(requests) == 2 and all(r.validate_only for r in requests)
    assert sandbox.job("p", "job").generation == 1


def test_rollback_refuses_a_job_changed_since_the_fix(
    lab: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, profiles = lab
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    sandbox.update_job("p", "job", env={"THEIRS": "1"})
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert done.exit_code == ExitCode.ABORTED
    assert "job was changed since drift's last write" in done.message
    assert "THEIRS" in [name for name, _, _ in env(sandbox.job("p", "job"))]
    forced = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True, force=True))
    assert forced.exit_code == ExitCode.OK, forced.summary()
    names = [name for name, _, _ in env(sandbox.job("p", "job"))]
    assert "THEIRS" not in names and "NEEDED" not in names


def test_an_ignore_names_a_job(lab: tuple[Sandbox, Path], tmp_path: Path) -> None:
    from drift.check import run_check

    sandbox, profiles = lab
    text = (profiles / "prod.yaml").read_text()
    text += "ignore:\n  - {job: job, env: NEEDED, reason: OPS-1}\n"
    text += "  - {worker_pool: pool, env: NEEDED, reason: the pool}\n"
    (profiles / "prod.yaml").write_text(text)
    profile = load_profile(profiles, "prod")
    report = asyncio.run(run_check(profile, load_settings(), today=TODAY)).report
    ignored = {(f.kind.value, f.target) for f in report.findings if f.ignored}
    assert ignored == {("job", "env.NEEDED")}  # the pool's ignore matches none of its findings


@pytest.mark.parametrize("from_template", [False, True], ids=["built-on-runs", "from-template"])
def test_a_pool_whose_template_failed_is_not_rolled_out_by_its_fix(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    from_template: bool,
) -> None:
    """The instances run pool-00001 (image 1); the template is a failed deploy of image 2
    with NEW_FLAG. Updating the pool in place on its template would send that template with
    the patch: the instances would move to image 2 and NEW_FLAG, which the plan never named
    (SPEC invariants 2 and 8). The fix builds on what the instances run and replaces the
    failed template (helper-617 F5; tests/jobs/test_pool_failed_template.py), unless
    --from-template says to build on the template: then it is sent, as asked."""
    import copy

    from tests.sandbox.jobworld import POOL_SPEC, world

    pool = copy.deepcopy(POOL_SPEC)
    container = pool["template"]["containers"][0]
    container["image"] = "us-docker.pkg.dev/example/consumer:2-unreleased"
    container["env"] = [{"name": "QUEUE", "value": "OLD"}, {"name": "NEW_FLAG", "value": "on"}]
    pool["history"] = [{"image": "us-docker.pkg.dev/example/consumer:1", "env": {"NEW_FLAG": None}}]
    pool["failed"] = "Container failed to start."
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
        "    env:\n      QUEUE: events\n"
    )
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True, from_template=from_template)
    assert writes(sandbox) == ["UpdateWorkerPool"], result.summary()
    (sent,) = [c.request for c in sandbox.calls if c.short == "UpdateWorkerPool"]
    consumer = sent.worker_pool.template.containers[0]
    names = [v.name for v in consumer.env]
    if from_template:
        assert consumer.image.endswith(":2-unreleased") and "NEW_FLAG" in names
        return
    assert result.exit_code == ExitCode.OK, result.summary()
    assert consumer.image.endswith(":1") and names == ["QUEUE"]


def test_an_update_whose_answer_is_lost_then_another_write_is_not_called_nothing(
    lab: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drift's update lands, its answer is lost, and someone updates the job before drift
    reads it back (generation 1 → 3), adding a variable of theirs. The job holds each change
    drift sent (helper-809 F3: judged by its whole configuration, their variable made it "not
    drift's update", exit 4 and journaled aborted while drift's change ran): drift's update
    landed, theirs too — a completed fix, journaled landed at generation 2, so `drift
    rollback` still refuses to undo their write, and `--force` puts back what was."""
    sandbox, profiles = lab
    job_before = sandbox.job("p", "job")
    answer_lost_then(sandbox, monkeypatch, {"THEIRS": "1"})
    result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = " ".join(result.summary().split())
    assert result.exit_code == ExitCode.OK, text  # the re-check's: a completed fix
    assert "job job: updated in place (env.NEEDED) (its answer was lost: UpdateJob " in text
    assert "holds each change it sent, and someone else's write too (generation 1 → 3" in text, text
    assert "by drift's write or someone else's: not proven which" in text, text  # 817 K5
    assert "--force` puts back what it was, undoing theirs too" in text, text
    assert "nothing was changed" not in text and "not drift's update" not in text, text
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert entry.state == State.UPDATED, entry.history
    assert entry.writes[-1]["landed"] is True, entry.writes
    assert entry.writes[-1]["generation_after"] == job_before.generation + 1, entry.writes
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    refused = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert refused.exit_code == ExitCode.ABORTED
    assert "job was changed since drift's last write" in refused.message
    forced = asyncio.run(
        run_rollback(settings, ScriptedUI(), entry.change_id, yes=True, force=True)
    )
    assert forced.exit_code == ExitCode.OK, forced.summary()
    assert env(sandbox.job("p", "job")) == env(job_before)


def test_an_update_whose_answer_is_lost_then_undone_in_part_is_not_known(
    lab: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-809 F3: as above, but their write sets drift's variable otherwise: whether
    drift's update landed, and which write came first, is not known — exit 3 (never 4,
    "nothing changed"), the entry left `updating`, its lock kept."""
    sandbox, profiles = lab
    answer_lost_then(sandbox, monkeypatch, {"NEEDED": "theirs"})
    result = fix(tmp_path, profiles, ScriptedUI([True]))
    text = " ".join(result.summary().split())
    assert result.exit_code == ExitCode.INCOMPLETE, text
    assert "job job: it was changed since drift read it (generation 1 → 3" in text, text
    assert "drift's update may have landed before that (its answer: UpdateJob " in text, text
    assert "which write came first is not known" in text, text
    assert "--force` would put back what it was before drift's change, undoing theirs" in text
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None, entry.history
    assert [p.name for p in (tmp_path / ".drift" / "journal" / "locks").iterdir()], "lock freed"


def answer_lost_then(
    sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, theirs: dict[str, str]
) -> None:
    """drift's first job update lands, then a teammate's setting the job's `theirs`
    variables, then drift's answer is lost (UNAVAILABLE)."""
    real = drift.fix.workload.update_workload
    lost: list[str] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        answer = await real(session, kind, request, **kw)
        if "/jobs/" in request.name and not lost:
            lost.append(request.name)
            sandbox.update_job("p", "job", env=theirs)
            raise ApiError("UpdateJob", request.name, "UNAVAILABLE", "the answer was lost")
        return answer

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)


def test_rollback_refuses_a_job_deleted_and_created_again(
    lab: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    """Deleted and created again under the same name, brought to the same generation: its
    uid says it is not the job drift changed."""
    sandbox, profiles = lab
    assert fix(tmp_path, profiles, ScriptedUI([True])).exit_code == ExitCode.OK
    fixed = sandbox.job("p", "job")
    sandbox.reset({**jobs_world(), "options": {"seed": 7}})  # other random draws: a new uid
    sandbox.update_job("p", "job", env={"THEIRS": "1"})
    recreated = sandbox.job("p", "job")
    assert recreated.generation == fixed.generation and recreated.uid != fixed.uid
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert done.exit_code == ExitCode.ABORTED, done.summary()
    assert "job was deleted and created again since change" in done.message
    assert writes(sandbox) == []


def test_rollback_of_an_update_interrupted_before_its_answer(
    lab: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once the update is sent, before its answer: the journal says `updating`, its
    outcome unknown; the job read back carries drift's update (one generation on), so
    rollback judges it drift's own and puts back what was, without --force."""
    sandbox, profiles = lab
    job_before = sandbox.job("p", "job")
    real = drift.fix.workload.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        answer = await real(session, kind, request, **kw)
        if "/jobs/" in request.name and not kw.get("validate_only"):
            monkeypatch.setattr(drift.fix.workload, "update_workload", real)
            raise KeyboardInterrupt
        return answer

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    with pytest.raises(Interrupted) as stopped:
        fix(tmp_path, profiles, ScriptedUI([True]))
    # it may have landed (it did): not known, so never 4, "nothing changed" (helper-528 F2)
    assert stopped.value.exit_code == ExitCode.INCOMPLETE, stopped.value
    assert "job job: the update was being sent (it may have landed)" in stopped.value.message
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == "job"]
    assert entry.state == State.UPDATING and entry.writes[-1]["landed"] is None
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert env(sandbox.job("p", "job")) == env(job_before)


@pytest.mark.parametrize("bumps", [True, False], ids=["label-bumps", "label-keeps-generation"])
def test_a_label_written_to_the_job_at_the_prompt_stays(
    lab: tuple[Sandbox, Path],
    tmp_path: Path,
    bumps: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A label written to the job alone while the prompt waits, on a server that lets a
    stale etag through: moving the generation it stops the job's fix (nothing written);
    keeping it (`labels_bump_generation: false`, as Kubernetes and Knative count
    generations) the fix goes on, its update built on the fresh read: the label stays."""
    import grpc
    from google.cloud import run_v2
    from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

    sandbox, profiles = lab
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", bumps)
    moved: list[bool] = []

    def label(question: str) -> None:
        with grpc.insecure_channel(sandbox.address) as channel:
            jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
            job = jobs.get_job(name=sandbox.job("p", "job").name)
            job.labels["cost-center"] = "42"
            written = jobs.update_job(job=job).result()
            moved.append(written.generation != job.generation)

    result = fix(tmp_path, profiles, ScriptedUI([True], on_confirm=label))
    text = result.summary()
    assert moved == [bumps], text
    job = sandbox.job("p", "job")
    assert job.labels["cost-center"] == "42", (dict(job.labels), text)
    names = [name for name, _, _ in env(job)]
    assert ("NEEDED" in names) is not bumps, text


@pytest.mark.parametrize("answer", ["kept", "lost"])
@pytest.mark.parametrize("method", UPDATES)
def test_a_third_party_write_landing_before_drifts_update(
    either_etag: tuple[Sandbox, Path, str],
    tmp_path: Path,
    method: str,
    answer: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """rev80 F1: a teammate writes the job or pool after drift's read right before its
    update and before the update reaches the server. A server that refuses the stale etag
    (AIP-154): drift's update did not land, theirs stands. One that lets it through (run v2:
    etag "May be used to detect modification conflict"): drift's update lands over theirs,
    two generations past its read — said as the canary path says it (`drift.fix.overwrote`),
    journaled update-failed, exit 1; never "updated" — whether the answer came or was lost
    (then the read back, exactly drift's configuration, tells)."""
    sandbox, profiles, stale_etag = either_etag
    real = drift.fix.workload.update_workload
    mine = "/jobs/" if method == "UpdateJob" else "/workerPools/"
    deployed: list[str] = []  # the teammate's pool revision

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if mine in request.name and not kw.get("validate_only"):
            monkeypatch.setattr(drift.fix.workload, "update_workload", real)
            if method == "UpdateJob":
                sandbox.update_job("p", "job", env={"HOTFIX": "1"})
            else:
                made = sandbox.deploy_pool("p", "pool", env={"HOTFIX": "1"})
                deployed.append(made.latest_created_revision.rsplit("/", 1)[-1])
            if answer == "lost":
                sandbox.inject(Fault(method, "UNAVAILABLE", after=True, first_n=1))
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result, text, who, now = _fixed_in_place(sandbox, method, tmp_path, profiles)
    containers = (
        now.template.template.containers if method == "UpdateJob" else now.template.containers
    )
    theirs = any(v.name == "HOTFIX" for c in containers for v in c.env)
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == sandbox_kind(method)]
    assert f"{who}: updated in place" not in text, text
    if stale_etag == "aborted":
        assert "drift's update did not land" in text and theirs, text
        assert entry.state == State.ABORTED
        return
    assert not theirs  # the server let drift's stale etag through: their change is gone
    assert result.exit_code == ExitCode.DRIFT, text
    assert f"{who}: someone else wrote the " in text, text
    assert f"drift's update (generation {now.generation}) replaced what they wrote" in text, text
    if deployed:  # their pool revision: its instances can be moved back to it
        move = "gcloud beta run worker-pools update-instance-split pool --to-revisions="
        assert f"{move}{deployed[0]}=100 " in text, text
    assert entry.state == State.UPDATE_FAILED
    assert "landed over someone else's write" in entry.history[-1]["note"]
    assert entry.writes[-1]["generation_after"] == now.generation


def _fixed_in_place(
    sandbox: Sandbox, method: str, tmp_path: Path, profiles: Path
) -> tuple[FixResult, str, str, Any]:
    """drift's fix, confirmed, with the test's update wrapper in place: its result, its
    words, who the job or pool is in them, and the job or pool as the sandbox has it after."""
    result = fix(tmp_path, profiles, ScriptedUI([True]))
    who = "job job" if method == "UpdateJob" else "worker pool pool"
    now = sandbox.job("p", "job") if method == "UpdateJob" else sandbox.worker_pool("p", "pool")
    return result, result.summary(), who, now


def _label(sandbox: Sandbox, method: str) -> None:
    """A teammate's label (`cost-center: 42`) on the job or pool, its current etag sent:
    accepted by any server; the configuration left as it is."""
    import grpc
    from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport
    from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

    with grpc.insecure_channel(sandbox.address) as channel:
        if method == "UpdateJob":
            jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
            job = jobs.get_job(name=sandbox.job("p", "job").name)
            job.labels["cost-center"] = "42"
            jobs.update_job(job=job).result()
            return
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        pool = pools.get_worker_pool(name=sandbox.worker_pool("p", "pool").name)
        pool.labels["cost-center"] = "42"
        pools.update_worker_pool(worker_pool=pool).result()


@pytest.mark.parametrize("method", UPDATES)
def test_a_label_after_drifts_update_whose_answer_was_lost(
    either_etag: tuple[Sandbox, Path, str],
    tmp_path: Path,
    method: str,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """revown80 F1: drift's update lands, its answer is lost, then a teammate labels the job
    or pool (current etag: any server takes it). The read back, two generations past drift's
    read, runs drift's configuration — as it would had their write come first and drift's
    stale one replaced it. Not knowing the order, drift never says its update replaced
    theirs; it holds each change drift sent, so drift's update landed (helper-809 F3)."""
    sandbox, profiles, _ = either_etag
    real = drift.fix.workload.update_workload
    mine = "/jobs/" if method == "UpdateJob" else "/workerPools/"

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if mine in request.name and not kw.get("validate_only"):
            monkeypatch.setattr(drift.fix.workload, "update_workload", real)
            sandbox.inject(Fault(method, "UNAVAILABLE", after=True, first_n=1))
            try:
                return await real(session, kind, request, **kw)
            except ApiError:
                _label(sandbox, method)  # after drift's write landed
                raise
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result, text, who, now = _fixed_in_place(sandbox, method, tmp_path, profiles)
    (entry,) = [e for e in journal(tmp_path).entries() if e.kind == sandbox_kind(method)]
    assert now.labels["cost-center"] == "42"
    assert "someone else wrote the" not in text and "replaced what they wrote" not in text, text
    # helper-809 F3: it holds each change drift sent (their label is no change of drift's):
    # drift's update landed, theirs too, a completed fix (never "nothing changed", exit 4)
    assert f"{who}: updated in place (" in text, text
    assert "holds each change it sent, and someone else's write too (generation " in text, text
    assert "by drift's write or someone else's: not proven which" in text, text  # 817 K5
    assert entry.state == State.UPDATED, entry.history[-1]
    assert entry.writes[-1]["generation_after"] == entry.generation_before + 1, entry.writes
    assert "landed over" not in entry.history[-1]["note"]
    assert result.exit_code == ExitCode.OK, text
