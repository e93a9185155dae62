"""`drift rollback` (SPEC invariant 10, issue 21 item 2, issue 22): it succeeds only when what
serves afterwards — `traffic_statuses` and the revisions' readiness — is what served before;
it refuses a service someone changed since drift's last write (unless --force) and a journal
entry that is not what drift recorded; its prompt shows everything it changes, masked; its
list says what was done, when, by whom; and once the latest change is rolled back there is
nothing left to roll back."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import Clients, MakeSandbox
from tests.fix.conftest import (
    LAB,
    PROJECT,
    ScriptedUI,
    assert_serves_as_before,
    config,
    entries,
    fix,
    lab_cli,
    lab_fix,
    lab_world,
    rollback,
    spec,
    updates,
)

HOTFIX_IMAGE = "us-central1-docker.pkg.dev/acme-chat-staging/acme-chat/web:v3.2.1-hotfix"


def hotfix(clients: Clients, *, token: str = "") -> None:
    """Someone else deploys on top of drift's fix: a new image and a new variable."""
    name = f"projects/{PROJECT}/locations/us-central1/services/web"
    service = clients.services.get_service(name=name)
    container = service.template.containers[0]
    container.image = HOTFIX_IMAGE
    container.env.append(run_v2.EnvVar(name="HOTFIX", value="1"))
    if token:
        container.env.append(run_v2.EnvVar(name="PAYMENTS_API_TOKEN", value=token))
    service.template.revision = ""
    clients.services.update_service(service=service).result()


