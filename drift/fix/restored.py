"""What a restoration write came to (`Restored`), the service's, a job's or a pool's
(`drift.fix.restore`, `drift.fix.workload_restore`), and how it ended when someone else wrote
the workload after drift read it (`theirs`); a service's traffic-only write (`write_traffic`:
freeing drift's pin, removing a canary's tag, pinning a failed restoration by name)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import partial
from typing import Any

from drift import __version__
from drift.errors import ApiError, AuthError, JournalError
from drift.fields.access import template_of
from drift.fix.altered import landed_mine, mine_words
from drift.fix.beside import landed_over, left
from drift.fix.held_changes import template_held
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.legacy_key import sent
from drift.fix.lost_answer import (
    lost,
    may_still_land,
    read_words,
    refused_write,
    theirs_alone,
    theirs_since,
    theirs_words,
    unchanged_words,
)
from drift.fix.readback import as_sent, holds_changes
from drift.fix.recorded import service_parts
from drift.fix.routing import (
    Content,
    carries,
    describe_serving,
    landed,
    next_generation,
    over_theirs,
    past_next,
    template_key,
    traffic_key,
)
from drift.fix.update import settled, stale_etag, update_workload
from drift.fix.waiting import Deadline
from drift.kinds import Kind
from drift.live.api import sent_as, written_since
from drift.live.normalize import config_digest, keyed_config
from drift.live.session import Session
from drift.next_steps import hint_lines

Judge = Callable[[Any], str]
"""Why a workload read now must not be written to ("" when it may): `changed_since`, read
against the journal's later changes of it (`drift.fix.since`) by a rollback."""


@dataclass(frozen=True)
class Restored:
    ok: bool
    text: str
    """What serves now, or why it is not what served before."""
    now: Any = None
    unjournaled: str = ""
    """Why the journal could not record how the write ended ("" when it did): it still says
    the write was begun, and a rollback run again finds the service as it is."""
    refused: bool = False
    """Nothing was written: someone else changed the service since drift's last write."""
    over: tuple[int, int] | None = None
    """drift's write landed over someone else's (a stale etag let through,
    `drift.fix.overwrote`): the generation drift read, the one its write made."""
    untouched: bool = False
    """Nothing was written: the workload already was as before the change (its update never
    landed: a fix cut by Ctrl-C or kill -9 between journaling it and the server taking it)."""
    unwritten: bool = False
    """Nothing was written: the server refused the write (`lost_answer.refused_write`); the entry
    keeps the state it had, its write recorded as not landed."""
    hints: str = ""
    """What to do about the write's failure (`drift.next_steps.hint_lines`: the role it needs)."""
    kept: tuple[str, ...] = ()
    """Fields drift's change set that someone else changed since, kept as theirs (`wrote`)."""
    then: str = ""
    """drift's write landed as its answer says, then someone else wrote (`theirs`): that, in
    words ("" else); `ok` and `text` judge what serves after their write."""
    unsettled: bool = False
    """drift's write landed and the workload was still reconciling when its wait ended
    (`write_wait`): how it ends is not known, nothing more was written or recorded (the entry
    still says the write was begun: a rollback run again judges it as it finds it)."""
    unread: bool = False
    """drift's write was sent and the workload could not be read back, or its answer was lost
    and it reads back unchanged (`unproven`): whether it landed, or will, is not known (never
    "failed"); nothing recorded, the entry still says the write was begun."""
    by_hand: str = ""
    """With `unread`: what can be done by hand instead of `drift rollback CHANGE`, said after
    it (a pin by name not known: "pin it by hand with `gcloud …`", `restore.pin_by_name`)."""
    beside: str = ""
    """With `over`: their change drift's write left, in words (`drift.fix.beside.left`)."""
    back: bool = False
    """Nothing was written: the workload (a service, a job, a pool), read right before the
    write, ran what it ran before the change already (an earlier rollback's write landed
    unrecorded, someone's put it back; with `refused`, theirs did: a forced rollback would
    write nothing either; `restore.refusal`)."""


def journaled(record: Callable[[], None]) -> str:
    """Record how a write ended: "", or the journal's error when it cannot (the write has
    been made: what it did is said all the same)."""
    try:
        record()
    except JournalError as exc:
        return exc.message
    return ""


