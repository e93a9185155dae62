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
- a promotion routed through LATEST, as most are, routes as what served before the fix, which
  their write may have put back (Terraform's whole service, a saved YAML): proven all the same
  when the template is still the one the promotion sent, the canary's, which such a write
  replaces (a template naming the canary with another configuration is refused: a revision
  name is unique) — their writes left template and traffic alone (labels, settings), or
  finished the promotion by hand (helper-713);
- anything else is not known (`unlanded`): drift's promotion may have landed before their
  change, or land over it yet, whatever the read back routes — one routing exactly as drift's
  canary write pinned it, the canary's own 0 % tag included, shows only that it had not
  landed when read (helper-713 cleaned that one up at once, exit 4: task 847). Exit 3, never
  4 ("nothing changed": it may change), never 0. Only a promotion refused by the server on
  each attempt (`ApiError.refused_each`) never moved traffic: routed as pinned, journaled
  aborted and cleaned up as when their one write came first (`not_promoted`), exit 4.

A promotion whose answer was lost and the service read back unchanged, at the generation it was
built on (`lost_answer.may_still_land`), or one generation on with someone else's write alone
(`lost_answer.theirs_alone`, task 847), is not known either (`unlanded`, task 841): exit 3,
the journal left `promoting`, the lock kept, nothing more written, `drift rollback CHANGE`
named — as an update in place's or a canary's lost answer (`drift.fix.lost_answer`) and an
interrupted promotion (`drift.fix.interrupt`). It used to be cleaned up at once as refused
(exit 4): the late promotion, carrying the etag drift read, could land after the clean-up's
read; that a write moves the etag is no guard drift may rely on (run v2's Service.etag: "May
be used to detect modification conflict during updates", no promise that a stale one is
refused).

Before helper-678 all were exit 4; before helper-713 all but the first were exit 3, "may
have landed before their change", though the LATEST one is proven."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from drift.errors import ApiError
from drift.fix.context import Stop
from drift.fix.journal import State, Write
from drift.fix.lost_answer import lost, lost_words, read_words
from drift.fix.readback import what_changed
from drift.fix.routing import changed_by_someone_else, template_holds, traffic_key
from drift.fix.servicefixer import ServiceFixer
from drift.fix.untrap import left_as_pinned, routed_as_pinned

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
    with a share (which no write but one finishing drift's promotion makes), or routing through
    LATEST over the very template the promotion sent (`template_holds`: what no write putting
    back what served before leaves)."""
    if traffic_key(now.traffic) != write.traffic:
        return False
    return any(row[1] == canary and row[2] for row in write.traffic) or template_holds(now, write)


async def lost_then_written(
    fixer: ServiceFixer, now: Any, write: Write, error: ApiError | None, record: Record
) -> None:
    """The promotion `write` answered `error`, the service read two or more generations on
    (`now`): complete (the outcome set, drift's write journaled landed) when `now` proves it
    landed; else the Stop of an outcome unknown (exit 3), or, refused on each attempt and
    routed as drift's canary pinned it, of one that never moved traffic (`not_promoted`)."""
    canary = fixer.outcome.canary
    reason = error.reason if error is not None else "the service could not be read back"
    if routed_as_promoted(now, write, canary):
        landed = Proven(write.generation_before + 1)
        record(State.PROMOTED, f"traffic on {canary}, then changed ({reason})", landed)
        fixer._promoted_then_theirs(landed, now)
        return
    if stop := unlanded(fixer, error, now, write):  # lost: not landed yet is no proof (847)
        raise stop
    if routed_as_pinned(fixer, now):  # drift's tag and pin still there: it never moved
        raise await not_promoted(fixer, now, reason)
    fixer._record(State.ABORTED, f"promotion outcome unknown ({reason}): changed since")
    fixer.outcome.unknown = True  # never "nothing changed": exit 3
    raise await fixer._their_write(
        f"{fixer.name}: moving traffic to {canary} may have landed before their change "
        f"(its answer: {reason}): {changed_by_someone_else(write.generation_before, now)}",
        now,
    )


def unlanded(fixer: ServiceFixer, error: ApiError | None, now: Any, write: Write) -> Stop | None:
    """The Stop of a promotion `write` answered `error` (its answer lost, not refused:
    `lost_answer.lost`) and read back (`now`) not proven landed (the caller judged it so):
    unchanged, or written by someone else since. Its outcome not known, exit 3, the entry left
    `promoting`, the lock kept (`interrupt.Where.run`), nothing more written (a clean-up's
    read may come before the late promotion); None when its answer is no lost one."""
    if not lost(error):
        return None
    fixer.outcome.unknown = True
    before = write.generation_before
    theirs = int(now.generation) > before
    return Stop(
        f"{fixer.name}: moving traffic to {fixer.outcome.canary} was sent, {lost_words(error)}, "
        f"and {read_words('service', before, now)}. drift keeps its lock: `drift rollback "
        f"{fixer.change_id}` restores what served before (the canary removed)"
        + (
            ", or refuses unforced over what of their write it would undo (`--force` undoes it too)"
            if theirs
            else ""
        ),
        State.PROMOTING,
    )


async def not_promoted(fixer: ServiceFixer, now: Any, reason: str) -> Stop:
    """drift's promotion did not land (answered `reason`; `now`, the service read back, does
    not carry it): journaled aborted; the Stop that cleans up as at a declined prompt when
    nothing was written since, or when their write made no revision and left drift's pin
    (`left_as_pinned`); else their write's Stop (`ServiceFixer._their_write`)."""
    after, canary, name = fixer.after, fixer.outcome.canary, fixer.name
    fixer._landed(State.ABORTED, f"promotion failed: {reason}", None)
    if int(now.generation) == int(after.generation):
        return Stop(
            f"{name}: promotion failed: moving traffic to {canary} failed ({reason})", cleanup=True
        )
    head = f"{name}: moving traffic to {canary} failed ({reason}): "
    changed = changed_by_someone_else(int(after.generation), now)
    if not left_as_pinned(fixer, now):
        return await fixer._their_write(head + changed, now)
    what = what_changed(after, now)
    return Stop(
        head + changed + (f"; they changed its {what}" if what else "") + ". Their write made "
        "no revision and left the routing as drift's canary pinned it, so drift cleans up as "
        "at a declined prompt, keeping their change",
        cleanup=True,
        theirs=now,
        wrote=after,
    )
