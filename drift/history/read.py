"""Read each service's revision history (one paged ListRevisions per service, by the name the
profile gives, and beside it what serves: one List of the kind when the profile has more than
one, as `check` reads them, else one Get; all at once) and turn it into what `drift history`
shows."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import fields
from typing import Any, TypeGuard

from drift.diff.since import unlisted
from drift.diff.unserved import CanaryRecord, may_read, served_before, unserved
from drift.errors import ApiError, UsageError
from drift.fields.base import project_token
from drift.fix.served import canary_record
from drift.history.changes import Masking, Naming, changes
from drift.history.job_read import JobRead, job_history, job_read, list_executions
from drift.history.job_read import records as job_records
from drift.history.model import (
    HistoryResult,
    RevisionEntry,
    ServiceHistory,
    Unread,
)
from drift.history.routed import Traffic, not_listed, traffic, unlisted_note
from drift.history.rule_values import RuleValues
from drift.kinds import Kind
from drift.live.access import AccessDecisions
from drift.live.api import parent
from drift.live.calls import CallRunner
from drift.live.history import records_of, revisions_of
from drift.live.iam import IamReads
from drift.live.normalize import raw
from drift.live.projects import NAMING
from drift.live.remember import remember_configs
from drift.live.session import Session
from drift.live.state import LiveState, RevisionRecord
from drift.live.tasks import Tasks, gather_all
from drift.live.value_reads import unread_values_note
from drift.live.workloads import (
    GET,
    by_kind,
    get_instead,
    get_workload,
    list_kind,
    one_list,
)
from drift.profiles.model import Profile, ServiceProfile
from drift.settings import Settings

DEFAULT_LIMIT = 20


async def read_history(
    profile: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    limit: int | None = DEFAULT_LIMIT,
    runner: CallRunner | None = None,
) -> HistoryResult:
    """The revisions of the profile's services (or the named ones), newest first, at most
    `limit` each (None: all), each with what it changed against the one before; a job's
    configurations as its newest `limit` executions ran them (`drift.history.job_read`)."""
    if limit is not None and limit < 1:
        raise UsageError(f"--limit must be at least 1, got {limit}")
    names = profile.select(services)
    jobs = [profile.services[n] for n in names if profile.services[n].kind is Kind.JOB]
    names = [n for n in names if profile.services[n].kind is not Kind.JOB]
    wanted = [profile.services[n] for n in names]
    async with Session(settings.access(), runner) as session:
        rule_values = RuleValues(profile, [p.key for p in (*wanted, *jobs)])
        found, listed, served, runs = await gather_all(
            _workloads(session, profile, [*wanted, *jobs]),
            gather_all(*(_revisions(session, profile, p) for p in wanted)),
            rule_values.served(session),
            gather_all(*(list_executions(session, profile, j, limit) for j in jobs)),
        )
        ran = [job_read(profile, j, found[j.key], r) for j, r in zip(jobs, runs, strict=True)]
        executed = {key: records for key, (_, records) in _records(ran).items()}
        # the two run at once: a deploy answered between them serves a revision the listing
        # lacks. List those again, once (no extra call when the two agree, as they do
        # unless a deploy lands meanwhile)
        late = [i for i, p in enumerate(wanted) if not_listed(found[p.key], listed[i])]
        again = await gather_all(*(_revisions(session, profile, wanted[i]) for i in late))
        listed = [*listed]
        for i, revisions in zip(late, again, strict=True):
            listed[i] = revisions
        got = [_service(profile, p, found[p.key], rv) for p, rv in zip(wanted, listed, strict=True)]
        canaries = canary_record(settings.journal())
        compared = {f[0].key: _compared(f[1], limit) for f in got if _read(f)} | executed
        # the values `check` reads for the rules: a plain copy is masked (helper-591 F3)
        variables = {k: [r.variables for r in records] for k, records in compared.items()}
        # after the projects are named: one version spelt by number and by id, read once
        naming = await _projects(session, profile, compared.values())
        unlearnt = await rule_values.learn(session, variables, served, naming.state.projects)
    lacking = tuple(
        p.label for p, revs in zip(wanted, listed, strict=True) if not_listed(found[p.key], revs)
    )
    unlisted_notes = [
        unlisted_note(p, found[p.key], revs)
        for p, revs in zip(wanted, listed, strict=True)
        if p.label in lacking
    ]
    # every plain value that must not be shown is known before any change is described
    maskings = {}
    listings = {f[0].key: (f[0], f[1]) for f in got if _read(f)}
    for key, (owner, listed_records) in (listings | _records(ran)).items():
        configs = [r.variables for r in listed_records]
        maskings[key] = masking = Masking(owner, configs)
        # each (name, value) once: a history repeats most in each revision
        remember_configs(owner, configs, masking.secret)
    read = [
        found
        if isinstance(found, Unread)
        else history_of(*found, limit, canaries, naming, maskings[found[0].key])
        for found in got
    ]
    return HistoryResult(
        environment=profile.environment,
        project=profile.project,
        region=profile.region,
        services=tuple(r for r in read if isinstance(r, ServiceHistory)),
        unread=(
            *(r for r in read if isinstance(r, Unread)),
            *(r for r in ran if isinstance(r, Unread)),
        ),
        limit=limit,
        jobs=tuple(
            job_history(*r, maskings[r[0].key], naming) for r in ran if not isinstance(r, Unread)
        ),
        lacking=lacking,
        notes=(
            *unlisted_notes,
            *(
                n
                for f in got
                if _read(f)
                if (n := _service_level(f[0], _shown(*f[1:], limit, canaries)))
            ),
            *unread_values_note(unlearnt),  # a plain copy shown as it is (helper-782)
        ),
    )


Read = tuple[ServiceProfile, Sequence[RevisionRecord], Traffic]
"""A service's revisions as listed, and what serves."""