def unproven(
    journal: Journal,
    entry: Entry,
    write: Write,
    error: BaseException | None,
    now: Any,
    was: str,
    read: Any = None,
) -> Restored | None:
    """A restoration (a service's, a job's or a pool's) the server refused
    (`lost_answer.refused_write`): nothing was written, the entry keeps state `was` with the
    write recorded as not landed, and the rollback says so and that it can be tried again
    (`Restored.unwritten`; a service's names what serves). `now` None: not read back, refused
    all the same when every attempt was (`refused_each`: whatever it holds, nothing was
    written; helper-827 R1); `read`, as read before the write, names its runtime. Else, its
    answer lost and `now` read back unchanged (`lost_answer.may_still_land`), one whose outcome
    is not known (`Restored.unread`: nothing recorded, the entry left as begun, its lock kept;
    task 831). None when neither."""
    if not isinstance(error, ApiError):
        return None
    if error.refused_each if now is None else refused_write(error, now, write.generation_before):
        why, step = error.message, write.step
        runtime = template_of(read if now is None else now).service_account
        lost = journaled(lambda: journal.landed(entry, was, f"{step} not written: {why}"))
        hints = hint_lines([why], runtime=runtime)
        if now is not None and Kind(entry.kind) is Kind.SERVICE:  # as a failure says it
            why += f" (what serves: {describe_serving(now, entry.canary_revision)})"
        return Restored(False, why, now, lost, unwritten=True, hints=hints)
    if now is None or not may_still_land(error, now, write.generation_before):
        return None
    said = f"sent ({error.message}); {unchanged_words(Kind(entry.kind).noun, now)}"
    return Restored(False, said, now, unread=True)


def theirs(
    journal: Journal,
    entry: Entry,
    write: Write,
    sent: Any,
    now: Any,
    answer: Any,
    error: ApiError | AuthError | None,
    states: tuple[str, str, str],
    judged: tuple[str, str],
    judge: Judge,
    content: Content = carries,
) -> Restored | None:
    """How a restoration write (a service's, a job's, a pool's: one judgement for all) ended
    when someone else wrote the workload after drift read it: journaled and said; None when
    nobody did (`now`, read back once it settled, is drift's write alone, or nothing was
    written: the caller judges it). `states`: the entry's state before the write, the state
    for restored, for not restored; `judged`: what is wrong with `now` ("" nothing) and what
    runs. By the server's answer first, then by generation ("monotonically increases every
    time the user modifies the desired state"):
    - drift's write landed over theirs (its answer, or, the answer lost, a read-back holding
      all drift sent, `drift.fix.readback.as_sent`: a write of theirs after drift's, a label,
      leaves drift's configuration too), two or more generations past what it was built on: a
      stale etag let through, AIP-154 not followed, `drift.fix.overwrote`): journaled as
      landed at its generation, and said (`drift.fix.beside`: what of theirs it replaced, what
      stays). Never a plain success (`Restored.over`).
    - one generation past, the answer naming that generation (`altered.landed_mine`), the read
      back not drift's write as sent: drift's write landed altered by the server (a merged
      update mask, review 856 F2): journaled as landed (not restored), the fields that differ
      named (`altered.altered_words`), never someone else's write nor "nothing was written".
    - refused for its stale etag (AIP-154's ABORTED) on each attempt, or one generation past
      with a read-back that is not drift's write (theirs is the only write) and an answer that
      is no lost one: drift's did not land, nothing was written. The entry stays as it was for
      a stale etag (nothing of drift's happened: as a refusal before the write leaves it), else
      it says not restored; `Restored.refused`. Its answer lost (not the server's refusal on
      each attempt, `lost_answer.theirs_alone`), theirs alone proves nothing: drift's request
      may still land over theirs — not known (`Restored.unread`: nothing recorded, the entry
      left as begun, its lock kept; task 845); so is one two or more generations past whose
      read back does not hold drift's write (`content`), its answer lost
      (`lost_answer.theirs_since`, task 847: it may have landed before theirs, or land yet).
    - two or more generations past, the answer saying drift's landed as sent one generation
      past (`landed_alone`): theirs came after it and stands; journaled as landed at the
      answer's generation (restored), what serves judged as it is now (`judged`: SPEC
      invariant 10, `traffic_statuses`), said (`Restored.then`; helper-661 A3). A rollback
      run again has nothing left to do.
    - two or more generations past, no answer saying drift's landed, the read back holding
      it or its answer no lost one: it may have landed before theirs (their change then
      stands); its outcome stays unknown in the journal
      (`landed` None). A rollback run again refuses without --force (`judge`: why a workload
      read now must not be written to, `drift.fix.restore.changed_since` unless the caller
      reads it against more)."""
    was, done, failed = states
    problem, runs = judged
    before, noun = write.generation_before, Kind(entry.kind).noun
    mine = over_theirs(answer, now, write, partial(as_sent, content=content, sent=sent))
    if mine is not None:
        gen, kind = int(mine.generation), Kind(entry.kind)
        text = f"{runs}; {landed_over(kind, entry, sent, mine)}"
        state = failed if problem else done
        lost = journaled(lambda: journal.landed(entry, state, text, etag=mine.etag, generation=gen))
        beside = left(kind, sent, mine)
        return Restored(not problem, text, now, lost, over=(before, gen), beside=beside)
    if answer is not None and past_next(now, write) and landed_alone(answer, write, content):
        gen = int(answer.generation)  # drift's landed as sent, then theirs: it stands
        then = (
            f"restored (generation {gen}), then changed by someone else "
            f"({written_since(gen, now, ours=sent_as(entry.client_version))}): their change stands"
        )
        lost = journaled(
            lambda: journal.landed(entry, done, f"{then}; {runs}", etag=answer.etag, generation=gen)
        )
        return Restored(not problem, runs, now, lost, then=then)
    stale = isinstance(error, ApiError) and stale_etag(error)
    # refused for its stale etag, drift's write landed alone only if the read back holds all
    # it sent: a write of theirs that left the configuration alone (a label, their ingress
    # over an update in place's rollback) is one generation on with it too (helper-661 A1/A7)
    alone = landed_alone(now, write, content) and (not stale or as_sent(now, write, content, sent))
    if (not stale and int(now.generation) <= before) or alone:
        return None
    if (own := landed_mine(answer, now, write)) is not None:  # altered, never theirs (856 F2)
        ours = sent_as(entry.client_version)
        said = f"{mine_words(Kind(entry.kind), entry.service, sent, own, now, ours)}; {runs}"
        gen, tag = int(own.generation), own.etag
        lost = journaled(lambda: journal.landed(entry, failed, said, etag=tag, generation=gen))
        return Restored(False, said, now, lost)
    why = error.message if error is not None else "sent"
    # lost, theirs alone one on (h845), or theirs two on or more, drift's not in it (task 847):
    # drift's may land over theirs yet
    if theirs_alone(error, now, before) or (
        theirs_since(error, now, before) and not content(now, write)
    ):
        return Restored(False, f"sent ({why}); {theirs_words(noun, before, now)}", now, unread=True)
    if stale or next_generation(now, write):
        lost = journaled(lambda: journal.landed(entry, was if stale else failed, why))
        changed = judge(now) or f"{entry.service} changed after drift read it"
        said = f"{changed}; drift's write did not land ({why})"
        return Restored(False, said, now, lost, refused=not lost)
    said = (
        f"{entry.service} was changed since by someone else ({written_since(before, now)}); "
        f"drift's write may have landed before that (its answer: {why})"
    )
    lost = journaled(lambda: journal.record(entry, failed, said))
    return Restored(False, said, now, lost)


