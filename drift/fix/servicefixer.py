"""What a service's fix knows beside its steps (`drift.fix.canary`): where it stands when
the journal cannot take a record, a write's outcome journaled, someone else's write found past
drift's (their change left as it is, drift's pin under it freed), the canary verified as sent,
and the pin kept by --no-promote."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drift.errors import JournalError
from drift.fields import FIELDS
from drift.fix.base import Base, tagged
from drift.fix.context import Fixer, Stop
from drift.fix.journal import State, Write, may_have_served
from drift.fix.keep_routing import keep_routing
from drift.fix.kept_since import kept_since
from drift.fix.patch import promoted_traffic, update_traffic_flags
from drift.fix.readback import what_changed
from drift.fix.recorded import parts_as_found, service_parts
from drift.fix.restore import KEEP_ROUTING
from drift.fix.routing import (
    changed_by_someone_else,
    describe_serving,
    describe_traffic,
    next_generation,
    pending_to_canary,
    serving,
    template_key,
    unpromoted_serving,
)
from drift.fix.untrap import free_pin, left_as_pinned
from drift.fix.update import revision_exists
from drift.fix.waiting import STILL
from drift.interrupts import interrupt_name
from drift.live.api import in_progress, short


@dataclass
class ServiceFixer(Fixer):
    """A service's fix apart from its steps: journaling, someone else's write, the canary's
    checks, the pin."""

    base: Base
    after: Any = field(default=None, init=False)

    @property
    def container(self) -> str | None:
        return self.ctx.profile.services[self.name].container

    @property
    def rollback_hint(self) -> str:
        return f"`drift rollback {self.change_id}` removes it and restores the routing"

    def _record(self, state: str, note: str) -> None:
        try:
            self.ctx.journal.record(self.entry, state, note)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc

    def _journal_failed(self, exc: JournalError) -> str:
        return (
            f"{self.name}: {exc.message}. The canary {self.outcome.canary} is deployed with no "
            f"traffic ({self.outcome.tag_words}) and traffic stays pinned to "
            f"{self.base.revision or 'what served'}: "
            f"once the journal is writable, `drift rollback {self.change_id}` removes it"
            + (f"; or remove its tag by hand: {self.untag}" if self.untag else "")
        )

    def left_to(self, now: Any) -> str:
        """What becomes of the canary drift did not promote, as `now`'s `traffic_statuses`
        say (`unpromoted_serving`): their change may have made it serve (`--to-latest` while
        it is the latest ready revision); then drift's pin (`after`) routes back by name."""
        p = self.ctx.profile
        back = (
            f"gcloud run services update-traffic {self.name} "
            f"{update_traffic_flags(self.after.traffic)} --project {p.project} "
            f"--region {p.region}"
        )
        refuses = (
            f"`drift rollback {self.change_id}` refuses while their change stands (it says why)"
        )
        if routed := unpromoted_serving(now, self.entry):
            return (
                f"yet it serves now: their change routes {routed} (drift's canary, never "
                "promoted). To take it out of service at once, route back by name to what "
                f"served: {back}; {refuses}"
            )
        if pending := pending_to_canary(now, self.entry):
            # statuses are transient while it reconciles: said by its spec (helper-572 F1)
            return (
                f"which their change, still in progress, will make serve: it routes {pending}, "
                f"which reaches drift's canary (never promoted) unless their deploy makes a "
                "newer revision. To keep it out of service, route back by name to what served: "
                f"{back}; {refuses}"
            )
        if in_progress(now):  # a deploy of theirs: what LATEST reaches is not settled
            return (
                "which serves nothing yet; their change is still in progress (it routes "
                f"{describe_traffic(now.traffic)}, and what LATEST reaches is settled only "
                "once it is ready): `drift check` says what serves then; "
                f"`drift rollback {self.change_id}` removes the canary (and says what else it "
                "would undo)"
            )
        return (
            f"which stays with no traffic; `drift rollback {self.change_id}` removes it (and "
            f"says what else it would undo)"
            # only a tag still there (their change may have removed it: helper-572 F2)
            + (f", or remove only its tag: {self.untag}" if self._tagged(now) else "")
        )

    def _promoted_then_theirs(self, answer: Any, now: Any) -> None:
        """The promotion landed (its operation's answer, one generation on, as sent; or, the
        answer lost, proven by the routing read back: `drift.fix.promotion_lost`; now
        journaled `promoted`), then someone else wrote the service before drift read it back
        (`now`): the fix is complete, their change stands. It ends as a completed fix does,
        with its re-check and its exit code (1 when their change left drift; SPEC: "After a
        completed fix, the exit code is that of the re-check"), their write named; never an
        abort (exit 4 says nothing was changed: helper-661 A3)."""
        canary = self.outcome.canary
        self.outcome.by_tag = tagged(self.base)  # what the probe of the canary cannot prove
        self.outcome.state = State.PROMOTED
        back = (  # their label alone: the rollback keeps it (helper-661 A7)
            f"`drift rollback {self.change_id}` undoes drift's change and keeps theirs"
            if kept_since(now, self.entry)
            else f"`drift rollback {self.change_id}` refuses while their change stands; "
            "`--force` would undo it too"
        )
        self.outcome.message = (
            f"{self.name}: traffic moved to {canary} (generation {answer.generation}), then "
            f"{changed_by_someone_else(int(answer.generation), now)}: their change stands "
            f"(what serves now: {describe_serving(now, canary)}); the re-check says what drift "
            f"is left. {back}"
        )
        self.where = (
            f"{self.name}: the fix is complete (traffic moved to {canary}), then changed by "
            "someone else"
        )

    def _tagged(self, now: Any) -> bool:
        tag = self.outcome.tag
        return bool(self.untag and tag and any(t.tag == tag for t in now.traffic))

    def _interrupted(self, why: str = "") -> Stop | None:
        """Ctrl-C (or `why`: the output broke) once the canary write has begun (its deploy,
        its probe): an abort, cleaned up as at the promotion prompt; before it, or once
        traffic was being moved: at once."""
        doing = {State.CANARY_DEPLOYING: "deployed", State.CANARY_READY: "probed"}
        if not self.entry.writes or self.entry.state not in doing:
            return None
        return Stop(
            f"{self.name}: {why or interrupt_name()} while the canary {self.outcome.canary} "
            f"was being {doing[self.entry.state]}",
            cleanup=True,
            interrupted=True,
        )

    def _pin(self) -> None:
        canary, p = self.outcome.canary, self.ctx.profile
        at = f" at {self.outcome.tag_url}" if self.outcome.tag_url else ""
        # what `_promote` would send: every other target and percentage as it was
        promoted = promoted_traffic(self.live.source, self.base.revision, canary)
        finish = (
            f"gcloud run services update-traffic {self.name} {update_traffic_flags(promoted)}"
            f"{self.outcome.remove_tag} --project {p.project} --region {p.region}"
        )
        self._record(State.PINNED, f"--no-promote: traffic pinned to {self.base.revision}")
        self.outcome.state = State.PINNED
        self.outcome.message = (
            f"{self.name}: canary {canary} is ready{at} with no traffic "
            f"(--no-promote). Traffic stays pinned to {self.base.revision} while it exists, so a "
            f"new deploy would get no traffic (`drift check` reports revision.pinned). Finish "
            f"with: promote ({finish}), or `drift rollback {self.change_id}`" + self._live_already()
        )

    def _live_already(self) -> str:
        """What of the change is in effect already, though the canary has no traffic: the
        settings the service holds itself (`ServicePlan.at_once`: its own scaling, ingress…),
        which the canary's write applied to the service at once — to what serves now, and to
        the canary once it gets traffic — and which the way the change is finished decides
        too (SPEC invariant 9: the output says how to finish; helper-632 F2). "" for none."""
        said = [
            f"{s.name} {FIELDS[s.name].show(s.before) if s.before is not None else '(unset)'}"
            f" → {FIELDS[s.name].show(s.after)}"
            for s in self.sp.settings
            if s.name in self.sp.at_once and s.name in FIELDS and s.container is None
        ]
        if not said:
            return ""
        one = len(said) == 1
        return (
            f". Already in effect: {', '.join(said)}, written to the service with the canary "
            f"(Cloud Run holds {'it' if one else 'them'} on the service, not on a revision): "
            f"{'it applies' if one else 'they apply'} to what serves now, not only once the "
            f"canary is promoted; promoting keeps {'it' if one else 'them'}, `drift rollback "
            f"{self.change_id}` puts {'it' if one else 'them'} back"
        )

    async def _canary_left(self, now: Any) -> bool | None:
        """Whether the canary exists: named or tagged in the traffic, the latest revision
        created, or found by GetRevision (None: that read failed)."""
        canary = self.outcome.canary
        rows = (*now.traffic, *now.traffic_statuses)
        if any(self.outcome.tagged(t) or short(t.revision) == canary for t in rows):
            return True
        if short(now.latest_created_revision) == canary:
            return True
        return await revision_exists(self.ctx.session, self.live.source.name, canary)

    async def _someone_else_wrote(self, now: Any, answer: Any, write: Write) -> None:
        """The service is past the generation the canary write gave it: someone else wrote
        after drift. Journal drift's own write as it landed (the operation's answer, at the
        generation after `write`), or as of an unknown outcome, and stop without cleanup: a
        restoration now would undo their change (SPEC invariants 4 and 10); drift's pin
        under it is freed (`free_pin`). A write of theirs that made no revision and left the
        routing as drift's canary write pinned it (`left_as_pinned`: a label, a service-level
        setting) has nothing under the pin to free: drift cleans up as at a declined prompt,
        keeping it, as after the promotion prompt; left alone, the pin would trap the team's
        next deploy (SPEC invariant 9)."""
        mine = answer is not None and next_generation(answer, write)
        note = f"the service changed since the canary write (generation {now.generation})"
        try:
            if mine:
                self.ctx.journal.landed(
                    self.entry,
                    State.ABORTED,
                    note,
                    etag=answer.etag,
                    generation=int(answer.generation),
                )
            else:  # whether it landed is unknown: `landed` stays None
                self.ctx.journal.record(self.entry, State.ABORTED, note)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc
        head = (
            f"{self.name}: after drift deployed the canary {self.outcome.canary}, "
            f"{changed_by_someone_else(write.generation_before + 1, now)}"
        )
        if mine and left_as_pinned(self, now):  # no revision of theirs (revfix90 F2)
            what = what_changed(answer, now)
            raise Stop(
                head
                + (f"; they changed its {what}" if what else "")
                + ". Their write made no revision and left the routing as drift's canary "
                "pinned it, so drift does not promote over it and cleans up as at a declined "
                "prompt, keeping their change",
                cleanup=True,
                theirs=now,
                wrote=answer,
            )
        raise await self._their_write(head, now)

    async def _their_write(self, head: str, now: Any, left: str = "") -> Stop:
        """The Stop after someone else's write (`now`): drift's pin under it freed when it
        holds (`free_pin`), or, when their write made no revision, what drift's canary write
        made undone around their routing (`keep_routing`); their change left as it is.
        `left`: what becomes of the canary when neither cleans up (`left_to`)."""
        said = await free_pin(self, now)
        if not said and not may_have_served(self.entry):  # the canary never held traffic
            said = await keep_routing(self, now, self.after)
        if self.entry.state == State.CLEANED_UP or self.outcome.unknown:  # its words say
            return Stop(f"{head}. {said}", self.entry.state)
        # once its write around their routing was sent, its own words say where things
        # stand: no "remove only its tag", no plain rollback (it refuses: helper-593)
        sent = any(w.get("step") == KEEP_ROUTING for w in self.entry.writes)
        head = f"{head}, {left}" if left and not sent else head
        # the service-level settings drift's canary write made apply at once: said while live
        parts = [] if parts_as_found(now, self.entry) else service_parts(self.entry)
        live = (
            f"; the service's {', '.join(parts)} not as before the change (drift's canary write "
            "changed them)"
            if parts
            else ""
        )
        return Stop(
            f"{head}; what serves now: {describe_serving(now, self.outcome.canary)}{live}. "
            + (f"{said}. " if said else "")
            + f"drift leaves their change as it is; `drift rollback {self.change_id} --force` "
            "would undo it too",
            self.entry.state,
        )

    async def _ready_itself(self, after: Any) -> bool:
        """Whether the canary, the latest created revision of a service done reconciling, is
        Ready by its own condition (GetRevision) while `latest_ready_revision` names another:
        service.proto calls that field "the latest revision that is serving traffic", which
        a canary with none would never be under that reading (the sandbox's option
        `latest_ready: serving`); its `reconciling` comment, and Knative, make it the latest
        ready one, which a canary is once ready (helper-535)."""
        from google.cloud import run_v2

        from drift.fix.reasons import revision_condition

        canary = self.outcome.canary
        latest = after.latest_created_revision.rsplit("/", 1)[-1]
        if after.latest_ready_revision.rsplit("/", 1)[-1] == canary or latest != canary:
            return False
        if after.reconciling:
            return False
        condition = await revision_condition(self.ctx.session, after.latest_created_revision)
        succeeded = run_v2.Condition.State.CONDITION_SUCCEEDED
        return condition is not None and condition.state == succeeded

    def _verify_canary(self, after: Any, write: Write, ready_itself: bool = False) -> str:
        """Traffic unchanged, the canary ready (as latest ready, or `ready_itself`), and its
        configuration exactly the one sent: the problem found, or ""."""
        canary = self.outcome.canary
        short = after.latest_ready_revision.rsplit("/", 1)[-1]
        if short != canary and not ready_itself:
            return f"the canary revision {canary} is not ready (latest ready is {short})"
        before = {(s.revision, s.percent) for s in serving(self.live.source) if s.percent}
        now = {(s.revision, s.percent) for s in serving(after) if s.percent}
        if before != now:
            return "traffic changed while deploying the canary; stopping"
        if template_key(after) != write.template_key:
            return "the deployed template differs from the plan"
        return ""

    def _still_deploying(self, after: Any) -> None:
        """Stop when the canary's write landed and the service was still deploying it when the
        write's wait (`write_wait`) ended: whether it will be ready is not known. Never judged
        "not ready" with a clean-up written over drift's own deploy in progress (helper-686
        M2): the entry left `canary-deploying`, its lock kept (`Where.run`), exit 3."""
        canary = self.outcome.canary
        if not after.reconciling or after.template.revision != canary:
            return
        if short(after.latest_ready_revision) == canary:
            return
        self.outcome.unknown = True
        raise Stop(
            f"{self.name}: the canary {canary} was written (generation {after.generation}) "
            f"and the service {STILL}: whether it is ready is not known; traffic was not "
            f"moved. See it with `drift check`; `drift rollback {self.change_id}` removes it "
            "and restores the routing (drift keeps its lock until then)",
            State.CANARY_DEPLOYING,
        )

    def _landed(self, state: str, note: str, now: Any | None) -> None:
        try:
            if now is not None:
                self.ctx.journal.landed(
                    self.entry, state, note, etag=now.etag, generation=int(now.generation)
                )
            else:
                self.ctx.journal.landed(self.entry, state, note)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc
