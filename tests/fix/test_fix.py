"""`drift fix` and `drift rollback` against the sandbox, judged from the requests the sandbox
received: only planned variables change, no traffic moves before the canary passes, every
refusal or failure leaves traffic where it was, and the journal lets rollback restore."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift import __version__
from drift.errors import ExitCode, UsageError
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import TEMPLATE_READINGS, template_defaults
from tests.fix.conftest import (
    PROJECT,
    ScriptedUI,
    as_written,
    assert_serves_as_before,
    before_the_write,
    entries,
    env_by_name,
    fix,
    rollback,
    serving,
    updates,
)
from tests.fix.terminal import Script, converse, on_a_terminal
from tests.fix.test_lock import killed_as_its_lock_names


@pytest.fixture(params=TEMPLATE_READINGS)
def sandbox(sandbox: Sandbox, request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    """Every test of this module holds under both `TEMPLATE_READINGS`."""
    with template_defaults(sandbox, request.param):
        yield sandbox


def test_fix_changes_only_what_the_plan_names(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    planned = {"TESTING", "E2E_OAUTH_SIMULATION_KEY", "E2E_TEST_MODE", "JWT_SECRET_STAGING"}
    assert {c.name for c in result.plan.services[0].env} == planned
    canary_request, promote_request = updates(sandbox)
    sent = canary_request.service
    read = as_written(before)  # less the system labels and annotations v2 refuses
    assert read.template.annotations != before.template.annotations  # gcloud's client-name
    # every field but the env list, the revision name and the traffic is sent back as read
    for field in (
        "labels",
        "annotations",
        "ingress",
        "description",
        "launch_stage",
        "binary_authorization",
        "scaling",
        "invoker_iam_disabled",
        "etag",
    ):
        assert getattr(sent, field) == getattr(read, field), field
    for field in (
        "labels",
        "annotations",
        "scaling",
        "vpc_access",
        "timeout",
        "service_account",
        "execution_environment",
        "max_instance_request_concurrency",
        "session_affinity",
        "volumes",
    ):
        assert getattr(sent.template, field) == getattr(read.template, field), field
    (container,) = sent.template.containers
    (old_container,) = before.template.containers
    for field in (
        "image",
        "ports",
        "resources",
        "args",
        "command",
        "volume_mounts",
        "startup_probe",
        "liveness_probe",
        "name",
    ):
        assert getattr(container, field) == getattr(old_container, field), field
    # the write says it comes from drift (SPEC invariant 12)
    assert (sent.client, sent.client_version) == ("drift", __version__)
    old_env, new_env = env_by_name(before), env_by_name(sent)
    for name, var in old_env.items():
        if name not in planned:
            assert run_v2.EnvVar.serialize(new_env[name]) == run_v2.EnvVar.serialize(var), name
    assert set(new_env) == set(old_env) - {"TESTING"} | (planned - {"TESTING"})
    order = [v.name for v in container.env if v.name in old_env]
    assert order == [v.name for v in old_env.values() if v.name != "TESTING"]
    ref = new_env["E2E_OAUTH_SIMULATION_KEY"].value_source.secret_key_ref
    assert (ref.secret, ref.version) == ("e2e-oauth-simulation-key-staging", "latest")
    assert new_env["E2E_TEST_MODE"].value == "true"
    # the promotion request changes traffic only
    promoted = promote_request.service
    assert promoted.template == sent.template
    assert [(t.type_.name, t.percent, t.tag) for t in promoted.traffic] == [
        ("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", 100, "")
    ]
    assert result.exit_code is ExitCode.OK and result.recheck is not None
    assert result.recheck.status.value == "clean"


def test_no_traffic_moves_before_the_canary_passes(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "api")
    seen: list[set[tuple[str, int]]] = []

    def look(question: str) -> None:
        if question.startswith("Move all traffic"):
            seen.append(serving(sandbox.service(PROJECT, "api")))

    ui = ScriptedUI([True, True], on_confirm=look)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    assert seen == [serving(before)]  # at the promotion prompt, traffic is untouched
    canary = updates(sandbox)[0].service
    assert [(t.revision, t.percent) for t in canary.traffic if t.percent] == [
        (before.latest_ready_revision.rsplit("/", 1)[-1], 100)
    ]
    (tagged,) = [t for t in canary.traffic if t.tag]
    assert tagged.percent == 0 and tagged.revision == f"api-drift-{result.change_id}"
    (outcome,) = result.outcomes
    assert outcome.live_probe is not None and outcome.live_probe.outcome.value == "close_1011"
    assert outcome.canary_probe is not None and outcome.canary_probe.ok
    assert outcome.confirmed is True and outcome.live_probe.confirmed is True
    assert serving(sandbox.service(PROJECT, "api")) == {(outcome.canary, 100)}


def test_canary_failing_its_probe_leaves_traffic(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    # REDIS_HOST is required by the backend; the profile states no value, so no patch can
    # set it: the canary closes 1011 like the live revision.
    sandbox.set_env(PROJECT, "api", "REDIS_HOST", None)
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED
    assert "the canary failed its probe" in result.summary()
    (outcome,) = result.outcomes
    # traffic never moved, and the cleanup put back the routing that served (no promotion)
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)
    assert len(updates(sandbox)) == 2  # the canary, the cleanup
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert State.CANARY_FAILED in [h["state"] for h in entry.history]


def test_etag_change_between_read_and_write_aborts(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    def meddle(question: str) -> None:
        sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")  # someone deploys meanwhile

    # after the read right before the write (`drift.fix.reread`), as that write is sent:
    # the server refuses drift's stale etag (ABORTED)
    before_the_write(monkeypatch, 1, meddle)
    ui = ScriptedUI([True])
    before_meddling = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    assert result.exit_code is ExitCode.ABORTED
    assert "changed after drift read it" in result.summary()
    after = sandbox.service(PROJECT, "api")
    (request,) = updates(sandbox)
    assert request.service.etag == before_meddling.etag != after.etag
    assert not any(v.name == "E2E_TEST_MODE" for v in after.template.containers[0].env)


def test_declined_confirmation_writes_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    ui = ScriptedUI([False])
    result = fix(tmp_path, env, ui, FixOptions())
    assert result.exit_code is ExitCode.ABORTED
    assert result.summary() == "declined: nothing was changed"
    assert updates(sandbox) == []
    assert ui.questions == [
        "Deploy the patch to api, auth, web as canary revisions with no traffic?"
    ]
    assert entries(tmp_path) == []
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))  # released


def test_dry_run_validates_on_the_server_and_writes_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = {s: sandbox.service(PROJECT, s) for s in ("api", "auth", "web")}
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(dry_run=True))
    assert result.exit_code is ExitCode.OK
    requests = updates(sandbox)
    assert len(requests) == 3 and all(r.validate_only for r in requests)
    for name, service in before.items():
        assert sandbox.service(PROJECT, name).etag == service.etag


def test_dry_run_rejected_by_the_server_exits_2(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    from drift.sandbox import Fault

    sandbox.inject(Fault(method="UpdateService", code="INVALID_ARGUMENT", message="bad spec"))
    with pytest.raises(UsageError, match="the server rejected the patch: web: UpdateService"):
        fix(tmp_path, env, ScriptedUI(), FixOptions(dry_run=True), services=["web"])


def test_rollback_restores_template_and_traffic(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "web")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    fixed = sandbox.service(PROJECT, "web")
    assert env_by_name(fixed)["NEXT_PUBLIC_WS_URL"].value == "wss://api.staging.acme-chat.dev/ws"
    ui = ScriptedUI([True])
    rolled = rollback(tmp_path, ui)
    assert rolled.change_id == result.change_id and rolled.restored == ["web"]
    assert rolled.exit_code is ExitCode.OK
    after = assert_serves_as_before(sandbox, PROJECT, "web", before, result.outcomes[0].canary)
    assert after.template.containers == before.template.containers
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK
    assert [h["state"] for h in entry.history] == [
        "canary-deploying",
        "canary-ready",
        "promoting",
        "promoted",
        "rolling-back",
        "rolled-back",
    ]


def test_journal_is_private_and_holds_no_secret_value(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    from drift.sandbox import default_scenario_path
    from tests.cliutil import scenario_secret_values

    fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True))
    assert (tmp_path / ".drift" / ".gitignore").read_text().splitlines()[-1] == "*"
    files = list((tmp_path / ".drift" / "journal").glob("*.json"))
    assert len(files) == 3
    for path in files:
        assert path.stat().st_mode & 0o777 == 0o600
        text = path.read_text()
        json.loads(text)
        for value in scenario_secret_values(default_scenario_path()):
            assert value not in text


def test_without_a_terminal_the_answer_is_no(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    done = drift(
        "fix",
        "e2e",
        "--profiles",
        str(REPO / "profiles"),
        "--journal",
        str(tmp_path / "journal"),
        env=env,
        cwd=tmp_path,
    )
    assert done.returncode == 4, done.stdout + done.stderr
    assert "no terminal to ask; pass --yes" in done.stderr
    # "no" is an answer, said plainly (issue 22), not an error
    assert done.stdout.rstrip().endswith("declined: nothing was changed")
    assert "drift: error" not in done.stderr
    assert updates(sandbox) == []


def test_killed_between_canary_and_promotion_rollback_restores(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """A real process, on a terminal: say yes to the canary, then kill -9 at the promotion
    prompt. The journal says where it stopped; `drift rollback` restores the service."""
    before = sandbox.service(PROJECT, "api")
    args = ["fix", "e2e", "--service", "api", "--profiles", str(REPO / "profiles")]
    args += ["--journal", str(tmp_path / ".drift" / "journal")]
    terminal = on_a_terminal(args, env, tmp_path)
    locks = tmp_path / ".drift" / "journal" / "locks"
    kill = killed_as_its_lock_names(locks, "api", terminal[0])  # kill -9: drift's own pid
    script: Script = [(b"no traffic? [y/N]", b"y\n"), (b"Move all traffic of api", kill)]
    converse(terminal, script)
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_READY
    middle = sandbox.service(PROJECT, "api")
    assert serving(middle) == serving(before)  # killed before promotion: traffic untouched
    assert any(t.tag == entry.tag for t in middle.traffic)
    # the killed process left its lock: rollback of that change takes it over, says so
    done = drift("rollback", "--yes", "--journal", str(tmp_path / ".drift/journal"), env=env)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "took over the lock" in done.stdout
    after = assert_serves_as_before(sandbox, PROJECT, "api", before, entry.canary_revision)
    assert after.template.containers == before.template.containers
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def test_a_probe_that_cannot_run_stops_before_any_write(sandbox: Sandbox, tmp_path: Path) -> None:
    """The probe's ${ACME_TEST_JWT} is not set: this used to surface after api's canary was
    deployed (exit 2, the canary left and not mentioned)."""
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "e2e", "--yes", "--profiles", str(REPO / "profiles"), env=env)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "ACME_TEST_JWT" in done.stderr and updates(sandbox) == []


def test_the_fix_reports_the_canary_proof_as_confirmed(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """SPEC: `drift fix` reports `confirmed: true` when the live revision fails its probe and
    the canary passes (api's serving revision closes with 1011; the patch repairs it)."""
    from drift.format import OutputFormat, formatter_for

    served = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.OK and result.recheck is not None
    canary = result.outcomes[0].canary
    (proof,) = result.recheck.proofs  # beside the re-check's own probes, never among them
    assert proof.confirmed is True
    assert (proof.before.revision, proof.before.ok) == (served, False)
    assert (proof.canary.revision, proof.canary.ok) == (canary, True)
    assert not any(p.confirmed for p in result.recheck.probes)
    document = json.loads(formatter_for(OutputFormat.JSON).render(result.recheck))
    (said,) = document["proof"]
    assert said["confirmed"] is True and said["before"]["revision"] == served
    assert "| yes |" in formatter_for(OutputFormat.MARKDOWN).render(result.recheck)