def landed_alone(now: Any, write: Write, content: Content) -> bool:
    """`now` is `write` landed and nothing after it (one generation past, drift's write)."""
    return next_generation(now, write) and content(now, write)


def pin_unproven(
    on: tuple[Journal, Entry, str], pin: tuple[str, str, str, str], sent: TrafficWrite, now: Any
) -> Restored:
    """A pin by name (`restore.pin_by_name`) not proven: journaled `failed` (`on`), said after
    what went before it, the revision, why, and the command that pins it by hand (`pin`). Not
    read back, or its answer lost and the service read back unchanged or with someone else's
    write (`sent.after` None), not known: nothing recorded, the entry left as the write began,
    its lock kept (`Restored.unread`: task 841), pinning by hand said after `drift rollback
    CHANGE` (`Restored.by_hand`, task 847: it came first)."""
    (journal, entry, failed), (head, ran, why, command) = on, pin
    by_hand = f"pin it by hand with `{command}`"
    if sent.after is None:
        text = f"{head}; drift's pin of the traffic by name on {ran} was sent ({why})"
        return Restored(False, text, now, unread=True, by_hand=by_hand)
    text = f"{head}; drift could not pin the traffic by name on {ran} ({why}): {by_hand}"
    lost = journaled(lambda: journal.landed(entry, failed, text, **sent.spec))
    return Restored(False, text, sent.after, lost)


@dataclass(frozen=True)
class TrafficWrite:
    """How a traffic-only update ended: the service read back (None when it could not be:
    whether it landed is unknown), why the server refused it or could not be read ("" when
    neither), and whether it landed (`landed`: one generation later, as sent)."""

    after: Any
    error: str
    landed: bool

    @property
    def proven(self) -> bool:
        """Whether the write counts as done (a write counts only when proven): the spec read
        back carries it (`landed`) and its operation ended without error. Cloud Run may store
        the spec yet refuse to reconcile the traffic while the latest created revision failed
        (not documented; sandbox option `traffic_while_failed`): the operation's error says
        so, and the write is not done. The one judgement for every traffic-only write."""
        return self.landed and not self.error

    @property
    def spec(self) -> dict[str, Any]:
        """How to journal it (`Journal.landed`'s etag and generation): the generation read back
        when the spec carries the write, proven or not (a later rollback then sees it as
        drift's own write); nothing when it does not."""
        if not self.landed:
            return {}
        return {"etag": self.after.etag, "generation": int(self.after.generation)}


