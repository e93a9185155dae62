"""The counts a plan must never leave above their caps: a job's parallelism above its task
count (`drift.fix.task_cap`), a service's minimum instances above its maximum
(`drift.fix.instance_cap`). Each such change is a manual step, never a patch Cloud Run
refuses."""

from __future__ import annotations

from dataclasses import replace

from drift.fix.commands import Commands
from drift.fix.instance_cap import bound_steps
from drift.fix.model import ManualStep, SettingChange
from drift.fix.proposed import Proposed
from drift.fix.task_cap import task_steps


def cap_steps(cmd: Commands, proposed: Proposed) -> tuple[list[SettingChange], list[ManualStep]]:
    """The proposed settings without the changes that would leave a count above its cap, and
    the manual step for each."""
    settings, tasks = task_steps(cmd, proposed)
    settings, bounds = bound_steps(cmd, replace(proposed, settings=settings))
    return settings, tasks + bounds
