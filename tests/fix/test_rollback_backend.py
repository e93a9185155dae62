"""A change is rolled back only where it was made (`Entry.backend`): a sandbox's services share
their names with real ones, so a rollback run against another backend — another sandbox, or
Google Cloud — is refused before any read or write, even with --force (which would otherwise
deploy the sandbox's recorded configuration on the other service: revenv E7)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.fix.journalfiles import digest, sum_path
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import PROJECT, updates
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
