"""A canary drift left at 0 % where a fix finds the template is not what serves: what it is
(held by `--no-promote`, left by a fix that did not finish, or made by a fix that may still be
running), and how to finish it — the one judgement of fix's stop (`unreleased_message`), the
plan's (`unreleased_stop`), the plan's step (`drift.fix.manual.rollout_step`) and `drift
check`'s `revision.pinned` (`drift.fix.served`'s `JournalCanaries.left`)."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from functools import partial

from drift.diff.unserved import canary_running, in_flight
from drift.fix.base import Base
from drift.fix.byhand import promote_command, restored_routing
from drift.fix.journal import Entry, State
from drift.live.changeids import canary_change, named_change
from drift.live.model import LiveState


def unreleased_message(
    base: Base,
    environment: str,
    entries: Sequence[Entry] = (),
    running: Callable[[str, str], str] = lambda canary, change: "",
) -> str:
    """Why a fix stops at a template that is not what serves, and the way on: fix's stop
    (`drift.fix.stops.what_stops`), the service named first (`unreleased_stop`)."""
    return f"{base.service}: {unreleased_stop(base, environment, entries, running)}"


def unreleased_stop(
    base: Base,
    environment: str,
    entries: Sequence[Entry] = (),
    running: Callable[[str, str], str] = lambda canary, change: "",
) -> str:
    """Why a fix stops at a template that is not what serves (`Base.unreleased`), and the way
    on: fix's stop (`unreleased_message`) and the plan's (`ServicePlan.stops`, its service's
    `blocked:` line); "" when the template is what serves, or the fix builds on it. A canary a
    fix left (killed after its canary landed, or held by `--no-promote`) is that change's to
    finish: `--from-template` would find its patch in the template already ("nothing to
    patch") and leave the pin. `entries`: the journal's, which say which it is, how to promote
    it and what its rollback restores. `running(canary, change)`: why the fix that made a
    canary whose journal is not here may still be running (`drift.diff.unserved.
    canary_running`, as `drift check` says it), "" when none can be."""
    if not base.unreleased:
        return ""
    differences = "; ".join(base.differences)
    differs = f"the template differs from what serves ({base.revision}): {differences}"
    latest = base.latest_created
    change = named_change(base.service, latest) or canary_change(latest)
    if change:
        return f"{differs} ({_left(base, change, environment, entries, running)}"
    hint = " (a canary drift left: finish that change first)" if "-drift-" in latest else ""
    return (
        f"{differs}{hint}. A fix builds on what serves and would drop these; run `drift fix "
        "--from-template` to build on the template instead (they roll out too)"
    )


def _left(
    base: Base,
    change: str,
    environment: str,
    entries: Sequence[Entry],
    running: Callable[[str, str], str],
) -> str:
    """The canary `base.latest_created` of `change`: what left it, and how to finish it."""
    latest = base.latest_created
    return canary_left(base.service, latest, change, entries, running) or (
        f"the canary {latest} of change {change}, left by a fix that did not finish, whose "
        f"journal is not here). Finish that change first: `drift rollback {change}` where "
        f"its journal is restores the traffic it recorded; without it, `drift rollback "
        f"{change} --from-live {environment}` removes the canary, the pin it made routed "
        "back to LATEST"
    )


def canary_left(
    service: str,
    canary: str,
    change: str,
    entries: Sequence[Entry],
    running: Callable[[str, str], str],
) -> str:
    """What drift's canary `canary` of `change` at 0 % is, and how to finish it: the one
    judgement of fix's stop (`unreleased_message`) and the plan's step (`drift.fix.manual.
    rollout_step`). Its journal entry here says (held by `--no-promote`, or the step its fix
    stopped at: no fix of it is running, whatever its age); with none here, `running(canary,
    change)` says whether the fix that made it may still be running (`running_rule`, as
    `drift check` judges it). "" when neither: a canary whose journal is not here and whose
    fix has ended, which each caller words with its own commands. Words made to follow an
    opening parenthesis, which they close."""
    entry = next(
        (
            e
            for e in entries
            if e.change_id == change and e.service == service and e.kind == "service"
            and not e.problem
        ),
        None,
    )  # fmt: skip
    if entry is None:  # `--from-live` refuses it while its fix may be running
        words = running(canary, change)
        return (
            f"change {change}, whose journal is not here: {words}): {in_flight(change)}"
            if words
            else ""
        )
    restores = (
        f"`drift rollback {change}` removes the canary and restores the traffic as it was "
        f"before the change ({restored_routing(entry)})"
    )
    if entry.state == State.PINNED:
        return (
            f"the canary {canary} of change {change}, held with no traffic by `drift fix "
            f"--no-promote`). Finish that change first, either way: promote it "
            f"({promote_command(entry)}), or {restores}"
        )
    return (
        f"the canary {canary} of change {change}, left by a fix that did not finish: "
        f"{entry.state}). Finish that change first: {restores}"
    )


def running_rule(state: LiveState, key: str) -> Callable[[str, str], str]:
    """`canary_running` on the revision history of workload `key` at the time of `state`:
    whether the fix that made a canary may still be running, as `drift check` judges it."""
    return partial(canary_running, records=state.history.get(key) or [], now=state.now)
