"""What of someone else's write stays when drift's write landed over it (a stale etag let
through: `drift.fix.overwrote`, `drift.fix.restored.theirs`), in words (review 848 F2).
drift's UpdateService and UpdateWorkerPool name only the template, the split and what drift's
change sets (their `update_mask`: `drift.fix.update_mask`), so a label, an annotation or a
setting of theirs outside those stays; what they wrote of those is drift's now. A job is
written whole (UpdateJob has no mask): nothing of theirs stays."""

from __future__ import annotations

from typing import Any

from drift.fix.journal import Entry
from drift.fix.readback import kept_beside
from drift.fix.recorded import service_parts
from drift.kinds import Kind


def written(kind: Kind, entry: Entry) -> str:
    """What drift's writes of `entry`'s workload set, in words: "the template and the traffic"
    (a pool's: "the instance splits"), and each service-level field its change sets; a job:
    all of it."""
    if kind is Kind.JOB:
        return "the whole job"
    split = "the instance splits" if kind is Kind.WORKER_POOL else "the traffic"
    parts = "".join(f", its {p}" for p in service_parts(entry))
    return f"the template, {split}{parts}" if parts else f"the template and {split}"


def left(kind: Kind, sent: Any, mine: Any) -> str:
    """Their change that drift's write `sent` left in `mine` (as it landed, over theirs):
    "their labels cost-center stay (drift's write does not set them)", or ""."""
    if kind is Kind.JOB:
        return ""
    kept = kept_beside(sent, mine)
    return f"their {kept} stays (drift's write does not set it)" if kept else ""


def replaced_words(kind: Kind, entry: Entry, sent: Any, mine: Any, built: str) -> str:
    """What drift's write `sent` (landed as `mine`, over someone else's; `built`: "built from
    what it had read") did to theirs, in words. Their change drift's write does not set stays
    (`left`); where none stays, all their write changed is in what drift's sets, replaced."""
    noun = kind.noun
    if kind is Kind.JOB:
        return (
            f"replaced what they wrote with drift's, {built}: their change is no longer in the job"
        )
    kept, what = left(kind, sent, mine), written(kind, entry)
    if not kept:
        return (
            f"replaced what they wrote of {what} with drift's, {built}: their change is no "
            f"longer in the {noun}"
        )
    return f"replaced what they wrote of {what}, if anything, with drift's, {built}; {kept}"


def landed_over(kind: Kind, entry: Entry, sent: Any, mine: Any) -> str:
    """A restoration (`sent`, landed as `mine`) over someone else's write, in words."""
    gen = int(mine.generation)
    did = replaced_words(kind, entry, sent, mine, "as before the change")
    return (
        f"drift's write (generation {gen}) landed over someone else's write (generation "
        f"{gen - 1}): the server let drift's stale etag through, so it {did}"
    )
