"""Which revisions of a history never served: `since` never starts a run at one nor names it
`last_good`, and `drift history` marks it and passes over it.

A revision that never became ready: Cloud Run moves no traffic to it ("traffic_statuses … will
have the state of the last serving revision", `Service.reconciling`).

drift's own canary that drift undid before it held traffic (a fix declined at promotion, a
canary that failed its probe, a rollback before any promotion). The canary is known by the name
drift gives it (`SERVICE-drift-CHANGE` or its compact form, `drift.fix.patch.canary_name`: a
`template.revision`, which the Revision keeps as its name). Whether it held traffic, in this
order:

1. drift's journal, where the change was made (`CanaryRecord`): a promotion begun, or what
   served put back before any;
2. its own traffic tag (`drift-CHANGE` or its compact form, `drift.live.changeids.own_tag`)
   still on it while it has no share of the traffic now: a canary held by `--no-promote`
   (`HELD`). Both ways drift promotes a canary remove that tag in the write that gives it
   the traffic (`drift.fix.patch.promoted_traffic`; `--remove-tags` in
   `drift.fix.byhand.promote_command`), so every reader, a CI runner without the journal
   too, can tell from the service alone (helper-619 F3). Assumed: an operator who promoted
   one by hand and kept its tag (`gcloud run services update-traffic --to-revisions
   CANARY=100`) has it serve now, with a share (`serving`: it served), or, once a later
   deploy took its traffic, left a tagged canary that nothing Cloud Run records tells from a
   held one; that one is taken as never served, and the words say on what. While it served
   with its tag, `drift check` asked for that tag to be removed (`revision.pinned`,
   `drift.diff.pinned.serving_words`), and the journal, where it is at hand, decides first;
3. the client recorded on the next revision, where Cloud Run records one
   (`run.googleapis.com/client-version`): drift marks its restoration of a canary that never
   held traffic (`UNDOES_CANARY`). The v2 Revision has no `client` field, and its
   `annotations` are output only ("may be set by external tools", revision.proto); nothing
   documents that Cloud Run copies the writer's client there, and v2 refuses
   `run.googleapis.com/*` template annotations — so drift cannot write it either;
4. else the next revision's shape and time: drift's restoration is the configuration that
   served before the canary, deployed again by whoever deployed the canary (Cloud Run names
   it: a fixed name in the template would make the team's next read-modify-write deploy fail,
   409 ALREADY_EXISTS, and drift adds no label or annotation of its own, SPEC invariant 2),
   in the same run as the canary: created within `CLEANUP_WINDOW` of it. A deploy by someone
   else that reverts drift's change (a Terraform apply) is not taken for it, nor one by the
   same account (Terraform in CI that also runs drift) made later than that. One made within
   it looks the same (a re-apply or a rollback right after a promotion): without the journal
   or a recorded client, drift takes the canary as never served and says so in those words,
   in `drift history` and in `since`."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Collection, Iterable, Mapping, Sequence
from typing import Any, Protocol

from drift.live.api import UNDOES_CANARY
from drift.live.changeids import began, canary_change, own_tag
from drift.live.state import RevisionRecord

FAILED = (
    "failed (not ready now): taken as never served (whether it served before it failed is "
    "recorded nowhere)"
)
"""A revision whose Ready condition failed and that serves nothing now. Most failed their
deploy, but one can stop being ready after it served (RevisionReason
HEALTH_CHECK_CONTAINER_ERROR, "There was a health check error", condition.proto: the same
reason a container that never started gives) and then lose its traffic to a later deploy;
nothing Cloud Run records tells the two apart, so neither is called one that never served
(`drift.diff.since` says where one might change its answer)."""
UNDONE = "drift's canary, undone by drift: never served"
CLEANUP_WINDOW = dt.timedelta(hours=2)
"""How long after its canary drift's restoration can be created: within one `drift fix`, the
canary's deploy and its settling (each at most `drift.fix.update.OPERATION_TIMEOUT`, 10
minutes), its probe (connect at most 5 minutes, hold at most 1 hour:
`drift.profiles.probe_spec.MAX_TIMEOUT`, `MAX_HOLD`), then the promotion prompt a person answers,
which says no by itself before this window closes (`drift.fix.deadline`); the restoration is
created as the clean-up begins. A revision that puts back what served, made later than that by
the same account, is someone's deploy."""
HOURS = f"{CLEANUP_WINDOW.total_seconds() / 3600:g} h"
WITHIN = f"made within {HOURS} of it"
PUT_BACK = (
    f"drift's canary, and the next revision, {WITHIN}, put back what served "
    "before it: taken as never served (no journal of this change here says whether it was "
    "promoted)"
)

