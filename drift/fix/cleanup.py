"""The cleanup after a service's fix stops with a canary deployed (declined, canary failed,
Ctrl-C once the canary write has begun): the canary's tag removed and the routing that served
put back (`restore`), and what the fix says about where the service stands."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.errors import ApiError, AuthError, JournalError
from drift.fix.byhand import copy_field
from drift.fix.context import Fixer, Stop
from drift.fix.journal import CLEANUP, State, may_have_served
from drift.fix.keep_routing import keep_routing
from drift.fix.keep_theirs import kept_words
from drift.fix.overwrote import replaced
from drift.fix.patch import copy_service
from drift.fix.readback import what_changed
from drift.fix.reasons import revision_cause
from drift.fix.recorded import before_service, parts_as_found, served_by, service_parts, tag_caveat
from drift.fix.restore import changed_since, failed_latest, refusal, restore
from drift.fix.restored import Judge, Restored, write_traffic
from drift.fix.routing import describe_serving, serving
from drift.fix.startable import left_unstartable, unstartable, ways_out
from drift.fix.untrap import free_pin, left_as_pinned
from drift.fix.update import get_service
from drift.live.api import short, written_since
from drift.live.normalize import raw
from drift.next_steps import hint_lines


async def clean_up(
    fixer: Fixer,
    stop: Stop,
    journal_failed: Callable[[JournalError], str],
    after: Any = None,
    again: bool = True,
) -> None:
    """Remove the canary of `fixer` after `stop`, and set its outcome's message and `where`.
    `journal_failed` says where things stand when the journal cannot take the cleanup;
    `after`: the service as drift's canary write left it, read back (None: not read).
    `again`: whether a cleanup refused for a write of someone else's that kept drift's pin
    is made once more, keeping theirs (`_again`)."""
    outcome, change = fixer.outcome, fixer.change_id
    fixer.where = (
        f"{stop.message}; the canary {outcome.canary} was being removed "
        f"({outcome.tag_words}); `drift rollback {change}` finishes it"
    )
    if stop.interrupted and not stop.quiet:  # quiet: the output broke, nothing more is said
        fixer.ctx.ui.say(
            f"{stop.message}: removing the canary's tag and restoring the routing that "
            "served (Ctrl-C again stops this)"
        )
    # what served judged from its secret versions as they are now: the promotion prompt may
    # have waited hours, and a version disabled meanwhile fails the restored revision (LATEST
    # then resolving to the canary); after a Ctrl-C, from what the fix's plan read (no call:
    # the operator waits on this, and a second signal stops it)
    known = fixer.ctx.known if stop.interrupted else None
    why = await unstartable(fixer.ctx.session, fixer.entry, known)
    if why:  # a second Ctrl-C from here: `drift rollback` refuses until the version is enabled
        fixer.where = (
            f"{stop.message}; the canary {outcome.canary} was being left in place with no "
            f"traffic ({outcome.tag_words}), the traffic pinned by name on "
            f"{served_by(fixer.entry) or 'what served'}: {left_unstartable(why)}; "
            f"{ways_out(fixer.entry, pinned=True, why='; '.join(why))}{_by_hand(fixer)}"
        )
    current = await _read(fixer)  # `restore` takes this very read
    stop = _theirs_kept(fixer, stop, current, after)
    judge = _keeping(fixer, stop.theirs)
    # someone's write since stands: `restore` refuses it (and `free_pin` frees drift's pin)
    if (
        why
        and current is not None
        and refusal(current, fixer.entry, force=False, judge=judge) is None
    ):
        await _left_pinned(fixer, stop, why, current)
        return
    try:
        done = await restore(
            fixer.ctx.session,
            fixer.ctx.journal,
            fixer.entry,
            step="cleanup",
            states=CLEANUP,
            judge=judge,
            wrote=stop.wrote if stop.theirs is not None else None,
            current=current,
            write_wait=fixer.ctx.settings.write_wait,
        )
    except JournalError as exc:  # before the cleanup's write: nothing was written
        outcome.message = f"{stop.message}. {journal_failed(exc)}"
        return
    outcome.state = fixer.entry.state
    moved = done.refused and _written_since(fixer, done.now)
    if moved and again and (retry := _again(fixer, stop, done.now, after)):
        await clean_up(fixer, retry, journal_failed, after, again=False)
        return
    if done.refused:  # someone else wrote: undoing it is the operator's call, the pin is not
        said = await free_pin(fixer, done.now)
        if not said and moved and not may_have_served(fixer.entry):
            said = await keep_routing(fixer, done.now, after)  # their routing, no revision
        outcome.state = fixer.entry.state
        if outcome.state == State.CLEANED_UP or outcome.unknown:  # unknown: its words say
            outcome.message = f"{stop.message}. {done.text}. {said}"
        else:
            outcome.message = (
                f"{stop.message}. drift left the canary {outcome.canary} as it is: {done.text}"
                + (f". {said}" if said else "")
                + f"; `drift rollback {change} --force` removes it and restores the routing "
                "that served (undoing their change too)"
            )
        fixer.where = outcome.message
    elif done.over is not None:  # landed over someone else's write: a stale etag let through
        outcome.unfinished = bool(done.unjournaled)  # the journal behind: its lock kept
        theirs = await replaced(fixer, *done.over)
        did = "landed over their write" if done.beside else "replaced their write"
        outcome.message = (
            f"{stop.message}. Then someone else wrote the service ({theirs.gens}{theirs.who}) "
            "after drift read it to clean up, and drift's cleanup write (the canary's tag "
            f"removed, the routing that served restored) {did}: {done.text}. "
            f"{theirs.serve}"
            + (f"; the journal could not record it: {done.unjournaled}" if done.unjournaled else "")
        )
        fixer.where = outcome.message
    elif done.unsettled or done.unread:  # landed, its wait over first; or sent, not read back:
        outcome.unknown = True  # exit 3, its lock kept (`Where.run`): never 4 (helper-678, 821)
        how = "was" if done.unread else "landed, and"
        outcome.message = (
            f"{stop.message}. drift's cleanup write (the canary's tag removed, the routing that "
            f"served restored) {how} {done.text}; see it with `drift check`, and "
            f"`drift rollback {change}` finishes it (the journal says {fixer.entry.state})"
            + (f", or {done.by_hand}" if done.by_hand else "")  # a pin's (task 847)
        )
        fixer.where = outcome.message
    elif done.unjournaled:  # written, but the journal does not say how it ended
        outcome.unfinished = True  # exit 3, its lock kept: never 4 (helper-661 B1, B3)
        did = (
            f"drift removed the canary's tag and restored the routing (what serves: {done.text})"
            if done.ok
            else f"removing the canary {outcome.canary} failed: {done.text}"
        )
        outcome.message = (
            f"{stop.message}. {did}, but {done.unjournaled}: the journal still says "
            f"{fixer.entry.state}; once it is writable, `drift rollback {change}` finds the "
            "service as it is and records it"
        )
        fixer.where = outcome.message
    elif done.then:  # drift's cleanup landed, then someone else's write: theirs stands
        serves = f"what serves: {done.text}" if done.ok else done.text
        outcome.message = (
            f"{stop.message}. drift removed the canary's tag and {done.then} ({serves}); for "
            f"{fixer.name}, nothing is left to roll back"
        )
        fixer.where = outcome.message
    elif done.ok and (failed := failed_latest(done.now)):
        # the next step from the failed revision's own reason (`cause_of`), when drift knows it
        cause = await revision_cause(fixer.ctx.session, str(done.now.latest_created_revision))
        step = cause or (
            "fix what stops it (the manual steps of `drift plan`), then run drift fix again"
        )
        outcome.message = (
            f"{stop.message}. drift removed the canary's tag and restored the routing (what "
            f"serves: {done.text}), but {failed}; {step}: it builds on what serves and "
            "replaces the failed revision"
        )
        fixer.where = outcome.message
    elif done.ok:
        redeployed = _by_tag(fixer, done.now)
        outcome.message = (
            f"{stop.message}. drift removed the canary's tag and restored the routing "
            f"(what serves: {done.text}){kept_words(done.kept)}{redeployed}; for {fixer.name}, "
            "nothing is left to roll back"
        ) + _hints(stop, done)
        fixer.where = (
            f"{stop.message}; cleaned up: the canary's tag is removed and the routing that "
            f"served is restored (what serves: {done.text}){kept_words(done.kept)}"
            f"{redeployed}; for {fixer.name}, nothing is left to roll back"
        )
    else:
        outcome.message = (
            f"{stop.message}. Removing the canary {outcome.canary} failed: {done.text}; "
            f"`drift rollback {change}` tries again"
            + (" once what refused it is fixed" if done.unwritten else "")
            + _hints(stop, done)
        )
        fixer.where = outcome.message


async def _read(fixer: Fixer) -> Any:
    """The service as it is now (None when it cannot be read: `restore` reads it again and
    says why)."""
    try:
        return await get_service(fixer.ctx.session, fixer.entry.full_name)
    except (ApiError, AuthError):
        return None


async def _left_pinned(fixer: Fixer, stop: Stop, why: tuple[str, ...], current: Any) -> None:
    """The configuration that served cannot start again (`unstartable`): drift writes no
    revision of it (the write would fail, its spec LATEST then resolving to the canary, the
    latest ready revision); its canary write's pin, by name on what served, stays. The
    canary's tag goes (SPEC invariant 9) with an update of the service alone (`_untag`: no new
    revision)."""
    outcome, entry = fixer.outcome, fixer.entry
    way = ways_out(entry, pinned=True, why="; ".join(why))
    kept = f"; the traffic stays pinned by name on {served_by(entry) or 'what served'}"
    try:
        untag, record = await _untag(fixer, current)
    except JournalError as exc:  # before the write: nothing was written
        outcome.message = (
            f"{stop.message}. drift left the canary {outcome.canary} in place with no traffic "
            f"({outcome.tag_words}{kept}), but the journal cannot record more ({exc.message}): "
            f"{left_unstartable(why)}; once the journal is writable, {way}{_by_hand(fixer)}"
        )
        fixer.where = outcome.message
        return
    # LATEST is "the Service's latest ready Revision" (TrafficTargetAllocationType,
    # google/cloud/run/v2/traffic_target.proto): a ready canary, or whatever revision of the
    # canary's template (the service's spec keeps it) becomes ready later; a revision by name
    # ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION") stays where it is
    ready = short(current.latest_ready_revision) == outcome.canary
    latest = "which would resolve to the canary" if ready else "the template is the canary's"
    left = (
        f"drift left the canary {outcome.canary} in place with no traffic, {untag}{kept}, "
        f"never on LATEST ({latest}): {left_unstartable(why)}"
    )
    try:
        record(left)
    except JournalError as exc:
        outcome.message = (
            f"{stop.message}. {left}; the journal could not record it ({exc.message}): once it "
            f"is writable, {way}"
        )
        fixer.where = outcome.message
        return
    outcome.state = entry.state
    outcome.message = f"{stop.message}. {left}; {way}"
    fixer.where = outcome.message


def _by_hand(fixer: Fixer) -> str:
    """How to remove the canary's tag by hand where the cleanup left it, or may have (the
    journal refusing its write, a second Ctrl-C): the one gcloud command (`Fixer.untag`);
    "" for an untagged canary."""
    return f"; remove its tag by hand with `{fixer.untag}`" if fixer.untag else ""


async def _untag(fixer: Fixer, current: Any) -> tuple[str, Callable[[str], None]]:
    """Remove the canary's tag from `current` (and put back the service-level settings its
    write made) with an update of the service alone, keeping every other target as it is (the
    template unchanged: no new revision, as `free_pin`'s), journaled first (JournalError: not
    written), proven by reading back (`TrafficWrite.proven`).
    Returns the words, and how to journal the cleanup's end with its note (the write's
    outcome: the generation read back when the spec carries it, or left unknown when it could
    not be read back)."""
    outcome, journal, entry = fixer.outcome, fixer.ctx.journal, fixer.entry

    def record(note: str) -> None:
        journal.record(entry, State.CLEANUP_FAILED, note)

    # The service-level settings the canary's write made (ingress, the service's scaling: "applied
    # to the service at once") go back with the same write, as `restore_request` puts them
    # back: no revision needs to start for them (helper-538 F1: a service left open to `all`).
    parts = [] if parts_as_found(current, entry) else service_parts(entry)
    if not any(outcome.tagged(t) for t in current.traffic) and not parts:
        return outcome.tag_words, record
    request = copy_service(current)
    del request.traffic_statuses[:]
    outcome.untag(request.traffic)
    for part in parts:
        copy_field(raw(request), raw(before_service(entry)), part)
    settings = f" and the service's {', '.join(parts)} as they were" if parts else ""
    doing = f"removing the canary's tag{settings} (no new revision)"
    on, wait = (fixer.ctx.session, journal, entry), fixer.ctx.settings.write_wait
    sent = await write_traffic(on, current, request, "untag", doing, write_wait=wait)
    after = sent.after
    tag = f"its {outcome.tag_words}" if outcome.tag else ""  # an untagged canary: no tag
    what = ", and ".join(
        w for w in (tag, f"the service's {', '.join(parts)}" if parts else "") if w
    )
    undone = "removed or put back" if parts else "removed"
    if after is None:  # sent, unproven: as `Restored.unread`, never failed (helper-827 R2)
        outcome.unknown = True  # the entry stays as begun, its lock kept: exit 3
        may = f"{sent.error}: it may have landed; `drift rollback {fixer.change_id}` finishes it"
        return f"{what} maybe {undone} ({may}){_by_hand(fixer)}", lambda _: None

    def ended(note: str) -> None:  # the generation read back when the spec carries it
        journal.landed(entry, State.CLEANUP_FAILED, note, **sent.spec)

    if not sent.proven or not parts_as_found(after, entry):  # an error: stored, not applied
        why = sent.error or f"what serves: {describe_serving(after, outcome.canary)}"
        return f"{what} not {undone} ({why}){_by_hand(fixer)}", ended
    restored = f"the service's {', '.join(parts)} put back as they were" if parts else ""
    return ", and ".join(w for w in (tag and f"{tag} removed", restored) if w), ended


def _theirs_kept(fixer: Fixer, stop: Stop, now: Any, after: Any) -> Stop:
    """`stop` carrying someone else's write since drift's last one (`now`, as read) for the
    cleanup to keep, when it made no revision and left drift's pin as it was
    (`untrap.left_as_pinned`: a label, a service-level setting) —
    found here after a "no", a Ctrl-C or a failed probe as `_promote` finds it after a "yes".
    Refused instead, drift's pin would stay and trap the team's next deploy (SPEC invariant
    9; revfix90 F1). `stop` as it is when it carries one already, when nobody wrote, or
    without drift's canary write read back (`after`), which their write is judged against."""
    if stop.theirs is not None or now is None or after is None:
        return stop
    if refusal(now, fixer.entry, force=False) is None or not left_as_pinned(fixer, now):
        return stop
    said = f"{stop.message}; meanwhile someone else wrote {fixer.name}"
    return _keeping_theirs(stop, said, after, now, wrote=after, again="")


