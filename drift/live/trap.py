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
offered then."""

from __future__ import annotations

from collections.abc import Collection


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
    """The gcloud command that sends `flags`' shares (LATEST among them) and drops drift's
    canary `tags`."""
    remove = f" --remove-tags {','.join(tags)}" if tags else ""
    return (
        f"gcloud run services update-traffic {service} {flags}{remove} "
        f"--project {project} --region {region}"
    )


def caught_words(revision: str, images: Collection[str], command: str) -> str:
    """What is said of a deploy the pin caught, and how to let it serve."""
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
        "canary's change too"
    )
