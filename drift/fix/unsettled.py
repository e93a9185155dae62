"""An update in place of a job or worker pool that landed and was still being acted upon when
drift's wait for it ended (`write_wait`: `drift.fix.update.Deadline`): "Once reconciliation is
over (and this field is false), there are two possible outcomes" (run v2 Job.reconciling,
WorkerPool.reconciling), so neither is known yet. Nothing is written over it (helper-617 F6:
drift put back what ran over an update still in progress, then said it was put back); the
entry stays `updating`, and the fix is incomplete (exit 3), never "nothing changed". The same
whether its operation answered done or its wait ended first: before one deadline bounded the
whole wait, the second case was reached only after 20 minutes and then put back what ran
(helper-678)."""

from __future__ import annotations

from typing import Any, Protocol

from drift.errors import ApiError
from drift.fix.context import ServiceOutcome, Stop
from drift.fix.journal import State, Write
from drift.fix.lost_answer import (
    lost_words,
    may_still_land,
    theirs_alone,
    theirs_words,
    unchanged_words,
)
from drift.fix.waiting import STILL as STILL


class InPlace(Protocol):
    """An update in place's fixer (`drift.fix.workload.WorkloadFix`)."""

    change_id: str
    outcome: ServiceOutcome
    sp: Any  # its plan (`ServicePlan`): `kind`

    @property
    def name(self) -> str: ...

    def _landed(self, state: str, note: str, now: Any | None, refused: str = "") -> None: ...


def not_seen(
    fixer: InPlace, answered: Any, how: str, told: str = "its operation answered done"
) -> Stop:
    """The Stop of an update that landed (`told`: its operation answered done at this
    generation, or the workload read back carries it) whose outcome drift could not see
    (`how`): journaled so, the state left `updating`; exit 3 (`ServiceOutcome.unknown`)."""
    note = f"landed at generation {answered.generation}; {how}: whether it completed is not"
    fixer._landed(State.UPDATING, f"{note} known", answered)
    fixer.outcome.unknown = True
    return Stop(
        f"{fixer.name}: the update landed ({told}, generation {answered.generation}), {how}: "
        f"whether it completed is not known; see it with `drift check`, and "
        f"`drift rollback {fixer.change_id}` puts back what it was",
        State.UPDATING,
    )


def may_land(fixer: InPlace, exc: ApiError, write: Write, now: Any) -> Stop | None:
    """The Stop of an update in place whose answer was lost and whose workload reads back
    unchanged (`lost_answer.may_still_land`): not known, never "nothing was changed" — the
    entry left `updating` as begun, its lock kept, exit 3; so is one read back with someone
    else's write alone, one generation on (`lost_answer.theirs_alone`, task 841: it was "did
    not land; nothing was changed"); None when neither is the case."""
    before, noun = write.generation_before, fixer.sp.kind.noun
    if may_still_land(exc, now, before):
        said, way = unchanged_words(noun, now), "ends the change if nothing was applied"
    elif theirs_alone(exc, now, before):
        said = theirs_words(noun, before, now)
        way = "refuses unforced over their write (`--force` puts back what drift read)"
    else:
        return None
    fixer.outcome.unknown = True
    return Stop(
        f"{fixer.name}: the update was sent, {lost_words(exc)}, and {said}; drift keeps its "
        f"lock: `drift rollback {fixer.change_id}` puts back what it was, or {way}",
        State.UPDATING,
    )