def _written_since(fixer: Fixer, now: Any) -> bool:
    """Whether the service read back (`now`) moved since what drift's last write was built on
    (its `generation_before`): a write of someone else's refused drift's. A refusal with
    nothing moved (an ABORTED of the server's own) leaves no write of theirs to keep or to
    route around: the routing there is drift's."""
    writes = fixer.entry.writes
    return (
        now is not None
        and bool(writes)
        and int(now.generation) > int(writes[-1].get("generation_before") or 0)
    )


def _again(fixer: Fixer, stop: Stop, now: Any, after: Any) -> Stop | None:
    """The cleanup once more, keeping someone else's write that refused it (`now`, as read
    back: a label written between the cleanup's read and its write, whose etag it no longer
    had), when that write made no revision and left drift's pin byte for byte
    (`untrap.left_as_pinned`): their write needs no pin, and the pin left there is drift's
    (helper-661 A4: taken for their routing, it stayed and trapped the team's next deploy).
    None when it is not so: their routing, or a revision of theirs (`free_pin`)."""
    if now is None or (stop.wrote is None and after is None) or not left_as_pinned(fixer, now):
        return None
    wrote = stop.wrote if stop.wrote is not None else after
    said = f"{stop.message}; then someone else wrote {fixer.name} before drift's cleanup write"
    return _keeping_theirs(stop, said, stop.theirs or wrote, now, wrote=wrote, again=" again")


