"""How a plan is shown: a table (masked before/after), JSON, a bash script of `gcloud`
commands safe to run as is, or each patched service as YAML for `gcloud run services
replace` (one module per format in `drift.fix.formats`)."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift.fix.formats import PlanFormat
from drift.fix.formats.table import plan_table
from drift.fix.model import Plan
from drift.fix.plan import build_plan
from drift.live.model import LiveState
from drift.profiles.model import Profile
from drift.report import Report

__all__ = ["plan_table", "render_plan", "repair_commands", "with_repairs"]


def render_plan(
    plan: Plan, fmt: PlanFormat, *, patched: dict[str, Any] | None = None, reveal: bool = False
) -> str:
    """`reveal`: the YAML writes plain values that look like credentials as they are."""
    if fmt is PlanFormat.TABLE:
        return plan_table(plan)
    if fmt is PlanFormat.JSON:
        from drift.fix.formats.json_plan import plan_json

        return plan_json(plan)
    if fmt is PlanFormat.GCLOUD:
        from drift.fix.formats.gcloud import plan_script

        return plan_script(plan)
    if fmt is PlanFormat.YAML:
        from drift.fix.formats.knative_yaml import plan_yaml

        return plan_yaml(plan, patched or {}, reveal=reveal)
    raise AssertionError(fmt)


def with_repairs(profile: Profile, state: LiveState, report: Report) -> Report:
    """The report carrying the script `drift plan --format gcloud` would print (summaries)."""
    return replace(report, fix_commands=repair_commands(profile, state, report))


def repair_commands(profile: Profile, state: LiveState, report: Report) -> tuple[str, ...]:
    """The lines of the script `drift plan --format gcloud` prints (no extra API call), or
    nothing when there is nothing to repair."""
    from drift.fix.formats.gcloud import script_lines

    plan = build_plan(profile, report.services, state, report)
    if not (plan.has_patch or plan.manual):
        return ()
    return tuple(script_lines(plan))
