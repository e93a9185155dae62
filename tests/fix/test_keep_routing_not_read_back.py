"""The clean-up write that keeps their routing (`keep_routing`), sent and not read back: as a
canary's clean-up not read back (README), never failed: the entry left `cleaning-up`, its lock
kept, exit 3, its words "may have landed" and `drift rollback` finishing it, never "left the
canary as it is" nor `--force` (helper-827 R2)."""

from __future__ import annotations

from pathlib import Path

import pytest

import drift.fix.restored
from drift.errors import ExitCode
from drift.fix.journal import State
from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import entries
from tests.fix.test_cleanup_keeps_their_routing import SPLIT, _fix_rerouted_at_the_prompt


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_keep_routing_cleanup_not_read_back(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    sandbox = make_sandbox(lab.lab_world(**SPLIT))
    with monkeypatch.context() as patched:
        lab.after_each_write(
            patched,
            drift.fix.restored,
            lambda request: sandbox.inject(Fault("GetService", "PERMISSION_DENIED")),
        )
        result, _ = _fix_rerouted_at_the_prompt(
            sandbox, tmp_path, monkeypatch, {0: 50, 1: 50}, answer
        )
    said = " ".join(result.summary().split())
    (entry,) = entries(tmp_path)
    locks = list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))
    assert entry.state == State.CLEANING_UP, said
    assert result.exit_code is ExitCode.INCOMPLETE, said
    assert locks, "lock freed"
    assert "may have landed" in said and "finishes it" in said, said
    assert "--force" not in said and "left the canary" not in said, said
