"""A deploy drift's pin has caught (SPEC invariant 9: drift leaves no trap for the team's next
deploy). While drift's canary exists, the traffic is pinned to named revisions: a ready canary
is the latest ready revision, and a LATEST target "Allocates instances to the Service's latest
ready Revision" (run v2 `TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST`).
A deploy made meanwhile (`gcloud run deploy` sends the traffic as it is: pinned stays pinned)
creates the latest revision, which the pin gives no traffic. A fix killed after its canary
landed leaves that pin behind with nothing to free it (`drift.fix.untrap` frees it only while
the fix runs).

Once that revision is ready it is the latest ready one, newer than the canary: LATEST resolves
to it, never to the canary. `gcloud run services update-traffic --to-latest` ("To assign 100%
of traffic to the current or future LATEST revision", gcloud reference) lets it serve, and
`--remove-tags` drops the canary's own URL (gcloud keeps every tag it is not told to remove).
While it is not ready (deploying, or failed), LATEST would resolve to the canary: no command is
offered then.

Whose pin it is: drift's canary write pins LATEST's share to the latest ready revision before
the canary, and nothing else (`drift.fix.patch.canary_traffic`). A ready revision created after
the pinned one and before the canary, which the pin gives nothing, proves the pin was there
before drift: the team's own hold (`gcloud run deploy --no-traffic` pins LATEST's traffic to the
revision serving, gcloud `--no-traffic`), which keeps every deploy at 0 % on purpose. Then no
deploy is "caught", no command sends it traffic, and a rollback without the journal keeps that
pin (`own_pin`, one test for `check`, the plan and `drift rollback --from-live`)."""

from __future__ import annotations

from collections.abc import Collection, Sequence
from typing import Any

from drift.live.api import short
from drift.live.changeids import tagged_change
from drift.live.model import LiveService
from drift.live.state import RevisionRecord

UNKNOWN_PIN = (
    "whether the pin is drift's is not known (the service's revisions could not be read), "
    "so drift names no command that sends it traffic"
)


def own_pin(
    serving: Collection[str], canaries: Collection[str], revisions: Sequence[RevisionRecord] | None
) -> str | None:
    """The revision that proves the traffic on `serving` was not pinned by drift's canary
    write, which pins LATEST's share to the latest ready revision before the canary: a ready
    revision created after the newest of `serving` and before the (first) canary, the newest
    of them; or a serving revision newer than the canary (routed there since). "" when there
    is none (the pin is as drift's canary write makes one); None when it is not known
    (`revisions`, oldest first as `drift.live.history.list_revisions` gives them, were not
    read, or do not list them all)."""
    if revisions is None or not serving:
        return None
    names = [r.name for r in revisions]
    first = min((names.index(c) for c in canaries if c in names), default=None)
    if first is None or any(s not in names for s in serving):
        return None
    newest = max(names.index(s) for s in serving)
    if newest > first:
        return names[newest]
    between = [r.name for r in revisions[newest + 1 : first] if r.ready]
    return between[-1] if between else ""


def own_pin_words(serving: Collection[str], proof: str) -> str:
    """Why the pin on `serving` is the service's own (`own_pin` found `proof`)."""
    if proof in serving:
        return f"the traffic was routed to {proof} after drift's canary: the pin is not drift's"
    pinned = ", ".join(serving)
    return (
        f"the pin on {pinned} is older than drift's canary: {proof}, ready, created after "
        f"{pinned} and before the canary, never got the traffic, and drift's canary write pins "
        "only the latest ready revision before it: the pin is the service's own (a hold such "
        "as `gcloud run deploy --no-traffic`)"
    )


def caught(
    *,
    routes_latest: bool,
    reconciling: bool,
    latest_ready: str,
    latest_created: str,
    canaries: Collection[str],
    serving: Collection[str],
) -> str:
    """The revision a deploy made under drift's pin, which serves nothing because of it: the
    latest created revision, ready (so the latest ready one), no canary of drift's, with no
    traffic, while drift's canary exists and no traffic goes to LATEST. "" when there is
    none (or while a deploy is still in progress: what serves is not known yet)."""
    if routes_latest or reconciling or not canaries or not latest_ready:
        return ""
    if latest_ready != latest_created or latest_ready in canaries or latest_ready in serving:
        return ""
    return latest_ready


def untrap_command(
    service: str, flags: str, tags: Collection[str], project: str, region: str
) -> str:
    """The gcloud command that sends `flags`' shares (LATEST among them; none: the traffic
    as it is) and drops drift's canary `tags`."""
    remove = f" --remove-tags {','.join(tags)}" if tags else ""
    return (
        f"gcloud run services update-traffic {service}{f' {flags}' if flags else ''}{remove} "
        f"--project {project} --region {region}"
    )


def caught_words(
    revision: str, images: Collection[str], command: str, frozen: Collection[str] = ()
) -> str:
    """What is said of a deploy the pin caught, and how to let it serve. `frozen`: the 0 %
    tags on the pinned revision (`frozen_words`)."""
    image = f" (image {', '.join(images)})" if images else ""
    how = (
        f"`{command}` lets it serve as it is, sending nothing to the canary (LATEST resolves "
        f"to the latest ready revision, {revision}, not to the canary)"
        if command
        else "giving LATEST back the share it had before drift's canary lets it serve"
    )
    return (
        f"the pin has already caught a deploy: {revision}{image}, created after drift's "
        f"canary and now the latest ready revision, gets no traffic; {how}: the operator's "
        "call, as a deploy made on the service as it read it (gcloud run deploy) carries the "
        f"canary's change too{frozen_words(frozen, command)}"
    )


def frozen_words(tags: Collection[str], command: str = "") -> str:
    """What cannot be known of the 0 % tags on the revision drift's canary pinned: a tag that
    followed LATEST (a preview URL of each deploy) is pinned with LATEST's share by the canary
    write (`drift.fix.patch.canary_traffic`), so it reads as a tag that was on that revision
    all along; only the journal of the change tells them apart. "" when there is none."""
    if not tags:
        return ""
    leaves = "; that command leaves them on it" if command else ""
    return (
        f"; the 0 % tags on the pinned revision ({', '.join(tags)}) may have followed LATEST "
        "before drift's canary pinned them, or been on that revision all along: only the "
        f"journal of the change tells{leaves} (a tag that followed LATEST stays frozen there "
        "until it is pointed at a revision again)"
    )


def canary_tags(live: LiveService) -> list[str]:
    """The traffic tags of drift's canaries on a service (`drift.live.changeids.canaries`), as
    `traffic_statuses` reports them."""
    statuses = getattr(live.source, "traffic_statuses", ())
    return [s.tag for s in statuses if short(s.revision) in live.canaries and tagged_change(s.tag)]


def frozen_tags(statuses: Any, served: str) -> list[str]:
    """The 0 % tags on the revision that serves (`served`), as `traffic_statuses` report
    them, but drift's own canary tags: each may have followed LATEST before a canary pinned
    the traffic (`frozen_words`)."""
    return [
        s.tag
        for s in statuses
        if s.tag and not s.percent and short(s.revision) == served and not tagged_change(s.tag)
    ]
