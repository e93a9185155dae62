"""A fix whose update never settles waited for it twice in sequence: up to 600 s for the
write's operation, then, that wait given up, up to 600 s more for the job to stop reconciling
(`drift.fix.update`: `update_workload`, then `settled_workload`), 20 minutes where the wait
lines said 10. Now one deadline bounds the whole wait of each write, from when it is sent:
the setting `write_wait` (DRIFT_WRITE_WAIT, `[tool.drift] write_wait`; 600 s by default),
said on each waiting line. Here it is set to 2 s and the sandbox's `deploys_wait` keeps the
update reconciling (its operation not done) until the test settles it: the fix ends with the
update's outcome unknown — nothing written over it, the entry `updating` — and both waits
said the one deadline. (No timing is asserted: what it ends with, and what it said.)"""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix import waiting
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import State
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries
from tests.jobs.test_fix_jobs import TODAY, writes
from tests.jobs.world import write_profile
from tests.sandbox.jobworld import world

PROFILE = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      NEW: '1'\n"


def test_an_update_that_never_settles_is_waited_for_once_within_write_wait(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(pools={}, deploys_wait=True))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    said: list[str] = []
    monkeypatch.setattr(waiting, "CADENCE", waiting.Cadence(first=0.1, every=0.3, say=said.append))
    profile = load_profile(write_profile(tmp_path / "profiles", PROFILE), "prod")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal", write_wait=2)
    fixing = run_fix(profile, settings, ScriptedUI([True]), FixOptions(verify=False), today=TODAY)
    result = asyncio.run(fixing)
    text = " ".join(result.summary().split())
    assert sandbox.job("p", "job").reconciling  # drift's update, still being acted upon
    assert writes(sandbox) == ["UpdateJob"], writes(sandbox)  # nothing written over it
    assert "did not complete within 2 s" in text, text  # the operation's wait: the setting's
    assert "whether it completed is not known" in text or "may have landed" in text, text
    assert "put back" not in text.replace("puts back what it was", ""), text
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATING, entry.history
    assert result.exit_code is ExitCode.INCOMPLETE  # it landed: never 4, "nothing changed"
    assert said, "no wait was said"
    for line in said:  # each wait, the operation's and the read's after it: one deadline
        assert line.endswith(" s so far (drift waits up to 2 s in all for this write: "
                             "DRIFT_WRITE_WAIT)"), line  # fmt: skip
