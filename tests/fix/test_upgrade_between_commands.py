"""An operator upgrades drift between two commands (revupgrade2): an entry the older drift
left unfinished, or a change someone made by hand, is rolled back by today's drift exactly —
the service's own fields (Binary Authorization's breakglass, the audiences' order) included,
never "restored" with nothing written. The older drift is the last release, ec87b54, taken
from this repository's history (`git archive`, once for the module; skipped where the
checkout lacks it) and run with this test's interpreter (PYTHONPATH on the extracted tree),
against the same sandbox as today's drift."""

from __future__ import annotations

import compileall
import os
import pty
import signal
import subprocess
import sys
import tarfile
import time
from io import BytesIO
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox.faults import Fault
from tests.cliutil import REPO, ctrl_c_as_a_terminal_has_it, drift, drift_argv
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_name, lab_world
from tests.fix.test_rollback_service_fields import AUDIENCES, JUSTIFICATION, _configuration

RELEASE = "ec87b54"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    settings:\n      binary_authorization: none\n"
    "      custom_audiences: https://api.acme.example\n"
    "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
)


@pytest.fixture(scope="module")
def release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The last release's `drift` package, extracted once for this module's tests (which only
    run it) and its bytecode compiled, as an installed release has it (pip compiles at install
    time; `make test` writes bytecode too, so the release's first run would compile what it
    imports, in each test again)."""
    try:
        blob = subprocess.run(
            ["git", "-C", str(REPO), "archive", RELEASE, "drift"],
            capture_output=True,
            check=True,
        ).stdout
    except (OSError, subprocess.CalledProcessError):
        pytest.skip(f"the release {RELEASE} is not in this checkout's history")
    old = tmp_path_factory.mktemp("old")
    with tarfile.open(fileobj=BytesIO(blob)) as tar:
        if hasattr(tarfile, "data_filter"):  # 3.11.4+: no member outside `old`
            tar.extractall(old, filter="data")
        else:  # our own repository's history: trusted
            tar.extractall(old)  # noqa: S202
    compileall.compile_dir(old / "drift", quiet=1)
    return old


def _breakglass_world(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> tuple[Any, Any, Any]:
    """The lab service under Binary Authorization with a breakglass justification and its
    audiences in a team's order, the profile written: (sandbox, clients, its configuration)."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    service.binary_authorization = run_v2.BinaryAuthorization(
        use_default=True, breakglass_justification=JUSTIFICATION
    )
    service.custom_audiences[:] = AUDIENCES
    clients.services.update_service(service=service).result()
    before = _configuration(clients.services.get_service(name=lab_name()))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "lab.yaml").write_text(PROFILE)
    return sandbox, clients, before