def _records(ran: Sequence[JobRead | Unread]) -> dict[str, tuple[ServiceProfile, list[Any]]]:
    """Each job read by key, with its executions' records (what masking reads)."""
    return {r[0].key: (r[0], job_records(r)) for r in ran if not isinstance(r, Unread)}


def _name(profile: Profile, service: ServiceProfile) -> str:
    return f"{parent(profile.project, profile.region)}/{service.kind.collection}/{service.name}"


async def _revisions(
    session: Session, profile: Profile, service: ServiceProfile
) -> list[Any] | ApiError:
    """A service's revisions as listed, by the name the profile gives (no Get first)."""
    try:
        return await revisions_of(session.clients, session.runner, _name(profile, service))
    except ApiError as exc:
        return exc


async def _workloads(
    session: Session, profile: Profile, wanted: list[ServiceProfile]
) -> dict[str, Any]:
    """Each service by key (None: it does not exist; an ApiError: it could not be read), read
    as `check` reads them (`by_kind`, `one_list`, `get_instead`)."""
    found: dict[str, Any] = {}
    kinds = by_kind(wanted).values()
    for part in await gather_all(*(_kind(session, profile, ps) for ps in kinds)):
        found.update(part)
    return found


async def _kind(session: Session, profile: Profile, wanted: list[ServiceProfile]) -> dict[str, Any]:
    kind = wanted[0].kind
    if one_list(wanted):
        where = parent(profile.project, profile.region)
        listing = await list_kind(session.clients, session.runner, where, kind)
        if not get_instead(listing):
            found = {p.key: listing.items.get(p.name, listing.error) for p in wanted}
            # a list promises no consistency while the collection changes (AIP-158): one it
            # did not bring is asked for, and only that Get's NOT_FOUND says it is gone
            unlisted = [p for p in wanted if found[p.key] is None]
            got = await gather_all(*(_get(session, profile, p) for p in unlisted))
            return found | {p.key: answer for p, answer in zip(unlisted, got, strict=True)}
    answers = await gather_all(*(_get(session, profile, p) for p in wanted))
    return {p.key: answer for p, answer in zip(wanted, answers, strict=True)}


async def _get(session: Session, profile: Profile, service: ServiceProfile) -> Any:
    kind = service.kind
    try:
        return await get_workload(session.clients, session.runner, kind, _name(profile, service))
    except ApiError as exc:
        return None if exc.status == "NOT_FOUND" and exc.call == GET[kind] else exc


def _service(
    profile: Profile, service: ServiceProfile, svc: Any, listed: list[Any] | ApiError
) -> Read | Unread:
    kind = service.kind
    if svc is None:
        return Unread(
            service.label, f"{kind.noun} {service.name} does not exist in {profile.where}"
        )
    for failed in (svc, listed):
        if isinstance(failed, ApiError):
            return Unread(service.label, failed.reason)
    assert not isinstance(listed, ApiError)
    return service, records_of(listed, svc, service.container, kind), traffic(raw(svc))


def _read(found: Read | Unread) -> TypeGuard[Read]:
    return not isinstance(found, Unread)


def _window(
    records: Sequence[RevisionRecord],
    served: Traffic,
    limit: int | None,
    canaries: CanaryRecord | None,
) -> tuple[dict[int, str], range]:
    """The revisions `history_of` shows (indices into `records`, newest first), and those that
    never served (`unserved`), which a change is not compared with."""
    serving = {name for name, (percent, _) in served.items() if percent}
    tags = {name: tagged for name, (_, tagged) in served.items()}  # a held canary's (F3)
    skipped = unserved(records, canaries, serving, tags)
    start = 0 if limit is None else max(0, len(records) - limit)
    return skipped, range(len(records) - 1, start - 1, -1)


