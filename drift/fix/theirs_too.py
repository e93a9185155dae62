"""drift's update in place whose answer was lost, read back two or more generations past what
drift read: someone else wrote it too (helper-809 F3: it was said "not drift's update",
journaled aborted and exited 4 — "nothing changed" — while drift's change ran, with their
variable beside it). What the read back holds decides, judged by what drift's update changed
(`restored.holds_sent`: each field it sent otherwise than it read, as sent; their variable
beside drift's is theirs alone):

- it holds each, settled and ready: what drift sent is live, and their write too; whose
  write put drift's change there is not proven (theirs may have set the same, drift's never
  reaching the server: helper-817 K5), so it is said so, never "it landed" as a fact, nor
  that theirs stands (on a server that lets a stale etag through, drift's write may have
  replaced an earlier one of theirs: K3). A server that checks the etag (AIP-154) takes
  drift's write, built on the generation drift read, only first: it is journaled landed at
  the next generation (`landed_first`; its etag unknown), so `drift rollback` still sees
  their write since and refuses to undo it unless forced. A refusal (`update.refusal`: a
  retry's, after an attempt whose answer was lost) is never taken for drift's write: not
  known (helper-817 K2; a refusal of each attempt is `workload._failed`'s "nothing was
  changed").
- else: whether drift's update landed, and which write came first, is not known: exit 3
  (never 4, "nothing changed", while part of it may run), the entry left `updating` and its
  lock kept, as for any update whose outcome is not known; the words name what runs. Where
  their write put back what ran before (`already_back`), nothing of drift's runs: aborted,
  exit 4, only when drift's update will not land later (its operation's error once done);
  its answer lost, it may land over theirs yet (`lost_answer.theirs_since`): not known
  either, exit 3 (task 847: it was exit 4, the lock freed)."""

from __future__ import annotations

from typing import Any, Protocol

from drift.errors import ApiError, JournalError
from drift.fix.context import ServiceOutcome, Stop
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.lost_answer import theirs_since
from drift.fix.restored import complete, holds_sent
from drift.fix.update import refusal
from drift.fix.workload_restore import already_back
from drift.kinds import Kind
from drift.live.api import written_since


class InPlace(Protocol):
    """An update in place's fixer (`drift.fix.workload.WorkloadFix`)."""

    change_id: str
    entry: Entry
    outcome: ServiceOutcome
    first: int
    live: Any

    @property
    def name(self) -> str: ...

    def _record_unlanded(self, note: str, state: str) -> None: ...

    def _left(self, now: Any, runs: str) -> str: ...


def two_writes(fixer: InPlace, exc: ApiError, write: Write, sent: Any, now: Any, kind: Kind) -> str:
    """How drift's update (`sent`, answered `exc`) ended, `now` read back two or more
    generations past drift's read: the words of an update that landed (`_steps` records it at
    `fixer.first`, the generation after drift's read), or Stop when it is not known."""
    was = write.generation_before
    since = written_since(was, now)
    placed = kind is Kind.WORKER_POOL and write.revision  # its instances moved: not judged
    held = not refusal(exc) and holds_sent(now, write, sent, fixer.live.source)
    if complete(now) and not placed and held:
        fixer.first = was + 1
        return (
            f" (its answer was lost: {exc.brief}; the {kind.noun} read back holds each change it "
            f"sent, and someone else's write too ({since}): what drift sent is live — by "
            "drift's write or someone else's: not proven which)"
        )
    # their write put back what ran before: nothing of drift's runs, "nothing changed" (4) —
    # but for an answer lost: drift's may land over theirs yet (`lost_answer.theirs_since`)
    put_back = already_back(now, fixer.entry)
    pending = put_back and theirs_since(exc, now, was)
    state = State.ABORTED if put_back and not pending else State.UPDATING
    fixer._record_unlanded(
        f"changed since ({since}): {exc.brief}: whether it landed is not known", state
    )
    fixer.outcome.unknown = state == State.UPDATING  # exit 3, its lock kept (`interrupt`)
    runs = "what it runs now is not all of drift's update"
    left = (
        f"it runs what ran before the change now, and drift's update may land over theirs "
        f"yet: `drift rollback {fixer.change_id}` judges the {kind.noun} as it finds it"
        if pending
        else fixer._left(now, runs)
    )
    raise Stop(
        f"{fixer.name}: it was changed since drift read it ({since}): drift's update may have "
        f"landed before that (its answer: {exc.brief}); which write came first is not known; "
        + left,
        state,
    )


def landed_first(journal: Journal, entry: Entry, state: str, note: str, generation: int) -> None:
    """Record drift's last write landed at `generation`, its etag not known (`two_writes`)."""
    last = entry.writes[-1]
    was = dict(last)
    last.update(landed=True, etag_after="", generation_after=generation)
    try:
        journal.record(entry, state, note)
    except JournalError:
        last.update(was)  # as the file says: the outcome not recorded
        raise
