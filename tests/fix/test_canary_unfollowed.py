"""The canary write's answer is lost (UpdateService carried out, its answer an error) and the
service, read back, carries the canary, but following it until it is ready fails
(drift/fix/canary.py `_recover_canary`, GetService refused while it settles): drift says the
canary was deployed, that traffic was not moved, journals canary-failed (never "nothing was
changed"), exits 4, and `drift rollback CHANGE` removes it, exit 0 and serving as before (SPEC
invariants 5, 9 and 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, assert_serves_as_before, entries


def test_a_canary_deployed_but_not_followed_is_journaled_and_rolled_back(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service(LAB, "app")
    sandbox.inject(Fault("UpdateService", "INTERNAL", after=True, first_n=1))
    real = drift.fix.canary.settled

    async def settled(session: Any, name: str, revision: str = "", **kw: Any) -> Any:
        if revision:  # following the canary, once the read back found it
            sandbox.inject(Fault("GetService", "PERMISSION_DENIED"))
        return await real(session, name, revision, **kw)

    with monkeypatch.context() as patched:
        patched.setattr(drift.fix.canary, "settled", settled)
        result = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    text = result.summary()
    assert result.exit_code is ExitCode.ABORTED, text
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_FAILED, entry
    assert f"app: the canary {entry.canary_revision} was deployed but could not be followed" in text
    assert f"Traffic was not moved; `drift rollback {entry.change_id}` removes it" in text, text
    assert "nothing was changed" not in text, text
    sandbox.clear_faults()
    assert sandbox.service(LAB, "app").template.revision == entry.canary_revision
    done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert entries(tmp_path)[0].state == State.ROLLED_BACK
    assert_serves_as_before(sandbox, LAB, "app", before, entry.canary_revision)