HELD = (
    "drift's canary, still carrying its own tag with no traffic now (held by --no-promote, or "
    "its fix still running: drift removes that tag when it promotes a canary): taken as never "
    "served (one routed traffic by hand with its tag kept, then replaced, looks the same: "
    "Cloud Run records no past traffic)"
)
"""drift's canary with its own tag and no share of the traffic (`own_tag`), its journal not
here or silent (an entry of a canary held by `--no-promote` says neither: `held_traffic`)."""

CanaryRecord = Callable[[str], bool | None]
"""What drift's journal recorded of the canary of that name: True when it held traffic (a
promotion was begun), False when drift put back what served before any, None when the journal
at hand does not say (`drift.fix.served.canary_record`)."""


class JournalCanaries(Protocol):
    """What drift's journal here recorded of its canaries (`drift.fix.served.canary_record`)."""

    def __call__(self, name: str) -> bool | None:
        """`CanaryRecord`."""

    def left(self, service: str, name: str, now: Any = None) -> str:
        """What the journal here says of drift's canary `name` of `service`, its change's
        entry (held by `--no-promote`, the step its fix stopped at: never its age), in the
        words fix and plan say it (`drift.fix.canary_left.canary_left`, `now` the service as
        read: made to follow an opening parenthesis, which they close); "" when the journal
        here has no entry of it."""

    def built_on(self, service: str, name: str) -> str:
        """The serving revision the change of drift's canary `name` of `service` was built
        on, as its entry here records it (`drift.fix.canary_left.built_on`; "" without one)."""


def may_run(created: dt.datetime, now: dt.datetime) -> bool:
    """Whether the fix that created a canary at `created` may still be running at `now`: a
    fix ends within `CLEANUP_WINDOW` of its canary (its lock, which would tell, is in the
    journal where it runs: a CI runner's, another machine's)."""
    return now - created < CLEANUP_WINDOW


LIVE_LATER = (
    f"without its journal, a rollback from the live service is offered once the canary is {HOURS} "
    "old"
)
"""The way on without the journal of a change whose fix may still be running
(`canary_running`): `drift rollback --from-live` refuses that canary until then."""


def in_flight(change: str) -> str:
    """The way on from a canary of `change` whose fix may still be running (`canary_running`),
    its journal not here: never `--from-live`, which refuses that canary (`drift.fix.recover`)."""
    return (
        f"let that fix finish, or, once it has stopped, finish its change from its own journal "
        f"(`drift rollback {change}` where it is; `drift fix` there says how to promote a "
        f"canary held by --no-promote); {LIVE_LATER}"
    )


