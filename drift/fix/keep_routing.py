"""The cleanup that keeps someone else's routing (helper-592 F1). A teammate re-routes the
service while drift's promotion prompt waits — `gcloud run services update-traffic
--to-revisions A=50,B=50`, a tag added — making no revision: the fix refuses to promote over
their write (SPEC invariant 4) and leaves their routing as they set it (invariant 10). Left
there, drift's canary write would trap the team's next deploy (invariant 9): the service's
template is still the canary's configuration, which a deploy builds on (a `gcloud run deploy`
sends the service as it reads it, so the declined change ships with the next image), and the
canary keeps drift's tag.

Where their routing sends no traffic to the canary, one UpdateService built on their read
(its etag) undoes what drift's canary write made and nothing of theirs: the template back to
the configuration that served (Cloud Run makes a revision of it, "each deployment or
configuration change creates a new revision", Cloud Run docs "Manage revisions"; their
routing names revisions, so it takes no traffic), the canary's tag target removed (a target
at 0% that only the tag made, `TrafficTarget.tag`), the service-level settings drift's write
changed put back where they left them as drift wrote them (`keep_theirs`); every other target,
percentage and tag as they set it. It counts only when the service read back proves it:
their routing served as they left it, the canary untagged and serving nothing, any LATEST
target resolving to a revision of the configuration that served (`restoration_problem`).
Where their routing reaches the canary (LATEST with a share while the canary is the latest
ready revision, or the canary by name), or the configuration that served cannot start again
(`unstartable`), nothing is written: what serves is theirs to change."""

from __future__ import annotations

from typing import Any

from drift.errors import JournalError
from drift.fix.context import Fixer
from drift.fix.journal import State
from drift.fix.keep_theirs import keep_theirs
from drift.fix.patch import copy_service, is_latest, restored_traffic, update_traffic_flags
from drift.fix.recorded import base_key, before_service
from drift.fix.restore import KEEP_ROUTING, client_version, restore_request
from drift.fix.restored import write_traffic
from drift.fix.routing import describe_serving, describe_traffic, restoration_problem
from drift.fix.startable import unstartable
from drift.fix.untrap import record_end
from drift.live.api import sent_as, short, written_since


def reaches_canary(fixer: Fixer, now: Any) -> bool:
    """Whether the routing of `now` sends traffic to the canary, or may: by name with a
    share, or LATEST with a share while the canary is the latest ready revision (LATEST is
    "the Service's latest ready Revision", traffic_target.proto), or not settled yet."""
    canary = fixer.outcome.canary
    latest = short(now.latest_ready_revision) == canary
    return bool(now.reconciling) or any(
        t.percent and ((is_latest(t) and latest) or short(t.revision) == canary)
        for t in now.traffic
    )