def cli(sandbox: Sandbox, tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    done = drift(*args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def fix_web(sandbox: Sandbox, tmp_path: Path) -> None:
    profiles = str(REPO / "profiles")
    code, out = cli(sandbox, tmp_path, "fix", "e2e", "--yes", "-s", "web", "--profiles", profiles)
    assert code == 0, out


def test_rollback_refuses_a_service_changed_since(
    sandbox: Sandbox, tmp_path: Path, clients: Clients
) -> None:
    before = sandbox.service(PROJECT, "web")
    fix_web(sandbox, tmp_path)
    hotfix(clients)
    changed = sandbox.service(PROJECT, "web")
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 4, out
    assert "web was changed since drift's last write" in out and "--force" in out
    assert updates(sandbox) == [] and sandbox.service(PROJECT, "web").etag == changed.etag
    code, out = cli(sandbox, tmp_path, "rollback", "--yes", "--force")
    assert code == 0, out
    (entry,) = entries(tmp_path)
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)


def test_the_prompt_shows_everything_a_rollback_changes(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """Issue 21 item 2: the prompt listed only "changed: env.TESTING" while the rollback put
    back the old image and dropped someone's hotfix."""
    token = "sk_live_4eC39HqLyjWDarjtT1zdp7dc"
    fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    hotfix(clients, token=token)
    ui = ScriptedUI([True])
    result = rollback(tmp_path, ui, force=True)
    assert result.exit_code is ExitCode.OK, result.summary()
    said = "\n".join(ui.said)
    assert (
        f"image: {HOTFIX_IMAGE} → us-central1-docker.pkg.dev/acme-chat-staging/acme-chat/"
        "web:v3.2.0" in said
    )
    assert "env.HOTFIX: removed (was 1)" in said
    assert "env.PAYMENTS_API_TOKEN: removed (was ***)" in said and token not in said
    ws = "env.NEXT_PUBLIC_WS_URL: wss://api.staging.acme-chat.dev/ws → ws://localhost:8000/ws"
    assert ws in said
    assert "env.NEXT_TELEMETRY_DISABLED" not in said  # unchanged by the fix: not listed
    assert "serving now: LATEST 100% →" in said
    where = "e2e (project acme-chat-staging, region us-central1)"  # what it writes to
    assert ui.questions == [f"Roll back change {result.change_id} in {where} on web?"]
    assert f"web: restore what served before change {result.change_id} in {where}" in said


def test_an_edited_journal_entry_is_refused(sandbox: Sandbox, tmp_path: Path) -> None:
    fix_web(sandbox, tmp_path)
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(path.read_text())
    data["base_template"]["containers"][0]["image"] = "evil.example/web:latest"
    path.write_text(json.dumps(data))
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 4, out
    assert "journal entry refused" in out and "does not match the checksum" in out
    assert updates(sandbox) == []
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0 and "(entry refused: edited)" in out


def test_rollback_is_judged_by_what_serves(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """Issue 15: the restored revision failed again, LATEST still resolved to drift's canary,
    and rollback printed "restored", exit 0. revroll65 F2: the failure was predictable (the
    version is DISABLED), yet the rollback wrote the doomed configuration into the template,
    one failed revision a try, and never said why: it now refuses before writing, naming the
    variable, the version and its state, and the revision that ran it."""
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    canary = result.outcomes[0].canary
    version = f"projects/{PROJECT}/secrets/database-url-staging/versions/1"
    clients.secrets.disable_secret_version(name=version)  # what served can no longer start
    was = sandbox.service(PROJECT, "api")
    sandbox.clear_calls()
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.ABORTED
    text = rolled.summary()
    assert "DATABASE_URL uses secret database-url-staging:latest, which is DISABLED" in text, text
    assert "nothing was changed" in text and "restored api" not in text
    assert f"--to-revisions {before.latest_ready_revision.rsplit('/', 1)[-1]}=100" in text
    assert updates(sandbox) == []  # no failed revision, no template rewritten
    now = sandbox.service(PROJECT, "api")
    assert now.generation == was.generation and now.latest_created_revision.endswith(canary)
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED  # refused before its write: nothing journaled
    clients.secrets.enable_secret_version(name=version)
    again = rollback(tmp_path)  # run again once it can work
    assert again.exit_code is ExitCode.OK and again.restored == ["api"], again.summary()
    assert_serves_as_before(sandbox, PROJECT, "api", before, canary)


def test_rollback_after_a_failed_template_restores_what_served(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Issue 15's service: its newest revision failed. Rollback used to restore the failed
    template; what served before is the revision that served."""
    broken = "us-docker.pkg.dev/lab/app:v3-broken"
    sandbox = make_sandbox(
        lab_world(
            template={"image": broken, "port": 8080, "env": {"DEBUG": "true"}},
            history=[{"image": "us-docker.pkg.dev/lab/app:v1"}],
            failed="Image 'us-docker.pkg.dev/lab/app:v3-broken' not found.",
        )
    )
    before = sandbox.service(LAB, "app")
    assert lab_cli(sandbox, tmp_path, "fix", "lab", "--yes").returncode == 0
    done = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    after = sandbox.service(LAB, "app")
    assert spec(after) == spec(before)
    latest = after.latest_ready_revision.rsplit("/", 1)[-1]
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert config(sandbox.revision(LAB, "app", latest)) == config(
        sandbox.revision(LAB, "app", served)
    )


def test_rollback_after_a_failed_template_says_that_template_is_not_put_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The fix replaced the failed template (a new image and a variable) with what served
    plus the patch, and said so; the rollback restores what served, and its plan says the
    failed template recorded before the change is not put back, with what it had, as a
    worker pool's says (helper-632 F3)."""
    broken = "us-docker.pkg.dev/lab/app:v3-broken"
    sandbox = make_sandbox(
        lab_world(
            template={"image": broken, "port": 8080, "env": {"DEBUG": "true", "NEW": "1"}},
            history=[{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"NEW": None}}],
            failed="Image 'us-docker.pkg.dev/lab/app:v3-broken' not found.",
        )
    )
    before = sandbox.service(LAB, "app")
    failed = before.latest_created_revision.rsplit("/", 1)[-1]
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert failed != served
    assert lab_cli(sandbox, tmp_path, "fix", "lab", "--yes").returncode == 0
    done = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    (note,) = [line for line in done.stdout.splitlines() if "is not put back" in line]
    assert f"the template of the failed revision {failed}, which the fix replaced" in note, note
    assert f"us-docker.pkg.dev/lab/app:v1 → {broken}" in note and "env.NEW: added" in note, note
    assert note.endswith(f"what served ({served}) is what the rollback puts back"), note


def test_the_list_says_what_when_by_whom(sandbox: Sandbox, tmp_path: Path) -> None:
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0 and out.startswith("no change recorded in "), out
    fix_web(sandbox, tmp_path)
    code, out = cli(sandbox, tmp_path, "rollback", "--list")
    assert code == 0, out
    header, row, where = out.splitlines()
    assert header.split() == [
        *("CHANGE", "TIME", "(UTC)", "BY", "ENVIRONMENT", "SERVICE", "STATE", "CHANGED")
    ]
    (entry,) = entries(tmp_path)
    assert row.startswith(entry.change_id) and entry.created_at[:10] in row
    assert "(OS user on" in row and " e2e " in row and " web " in row and " promoted " in row
    assert where == f"journal: {tmp_path / '.drift' / 'journal'}"


def test_nothing_left_to_roll_back(sandbox: Sandbox, tmp_path: Path) -> None:
    fix_web(sandbox, tmp_path)
    assert cli(sandbox, tmp_path, "rollback", "--yes")[0] == 0
    sandbox.clear_calls()
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 0, out
    (entry,) = entries(tmp_path)
    assert f"change {entry.change_id}: nothing left to roll back" in out
    assert "older changes: `drift rollback --list`" in out
    assert updates(sandbox) == []


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_a_rollback_declined_changes_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, answer: bool | BaseException
) -> None:
    fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    fixed = sandbox.service(PROJECT, "web")
    sandbox.clear_calls()
    if isinstance(answer, BaseException):
        with pytest.raises(Interrupted) as caught:
            rollback(tmp_path, ScriptedUI([answer]))
        assert caught.value.exit_code is ExitCode.ABORTED
        assert caught.value.message == "interrupted: nothing was changed"
    else:
        result = rollback(tmp_path, ScriptedUI([answer]))
        assert result.exit_code is ExitCode.ABORTED
        assert result.summary() == "declined: nothing was changed"
    assert updates(sandbox) == [] and sandbox.service(PROJECT, "web").etag == fixed.etag


def test_rollback_refuses_a_service_deleted_and_created_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix is promoted; the team then deletes the service and creates it again under the
    same name (terraform replace), deployed up to the same generation with another image.
    Generations count within one resource only: its uid says it is not the service drift
    changed, and rollback writes nothing without --force."""
    sandbox = make_sandbox(lab_world())
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    promoted = sandbox.service(LAB, "app")
    theirs = {"image": "us-docker.pkg.dev/lab/app:v9-recreated", "env": {"MODE": "live"}}
    sandbox.reset(lab_world(template=theirs, history=[theirs] * (promoted.generation - 1)))
    recreated = sandbox.service(LAB, "app")
    assert recreated.generation == promoted.generation and recreated.uid != promoted.uid
    sandbox.clear_calls()
    refused = rollback(tmp_path)
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    assert "app was deleted and created again since change" in refused.summary()
    assert f"its uid {promoted.uid} → {recreated.uid}" in refused.summary()
    assert f"`drift rollback {refused.change_id} --force` restores anyway" in refused.summary()
    assert updates(sandbox) == []
    assert sandbox.service(LAB, "app").etag == recreated.etag


def test_a_service_changed_during_the_prompt_is_refused_in_words(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """Someone deploys while the rollback's prompt waits: read again before the write, it is
    refused — said as a refusal with nothing written, not as a restoration that failed."""
    fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    ui = ScriptedUI([True], on_confirm=lambda question: hotfix(clients))
    writes = len(updates(sandbox))
    result = rollback(tmp_path, ui)
    assert result.exit_code is ExitCode.ABORTED and result.restored == []
    (said,) = result.failed
    assert said.startswith("web: refused (changed since): web was changed since drift's"), said
    assert "nothing was written to web" in said and "what served before" not in said
    assert len(updates(sandbox)) == writes + 1  # the hotfix alone