def _keeping_theirs(stop: Stop, said: str, was: Any, now: Any, *, wrote: Any, again: str) -> Stop:
    """`stop` carrying someone else's write (`now`, as read; `was`: the service before it) for
    the cleanup to keep, said after `said`: their generation and what they changed."""
    what = what_changed(was, now)
    return Stop(
        f"{said} ({written_since(int(was.generation), now)}"
        + (f"; they changed its {what}" if what else "")
        + f"), making no revision: drift cleans up{again}"
        + (" keeping their change" if not again else ", keeping their change"),
        stop.state,
        cleanup=stop.cleanup,
        interrupted=stop.interrupted,
        unfinished=stop.unfinished,
        quiet=stop.quiet,
        theirs=now,
        wrote=wrote,
    )


def _keeping(fixer: Fixer, theirs: Any) -> Judge | None:
    """The judge of the cleanup's write when the fix stopped on someone else's write that it
    keeps (`Stop.theirs`: no revision of theirs, drift's pin as it was): the service as they
    left it may be written (`restore_request` builds on it, their write stays); any write
    after theirs is refused as after drift's last write. None: `changed_since` alone."""
    if theirs is None:
        return None
    entry = fixer.entry

    def judge(now: Any) -> str:
        same = int(now.generation) == int(theirs.generation) and now.uid == theirs.uid
        return (
            "" if same else changed_since(now, entry) or written_since(int(theirs.generation), now)
        )

    return judge


def _by_tag(fixer: Fixer, now: Any) -> str:
    """ "; " and what the cleanup cannot promise of what serves (`now`) when a revision that
    did not serve before the fix takes traffic — the one the restoration created, which LATEST
    resolves to — and an image of the configuration that served is named by a tag: it runs
    what the tag names now, maybe the image the canary just ran (revfix84 F3); "" else."""
    if now is None:
        return ""
    was = {row.revision for row in serving(before_service(fixer.entry)) if row.percent}
    if all(row.revision in was for row in serving(now) if row.percent):
        return ""
    caveat = tag_caveat(fixer.entry)
    return f"; {caveat}" if caveat else ""


def _hints(stop: Stop, done: Restored) -> str:
    """What to do about the write that stopped the fix (a promotion refused) and the cleanup's
    own, once (`hint_lines`: the role a PERMISSION_DENIED needs), as the canary's write says."""
    runtime = done.now.template.service_account if done.now is not None else ""
    return hint_lines([stop.message, done.text], runtime=runtime)