def _compared(records: Sequence[RevisionRecord], limit: int | None) -> list[RevisionRecord]:
    """The revisions whose configurations `history_of` may read (`may_read`): those shown, and
    those each may be compared with. Only theirs are normalised (`RevisionRecord.config`: the
    newest 20 of a thousand, by default) and looked at for how they name projects
    (`_projects`), before any is read."""
    start = 0 if limit is None else max(0, len(records) - limit)
    return [records[i] for i in sorted(may_read(records, range(start, len(records))))]


def _shown(
    records: Sequence[RevisionRecord],
    served: Traffic,
    limit: int | None,
    canaries: CanaryRecord | None,
) -> list[RevisionRecord]:
    """The revisions shown and those they are compared with (`_window`), once their projects
    are named alike (after `_projects`): what the service-level note speaks of (helper-588 H1)."""
    skipped, shown = _window(records, served, limit, canaries)
    based = {b for i in shown if (b := served_before(skipped, i)) is not None}
    return [records[i] for i in sorted({*shown, *based})]


def _service_level(service: ServiceProfile, records: Sequence[RevisionRecord]) -> str:
    """Said where today's service-level scaling decides a bound some revision sets otherwise:
    each revision's change shows what it set itself (RevisionScaling); the service's own
    level (ServiceScaling, "applied at the service level rather than at the revision level",
    run v2 vendor_settings.proto) changes without making a revision, so it is no revision's
    change. "" where no revision reads otherwise."""
    names = sorted({name for r in records for name in r.own})
    if not names:
        return ""
    return (
        f"{service.label}: {' and '.join(names)} shown as each revision sets it itself; the "
        "service's own scaling (set on the service, not on a revision) also bounds every "
        "revision of the traffic split today (not one reached only through a tag), and a "
        "change of it (`gcloud run services update --min/--max`) "
        "makes no revision: it is no revision's change"
    )


async def _projects(
    session: Session, profile: Profile, histories: Iterable[Sequence[RevisionRecord]]
) -> Naming:
    """How the revisions name projects, as `check` names them: whether two secret references
    name one secret (`LiveState.same_ref`, as `since` judges), the ids of the projects they
    name by number (and the numbers of those named by id) looked up as `check` looks them up
    (`AccessDecisions.name_projects`, one GetProject per project), only for a secret and
    version named with more than one spelling of its project (`600000000002/k`,
    `acme-shared/k`; own `k` and `500000000001/k`); and a setting naming a project (a
    connector, a network, a CMEK key…: `NAMING`) that some revision of a service writes by
    number and another by id (gcloud, then Terraform): GetProject on each such number, once
    (`AccessDecisions.name_settings`), each value then named as `check` names it
    (`LiveState.setting_name`: by id, short for the own project's)."""
    own, read = profile.project, [*histories]
    refs = [r for records in read for rec in records for *_, r in rec.config.secret_refs()]
    spellings: dict[tuple[str, str], set[str]] = {}
    for ref in refs:
        spellings.setdefault((ref.secret, ref.version), set()).add(ref.project)
    state, tasks = LiveState(), Tasks()
    access = AccessDecisions(own, state, tasks, IamReads(session.clients, session.runner, tasks))
    # the settings' numbers first: a number they learn is not asked again for the secrets
    # (`name_projects` adds the own project only for a number not known yet)
    await access.name_settings(_written_both_ways(own, read))
    await access.name_projects(r for r in refs if len(spellings[r.secret, r.version]) > 1)
    naming = Naming(state, access, (own, profile.region))
    for record in (rec for records in read for rec in records):
        naming.respell(record.config.settings)
    return naming


def _written_both_ways(own: str, histories: Iterable[Sequence[RevisionRecord]]) -> set[str]:
    """The projects the settings naming one (`NAMING`) name where one service's revisions
    write that setting's project by number in one and by id in another (a short name: the
    own project's): only there is a revision's value another's respelt. Nothing where every
    revision writes it one way (no GetProject: the values compare as written)."""
    found: set[str] = set()
    for records in histories:
        for field in NAMING:
            values = (r.config.settings.get(field.name) for r in records)
            tokens = {project_token(v) or own for v in values if v is not None}
            if len({t.isdigit() for t in tokens}) > 1:
                found |= tokens
    return found


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
    naming: Naming | None = None,
    masking: Masking | None = None,
) -> ServiceHistory:
    """`records` oldest first (as listed) -> the newest `limit`, newest first, each with its
    changes against the revision that served before it (one that never served, a failed
    revision or drift's undone canary, is marked and passed over, as `since` passes it);
    `masking`: what of `records` is never shown, where the caller has decided it already."""
    masking = masking or Masking(service, (r.variables for r in records))
    entries = []
    skipped, shown = _window(records, served, limit, canaries)
    for i in shown:
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
                    else changes(records[before].own_config, record.own_config, masking, naming)
                ),
                never_served=skipped.get(i, ""),
                against=records[before].name if before is not None and before != i - 1 else "",
                unlisted=unlisted(service.name, records, before, i),
            )
        )
    return ServiceHistory(service.name, len(records), tuple(entries), service.kind)
