"""helper-617 F1: `drift fix --only` of one of a job's `task_count` / `parallelism` changes,
where the profile states both and the plan moves them together, wrote a job whose
parallelism is above its task count: ExecutionTemplate.parallelism "Must be <= task_count"
(run v2 execution_template.proto; drift.fix.task_cap), which Cloud Run may refuse after a
write the whole plan never sends, or store (the sandbox's `parallelism_over_tasks` does
either). The part is now refused before any write, naming the change it needs, as a part
below the CPU or GPU floors is."""

from __future__ import annotations

import copy
from pathlib import Path

import pytest

from drift.errors import UsageError
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix, writes
from tests.jobs.world import JOB_SETTINGS, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PROFILE = (
    JOB_SETTINGS
    + """\
      task_count: {n}
      parallelism: {n}
"""
)


@pytest.mark.parametrize("server", ["accepted", "refused"])
@pytest.mark.parametrize(
    ("now", "wanted", "only", "needed"),
    [(4, 2, "task_count", "parallelism"), (2, 4, "parallelism", "task_count")],
    ids=["tasks-lowered", "parallelism-raised"],
)
def test_a_part_that_leaves_parallelism_above_the_task_count_is_refused(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    server: str,
    now: int,
    wanted: int,
    only: str,
    needed: str,
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"] |= {"task_count": now, "parallelism": now}
    sandbox = make_sandbox(world(jobs={"job": job}, pools={}, parallelism_over_tasks=server))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE.format(n=wanted))
    with pytest.raises(UsageError) as refused:
        fix(tmp_path, profiles, ScriptedUI([True]), yes=True, only=(f"job/job/setting.{only}",))
    said = refused.value.message
    assert f"parallelism {max(now, wanted)} above task_count {min(now, wanted)}" in said, said
    assert f"it needs job/job/setting.{needed} too" in said, said
    assert writes(sandbox) == []
    live = sandbox.job("p", "job").template
    assert (live.task_count, live.parallelism) == (now, now)
    # the whole plan moves both together
    fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    live = sandbox.job("p", "job").template
    assert (live.task_count, live.parallelism) == (wanted, wanted)
