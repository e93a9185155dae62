"""Read each service's revision history (one GetService and one paged ListRevisions per
service, every service at once) and turn it into what `drift history` shows."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence
from dataclasses import fields
from typing import Any

from drift.diff.since import unlisted
from drift.diff.unserved import CanaryRecord, served_before, unserved
from drift.errors import ApiError, UsageError
from drift.fields import enum_name
from drift.fix.served import canary_record
from drift.history.changes import Masking, changes
from drift.history.model import HistoryResult, RevisionEntry, ServiceHistory, Unread
from drift.kinds import Kind
from drift.live.api import short
from drift.live.calls import CallRunner
from drift.live.history import list_revisions
from drift.live.model import RevisionRecord
from drift.live.normalize import raw
from drift.live.remember import remember_config
from drift.live.session import Session
from drift.live.workloads import GET, get_workload
from drift.profiles.model import Profile, ServiceProfile
from drift.settings import Settings

DEFAULT_LIMIT = 20
NO_REVISIONS = (
    "not listed: a job has no revisions (each execution runs the job's template as it is "
    "when the execution starts); `drift history` lists the revisions of services and worker "
    "pools"
)
Traffic = dict[str, tuple[int, tuple[str, ...]]]
"""revision -> (percent of the service's traffic, tags)"""


async def read_history(
    profile: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    limit: int | None = DEFAULT_LIMIT,
    runner: CallRunner | None = None,
) -> HistoryResult:
    """The revisions of the profile's services (or the named ones), newest first, at most
    `limit` each (None: all), each with what it changed against the one before."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    names = profile.select(services)
    jobs = [profile.services[n] for n in names if profile.services[n].kind is Kind.JOB]
    names = [n for n in names if profile.services[n].kind is not Kind.JOB]
    async with Session(settings.access(), runner) as session:
        got = await asyncio.gather(
            *(_service(session, profile, profile.services[n]) for n in names)
        )
    # every plain value that must not be shown is known before any change is described
    for found in got:
        if not isinstance(found, Unread):
            for record in found[1]:
                remember_config(found[0], record.config)
    canaries = canary_record(settings.journal())
    read = [
        found if isinstance(found, Unread) else history_of(*found, limit, canaries) for found in got
    ]
    return HistoryResult(
        environment=profile.environment,
        project=profile.project,
        region=profile.region,
        services=tuple(r for r in read if isinstance(r, ServiceHistory)),
        unread=tuple(r for r in read if isinstance(r, Unread)),
        limit=limit,
        notes=tuple(f"{job.label}: {NO_REVISIONS}" for job in jobs),
    )


Read = tuple[ServiceProfile, Sequence[RevisionRecord], Traffic]
"""A service's revisions as listed, and what serves."""


async def _service(session: Session, profile: Profile, service: ServiceProfile) -> Read | Unread:
    kind = service.kind
    name = f"projects/{profile.project}/locations/{profile.region}/{kind.collection}/"
    name += service.name
    try:
        svc = await get_workload(session.clients, session.runner, kind, name)
        records = await list_revisions(
            session.clients, session.runner, svc, service.container, kind
        )
    except ApiError as exc:
        if exc.status == "NOT_FOUND" and exc.call == GET[kind]:
            return Unread(
                service.label, f"{kind.noun} {service.name} does not exist in {profile.where}"
            )
        return Unread(service.label, exc.reason)
    return service, records, traffic(raw(svc))


def _as_recorded(record: RevisionRecord) -> dict[str, Any]:
    """What an entry says of its revision as listed: each field it shares with the record."""
    shared = {f.name for f in fields(RevisionEntry)}
    return {f.name: getattr(record, f.name) for f in fields(record) if f.name in shared}


def history_of(
    service: ServiceProfile,
    records: Sequence[RevisionRecord],
    served: Traffic,
    limit: int | None,
    canaries: CanaryRecord | None = None,
) -> ServiceHistory:
    """`records` oldest first (as listed) -> the newest `limit`, newest first, each with its
    changes against the revision that served before it (one that never served, a failed
    revision or drift's undone canary, is marked and passed over, as `since` passes it)."""
    masking = Masking(service)
    entries = []
    skipped = unserved(records, canaries)
    start = 0 if limit is None else max(0, len(records) - limit)
    for i in range(len(records) - 1, start - 1, -1):
        record = records[i]
        percent, tags = served.get(record.name, (0, ()))
        before = served_before(skipped, i)
        entries.append(
            RevisionEntry(
                **_as_recorded(record),
                percent=percent,
                tags=tags,
                changes=(
                    None
                    if before is None
                    else changes(records[before].config, record.config, masking)
                ),
                never_served=skipped.get(i, ""),
                against=records[before].name if before is not None and before != i - 1 else "",
                unlisted=unlisted(service.name, records, before, i),
            )
        )
    return ServiceHistory(service.name, len(records), tuple(entries), service.kind)


def traffic(svc: Any) -> Traffic:
    """What serves, from `traffic_statuses` (a raw protobuf Service; a WorkerPool's
    `instance_split_statuses`, which have no tags). A LATEST status may or may not name its
    revision (not documented either way): it is the latest ready one
    (TrafficTargetAllocationType LATEST: "the Service's latest ready Revision")."""
    served: Traffic = {}
    pool = "instance_split_statuses" in svc.DESCRIPTOR.fields_by_name
    for status in svc.instance_split_statuses if pool else svc.traffic_statuses:
        latest = enum_name(status, "type_").endswith("LATEST")
        revision = short(status.revision or (svc.latest_ready_revision if latest else ""))
        if not revision:
            continue
        percent, tags = served.get(revision, (0, ()))
        served[revision] = (
            percent + int(status.percent),
            tags + ((status.tag,) if not pool and status.tag else ()),
        )
    return served
