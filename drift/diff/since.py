"""Where each drift began: the same rules evaluated against the service's older revisions, in
creation order, back from the revision the drift was found on, while the drift is there. A
drift about a secret's own state (disabled, destroyed, no access) has no revision that began
it: it gets no `since`.

Revisions that never served are passed over, never named (`drift.diff.unserved`): one that
never became ready, and drift's own canary that drift undid before it held traffic; one taken
as never served on its shape alone (no journal at hand) is named in the note, and so is a
failed one (not ready now, no traffic) where its having served before it failed would change
the answer: nothing Cloud Run records tells that from a failed deploy (`unserved.FAILED`).

Revisions missing from the listing: Cloud Run names the revisions it names
`SERVICE-NNNNN-xxx` with a rising number, so two listed neighbours whose numbers skip may have
revisions between them that are not listed (deleted: a clean-up that keeps the newest, `gcloud
run revisions delete`; the v2 Revision has no pointer to the one before it, revision.proto) —
or none: Cloud Run does not document its numbers as consecutive, and an update that makes no
revision (traffic only) may take one. So the run still reaches across a skip (stopping there
would cut most histories short at every traffic change), and `since` says it: "or earlier"
where the skip lies right before the revision it names, a note wherever one lies between that
revision and the one checked. A name given by the writer (`template.revision`) has no number:
no revision can be told missing beside it, and nothing is said (`drift.live.history.number`: only
Cloud Run's own shape is read as a number).

A revision the drift cannot be judged on (`drift.diff.unjudged`) ends the run, named good no
more than one with the drift: `since` names the earliest revision the drift is known on, "or
earlier" (`Since.unjudged`, why in the note), never none, never an older one than was judged.

Deleted revisions are not asked for (`drift.live.history`); one a listing returns marked
deleted all the same (`delete_time`, `drift.live.history.Revisions`) takes its place in the run
as any other, and fills the gap its number would leave: the drift may be said to have begun on
one (said deleted, and when), but one is never named `last_good`: nothing can be rolled back
to it."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import replace

from drift.diff.context import Context
from drift.diff.judged import Judged, Key, key_of
from drift.diff.unjudged import either, judged, same_as, unjudged
from drift.diff.unserved import (
    FAILED,
    HELD,
    PUT_BACK,
    WITHIN,
    CanaryRecord,
    served_before,
    unserved,
)
from drift.fields import FIELDS, Field
from drift.findings import Finding, Since
from drift.live.changeids import revision_tags
from drift.live.history import every_revision
from drift.live.state import RevisionRecord
from drift.revision_names import number
from drift.rules import HISTORY


def unlisted(service: str, records: Sequence[RevisionRecord], lo: int | None, hi: int) -> str:
    """The revisions the listing lacks between `records[lo]` and `records[hi]` (lo None: before
    `records[hi]`, from revision 1 on), in words, as the numbers of listed neighbours tell;
    "" when none can be told missing."""
    # the numbers of those alone (a history shows 20 revisions of hundreds, each asking)
    numbers = {j: number(service, records[j].name) for j in range(lo or 0, hi + 1)}
    pairs: list[tuple[int | None, int | None]] = [(0, numbers[0])] if lo is None else []
    pairs += [(numbers[j], numbers[j + 1]) for j in range(lo or 0, hi)]
    gaps = [(a + 1, b - 1) for a, b in pairs if a is not None and b is not None and b > a + 1]
    if not gaps:
        return ""
    one = len(gaps) == 1 and gaps[0][0] == gaps[0][1]
    names = ", ".join(f"{a:05d}" if a == b else f"{a:05d}–{b:05d}" for a, b in gaps)
    return (
        f"revision {names} is not listed (deleted, or a number Cloud Run skipped)"
        if one
        else f"revisions {names} are not listed (deleted, or numbers Cloud Run skipped)"
    )


def _deleted(record: RevisionRecord) -> str:
    """`api-00003-xyz is deleted (2026-12-01 09:30 UTC): …` in words; "" when it is not."""
    if record.deleted is None:
        return ""
    return f"{record.name} is deleted ({_utc(record.deleted)}): nothing can be routed back to it"


def _utc(when: dt.datetime) -> str:
    """`2026-12-01 09:30 UTC`."""
    return f"{when.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC"


class History:
    """One service's revisions and, for each, whether it has a drift followed (`Judged`: each
    judged once for a target, only on it).

    `since` follows the same drift (rule and target: SPEC's finding id); the revision before
    the run is named `last_good` only when it had nothing wrong on that target at all — a
    revision where the variable was missing is no good one to roll back to when it is found
    with a wrong value (then the words say what that revision had)."""

    def __init__(
        self, ctx: Context, records: Sequence[RevisionRecord], canaries: CanaryRecord | None = None
    ) -> None:
        self.ctx = ctx
        self.records = list(every_revision(records))
        self.index = {r.name: i for i, r in enumerate(self.records)}
        self.judged = Judged(ctx, self.records)
        # a revision with traffic now served, whatever its Ready condition says today
        serving = {s.name for s in ctx.live.serving if s.percent > 0}
        # the tags now, checked or not: drift's canary still carrying its own is held (F3)
        statuses = getattr(ctx.live.source, "traffic_statuses", None) or ()
        tags = {s.name: s.tags for s in (*ctx.live.tagged, *ctx.live.serving)}
        tags |= revision_tags(statuses)
        self.skipped = unserved(self.records, canaries, serving, tags)

    def since(self, finding: Finding) -> Since | None:
        """Where the drift began on any revision it is on (`also_on`: a traffic split): the
        earliest start among them (then the longest run, whose notes cover the others'), so
        that the order of the traffic list changes nothing."""
        if finding.rule not in HISTORY:
            return None
        setting = FIELDS.get(finding.target.removeprefix("setting."))
        if finding.rule == "setting.value" and setting is not None and self._held(setting, finding):
            return None  # held by the service (pool) itself, not by a revision: none began it
        runs = [
            (self.index[since.revision or ""], -self.index[name], since)
            for name in (finding.revision, *finding.also_on)
            if name is not None and name in self.index
            if (since := self._since(finding, name)) is not None
        ]
        return min(runs, key=lambda run: run[:2])[2] if runs else None

    def _since(self, finding: Finding, revision: str) -> Since | None:
        """`since` of the drift as found on `revision`."""
        start = checked = self.index[revision]
        key = key_of(finding)
        if not self.judged.run(start, key):
            return None  # what the revision sets itself does not give it: the service does
        before = served_before(self.skipped, start)
        while before is not None and self.judged.run(before, key):
            start, before = before, served_before(self.skipped, before)
        first = self.records[start]
        began = (first.name, first.create_time, first.creator, first.client)
        # a skip right before the run: the drift may have begun in a revision not listed
        edge = self._unlisted(before, start)
        inside = self._unlisted(start, checked) if start != checked else ""
        today = self._compared_today(finding)
        failed = self._failed(before, start, checked, finding)
        guessed = self._guessed(before, checked)
        gone = _deleted(first)
        moving = self._moving(start, finding)
        either = self._either(start, key, had=True)
        notes = (gone, either, edge, inside, failed, guessed, today, moving)
        note = "; ".join(n for n in notes if n)
        if before is None:
            return Since(*began, None, note=note, earlier=bool(edge))
        if why := self._unread(before, finding):  # known since `start`, maybe earlier
            unknown = self.records[before].name
            said = f"the drift may be older: before it, {unknown} could not be judged ({why})"
            note = "; ".join(n for n in (said, note) if n)
            return Since(*began, None, note=note, earlier=True, unjudged=unknown)
        if key in self.judged.drift(before, key):  # good by its own bound, not today's service's
            note = "; ".join(n for n in (self._service_bound(before, finding), note) if n)
            return Since(*began, None, note=note, earlier=bool(edge))
        if other := self._other(before, key):  # never "good": the same target was wrong
            note = "; ".join(n for n in (other, note) if n)
            return Since(*began, None, note=note, earlier=bool(edge))
        if self.records[before].deleted is not None:  # good, but nothing to go back to
            note = "; ".join(n for n in (self._gone_good(before), note) if n)
            return Since(*began, None, note=note, earlier=bool(edge))
        note = "; ".join(n for n in (note, self._either(before, key, had=False)) if n)
        return Since(*began, self.records[before].name, note=note, earlier=bool(edge))

    def _either(self, i: int, key: Key, *, had: bool) -> str:
        """`unjudged.either` of revision `i` (where `since` begins or its last good); "" where
        its main container is told."""
        readings = self.judged.readings(i, key)
        if readings is None:
            return ""
        read = [one.primary for one, _ in readings]
        return either(self.records[i].name, self.judged.config(i), read, had=had)

    def _gone_good(self, i: int) -> str:
        """Why revision `i`, which served before the drift without it, is not named good."""
        return f"before it, {self.records[i].name} did not have it, but {_deleted(self.records[i])}"

    def _service_bound(self, i: int, finding: Finding) -> str:
        """Why revision `i`, which did not set the drift itself, is not named good: today's
        service-level bound gives it the drift too (a rollback to it would keep it)."""
        setting = finding.target.removeprefix("setting.")
        value = self.judged.config(i).settings.get(setting)
        shown = "" if value is None else f" {FIELDS[setting].show(value)}"
        return (
            f"before it, {self.records[i].name} set no such {setting} itself, but the "
            f"service's own scaling gives it{shown} today (set on the service: a change of "
            "it makes no revision), so it is no good revision to go back to"
        )

    def _other(self, i: int, key: Key) -> str:
        """What else revision `i` had wrong on the target of `key` (another rule: the same
        rule would have continued the run), in words; "" when nothing."""
        rules = sorted(k[0] for k in self.judged.drift(i, key) if k[1:] == key[1:])
        if not rules:
            return ""
        target, sidecar = key[1], key[2]
        family, _, name = target.partition(".")
        shown = name if name and all(r.split(".", 1)[0] == family for r in rules) else target
        shown += f" (container {sidecar})" if sidecar else ""
        return f"before it, {self.records[i].name} had {' and '.join(rules)} on {shown}"

    def _failed(self, before: int | None, start: int, checked: int, finding: Finding) -> str:
        """The failed revisions (`FAILED`) the run passed over where one that served before it
        failed would change the answer, in words ("" when none): one before the run that had
        the drift too (it would have begun there, by its creator), one within it that did not
        (it would have begun after it). One whose value is not known says nothing."""
        key = key_of(finding)
        lo = -1 if before is None else before
        passed = [
            k
            for k in range(lo + 1, checked)
            if self.skipped.get(k) == FAILED and not self._unread(k, finding)
        ]
        had = [k for k in passed if k < start and self.judged.run(k, key)]
        lacked = [k for k in passed if k > start and not self.judged.run(k, key)]
        said = [
            f"{self._made(k)} had it too: if it served before it failed, the drift may have "
            "begun there"
            for k in had
        ]
        said += [
            f"{self._made(k)} did not have it: if it served before it failed, the drift began "
            "after it"
            for k in lacked
        ]
        return "; ".join(said)

    def _made(self, i: int) -> str:
        """`api-00002-bav (created 2026-11-30 by alice@…), not ready now and taken as never
        served,`."""
        record = self.records[i]
        when = f"{record.create_time.astimezone(dt.UTC):%Y-%m-%d}" if record.create_time else ""
        who = f"by {record.creator}" if record.creator else ""
        made = ", ".join(w for w in (when and f"created {when}", who) if w)
        shown = f"{record.name} ({made})" if made else record.name
        return f"{shown}, not ready now and taken as never served,"

    def _guessed(self, before: int | None, checked: int) -> str:
        """drift's canaries the run passed over with no journal nor client to say they never
        served, in words ("" when none): on their shape alone (`PUT_BACK`), or on their own
        tag still on them with no traffic (`HELD`, which a journal here may know too)."""
        lo = -1 if before is None else before
        passed = {k: self.skipped.get(k) for k in range(lo + 1, checked)}
        said = []
        for why, words in (
            (PUT_BACK, f"no journal of its change here; the next revision, {WITHIN}, put back "
             "what served before it"),
            (HELD, "it still carries its own tag with no traffic, as a canary held by "
             "--no-promote does: drift removes that tag when it promotes one; one routed "
             "traffic by hand with its tag kept, then replaced, looks the same, and Cloud Run "
             "records no past traffic"),
        ):  # fmt: skip
            names = [self.records[k].name for k, w in passed.items() if w == why]
            if names:
                said.append(f"drift's canary {', '.join(names)} taken as never served ({words})")
        return "; ".join(said)

    def _unlisted(self, before: int | None, start: int) -> str:
        return unlisted(self.ctx.service.name, self.records, before, start)

    def _moving(self, start: int, finding: Finding) -> str:
        """Where the revision that begins the run takes a judged value from a secret by
        `latest` or an alias: the value judged is today's, the version it names now, and
        where that version was added after the revision was made, the drift may have begun
        with the version (a new version makes no revision), in words; "" otherwise."""
        record = self.records[start]
        said = []
        for var in judged(self.ctx, finding, self.judged.config(start)):
            if var is None or (ref := var.ref) is None or ref.version.isdigit():
                continue
            info = self.ctx.state.versions.get(ref)
            if info is None or (made := info.created) is None or not record.create_time:
                continue
            if made <= record.create_time:
                continue
            said.append(
                f"{var.name} is judged by the version {ref.version} of secret {ref.secret} "
                f"names today ({info.resolved or 'its number not read'}, added {_utc(made)}, after "
                f"{record.name} was made): the drift may have begun when that version was "
                "added, not with a revision"
            )
        return "; ".join(said)

    def _unread(self, i: int, finding: Finding) -> str:
        """Why the drift of `finding` cannot be judged on revision `i` (`drift.diff.unjudged`),
        in words; "" where it can: on containers none of which can be told the one the
        profile describes, where every reading of them (`Judged.readings`) is judged and has the
        drift, or has nothing wrong on its target."""
        key, config = key_of(finding), self.judged.config(i)
        readings = self.judged.readings(i, key) or []
        if readings and not any(unjudged(self.ctx, one, finding) for one, _ in readings):
            found = [{k for k in keys if k[1:] == key[1:]} for _, keys in readings]
            if all(key in f for f in found) or not any(found):
                return ""
        return unjudged(self.ctx, config, finding)

    def _compared_today(self, finding: Finding) -> str:
        """For `env.inconsistent` with another workload, how every revision was judged: with
        what the other variable holds today (its history is not read, so the revision named
        may not be the change that began it: the other side's deploy may have), in words;
        "" otherwise (within one workload each revision is judged by its own other variable)."""
        other = same_as(self.ctx, finding) if finding.rule == "env.inconsistent" else None
        if other is None or other[0] == self.ctx.service.key:
            return ""
        shown = (finding.expected or "").removeprefix("same value as ")
        return (
            f"each revision compared with the value {shown} holds today (its history is not "
            "read: its own deploy may have begun the drift)"
        )

    def _held(self, setting: Field, finding: Finding) -> bool:
        """A setting of the service itself, or a value the service's own level gives (its
        min/max instances, its manual scaling): `gcloud run services update --min` makes no
        revision, so no revision began it."""
        if setting.level == "service":
            return True
        service, shown = self.ctx.live.source, finding.actual or ""
        held = setting.held_by_service
        return service is not None and held is not None and held(service, shown)


def with_since(findings: Sequence[Finding], histories: dict[str, History]) -> list[Finding]:
    out = []
    for finding in findings:
        history = histories.get(finding.key)
        since = history.since(finding) if history is not None else None
        out.append(replace(finding, since=since) if since is not None else finding)
    return out