async def keep_routing(fixer: Fixer, now: Any, wrote: Any) -> str:
    """Clean up after someone else re-routed the service (`now`, as read; `wrote`: the service
    as drift's canary write left it, read back), keeping their routing; "" when it is not
    drift's to do (a revision of theirs, routing that reaches the canary, a configuration
    that cannot start, drift's canary write not known to have landed: what came first is
    unknown) or nothing was written; else what happened, the journal saying so."""
    entry, canary = fixer.entry, fixer.outcome.canary
    if (
        not canary
        or wrote is None  # which service-level fields are drift's, theirs: not known
        or not any(w.get("step") == "canary" and w.get("landed") for w in entry.writes)
        or short(now.latest_created_revision) != canary  # a revision of theirs: `free_pin`
        or now.uid != fixer.live.source.uid
        or reaches_canary(fixer, now)
        # its secret versions as they are now, never the plan's read: the prompt may have
        # waited, and a version disabled meanwhile fails the revision (helper-593 F2)
        or await unstartable(fixer.ctx.session, entry)
    ):
        return ""
    request = restore_request(now, entry)
    kept = keep_theirs(request, now, wrote, entry)
    del request.traffic[:]
    request.traffic.extend(now.traffic)  # theirs, without drift's tag
    fixer.outcome.untag(request.traffic)
    expected = copy_service(now)  # what serves once it lands: theirs, without drift's tag
    statuses = [s for s in now.traffic_statuses if not fixer.outcome.tagged(s)]
    del expected.traffic_statuses[:]
    expected.traffic_statuses.extend(statuses)
    try:
        on = (fixer.ctx.session, fixer.ctx.journal, entry)
        doing = "putting back the configuration that served, keeping their routing"
        # its own step: a rollback then refuses to undo their routing without --force, the
        # write proven or not (`restore.changed_since`); its revision said to undo a canary
        # that never served (`since`, `drift history`: `client_version`)
        version = client_version(entry)
        wait = fixer.ctx.settings.write_wait
        sent = await write_traffic(
            on, now, request, KEEP_ROUTING, doing, version=version, write_wait=wait
        )
    except JournalError:
        return ""  # nothing was written: their change as it is, said by the caller
    after = sent.after
    if after is None:  # sent, unproven: as `Restored.unread`, never failed (helper-827 R2)
        fixer.outcome.unknown = True  # the entry stays as begun, its lock kept: exit 3
        return (
            f"drift's write putting back the configuration that served (their routing kept) "
            f"may have landed ({sent.error}); see it with `drift check`, and `drift rollback "
            f"{fixer.change_id}` finishes it (the journal says {fixer.entry.state})"
        )
    problem = restoration_problem(after, expected, base_key(entry), canary)
    if not sent.proven or problem:
        # a write of someone else's between drift's read and its write, let through by a
        # server that ignores the stale etag: drift's may have replaced it (helper-593 F3)
        over = written_since(int(now.generation) + 1, after, ours=sent_as(entry.client_version))
        extra = int(after.generation) > int(now.generation) + 1
        why = sent.error or problem or (f"someone else wrote it too: {over}" if extra else "")
        why = why or "the service read back is not what drift sent"
        record_end(
            fixer, State.CLEANUP_FAILED, f"not proven: {why}", after if sent.landed else None
        )
        return (
            f"drift's write putting back the configuration that served (their routing kept) "
            f"did not come out as sent ({why}); `drift rollback {fixer.change_id}` judges the "
            "service as it finds it"
        )
    serves = describe_serving(after, canary)
    record_end(fixer, State.CLEANED_UP, f"cleaned up, their routing kept: {serves}", after)
    theirs = f"; their {', '.join(kept)} stays as they set it" if kept else ""
    # a tag of theirs on LATEST reached the canary, the latest ready revision; it reaches
    # the revision of what served now, as LATEST must (SPEC invariant 9): said (helper-593 F6)
    latest = sorted({t.tag for t in now.traffic if t.tag and is_latest(t)})
    if latest:
        theirs += (
            f"; their {', '.join(latest)} on LATEST now reach"
            f"{'es' if len(latest) == 1 else ''} {short(after.latest_ready_revision)}, "
            "the configuration that served, no longer the canary"
        )
    return (
        f"drift cleaned up, keeping their routing: the canary's {fixer.outcome.tag_words} "
        f"removed and the template put back to the configuration that served (its new "
        f"revision {short(after.latest_created_revision)} takes no traffic: their routing "
        f"names revisions){theirs}; what serves: {serves}{_pinned_note(fixer, after)}; "
        "nothing is left to roll back"
    )


def _pinned_note(fixer: Fixer, after: Any) -> str:
    """Where the service routed LATEST before drift and their routing does not: the pin by
    name may be drift's canary write's, which their write kept (removing only drift's tag,
    say); one cannot tell from the service which, so it stays, and the command that routes
    as before drift is named."""
    before = before_service(fixer.entry)
    if not any(is_latest(t) and t.percent for t in restored_traffic(before)):
        return ""
    if any(is_latest(t) and t.percent for t in after.traffic):
        return ""
    p = fixer.ctx.profile
    return (
        f" (pinned by name; before drift: {describe_traffic(restored_traffic(before))}; if "
        f"that pin is not theirs: gcloud run services update-traffic {fixer.sp.service} "
        f"{update_traffic_flags(restored_traffic(before))} --project {p.project} "
        f"--region {p.region})"
    )