async def write_traffic(
    on: tuple[Session, Journal, Entry],
    now: Any,
    request: Any,
    step: str,
    doing: str,
    state: str = State.CLEANING_UP,
    version: str | None = None,
    *,
    write_wait: float,
) -> TrafficWrite:
    """Send `request` — `now` with other traffic, its template as read, so no new revision
    — journaled first as `step` in `state` with `doing` (JournalError: nothing was written),
    then read back once it settles, both within one deadline (`write_wait` seconds from the
    write: `Deadline`): `free_pin`'s write, the cleanup's that removes a canary's tag
    (`drift.fix.cleanup`), and a restoration's pin by name (`drift.fix.restore`). Its answer
    lost and the service read back unchanged (`lost_answer.may_still_land`, task 841), or
    written since by someone else, drift's write not in it (`theirs_alone`, `theirs_since`:
    task 847), it is as one not read back (`after` None), never "failed"."""
    session, journal, entry = on
    write = Write(
        step, now.etag, int(now.generation), "", template_key(request),
        traffic_key(request.traffic),
    )  # fmt: skip
    journal.begin(entry, state, doing, write)
    error, failed, deadline = "", None, Deadline(write_wait)
    try:
        await update_workload(
            session, Kind.SERVICE, request, version=version or __version__, base=now,
            parts=service_parts(entry), deadline=deadline,
        )  # fmt: skip
    except ApiError as exc:
        error, failed = exc.reason, exc
    try:
        after = await settled(session, entry.full_name, deadline=deadline)
    except ApiError as exc:
        return TrafficWrite(None, f"{error or 'sent'}; not read back: {exc.reason}", False)
    before = write.generation_before  # lost, unchanged (task 841) or written since by someone
    if lost(failed) and (  # else, drift's not in it (task 847): as not read back
        int(after.generation) == before or not carries(after, write)
    ):
        return TrafficWrite(None, f"{error}; {read_words('service', before, after)}", False)
    return TrafficWrite(after, error, landed(after, write))


OUTSIDE_TEMPLATE = ("parallelism", "task_count", "instance_count")
"""Settings a job or pool holds outside the template `template_differences` compares (a
job's ExecutionTemplate, a pool's scaling)."""


def carries_kind(now: Any, write: Write, kind: Kind) -> bool:
    """Whether `now` is `write` landed and nothing after it: exactly one generation later
    (`next_generation`) with the configuration sent (`holds`)."""
    return next_generation(now, write) and holds(now, write, kind)


def carries_sent(now: Any, write: Write, kind: Kind, request: Any) -> bool:
    """Whether `now` is drift's update `request` landed and nothing
    after it: one generation later, holding all it sent (`as_sent`: its configuration and every
    field outside the template — a service's own settings, its traffic, the labels — but those
    the server describes on output, `readback.DESCRIBED`: launch_stage, helper-673 N2). What an
    update in place of a service's own settings changes is outside its template, sent back as
    read: anyone's write that leaves the template alone (a label, a tag, their ingress) is one
    generation later with the template sent too (helper-661 A1), so the template alone
    (`carries_kind`) never tells that drift's update landed; nor what it changed alone
    (`holds_sent`): a teammate's write of the same ingress and a label, drift's never applied,
    would be taken for drift's (helper-675 F5)."""
    return next_generation(now, write) and as_sent(now, write, partial(holds, kind=kind), request)


def holds_sent(now: Any, write: Write, request: Any, source: Any) -> bool:
    """Whether `now` holds what drift's update `request` changed of `source` — each field of
    its template (`template_held`: a variable by name) and outside it (a service's own
    settings, a pool's scaling: `holds_changes`) it sent otherwise than read, as sent —
    whatever someone else's write changed besides (their variable: helper-809 F3)."""
    return holds_changes(
        now, write, lambda n, _: template_held(source, request, n), request, source
    )


def holds(now: Any, write: Write, kind: Kind) -> bool:
    """Whether the job or pool read back `now` runs exactly the configuration `write` sent
    (whatever its generation)."""
    return sent(write, config_digest, keyed_config(now, kind))


def complete(now: Any) -> bool:
    """Settled and ready: no update in progress, the Ready condition succeeded."""
    from google.cloud import run_v2

    succeeded = run_v2.Condition.State.CONDITION_SUCCEEDED
    return not now.reconciling and now.terminal_condition.state == succeeded
