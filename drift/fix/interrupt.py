"""Where a fix stands when it is interrupted, and the locks it keeps: a service's change that
Ctrl-C (or SIGTERM, SIGHUP: `drift.cli.signals`) left unfinished — its canary not cleaned up
(`drift.fix.cancel`), or an update in place sent whose answer it never had — keeps its lock,
so that the next command on the workload refuses (or, reading the write landed, finishes it:
`drift.fix.landed_before`) and `drift rollback CHANGE` takes it over (SPEC invariant 11)."""

from __future__ import annotations

from dataclasses import dataclass, field

from drift.fix.context import Fixer, ServiceOutcome
from drift.fix.journal import DONE, State
from drift.fix.lock import Locks
from drift.fix.locktakeover import FINISHED
from drift.fix.workload_restore import in_place


@dataclass
class Where:
    """Where a fix stands, for the one line an interruption prints, and the locks of changes
    an interruption left unfinished (kept)."""

    fixes: list[Fixer] = field(default_factory=list)
    kept: dict[int, str] = field(default_factory=dict)
    """The line of each lock kept, by its fixer (`id`)."""
    settled: bool = False
    """Every flow has ended and some workload stays changed: what is left only reads (the
    re-check), so an interruption now leaves the fix incomplete (exit 3, SPEC: "After a
    completed fix, the exit code is that of the re-check"), never "aborted" (4)."""

    @property
    def sent(self) -> bool:
        """A workload's update in place was sent and its answer not had (its journal says
        `updating`): it may have landed, so an interruption is no "nothing changed" (exit 4):
        its outcome is not known (helper-528 F2: exit 4 over a job updated)."""
        return any(in_place(f.entry) and f.entry.state == State.UPDATING for f in self.fixes)

    def line(self) -> str:
        """Where each workload stands, then each lock kept, both in the order the flows
        started (the plan's), never in the order concurrent flows happened to end."""
        kept = [self.kept[id(f)] for f in self.fixes if id(f) in self.kept]
        said = [f.where for f in self.fixes if f.where] + kept
        return "; ".join(said) if said else "nothing was changed"

    async def run(self, fixer: Fixer, locks: Locks) -> ServiceOutcome:
        """Run `fixer`; interrupted with its canary unfinished (Ctrl-C, or a bug of drift's
        that ended its flow), its lock stays, for `drift rollback CHANGE` to finish it."""
        self.fixes.append(fixer)
        try:
            outcome = await fixer.run()
        except BaseException:
            self._keep(fixer, locks)
            raise
        if outcome.interrupted or outcome.unfinished:
            self._keep(fixer, locks)
        return outcome

    def _keep(self, fixer: Fixer, locks: Locks) -> None:
        entry = fixer.entry
        if not entry.wrote or entry.state in DONE or entry.state in FINISHED:
            return
        if in_place(entry) and entry.state != State.UPDATING:  # no canary left behind
            return
        # an update in place sent, its outcome unknown, is unfinished too (helper-553 F2):
        # released, the next fix would build on it unsaid, and a rollback of that one would
        # leave this one's in place
        path = locks.keep(entry.full_name)
        if path is not None:
            self.kept[id(fixer)] = (
                f"{fixer.name}: the change is unfinished, so drift keeps its lock {path}: "
                f"`drift rollback {fixer.change_id}` takes it over to finish it (or the next "
                "`drift fix`, if it reads the last write landed)"
            )