def running_words(canary: str, created: dt.datetime, now: dt.datetime) -> str:
    """A canary that a fix may still be working on (`may_run`), in words. Created a minute
    or more after this machine's `now` (Google's clock, or the fixing machine's, ahead of
    this one's): when, and that the clocks differ, never "0 min ago" (helper-835 F4); the
    window then runs from that time, the longer, as `may_run` reckons it."""
    seconds = (now - created).total_seconds()
    age = f"{int(seconds // 60)} min ago"
    if seconds <= -60:
        ahead = int(-seconds // 60)
        age = (
            f"at {created.astimezone(dt.UTC):%Y-%m-%d %H:%M} UTC, {ahead} min ahead of this "
            "machine's clock (the clocks differ)"
        )
    elif seconds < 0:
        age = "0 min ago"
    return (
        f"a fix may still be running: its canary {canary} was created {age}, and a "
        f"fix ends within {HOURS} of its canary (its lock is in the journal where it runs)"
    )


def canary_running(
    canary: str,
    change: str,
    records: Sequence[RevisionRecord],
    now: dt.datetime,
) -> str:
    """`running_words` for drift's canary of `change` when its fix may still be running
    (`may_run`, from when the canary was created as `records` list it, else when its change
    began, which is earlier); "" when no fix can be running on it any more. Where its change's
    journal entry is here, that entry says what the canary is instead (`JournalCanaries.left`)."""
    created = next((r.create_time for r in records if r.name == canary), None) or began(change)
    return running_words(canary, created, now) if may_run(created, now) else ""


def unserved(
    records: Sequence[RevisionRecord],
    canaries: CanaryRecord | None = None,
    serving: Collection[str] = (),
    tags: Mapping[str, Collection[str]] | None = None,
) -> dict[int, str]:
    """The revisions (their index in `records`, oldest first) that never served, with why.
    `serving`: the revisions that have a share of the traffic now (`traffic_statuses`): they
    serve, whatever their Ready condition says today — a revision can stop being ready after
    it served (RevisionReason HEALTH_CHECK_CONTAINER_ERROR, condition.proto), and only the
    condition's current state is recorded. `tags`: each revision's traffic tags now (at any
    share), which tell drift's canary held by `--no-promote` (`HELD`)."""
    tags = tags or {}
    out: dict[int, str] = {}
    for i, record in enumerate(records):
        if record.name in serving:
            continue
        if not record.ready and not record.deploying:
            out[i] = FAILED
        elif canary_change(record.name) is not None and (
            why := _undone(records, i, out, canaries, tags.get(record.name, ()))
        ):
            out[i] = why
    return out


def _undone(
    records: Sequence[RevisionRecord],
    i: int,
    skipped: dict[int, str],
    canaries: CanaryRecord | None,
    tags: Collection[str] = (),
) -> str:
    """Why drift's canary `records[i]` never served ("" when it may have); `tags`: its traffic
    tags now (it has no share of the traffic: `unserved`)."""
    held = canaries(records[i].name) if canaries is not None else None
    if held is not None:
        return "" if held else UNDONE
    if own_tag(records[i].name, tags):
        return HELD  # still held: both of drift's promotions remove that tag
    if i + 1 >= len(records):
        return ""  # nothing after it: it is still there (`--no-promote`), or it serves
    after = records[i + 1]
    if after.client is not None:  # the writer's client is recorded: drift marks its own
        name, _, version = after.client.partition(" ")
        return UNDONE if name == "drift" and version.endswith(UNDOES_CANARY) else ""
    base = served_before(skipped, i)
    if base is None or after.creator != records[i].creator:
        return ""
    return PUT_BACK if _same(records[base], after) and _soon(records[i], after) else ""


def _soon(canary: RevisionRecord, after: RevisionRecord) -> bool:
    """`after` was created within `CLEANUP_WINDOW` of `canary` (not known: not soon)."""
    if canary.create_time is None or after.create_time is None:
        return False
    return dt.timedelta(0) <= after.create_time - canary.create_time <= CLEANUP_WINDOW


def _same(a: RevisionRecord, b: RevisionRecord) -> bool:
    """The same configuration (variables, mounts, settings) and the same images."""
    images = [c.image for c in a.config.containers], [c.image for c in b.config.containers]
    return a.config.fingerprint == b.config.fingerprint and images[0] == images[1]


def may_read(records: Sequence[RevisionRecord], shown: Iterable[int]) -> set[int]:
    """The revisions (indices) whose configurations telling what each of `shown` changed may
    read, decided before any is read (`drift history` names their projects first, as `check`
    does, so that comparing them finds a project spelt otherwise the same): each one shown,
    each one before it back to the first that surely served (one that failed, or drift's
    canary, may never have: `unserved`), and around each canary of drift's, the one after it
    and the one it may have been put back to (`_undone` compares them). A superset of what
    `unserved` and `served_before` decide."""
    wanted: set[int] = set()
    canaries = (i for i, r in enumerate(records) if canary_change(r.name) is not None)
    for i in {*shown, *(i + 1 for i in canaries if i + 1 < len(records))}:
        wanted.add(i)
        while i > 0:
            i -= 1
            wanted.add(i)
            record = records[i]
            if (record.ready or record.deploying) and canary_change(record.name) is None:
                break  # it served, or is being deployed: nothing before it is compared
    return wanted


def served_before(skipped: dict[int, str], i: int) -> int | None:
    """The revision before `i` that served (None: none listed)."""
    i -= 1
    while i >= 0 and i in skipped:
        i -= 1
    return i if i >= 0 else None
