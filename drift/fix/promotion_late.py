"""A promotion whose answer was lost (`landed` None: the UpdateService moving traffic to drift's
canary; `drift.fix.promotion_lost`) and that a rollback then wrote over (plain, the canary's
pin kept under their labels, `kept_since`; or `--force`): as for an update in place
(`drift.fix.landed_late`), the rollback's write landing proves nothing of the lost one, which
the server may still carry out after it (google/rpc/code.proto DEADLINE_EXCEEDED: "this error
may be returned even if the operation has completed successfully"; grpc.io "Deadlines") and
move traffic to the canary again. It names the canary's revision (`template.revision`), so it
lands only where a server reuses a revision of that very configuration under its name
(sandbox `same_name_same_config: reuse`, as Knative does), and over the rollback's write only
where the stale etag it carries is let through (run v2's etag "May be used to detect
modification conflict"). Before (task 864), the entry said `rolled-back` and every later
`drift rollback CHANGE` said "already rolled back" while the canary served. Judged by the
promotion's template and traffic (`routing.carries`): one generation past the rollback's write
is drift's alone (`routing.landed`); more is the promotion landed, then someone's write."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from drift.fix.journal import Entry, Write
from drift.fix.routing import carries, landed
from drift.textsafe import visible


def judged(now: Any, lost: Write, after: int) -> str:
    """ "exact": `now` is the promotion `lost` landed one generation past `after` (the
    rollback's), nothing since; "then-theirs": it holds the promotion's template and traffic
    two or more generations on (landed, then someone's write that kept both); "" neither."""
    base = replace(lost, generation_before=after)
    if landed(now, base):
        return "exact"
    return "then-theirs" if int(now.generation) > after + 1 and carries(now, base) else ""


def line(entry: Entry, after: int, now: Any, how: str) -> str:
    """What is said of the promotion recorded landed late (`how`: `judged`'s)."""
    lead = (
        f"drift's promotion of {visible(entry.canary_revision)} (change "
        f"{visible(entry.change_id)}), whose answer was lost, landed after its rollback"
    )
    if how == "exact":
        return (
            f"{lead} (generation {after} → {int(now.generation)}): it is drift's own and is "
            "rolled back again"
        )
    return (
        f"{lead} (the service holds its template and traffic again, generation {after} → "
        f"{int(now.generation)}) and someone wrote since: recorded landed at generation "
        f"{after + 1}, the earliest it can have landed (which one is not known), and their "
        "change since is judged as any change since drift's last write"
    )


def note(name: str, entry: Entry) -> str:
    """What a rollback that wrote over such a lost promotion says of it."""
    change = visible(entry.change_id)
    return (
        f"{name}: drift's promotion of {visible(entry.canary_revision)} (change {change}), whose "
        "answer was lost, may still land over this rollback and move traffic to the canary "
        "again (a server may carry out a request whose answer was lost): "
        f"`drift rollback {change}` reads it again and puts back what served before if it did"
    )
