"""How a plan is shown: a table (masked before/after), JSON, a bash script of `gcloud`
commands safe to run as is, or each patched service as YAML for `gcloud run services
replace` (one module per format in `drift.fix.formats`)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from drift.fix.formats import PlanFormat
from drift.fix.formats.table import plan_table
from drift.fix.model import Plan
from drift.fix.plan import build_plan, plan_bases
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.rendering import render_as
from drift.report import Report

__all__ = ["plan_commands", "plan_table", "render_plan", "repair_commands", "with_repairs"]


def render_plan(
    plan: Plan, fmt: PlanFormat, *, patched: dict[str, Any] | None = None, reveal: bool = False
) -> str:
    """`reveal`: the YAML writes plain values that look like credentials as they are."""
    from drift.fix.formats import gcloud, json_plan, knative_yaml

    renderers: dict[PlanFormat, Callable[[Plan], str]] = {
        PlanFormat.TABLE: plan_table,
        PlanFormat.JSON: json_plan.plan_json,
        PlanFormat.GCLOUD: gcloud.plan_script,
        PlanFormat.YAML: lambda p: knative_yaml.plan_yaml(p, patched or {}, reveal=reveal),
    }
    return render_as(fmt, plan, renderers)


def with_repairs(profile: Profile, state: LiveState, report: Report) -> Report:
    """The report carrying the script `drift plan --format gcloud` would print (summaries)."""
    return replace(report, fix_commands=repair_commands(profile, state, report))


def repair_commands(profile: Profile, state: LiveState, report: Report) -> tuple[str, ...]:
    """The lines of the script `drift plan --format gcloud` prints, planned on the same bases
    (what serves: `plan_bases`, no extra API call), or nothing when there is nothing to
    repair."""
    names = _to_repair(report)
    return plan_commands(build_plan(profile, names, state, report, plan_bases(state, names)))


def _to_repair(report: Report) -> tuple[str, ...]:
    """The workloads a plan has something to say about: a finding (ignored or not; a missing
    workload's included) or an item not read. A workload with neither is as its profile wants
    it, and planning each of a large fleet's was most of the time a check spent after its
    reads (`make bench`: its repairs phase)."""
    said = {f.key for f in report.findings} | {u.key for u in report.unverified}
    return tuple(n for n in report.services if n in said)


def plan_commands(plan: Plan) -> tuple[str, ...]:
    """The lines of the plan's `--format gcloud` script, or nothing when there is nothing to
    repair."""
    from drift.fix.formats.gcloud import script_lines

    if not (plan.has_patch or plan.manual):
        return ()
    return tuple(script_lines(plan))
