"""What `drift rollback CHANGE --from-live ENV` cannot rebuild: a job or worker pool drift
updated in place. A fix updates them without a canary (`drift.fix.workload`: nothing serves
traffic), so the live resource keeps nothing of what it ran before — only the change's journal
does. What the live resource does carry is who wrote it last: `client` / `client_version`
("Arbitrary identifier for the API client", job.proto / worker_pool.proto; drift sends
`drift`, SPEC invariant 12) and `update_time`. A job or pool of the environment whose last
write is drift's, made since the change began (its id is its start time), may hold that
change: it is named, with the ways on, so that a rollback of the change's services is never
reported as the whole change rolled back (exit 0) while it keeps drift's write."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence

from drift.errors import ApiError
from drift.fix.update import CLIENT, get_workload
from drift.kinds import Kind, label
from drift.live.changeids import began
from drift.live.normalize import raw
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.textsafe import visible

SKEW = dt.timedelta(minutes=5)
"""How much earlier than a change id's time Cloud Run's `update_time` of that change's write may
read. The id is stamped by the clock of the machine that ran the fix (a CI runner's may run
ahead of Cloud Run's), and later still when the journal held a later id
(`drift.live.changeids.new_change_id`: ids sort after those already there); `update_time` by
Cloud Run's clock. A job written up to this long before the id's time is still named: naming a
job the change did not write costs a look, missing one it wrote reports it rolled back while
it keeps drift's write (revown20 F2)."""


async def left_in_place(
    session: Session, profile: Profile, change: str, services: Sequence[str] | None
) -> list[str]:
    """One line for each job or worker pool of `profile` (those named) that drift wrote in
    place since `change` began (`SKEW` before it), or that could not be read (then not looked
    at)."""
    since = began(change)
    out = []
    for p in profile.services.values():
        if p.kind is Kind.SERVICE or (services and p.name not in services):
            continue
        name = label(p.kind, p.name)
        full = f"projects/{profile.project}/locations/{profile.region}/{p.kind.collection}/{p.name}"
        try:
            now = raw(await get_workload(session, p.kind, full))
        except ApiError as exc:
            if exc.status != "NOT_FOUND":
                out.append(
                    f"{name}: not looked at ({exc.brief}): if change {change} updated it, "
                    "it keeps that change (--from-live cannot rebuild it)"
                )
            continue
        written = now.update_time.ToDatetime(tzinfo=dt.UTC)
        if now.client != CLIENT or written < since - SKEW:
            continue
        out.append(
            visible(
                f"{name}: last written by drift ({f'{now.client} {now.client_version}'.strip()}, "
                f"{written:%Y-%m-%d %H:%M:%S} UTC), since change {change} began: it may hold "
                f"that change. A fix updates jobs and worker pools in place, without a canary, "
                f"so --from-live cannot rebuild what it ran before; it is left as it is. "
                f"`drift rollback {change} --journal DIR` with the journal of the change (the "
                f"fix's CI artifacts) restores it, or `drift fix {profile.environment}` with "
                f"the profile as it was before the change"
            )
        )
    return out
