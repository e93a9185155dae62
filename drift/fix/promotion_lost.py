"""A promotion whose answer was lost (its operation's result unknown: UNAVAILABLE, a deadline)
and the service, read back, two or more generations past what the promotion was built on:
someone else wrote it too, before or after drift's promotion. drift decides from what it reads:

- the service routes exactly as the promotion sent, and that routing names the canary with a
  share (the canary in the base revision's place: `drift.fix.patch.promoted_traffic`) — which
  neither what served before the fix nor the canary's pin routed, and which only drift's
  promotion, or a write that finishes it, makes: drift's promotion landed, then their write
  came (a deploy that keeps the traffic, a label). Journaled `promoted` at the generation after
  the canary's (a promotion carries the canary's etag: a server that refuses a stale etag,
  AIP-154, applies it only as the next write), said as a promotion whose answer came back and
  was overtaken is (helper-661 A3): a completed fix, the re-check's exit code;
- anything else (a promotion routed through LATEST, as most are, routes as what served before,
  which their write — Terraform's whole traffic block — may have put back): it may have landed
  before their change. Journaled of unknown outcome, the fix incomplete: exit 3, never 4
  ("nothing changed": it may have changed).

Before, both were exit 4, "may have landed before their change" (helper-678)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drift.fix.journal import State, Write
from drift.fix.routing import changed_by_someone_else, traffic_key
from drift.fix.servicefixer import ServiceFixer

UNREAD = "(unread: the promotion's answer was lost; proven landed by the traffic read since)"
"""The etag recorded for a promotion proven landed by a later read: the etag it left was
never read, and this one never equals one a server gives."""


@dataclass(frozen=True)
class Proven:
    """drift's promotion as proven landed: the generation it made (its etag unread)."""

    generation: int
    etag: str = UNREAD


Record = Callable[[str, str, Any], None]
"""How the promotion's landing is recorded (`ServiceFix._promotion_landed`)."""


def routed_as_promoted(now: Any, write: Write, canary: str) -> bool:
    """Whether `now` routes exactly as the promotion `write` sent, a routing naming the canary
    with a share (which no write but one finishing drift's promotion makes)."""
    names = any(row[1] == canary and row[2] for row in write.traffic)
    return names and traffic_key(now.traffic) == write.traffic


async def lost_then_written(
    fixer: ServiceFixer, now: Any, write: Write, reason: str, record: Record
) -> None:
    """The promotion `write` answered `reason`, the service read two or more generations on
    (`now`): complete (the outcome set, drift's write journaled landed) when `now` proves it
    landed; else the Stop of an outcome unknown (exit 3)."""
    canary = fixer.outcome.canary
    if routed_as_promoted(now, write, canary):
        landed = Proven(write.generation_before + 1)
        record(State.PROMOTED, f"traffic on {canary}, then changed ({reason})", landed)
        fixer._promoted_then_theirs(landed, now)
        return
    fixer._record(State.ABORTED, f"promotion outcome unknown ({reason}): changed since")
    fixer.outcome.unknown = True  # never "nothing changed": exit 3
    raise await fixer._their_write(
        f"{fixer.name}: moving traffic to {canary} may have landed before their change "
        f"(its answer: {reason}): {changed_by_someone_else(write.generation_before, now)}",
        now,
    )
