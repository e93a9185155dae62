"""A change is rolled back only where it was made (`Entry.backend`): a sandbox's services share
their names with real ones, so a rollback run against another backend — another sandbox, or
Google Cloud — is refused before any read or write, even with --force (which would otherwise
deploy the sandbox's recorded configuration on the other service: revenv E7)."""

from __future__ import annotations

import json
import socket
from pathlib import Path

import pytest

from drift.fix.journalfiles import digest, sum_path
from drift.live.backendid import elsewhere
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import PROJECT, entries, updates
from tests.fix.test_lock import dead_pid
from tests.fix.test_rollback import cli, fix_web


@pytest.mark.parametrize("force", [False, True])
def test_a_change_made_on_one_sandbox_is_not_rolled_back_on_another(
    sandbox: Sandbox, make_sandbox: MakeSandbox, tmp_path: Path, force: bool
) -> None:
    fix_web(sandbox, tmp_path)
    (entry,) = (tmp_path / ".drift" / "journal").glob("*.json")
    assert json.loads(entry.read_text())["backend"] == f"the emulator at {sandbox.address}"
    other = make_sandbox()
    before = other.service(PROJECT, "web")
    other.clear_calls()
    code, out = cli(other, tmp_path, "rollback", "--yes", *(["--force"] if force else []))
    assert code == 4, out
    assert f"was made against the emulator at {sandbox.address}" in out, out
    assert f"this drift talks to the emulator at {other.address}" in out, out
    assert "nothing was changed" in out
    assert updates(other) == [] and other.service(PROJECT, "web").etag == before.etag
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")  # where it was made: rolled back
    assert code == 0, out


def test_an_entry_of_a_drift_that_recorded_no_backend_is_rolled_back_as_before(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    fix_web(sandbox, tmp_path)
    (entry,) = (tmp_path / ".drift" / "journal").glob("*.json")
    data = json.loads(entry.read_text())
    del data["backend"]
    raw = (json.dumps(data, indent=2) + "\n").encode()
    entry.write_bytes(raw)
    sum_path(entry).write_text(digest(raw) + "\n")  # the checksum, as drift writes it
    code, out = cli(sandbox, tmp_path, "rollback", "--yes")
    assert code == 0, out


@pytest.mark.parametrize("host", ["localhost", "127.0.0.1"])  # it serves IPv4: [::1] below
def test_the_same_sandbox_spelled_another_loopback_way_is_not_another_backend(
    sandbox: Sandbox, tmp_path: Path, host: str
) -> None:
    """The fix ran with what `drift sandbox` prints (127.0.0.1:PORT); the on-call's shell, a
    `.env` or a compose file says localhost:PORT: the same server (revown34 F2)."""
    fix_web(sandbox, tmp_path)
    port = sandbox.address.rsplit(":", 1)[1]
    same = dict.fromkeys(sandbox.environ(), f"{host}:{port}")
    code, out = _cli(same, tmp_path, "rollback", "--yes")
    assert code == 0, out


def test_rollback_list_says_a_change_was_made_elsewhere(
    sandbox: Sandbox, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`rollback --list` from another backend says where a change was made and that the
    rollback here refuses it, before the on-call picks it (revown34 F4)."""
    fix_web(sandbox, tmp_path)
    other = make_sandbox()
    code, listed = _cli(other.environ(), tmp_path, "rollback", "--list")
    assert code == 0, listed
    assert f"made against the emulator at {sandbox.address}" in listed, listed
    assert "`drift rollback` here refuses it" in listed, listed
    code, listed = cli(sandbox, tmp_path, "rollback", "--list")  # where it was made: no word
    assert code == 0 and "made against" not in listed, listed


def test_a_rollback_refused_as_made_elsewhere_leaves_the_changes_locks(
    sandbox: Sandbox, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The refusal says "nothing was changed": a stale lock the change left on a service it
    wrote nothing to (killed before its write there) stays too; on main it was cleared
    before the check (revown34, left)."""
    fix_web(sandbox, tmp_path)
    (entry,) = entries(tmp_path)
    lock = tmp_path / ".drift" / "journal" / "locks" / f"{PROJECT}--us-central1--services--api.lock"
    lock.parent.mkdir(exist_ok=True)
    held = {"change_id": entry.change_id, "pid": dead_pid(), "host": socket.gethostname()}
    lock.write_text(json.dumps({**held, "started": "2026-11-01T12:00:00+00:00", "command": "fix"}))
    code, out = _cli(make_sandbox().environ(), tmp_path, "rollback", entry.change_id, "--yes")
    assert code == 4 and "nothing was changed" in out and "removed the lock" not in out, out
    assert lock.exists()
    code, out = cli(sandbox, tmp_path, "rollback", entry.change_id, "--yes")  # where it was made
    assert code == 0 and "api: removed the lock left by" in out and not lock.exists(), out


def _cli(env: dict[str, str], tmp_path: Path, *args: str) -> tuple[int, str]:
    env = {**env, "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    done = drift(*args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


def test_loopback_spellings_are_one_backend_and_other_hosts_are_not() -> None:
    at = "the emulator at "
    assert not elsewhere(f"{at}127.0.0.1:8080", f"{at}localhost:8080")
    assert not elsewhere(f"{at}[::1]:8080", f"{at}127.0.0.2:8080")
    assert not elsewhere(f"{at}::1:8080", f"{at}LOCALHOST:8080")
    assert elsewhere(f"{at}127.0.0.1:8080", f"{at}127.0.0.1:8081")
    assert elsewhere(f"{at}10.0.0.5:8080", f"{at}localhost:8080")
    assert elsewhere(f"{at}emulator:8080", f"{at}other:8080")
    assert elsewhere(f"{at}localhost:443", "Google Cloud (googleapis.com)")
    assert not elsewhere("", "Google Cloud (googleapis.com)")  # recorded none: as before
