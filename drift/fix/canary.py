"""One service's fix: the canary (what serves plus the plan, no traffic, a tag), its proof
(probe), the promotion, and — on any abort after the canary exists — the cleanup restoring
the routing that served (`restore`). Each write is journaled first, each outcome judged."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift.errors import ApiError, JournalError
from drift.fields.liveness_bounds import liveness_refused
from drift.fix.base import tagged
from drift.fix.binauthz_own import refusal_cause
from drift.fix.cleanup import clean_up
from drift.fix.context import Stop, canary_request
from drift.fix.deadline import promotion, started, window
from drift.fix.interrupt import being_sent, promotion_cut
from drift.fix.journal import State, Write
from drift.fix.kept_since import parts_sent
from drift.fix.lost_answer import lost, lost_words, read_words
from drift.fix.overwrote import stop_if_over_theirs
from drift.fix.patch import (
    canary_percent,
    copy_service,
    promoted_traffic,
    promotion_question,
)
from drift.fix.probetag import probe_tag_note
from drift.fix.promotion_lost import lost_then_written, not_promoted, unlanded
from drift.fix.prove import prove
from drift.fix.readback import what_changed
from drift.fix.recorded import service_parts
from drift.fix.reread import (
    changed_since_read,
    on_fresh,
    read_before_write,
    waited,
)
from drift.fix.routing import (
    describe_serving,
    landed,
    past_next,
    promotion_problem,
    template_key,
    traffic_key,
)
from drift.fix.servicefixer import ServiceFixer
from drift.fix.untrap import left_as_pinned
from drift.fix.update import GONE, deleted, settled, stale_etag, update_workload
from drift.fix.waiting import STILL
from drift.interrupts import interrupt_name
from drift.kinds import Kind
from drift.live.api import short
from drift.next_steps import hint_lines


@dataclass
class ServiceFix(ServiceFixer):
    """A service's fix: the canary, its proof, the promotion, and the cleanup after an
    abort (journaling, someone else's write, the checks: `ServiceFixer`)."""

    async def _steps(self) -> None:
        ctx, raw = self.ctx, self.live.source
        canary, tag = self.outcome.canary, self.outcome.tag
        now = await read_before_write(self, raw)  # the plan's read: before the lock, the prompt
        if changed := changed_since_read(raw, now):
            raise Stop(
                f"{self.name} changed after drift read it{waited(self)} ({changed}): "
                "nothing was changed (no canary written), their change stands; run drift fix again"
            )
        request = canary_request(self.live, self.sp, self.base, self.container, canary, tag)
        on_fresh(request, raw, now)  # their label, written without a new generation, stays
        self.sent = request
        write = Write(  # `parts`: the service-level parts it sets, as a digest (`kept_since`)
            "canary", request.etag, int(raw.generation), canary, template_key(request),
            traffic_key(request.traffic), parts=parts_sent(request, self.entry),
        )  # fmt: skip
        self._journal_first(
            State.CANARY_DEPLOYING,
            f"deploying {canary} with no traffic",
            write,
            where=(
                f"{self.name}: the canary {canary} was being deployed (it may exist, with no "
                f"traffic; traffic was not moved); {self.rollback_hint}"
            ),
            say=f"{self.name}: deploying canary revision {canary} "
            f"(no traffic, {self.outcome.tag_words})",
        )
        failure: ApiError | None = None
        answer: Any = None
        began = started()  # the promotion prompt's deadline counts from here
        try:
            answer = await update_workload(
                ctx.session, Kind.SERVICE, request, base=now, parts=service_parts(self.entry),
                deadline=self.write_wait(),
            )  # fmt: skip
            after = await settled(ctx.session, raw.name, canary, deadline=self.wait)
        except ApiError as exc:
            failure = exc
            after = await self._recover_canary(exc, write)
        self.after = after
        await stop_if_over_theirs(self, answer, after, write, self._journal_failed, request)
        if past_next(after, write):
            await self._someone_else_wrote(after, answer, write)
        self._still_deploying(after)  # its wait over first: not known, exit 3, nothing over it
        problem = self._verify_canary(after, write, await self._ready_itself(after))
        cause = f" ({failure.detail})" if failure is not None else ""
        state = State.CANARY_FAILED if problem else State.CANARY_READY
        note = problem + cause if problem else f"{canary} ready"
        try:
            ctx.journal.landed(
                self.entry, state, note, etag=after.etag, generation=int(after.generation)
            )
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc
        if problem:
            if short(after.latest_ready_revision) != canary:  # why Cloud Run failed it, if so
                revision = f"{raw.name}/revisions/{canary}"
                env = ctx.profile.environment  # the plan's own policy change: `binauthz_own`
                said = await refusal_cause(ctx.session, revision, raw, after, self.sp, env)
                cause += f"; {said}" if said else ""
            raise Stop(f"{self.name}: {problem}{cause}", State.CANARY_FAILED, cleanup=True)
        self.outcome.state = State.CANARY_READY
        self.outcome.tag_url = next(
            (s.uri for s in after.traffic_statuses if self.outcome.tagged(s) and s.uri), ""
        )
        pinned = self.base.revision or "what served"
        self.where = (
            f"{self.name}: the canary {canary} is ready with no traffic "
            f"({self.outcome.tag_words}) and traffic is pinned to {pinned}; {self.rollback_hint}"
        )
        unproven = await prove(
            self.ctx, self.live, self.sp.revision, self.outcome, self.base.revision, after
        )
        if not ctx.options.promote:
            self._pin()
            return
        question = promotion_question(self.name, self.live.source, self.base.revision, canary)
        question += f" ({unproven})?" if unproven else "?"
        if not ctx.options.yes:
            await promotion(ctx.ui, self.name, question, began, window(ctx.settings.write_wait))
        await self._promote()

    async def _read(self, write: Write, error: ApiError | None) -> Any | None:
        """The service once settled after `write` (answered `error`); None when it could not
        be read; Stop when it no longer exists (`_gone`)."""
        try:
            return await settled(self.ctx.session, self.live.source.name, deadline=self.wait)
        except ApiError as exc:
            if deleted(exc):
                raise self._gone(write, error) from exc
            return None

    def _gone(self, write: Write, error: ApiError | None) -> Stop:
        """The service was deleted after drift read it: NOT_FOUND is a definite answer, and
        its revisions went with it, so nothing is left to roll back (a service created again
        under its name is another one: its uid, `restore.changed_since`). A write answered
        NOT_FOUND wrote nothing (`deleted`: drift never sets allow_missing)."""
        if error is not None and deleted(error):
            did = (
                "nothing was written"
                if write.step == "canary"
                else f"the {write.step} was not written"
            )
            note = f"{self.name} {GONE} (deleted after drift read it): {did}"
            self._landed(State.ABORTED, note, None)
        else:  # drift's write may have landed before the deletion: it went with the service
            note = (
                f"{self.name} {GONE} (deleted after drift read it): its {write.step} went with it"
            )
            self._record(State.ABORTED, note)
        return Stop(f"{note}; nothing is left to roll back")

    async def _recover_canary(self, exc: ApiError, write: Write) -> Any:
        """The canary write failed, or its answer, its operation or the read after it was
        lost. The service says which: the service once the canary has settled, or Stop. A
        service written since whose template is not the canary may still carry it (drift's
        write landed, then someone else's): the canary revision or its tag tells."""
        canary, name = self.outcome.canary, self.live.source.name
        now = await self._read(write, exc)
        if now is None:
            raise Stop(
                f"{self.name}: deploying the canary {canary} failed ({exc.reason}) and the "
                "service could not be read back: it may carry the canary, with no traffic. "
                f"Traffic was not moved; `drift rollback {self.change_id}` restores it",
                State.CANARY_FAILED,
            )
        if now.template.revision != canary and int(now.generation) > write.generation_before:
            left = await self._canary_left(now)
            if left is None:
                raise Stop(
                    f"{self.name}: deploying the canary {canary} failed ({exc.reason}) and the "
                    "service was written since: whether the canary exists could not be read. "
                    f"`drift rollback {self.change_id}` says what it finds",
                    State.CANARY_FAILED,
                )
            if left:
                await self._someone_else_wrote(now, None, write)
        if now.template.revision != canary:  # the write did not take effect, as read once
            if lost(exc):  # unchanged, or theirs one generation on or more: exit 3 (845, 847)
                self.outcome.unknown = True
                said = read_words("service", write.generation_before, now)
                raise Stop(
                    f"{self.name}: the canary {canary} was sent, {lost_words(exc)}, and "
                    f"{said}; traffic was not moved. drift keeps its lock: `drift rollback "
                    f"{self.change_id}` removes the canary if it landed, or ends the change if "
                    "nothing was applied",
                    State.CANARY_DEPLOYING,
                )
            self._landed(State.ABORTED, f"nothing was written: {exc.reason}", None)
            if stale_etag(exc):
                raise Stop(
                    f"{self.name} changed after drift read it (etag): nothing was changed; "
                    "run drift fix again"
                )
            # judged on what the canary is built on, as the plan's note is (`plan.written_on`)
            on = self.base.template if self.base.failed else self.live.source.template
            said = liveness_refused(on, self.sent, exc.status, exc.detail)  # helper-807, 812
            raise Stop(
                f"{self.name}: deploying the canary {canary} failed ({exc.reason}); nothing was "
                f"changed: traffic stays on {self.sp.revision}"
                + (f"\n  hint: {said}" if said else "")
                + hint_lines([exc.reason], runtime=self.live.source.template.service_account)
            )
        try:
            return await settled(self.ctx.session, name, canary, deadline=self.wait)
        except ApiError as read:
            raise Stop(
                f"{self.name}: the canary {canary} was deployed but could not be followed "
                f"({read.reason}). Traffic was not moved; `drift rollback {self.change_id}` "
                "removes it",
                State.CANARY_FAILED,
            ) from read

    async def _promote(self) -> None:
        ctx, raw, after = self.ctx, self.live.source, self.after
        canary = self.outcome.canary
        # `after`: read before its prompt, and before the canary's probes
        probed = self.outcome.canary_probe is not None
        now = await read_before_write(self, after, promotion=True, probed=probed)
        during = "the promotion prompt waited" if not ctx.options.yes else "drift probed the canary"
        if now is not None and (changed := changed_since_read(after, now)):
            at = "at its prompt" if not ctx.options.yes else "during the canary's probes"
            self._record(State.ABORTED, f"promotion not sent: changed {at} ({changed})")
            if left_as_pinned(self, now):  # no revision of theirs: the pin traps, and is drift's
                what = what_changed(after, now)
                raise Stop(
                    f"{self.name}: the service was changed meanwhile by someone else "
                    f"({changed}" + (f"; they changed its {what}" if what else "") + ") while "
                    f"{during}: drift did not move traffic to its canary "
                    f"{canary}. Their write made no revision and left the routing as drift's "
                    "canary pinned it, so drift cleans up as at a declined prompt, keeping "
                    "their change",
                    cleanup=True,
                    theirs=now,
                    wrote=after,
                )
            raise await self._their_write(
                f"{self.name}: the service was changed meanwhile by someone else ({changed}) "
                f"while {during}: drift did not move "
                f"traffic to its canary {canary}",
                now,
                left=self.left_to(now),
            )
        promote = copy_service(after)
        promote.traffic = promoted_traffic(raw, self.base.revision, canary)
        del promote.traffic_statuses[:]
        if now is not None:  # a write that left the generation (a label) is kept, not undone
            on_fresh(promote, after, now)
        write = Write(
            "promotion", promote.etag, int(after.generation), canary, template_key(promote),
            traffic_key(promote.traffic), parts=parts_sent(promote, self.entry),
        )  # fmt: skip
        try:
            ctx.journal.begin(self.entry, State.PROMOTING, f"moving traffic to {canary}", write)
        except JournalError as exc:
            raise Stop(self._journal_failed(exc), unfinished=True) from exc
        self.where = being_sent(self.name, canary, self.change_id)
        error: ApiError | None = None
        answer: Any = None
        try:
            answer = await update_workload(
                ctx.session, Kind.SERVICE, promote, base=after if now is None else now,
                parts=service_parts(self.entry), deadline=self.write_wait(),
            )  # fmt: skip
        except ApiError as exc:  # the answer or the operation may be what was lost
            error = exc
        now = await self._read(write, error)
        await stop_if_over_theirs(self, answer, now, write, self._journal_failed, promote)
        reason = error.reason if error is not None else "the service could not be read back"
        if now is not None and landed(now, write):
            problem = promotion_problem(now, canary, canary_percent(raw, self.base.revision))
            if not problem:
                note = f"traffic on {canary}" + (f" ({error.reason})" if error else "")
                self._promotion_landed(State.PROMOTED, note, now)
                self.outcome.state = State.PROMOTED
                self.outcome.by_tag = tagged(self.base)  # what its probe cannot prove
                self.outcome.message = (
                    f"{self.name}: traffic moved to {canary} (what serves: {describe_serving(now)})"
                ) + probe_tag_note(ctx.profile, self.sp.service, raw, self.base.revision, canary)
                self.where = f"{self.name}: the fix is complete (traffic on {canary})"
                return
            if now.reconciling:  # its wait (`write_wait`) over first: exit 3, its lock kept
                self.outcome.unknown = True  # (`Where.run`), the entry still `promoting`
                raise Stop(
                    f"{self.name}: the promotion landed (generation {now.generation}) and the "
                    f"service {STILL}: whether traffic moved to {canary} is not known; see it "
                    f"with `drift check`; `drift rollback {self.change_id}` restores what served "
                    "before (drift keeps its lock until then)", State.PROMOTING,
                )  # fmt: skip
            self._promotion_landed(State.ABORTED, problem, now)
            raise Stop(
                f"{self.name}: the promotion was written but {problem}; "
                f"`drift rollback {self.change_id}` restores what served before"
            )
        if now is None:  # whether the write landed is unknown: the journal says `promoting`
            raise Stop(
                f"{self.name}: moving traffic to {canary} failed ({reason}); the service could "
                "not be read back; the journal records the state: run "
                f"`drift rollback {self.change_id}`",
                State.PROMOTING,
            )
        if answer is not None and landed(answer, write):  # drift's landed, then theirs
            self._promotion_landed(State.PROMOTED, f"traffic on {canary}, then changed", answer)
            self._promoted_then_theirs(answer, now)  # complete: the re-check's exit, never 4
            return
        if past_next(now, write):  # drift's may be the first: proven by the read, or unknown
            await lost_then_written(self, now, write, error, self._promotion_landed)
            return
        raise unlanded(self, error, now, write) or await not_promoted(self, now, reason)

    def _journal_failed(self, exc: JournalError) -> str:
        """Once the promotion is sent (the journal says promoting), the canary may serve:
        never the canary's words ("no traffic", "traffic stays pinned")."""
        if self.entry.state != State.PROMOTING:
            return super()._journal_failed(exc)
        return self._promotion_unjournaled(exc, None)

    def _promotion_landed(self, state: str, note: str, now: Any) -> None:
        """The promotion's landing recorded (`state`: promoted, or aborted in another shape);
        a journal that cannot take it stops the fix saying what serves."""
        try:
            self.ctx.journal.landed(
                self.entry, state, note, etag=now.etag, generation=int(now.generation)
            )
        except JournalError as exc:
            raise Stop(
                self._promotion_unjournaled(exc, now), State.PROMOTING, unfinished=True
            ) from exc

    def _promotion_unjournaled(self, exc: JournalError, now: Any | None) -> str:
        """The promotion was sent and the journal cannot record how it ended: what serves
        (`now`, the service read back; None: not known) and what to do."""
        serves = (
            f"written (what serves: {describe_serving(now)})"
            if now is not None
            else "sent (the canary may serve)"
        )
        return (
            f"{self.name}: {exc.message}. The promotion to the canary {self.outcome.canary} was "
            f"{serves}; the journal still says "
            f"promoting: once the journal is writable, `drift rollback {self.change_id}` "
            "restores what served before, or `drift check` confirms the fix"
        )

    def _interrupted(self, why: str = "") -> Stop | None:
        """Ctrl-C while the promotion's outcome is awaited: read back first (`_stop`)."""
        if why or self.entry.state != State.PROMOTING or not self.entry.writes:
            return super()._interrupted(why)
        return Stop(
            f"{self.name}: {interrupt_name()} while traffic was being moved to the canary "
            f"{self.outcome.canary}",
            State.PROMOTING,
            interrupted=True,
            readback=True,
        )

    async def _stop(self, stop: Stop) -> None:
        """End the service's fix: say where it stands, and after an abort with a canary,
        clean up (the canary's tag gone, the routing that served put back); an interrupted
        promotion as it is read to have ended (`promotion_cut`)."""
        if stop.readback:
            ended = await promotion_cut(self, stop, self._promotion_landed)
            if ended is None:  # it had landed: the fix is complete
                return
            stop = ended
        await super()._stop(stop)
        if stop.cleanup:
            await clean_up(self, stop, self._journal_failed, self.after)
