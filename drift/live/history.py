"""A service's revisions, oldest first, as immutable snapshots of what it ran with and who made
them: one ListRevisions per service, followed page by page to the end (ListRevisionsRequest
promises no order — "sorted by creation time, descending" is ListExecutions' — so drift orders
them by `create_time` itself), each revision normalised like any other.

Who made a revision: `Revision.creator` ("Email address of the authenticated creator"); with
which client: the v2 Revision has no `client` field, so only what its annotations record
(`run.googleapis.com/client-name` / `client-version`, as gcloud's v1 writes carry them; whether
Cloud Run records a v2 writer's `client` there is documented nowhere, and v2 refuses
`run.googleapis.com/*` template annotations: often nothing, then the client is None) — never
the service's current `client`, which describes only the service's last writer.

Deleted revisions: the listing does not ask for them (ListRevisionsRequest.show_deleted: "If
true, returns deleted (but unexpired) resources along with active ones"). A deleted one that
came back could not be told from one that exists: Revision.delete_time and expire_time are
"only populated as a response to a Delete request" (run v2 revision.proto), and nothing else
marks it; nor, the listing being by the service's name, from a revision of an earlier service
of that name, deleted with it (helper-576 F1, F2: `since` named a deleted revision last good,
and blamed a recreated service's drift on the old service's first deploy). The gap a deleted
revision leaves in the numbering is said instead (`drift.diff.since`). A revision that carries
`delete_time` all the same is marked (`RevisionRecord.deleted`) and kept out of the list every
caller reads (`Revisions`)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from functools import cached_property, partial
from typing import Any

from drift.fields import enum_name
from drift.kinds import Kind
from drift.live.api import pages, short
from drift.live.calls import CallRunner
from drift.live.clients import Clients
from drift.live.conditions import IDLE, failed_ready, reason
from drift.live.lazy_config import lazy_config
from drift.live.model import EnvVar, RevisionConfig, RevisionVariables
from drift.live.normalize import (
    _env_var,
    own_settings,
    raw,
    revision_config,
    revision_variables,
    scaled,
)
from drift.live.state import RevisionRecord
from drift.revision_names import number

CLIENT_NAME = "run.googleapis.com/client-name"
CLIENT_VERSION = "run.googleapis.com/client-version"
PAGE_SIZE = 1000
"""The largest page drift asks for: a service keeps up to 1,000 revisions, so one RPC reads
a whole history where the server allows it. ListRevisionsRequest.page_size documents no
maximum; AIP-158 (google.aip.dev/158): "If the user specifies page_size greater than the
maximum permitted by the API, the API should coerce down to the maximum permitted page
size" — a server with a smaller maximum answers smaller pages, and `pages` follows
`next_page_token` to the end all the same."""


class Revisions(list[RevisionRecord]):
    """A workload's revisions that exist, oldest first; `every`: all those listed, oldest
    first, the deleted ones too (`RevisionRecord.deleted`). The list itself never holds a
    deleted one: no caller takes one as serving, as a canary's neighbour, or as a base to roll
    back or fix to."""

    every: tuple[RevisionRecord, ...]

    def __init__(self, every: Iterable[RevisionRecord]) -> None:
        self.every = tuple(every)
        super().__init__(r for r in self.every if r.deleted is None)


def every_revision(records: Sequence[RevisionRecord]) -> Sequence[RevisionRecord]:
    """All the revisions listed, the deleted ones too where `records` kept them (`Revisions`)."""
    return records.every if isinstance(records, Revisions) else records


async def list_revisions(
    clients: Clients,
    runner: CallRunner,
    service: Any,
    container: str | None,
    kind: Kind = Kind.SERVICE,
) -> Revisions:
    """Every revision of `service` (a run_v2.Service, or a WorkerPool: ListRevisions is bound
    to `…/workerPools/*/revisions` too — revision.proto's http rule, as the installed client's
    REST transport carries it), oldest first; the deleted ones listed beside (`Revisions`)."""
    listed = await revisions_of(clients, runner, raw(service).name)
    return Revisions(records_of(listed, service, container, kind))


async def revisions_of(clients: Clients, runner: CallRunner, parent: str) -> list[Any]:
    """Every revision under `parent` (a service's or worker pool's name: known before the
    service is read), as listed: one each, the copy of the latest page where two pages bring
    the same (AIP-158 promises no consistency across pages while the collection changes: with
    offset tokens a deploy landing during the listing pushes the last of a page onto the next);
    never the deleted ones (`show_deleted` unset: see the module's note)."""
    from google.cloud import run_v2

    listed: dict[str, Any] = {}
    request = partial(run_v2.ListRevisionsRequest, page_size=PAGE_SIZE)
    call = clients.revisions.list_revisions
    async for response in pages(runner, "run", "ListRevisions", parent, request, call, "revisions"):
        listed.update((revision.name, revision) for revision in response.revisions)
    return list(listed.values())


def records_of(
    listed: list[Any], service: Any, container: str | None, kind: Kind
) -> list[RevisionRecord]:
    """The revisions `revisions_of` listed, as records of `service`, oldest first: by
    `create_time`, and those created in the same instant (a server that records whole seconds:
    the field's resolution is documented nowhere) by the number Cloud Run gave each, which
    rises with each revision it makes, never by the listing's order, which is not documented
    either; a name its writer chose (no number) after those numbered, as listed."""
    pb = raw(service)
    seen: Seen = {}  # one variable object for each (name, value) the revisions hold
    records = [_record(r, pb, container, kind, seen) for r in listed]
    owner = short(pb.name)

    def order(record: RevisionRecord) -> tuple[dt.datetime, bool, int]:
        made = record.create_time or dt.datetime.min.replace(tzinfo=dt.UTC)
        n = number(owner, record.name)
        return (made, n is None, n or 0)

    return sorted(records, key=order)


def _record(
    revision: Any, service: Any, container: str | None, kind: Kind, seen: Seen | None = None
) -> RevisionRecord:
    pb = raw(revision)
    annotations = dict(pb.annotations)
    name = annotations.get(CLIENT_NAME)
    version = annotations.get(CLIENT_VERSION)
    client = f"{name} {version}" if name and version else name
    created = pb.create_time.ToDatetime(tzinfo=dt.UTC) if pb.HasField("create_time") else None
    deleted = pb.delete_time.ToDatetime(tzinfo=dt.UTC) if pb.HasField("delete_time") else None
    ready_conditions = [c for c in pb.conditions if c.type_ == "Ready"]
    states = {enum_name(c, "state") for c in ready_conditions}
    # a retired (retiring, reserve) revision was ready and served, and one reserved for its
    # min instances without traffic (MIN_INSTANCES_NOT_PROVISIONED) is not broken: which
    # Ready state either then has is not documented (`drift.live.conditions.IDLE`, as check
    # reads them); it never reads as failed (helper-619 F2)
    retired = any(reason(c) in IDLE for c in ready_conditions)
    # a Ready condition failed at severity Warning or Info does not make the revision not
    # ready (Condition.severity; read as check reads it, `drift.live.conditions.failed`)
    warned = any(enum_name(c, "state") == "CONDITION_FAILED" for c in ready_conditions) and (
        failed_ready(ready_conditions) is None
    )
    ready = not pb.conditions or "CONDITION_SUCCEEDED" in states or retired or warned
    # Revision.reconciling: "whether the resource's reconciliation is still in progress";
    # Condition.State CONDITION_PENDING / CONDITION_RECONCILING: "Transient state:
    # Reconciliation has not started yet" / "has not completed yet" (run/v2 revision.proto,
    # condition.proto) — a revision being deployed, not a failed one
    transient = {"CONDITION_PENDING", "CONDITION_RECONCILING"}
    deploying = not ready and (bool(pb.reconciling) or bool(states & transient))
    listed = _Listed(pb, service, container, kind, {} if seen is None else seen)
    # every revision is read with today's service (what it runs with today); its own
    # revision-level min/max beside (`RevisionRecord.own`): a service-level change of them
    # makes no revision, so no older revision is judged, or shown, by today's
    return RevisionRecord(
        name=short(pb.name),
        create_time=created,
        creator=pb.creator,
        client=client,
        read=listed.config,
        ready=ready,
        deploying=deploying,
        # no scaling of the service's own: each revision sets every setting itself
        read_own=(lambda config: own_settings(pb, service, config, kind))
        if scaled(service)
        else None,
        read_variables=listed.variables,
        deleted=deleted,
        read_lazy=listed.lazy,
    )


@dataclass(frozen=True)
class _Listed:
    """How one listed revision is normalised: its variables alone (what masking reads of
    every revision), the rest when asked for, the variables read once either way."""

    revision: Any
    service: Any
    container: str | None
    kind: Kind
    seen: Seen = field(compare=False)
    """The plain variables of the service's revisions read so far (`env_of`)."""

    @cached_property
    def _variables(self) -> RevisionVariables:
        return revision_variables(self.revision, self.container, partial(env_of, seen=self.seen))

    def variables(self) -> RevisionVariables:
        return self._variables

    def config(self) -> RevisionConfig:
        return revision_config(
            self.revision,
            service=self.service,
            container=self.container,
            kind=self.kind,
            variables=self._variables,
        )

    def lazy(self) -> RevisionConfig:
        pb, service = raw(self.revision), raw(self.service)
        return lazy_config(pb, service, self.container, self.kind, self._variables)


Seen = dict[tuple[str, str], EnvVar]
"""Plain variables by (name, value), each made once (`env_of`)."""


def env_of(container: Any, seen: Seen) -> dict[str, EnvVar]:
    """`normalize.env_of` of a (raw) container, the plain variables made before taken from
    `seen` where the same name holds the same value, the new ones added to it: one object for
    equal variables (they are immutable), made once where a service's history repeats most of
    them in each revision (half the work of reading 300 revisions' variables)."""
    out = {}
    for var in container.env:
        name, value = var.name, var.value
        if not value:  # a reference (`_env_var`), or an empty value
            out[name] = _env_var(var)
        elif (one := seen.get((name, value))) is not None:
            out[name] = one
        else:
            out[name] = seen[name, value] = EnvVar.read(name, value, None)
    return out