def _old_fix_stopped_in_its_cleanup(old: Path | None, sandbox: Any, cwd: Path) -> None:
    """The release's `drift fix lab` (old=None: today's) in a terminal: yes to the canary,
    then Ctrl-C at the promotion prompt, and Ctrl-C again while the cleanup's write is
    settling (its UpdateService sent, its operation hanging): the entry is left
    `cleaning-up`, its lock kept, as the release says ("`drift rollback ID` finishes it").
    The release runs in an interpreter of its own (PYTHONPATH on its tree); today's drift
    through the worker's stand-in (`drift_argv`: forked from the zygote, the signals passed
    on), as what is proved happens at a prompt, long after start."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(sandbox.environ(), PYTHONPATH=str(old or REPO), NO_COLOR="1")
    argv = drift_argv() if old is None else [sys.executable, "-m", "drift"]
    master, slave = pty.openpty()
    with ctrl_c_as_a_terminal_has_it():
        proc = subprocess.Popen(
            [*argv, "fix", "lab", "--no-verify"],
            cwd=cwd,
            env=env,
            stdin=slave,
            stdout=slave,
            stderr=slave,
            start_new_session=True,
        )
    os.close(slave)
    seen, prompts, deadline = b"", 0, time.monotonic() + 60
    while prompts < 2 and time.monotonic() < deadline:
        seen += os.read(master, 4096)
        if seen.count(b"[y/N]") > prompts:
            prompts += 1
            if prompts == 1:
                os.write(master, b"y\n")
    assert prompts == 2, seen.decode(errors="replace")
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))
    os.killpg(proc.pid, signal.SIGINT)
    while sum(c.short == "UpdateService" for c in sandbox.calls) < 3:  # the cleanup's write
        assert time.monotonic() < deadline
        time.sleep(0.05)
    time.sleep(1)
    os.killpg(proc.pid, signal.SIGINT)
    # today's drift: 3, the cleanup's outcome unknown (helper-661 B4); the release's: 4
    assert proc.wait(timeout=30) == (4 if old is not None else 3)
    os.close(master)
    sandbox.clear_faults()


def test_a_release_cleanup_finished_by_todays_rollback_restores_the_breakglass_and_order(
    release: Path, make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """The release's cleanup wrote the service-level settings through their text (its
    restore_request: `binary_authorization: default` without the breakglass justification,
    the audiences sorted), then was stopped. Today's `drift rollback --yes` takes the lock
    over, prints that it restores the breakglass and the audiences' order and that "a new
    revision is created", yet writes nothing ("already serves what served before":
    drift/fix/restore.py `restore`, its in_place shortcut judges the template and traffic
    only, and `as_found` likewise) and exits 0 "restored": the service is left without the
    breakglass the journal recorded (BinaryAuthorization.breakglass_justification: "If
    present, indicates to use Breakglass using this justification")."""
    old = release
    sandbox, clients, before = _breakglass_world(make_sandbox, clients_for, tmp_path)
    _old_fix_stopped_in_its_cleanup(old, sandbox, tmp_path)

    done = drift("rollback", "--yes", env=sandbox.environ(), cwd=tmp_path)
    shown = done.stdout + done.stderr
    assert "Traceback" not in shown
    after = clients.services.get_service(name=lab_name())
    assert after.binary_authorization.breakglass_justification == JUSTIFICATION, shown
    assert list(after.custom_audiences) == AUDIENCES, shown
    assert _configuration(after) == before, shown


def _old(old: Path, sandbox: Any, cwd: Path, *args: str) -> subprocess.Popen[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(sandbox.environ(), PYTHONPATH=str(old), NO_COLOR="1")
    with ctrl_c_as_a_terminal_has_it():
        return subprocess.Popen(
            [sys.executable, "-m", "drift", *args],
            cwd=cwd,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )


def test_a_release_rollback_stopped_mid_write_finished_by_todays_rollback(
    release: Path, make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """The same shortcut from the other side: the release's `drift fix --yes` (canary,
    promoted), then the release's `drift rollback --yes` stopped by Ctrl-C while its write
    settles (entry `rolling-back`, the write landed: the release's text path, breakglass
    lost, audiences sorted). The operator upgrades and runs `drift rollback --yes` again, as
    the release told them: today's drift says "restored", exit 0, and the breakglass the
    journal recorded is not back."""
    old = release
    sandbox, clients, before = _breakglass_world(make_sandbox, clients_for, tmp_path)
    fixed = _old(old, sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    out, err = fixed.communicate(timeout=120)
    assert fixed.returncode == 0, out + err
    writes = sum(c.short == "UpdateService" for c in sandbox.calls)
    sandbox.inject(Fault("GetOperation", None, latency_ms=60_000))
    rolling = _old(old, sandbox, tmp_path, "rollback", "--yes")
    deadline = time.monotonic() + 60
    while sum(c.short == "UpdateService" for c in sandbox.calls) <= writes:
        assert rolling.poll() is None and time.monotonic() < deadline, rolling.communicate()
        time.sleep(0.05)
    time.sleep(1)
    os.killpg(rolling.pid, signal.SIGINT)
    rolling.communicate(timeout=30)
    sandbox.clear_faults()

    done = drift("rollback", "--yes", env=sandbox.environ(), cwd=tmp_path)
    shown = done.stdout + done.stderr
    assert "Traceback" not in shown
    after = clients.services.get_service(name=lab_name())
    assert after.binary_authorization.breakglass_justification == JUSTIFICATION, shown
    assert _configuration(after) == before, shown


def test_todays_rollback_force_after_a_breakglass_dropped_by_hand(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """Today's drift alone, the same shortcut: its fix stopped in its cleanup (the cleanup's
    write landed, exactly), then someone drops the breakglass by hand (gcloud). `drift
    rollback --yes --force` says "restore what served before", lists the breakglass coming
    back, and restores nothing ("already serves what served before"): --force promises to undo
    their change too (README `rollback --force`: "their change is undone too")."""
    sandbox, clients, before = _breakglass_world(make_sandbox, clients_for, tmp_path)
    _old_fix_stopped_in_its_cleanup(None, sandbox, tmp_path)
    service = clients.services.get_service(name=lab_name())
    assert service.binary_authorization.breakglass_justification == JUSTIFICATION
    service.binary_authorization = run_v2.BinaryAuthorization(use_default=True)
    clients.services.update_service(service=service).result()
    revision = clients.services.get_service(name=lab_name()).latest_created_revision

    done = drift("rollback", "--yes", "--force", env=sandbox.environ(), cwd=tmp_path)
    shown = done.stdout + done.stderr
    assert "breakglass_justification: (unset) → INC-4711" in shown, shown
    after = clients.services.get_service(name=lab_name())
    assert after.binary_authorization.breakglass_justification == JUSTIFICATION, shown
    assert _configuration(after) == before, shown
    # only the service's own field is written: no revision, and the prompt and its notes say
    # so — never a new revision, a redeploy, or an image tag resolved again (revown57 F1)
    assert after.latest_created_revision == revision, shown
    assert "no revision is created, what serves stays as it is" in shown, shown
    assert "a new revision is created" not in shown, shown
    assert "a redeploy of what serves now" not in shown, shown
    assert "the new revision runs the image it names now" not in shown, shown
