"""The plan `drift fix` shows and applies (`fix_plan`), made on the journal as the fix leaves
it before it shows anything: a change an earlier fix stopped after its last write, which the
workloads as read show landed, is recorded finished first (`landed_before.settle`: a held
pool's write `pinned`), then the plan is made again, so its manual steps say what the lines
after them say. Before, the plan shown was made before settling and still called such a
change "left by a fix that did not finish: updating" above the lines saying it had landed
(helper-728 left it); a workload with new drift besides (a patch of its own) was settled under
the fix's own lock, after the plan was shown, and said so still (helper-730 left it). A saved
plan (`--plan FILE`) is judged on the plan made last, and `--only` cuts it.

Settling takes the stopped change's lock over and lets it go before the fix takes its own: it
writes only the journal, as the fix's own lock did before its prompt (nothing is sent to Cloud
Run before confirmation either way), and another drift taking the lock in between is refused
by it as any other holder is (SPEC invariant 11). Its entry's note says it was "finished by a
later `drift fix`" (the fix's change id is made under its own locks)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from dataclasses import replace
from functools import partial

from drift.fix.context import FixOptions, FixUI
from drift.fix.landed_before import settle
from drift.fix.model import Plan, ServicePlan
from drift.fix.only import cut_note, only
from drift.fix.plan import Planned, plan_environment
from drift.fix.plan_hold import held_plan
from drift.fix.saved import SavedPlan, changed_since
from drift.fix.saved_applied import applied_already
from drift.fix.served import journal_entries
from drift.profiles.model import Profile
from drift.settings import Settings


async def fix_plan(
    profile: Profile,
    settings: Settings,
    ui: FixUI,
    options: FixOptions,
    *,
    services: Sequence[str] | None,
    environ: Mapping[str, str],
    today: dt.date | None,
) -> tuple[Planned, str]:
    """The plan the fix applies (cut by `--only`, each pool `--no-promote` holds said so:
    `plan_hold.held_plan`), and why a saved plan will not apply ("" when it will, or none was
    given: nothing settled then). A dry run settles nothing (it writes nothing, the journal
    included)."""
    saved = options.saved
    read = partial(
        plan_environment,
        profile,
        settings,
        services=services,
        environ=environ,
        today=today,
        from_template=saved.from_template if saved else options.from_template,
    )
    planned = await read()
    if refused := _refused(saved, profile, settings, planned):
        return planned, refused
    if not options.dry_run and settle(settings.journal(), *_settled(planned, options), ui.say):
        # the plan read the journal before `settle` recorded what landed: made again on it
        planned = await read()
        if refused := _refused(saved, profile, settings, planned):
            return planned, refused
    if options.only:
        cut = _cut(planned, options)
        if note := cut_note(planned.plan, cut):
            ui.say(note)
        planned = replace(planned, plan=cut)
    return held_plan(planned, options.promote), ""  # a pool --no-promote holds says so


def _cut(planned: Planned, options: FixOptions) -> Plan:
    return only(planned, options.only) if options.only else planned.plan


def _settled(planned: Planned, options: FixOptions) -> tuple[Sequence[ServicePlan], set[str]]:
    """The workloads `settle` judges (every one of the plan, those `--only` leaves unpatched
    too), and those the fix patches (once `--only` cut the plan): a lock a stopped change
    holds on them still is the fix's own to refuse and say, under its locks."""
    services = _cut(planned, options).services
    return services, {s.full_name for s in services if s.has_patch}


def _refused(
    saved: SavedPlan | None, profile: Profile, settings: Settings, planned: Planned
) -> str:
    """Why the saved plan (`--plan FILE`) will not apply as `planned` ("" when it will, or
    none was given): it was applied already (`applied_already`), or the plan now differs
    (`changed_since`)."""
    if saved is None or not (why := changed_since(saved, profile, planned.plan)):
        return ""
    applied = applied_already(saved, planned.plan, journal_entries(settings.journal()))
    return applied or (
        f"{why}: nothing was changed; make a new plan "
        f"(drift plan {profile.environment} --out FILE) and review it"
    )
