"""A saved plan applied already (`applied_already`): what `drift fix --plan FILE` says when
what changed since the plan was made is that plan's own application — a CI apply job re-run,
a second Enter — rather than "changed since" (`drift.fix.saved`)."""

from __future__ import annotations

from collections.abc import Sequence

from drift.fix.journal import DONE, Entry
from drift.fix.model import Plan, ServicePlan
from drift.fix.saved import SavedPlan
from drift.kinds import Kind, workload_key
from drift.textsafe import visible


def applied_already(saved: SavedPlan, plan: Plan, entries: Sequence[Entry]) -> str:
    """Why the saved plan will not apply when what changed since it was made is its own
    application ("" when not): every workload whose etag moved has a journal entry of this
    project and region that began from the very etag the plan was made against (a fix
    applies a plan only at its etags: `changed_since`) — a CI apply job re-run, a second
    Enter. Said with the change, and what it is now (applied, or undone since)."""
    now = {sp.key: sp for sp in plan.services}
    moved = [k for k, etag in saved.etags.items() if k not in now or now[k].etag != etag]
    found: dict[str, Entry] = {}
    for key in moved:
        mine = [
            e
            for e in entries
            if not e.problem
            and (e.project, e.region) == (saved.project, saved.region)
            and workload_key(Kind(e.kind), e.service) == key
            and e.etag_before == saved.etags[key]
        ]
        if not mine:
            return ""
        found[key] = max(mine, key=lambda e: e.change_id)
    if not found:
        return ""
    changes = ", ".join(sorted({e.change_id for e in found.values()}))
    states = ", ".join(f"{key}: {e.state}" for key, e in found.items())
    said = f"{saved.file} was applied already, as change {changes} ({states}): nothing was changed"
    env = visible(saved.environment)
    if any(e.state in DONE for e in found.values()):
        return visible(
            f"{said}; that change was undone since: make a new plan (drift plan {env} --out "
            "FILE) and review it"
        )
    if since := _overtaken(now, found):  # someone else's write after drift's (invariant 10)
        return visible(
            f"{said}; {since}: that is someone else's change, which `drift rollback "
            f"{changes}` would refuse to overwrite — `drift check {env}` shows what is there "
            f"now; make a new plan (drift plan {env} --out FILE) and review it"
        )
    return visible(
        f"{said} (a plan is applied once); `drift check {env}` shows the drift left, "
        f"`drift rollback {changes}` undoes the change"
    )


def _overtaken(now: dict[str, ServicePlan], found: dict[str, Entry]) -> str:
    """Who changed a workload since the change that applied the plan left it ("" when each
    is still as that change left it: `drift.fix.restore.changed_since`, as a rollback of it
    judges)."""
    from drift.fix.restore import changed_since as written_after

    said = [
        why
        for key, entry in found.items()
        if key in now and now[key].live is not None and (why := written_after(now[key].live, entry))
    ]
    return "; ".join(said)
