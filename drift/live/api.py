"""The read calls several layers make, each one attempt through the call runner: the services
of a region (paged), a service, a secret version's payload (CRC32C verified)."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import AsyncGenerator, Awaitable, Callable, Collection
from dataclasses import dataclass, field
from functools import partial
from typing import Any

from drift import __version__, redact
from drift.errors import ApiError
from drift.fields import enum_name
from drift.live.calls import Api, CallRunner
from drift.live.clients import Clients
from drift.live.conditions import failed_ready
from drift.live.crc32c import crc32c
from drift.live.normalize import raw
from drift.live.tasks import Tasks
from drift.textsafe import shell_quote, visible

LIST_PAGE_SIZE = 1000
"""The page drift asks ListServices, ListJobs, ListWorkerPools for: a whole region in one
call. A project keeps at most 1,000 services, 1,000 jobs, 1,000 worker pools per region
("Cloud Run quotas and limits", https://cloud.google.com/run/quotas); their page_size documents
no maximum ("Maximum number of Services to return in this call", run/v2 service.proto), and
AIP-158 (google.aip.dev/158) has a server coerce a larger one down to its own maximum: `pages`
follows the tokens to the end all the same (ListRevisions asks the same: `history.PAGE_SIZE`)."""


def attempt(method: Callable[..., Awaitable[Any]], **request: Any) -> Callable[[float], Any]:
    """One attempt of a client method for the runner (which retries: the client must not)."""
    return lambda timeout: method(retry=None, timeout=timeout, **request)


def parent(project: str, region: str) -> str:
    """The location a region's workloads are listed under and named in (the `parent` of
    ListServices, ListJobs, ListWorkerPools). The project and the region are names drift prints
    as they are: no fragment of a secret is masked in them (`redact.register_public`)."""
    redact.register_public(project, region)
    return f"projects/{project}/locations/{region}"


def short(name: str) -> str:
    """The last segment of a resource name."""
    return name.rsplit("/", 1)[-1]


def condition_said(condition: Any, otherwise: str = "") -> str:
    """A condition's message on one line, or `otherwise` when it has none: the server's text,
    whose line breaks would start lines of drift's output that drift did not write."""
    return " ".join(str(condition.message).split()) or otherwise


async def list_services(clients: Clients, runner: CallRunner, parent: str) -> dict[str, Any]:
    """Every service under `parent` (a location), by short name; one call per page."""
    from google.cloud import run_v2

    request = run_v2.ListServicesRequest
    call = clients.services.list_services
    return await list_pages(runner, "ListServices", parent, request, call, "services")


@dataclass
class Listing:
    """What a List method answered: every resource of the pages read, by short name, and the
    failure that stopped it (None: every page was read). The pages read before a failure are
    kept: what they hold was read."""

    items: dict[str, Any] = field(default_factory=dict)
    error: ApiError | None = None


async def list_pages(
    runner: CallRunner, method: str, parent: str, request_type: Any, call: Any, member: str
) -> dict[str, Any]:
    """Every resource a List method (ListServices, ListJobs, ListWorkerPools) answers under
    `parent`, by short name; one call per page (ApiError when a page cannot be read)."""
    listing = await list_all(runner, method, parent, request_type, call, member)
    if listing.error is not None:
        raise listing.error
    return listing.items


async def list_all(
    runner: CallRunner, method: str, parent: str, request_type: Any, call: Any, member: str
) -> Listing:
    """`list_pages`, keeping the pages read before one fails."""
    listing = Listing()
    request = partial(request_type, page_size=LIST_PAGE_SIZE)
    try:
        async for response in pages(runner, "run", method, parent, request, call, member):
            for item in getattr(response, member):  # `services`, `jobs`, `worker_pools`
                listing.items[short(item.name)] = item
    except ApiError as exc:
        listing.error = exc
    return listing


STALE_PAGES = 100
"""How many pages running may bring no resource not read before. AIP-158 lets a page hold
fewer results than asked, "including zero results, even if not at the end of the collection",
so a few such pages are the server's right; a hundred in a row is a server (or a proxy that
drops `page_token`) that will never get to the end."""
MAX_PAGES = 2000
"""The most pages one list is followed for: twice the largest collection drift lists read one
resource a page (Cloud Run keeps at most 1,000 services, jobs, worker pools per project and
region and 1,000 revisions per service: "Cloud Run quotas and limits",
https://cloud.google.com/run/quotas), far above any real one."""


async def pages(
    runner: CallRunner,
    kind: Api,
    method: str,
    parent: str,
    request_type: Callable[..., Any],
    call: Any,
    member: str,
) -> AsyncGenerator[Any, None]:
    """Each page a List method answers under `parent`, one call per page, following
    `next_page_token` ("the token of the next page", AIP-158) until it is empty; `member`
    names the page's resources (`services`, `revisions`, `secrets`). A list that would never
    end is the server misbehaving, an ApiError (INVALID_RESPONSE) like any failed read (SPEC
    invariant 7): a token the server answered before (the same request again), `STALE_PAGES`
    pages running that bring nothing new (new tokens without end), or more than
    `MAX_PAGES`."""
    seen: set[str] = set()
    names: set[str] = set()
    stale = 0
    token = ""
    for number in itertools.count(1):
        request = request_type(parent=parent, page_token=token)
        page = await runner.call(kind, method, parent, attempt(call, request=request))
        response = page._response  # one page per call: we follow the tokens ourselves
        yield response
        token = response.next_page_token
        if not token:
            return
        read = len(names)
        names.update(item.name for item in getattr(response, member))
        stale = 0 if len(names) > read else stale + 1
        if token in seen:
            why = f"repeated a page token after {number} pages (it names the next page)"
        elif stale >= STALE_PAGES:
            why = f"answered {stale} pages running that brought nothing new, each with a token"
        elif number >= MAX_PAGES:
            why = f"still answered a page token after {number} pages, more than any real list"
        else:
            seen.add(token)
            continue
        raise ApiError(
            method, parent, "INVALID_RESPONSE", f"the server {why}, so the list would never end"
        )


async def list_secrets(
    clients: Clients, runner: CallRunner, parent: str
) -> tuple[list[Any], ApiError | None]:
    """The secrets of the project `parent` (`projects/P`), every page (each as large as
    ListSecretsRequest.page_size allows: "If the number is greater than 25000, it is capped at
    25000"), and the error of the page that failed, if one did (the secrets of the pages
    before it are kept: what they say is so)."""
    from google.cloud import secretmanager_v1

    found: list[Any] = []
    request = partial(secretmanager_v1.ListSecretsRequest, page_size=25000)
    call = clients.secrets.list_secrets
    try:
        async for page in pages(runner, "secrets", "ListSecrets", parent, request, call, "secrets"):
            found += page.secrets
    except ApiError as exc:
        return found, exc
    return found, None


def secrets_listed(
    clients: Clients, runner: CallRunner, project: str, shared: Tasks | None = None
) -> Awaitable[tuple[list[Any], ApiError | None]]:
    """`list_secrets` of `project`, kept in `shared` when given: made once a run, whoever
    asks first (`drift init --from-live` starts it beside the workload Lists, and the read
    finds it there: helper-633 F4)."""
    make = partial(list_secrets, clients, runner, f"projects/{project}")
    return make() if shared is None else shared.once(("list_secrets", project), make)


async def get_service(clients: Clients, runner: CallRunner, name: str) -> Any:
    return await runner.call(
        "run", "GetService", name, attempt(clients.services.get_service, name=name)
    )


async def get_revision(clients: Clients, runner: CallRunner, name: str) -> Any:
    return await runner.call(
        "run", "GetRevision", name, attempt(clients.revisions.get_revision, name=name)
    )


def in_progress(pb: Any, *, job: bool = False, latest: Any = None) -> str:
    """What a workload being reconciled is doing, as `drift check` says it ("" when it is
    not): "deploy in progress (app-00004-mqd is being rolled out)" ("generation 7" where
    no revision is known to be rolling out), or a job's "update in
    progress (the job is being reconciled)". While it lasts, "observed_generation,
    latest_ready_revision, traffic_statuses, and uri will have transient values that might
    mismatch the intended state" (run/v2 `Service.reconciling`; `Job.reconciling`,
    `WorkerPool.reconciling` alike). `latest`: the revision `rolling_name` names, as read
    (None: not read)."""
    if not pb.reconciling:
        return ""
    if job:
        if running := token_execution(pb, running=True):
            # run_execution_token: "The Job will become ready when the execution is
            # successfully completed" (start_execution_token: "… started"; run/v2 job.proto):
            # named, so that the operator can look at the execution the job waits on
            start = raw(pb).WhichOneof("create_execution") == "start_execution_token"
            status = enum_name(raw(pb).latest_created_execution, "completion_status")
            now = "pending" if status == "EXECUTION_PENDING" else "running"
            return (
                f"update in progress (the job is being reconciled: its execution "
                f"{visible(running)} is {now}, and the job is ready once it "
                f"{'has started' if start else 'is done'}, which "
                f"`{describe_execution(pb, running)}` shows)"
            )
        return "update in progress (the job is being reconciled)"
    generation = f"generation {pb.generation}"
    created = rolling_name(pb)
    if not created or latest is None or short(raw(latest).name) != short(created):
        return f"deploy in progress ({generation} is being rolled out)"
    if failed_ready(raw(latest).conditions) is not None:  # an earlier deploy's: done, failed
        return (
            f"deploy in progress ({generation} is being rolled out; the latest created "
            f"revision {short(created)} failed)"
        )
    return f"deploy in progress ({short(created)} is being rolled out)"


def rolling_name(pb: Any) -> str:
    """The revision a service or worker pool being reconciled may be rolling out, which
    `in_progress` names only once read (full name; "" when there is none to read): its
    `latest_created_revision` ("Name of the last created revision", run/v2 service.proto)
    when it is not the `latest_ready_revision`. When that field moves (the update accepted,
    or its revision made) is not documented, and an update of traffic or labels makes no
    revision (helper-699 F2): after a deploy that failed it names the failed revision until
    another is made, which only that revision's own `conditions` ("The Condition of this
    Revision, containing its readiness status, and detailed error information in case it
    did not reach a serving state", revision.proto; a Revision has no `terminal_condition`)
    tell from one rolling out (helper-713)."""
    pb = raw(pb)
    if not pb.reconciling or "latest_created_revision" not in pb.DESCRIPTOR.fields_by_name:
        return ""
    created = str(pb.latest_created_revision)
    if not created or short(created) == short(pb.latest_ready_revision):
        return ""
    return created


async def rolling_revision(read: Callable[[str], Awaitable[Any]], pb: Any) -> Any | None:
    """The revision `rolling_name` names, read with `read` (a GetRevision): None when there
    is none to read or it cannot be read (then `in_progress` names none: not known)."""
    name = rolling_name(pb)
    if not name:
        return None
    try:
        return await read(name)
    except ApiError:
        return None


def read_rolling(
    tasks: Tasks, read: Callable[[str], Awaitable[Any]], pb: Any
) -> asyncio.Task[Any | None]:
    """`rolling_revision` of `pb` read once a run (`tasks`): `drift check` starts it beside
    the last poll of its --wait, so that a deploy that settles before needs none, and awaits
    it when the wait is over (a deploy begun meanwhile names another revision: read then)."""
    return tasks.once(("rolling", rolling_name(pb)), partial(rolling_revision, read, pb))


RUNNING = {"EXECUTION_RUNNING", "EXECUTION_PENDING"}
"""Those of an execution not finished ("running normally", "waiting for backing resources to
be provisioned"): created already, so with the job's template as it was then."""


def token_execution(job: Any, *, running: bool = False) -> str:
    """The job's latest created execution (`Job.latest_created_execution`, short name) when
    the job's `run_execution_token` or `start_execution_token` created it ("A unique string
    used as a suffix for creating a new execution", job.proto oneof `create_execution`: named
    `JOB-TOKEN`); "" else. `running`: only while it has not finished (its completion_status
    EXECUTION_RUNNING, "running normally", or EXECUTION_PENDING, "waiting for backing
    resources to be provisioned"; ExecutionReference.CompletionStatus)."""
    pb = raw(job)
    which = pb.WhichOneof("create_execution")
    if which is None:
        return ""
    ref = pb.latest_created_execution
    name = short(ref.name)
    if not ref.name or name != f"{short(pb.name)}-{getattr(pb, which)}":
        return ""
    if running and enum_name(ref, "completion_status") not in RUNNING:
        return ""
    return name


def describe_execution(job: Any, execution: str) -> str:
    """`gcloud run jobs executions describe EXECUTION --project=P --region=R`, of the job's
    project and region (its name: `projects/P/locations/R/jobs/J`)."""
    parts = raw(job).name.split("/")
    where = [f"--project={parts[1]}", f"--region={parts[3]}"] if len(parts) >= 4 else []
    argv = ["gcloud", "run", "jobs", "executions", "describe", execution, *where]
    return visible(" ".join(shell_quote(a) for a in argv))


UNDOES_CANARY = "+undo-canary"
"""What drift adds to its client version (Service.client_version: "arbitrary version identifier
for the API client") when it writes the restoration of a canary that never held traffic (an
abort's cleanup, a rollback before promotion): a revision that records it tells `since` that
the canary before it never served, where a rollback after a promotion does not. Where no
client is recorded, `drift.diff.unserved` goes by the journal and the revisions' shape."""


def sent_as(*versions: str) -> frozenset[str]:
    """The clients (`client client_version`) drift's writes name, as `written_since` compares
    them: this drift and `versions` (the one that made a change), each also marked as a
    restoration's (`UNDOES_CANARY`; the client is `drift.fix.update.CLIENT`)."""
    made = {__version__, *versions} - {""}
    return frozenset(f"drift {v}{mark}" for v in made for mark in ("", UNDOES_CANARY))


def written_since(generation: int, now: Any, *, ours: Collection[str] = ()) -> str:
    """`generation G → N, last modified by WHO with CLIENT VERSION`, as a service, job or
    worker pool read now says (`last_modifier`, and the `client` it wrote with). `ours`: the
    clients (`client client_version`) drift's own write at generation G (or after it) sent. A
    later writer that sends the fields back as it read them (any read-modify-write, the python
    client's) leaves drift's there: such fields name no client (helper-848 F5)."""
    # `client` and `client_version` are whatever the writer sent ("Arbitrary identifier"):
    # shown with their control characters escaped, never as lines of their own
    client = f"{now.client} {now.client_version}".rstrip() if now.client else ""
    via = visible(f" with {client}") if client else ""
    if client and client in ours:
        via = ", its client not known: the client fields are still as drift's write left them"
    who = visible(now.last_modifier or "unknown")
    return f"generation {generation} → {now.generation}, last modified by {who}{via}"


async def access_secret(clients: Clients, runner: CallRunner, name: str) -> bytes:
    """A secret version's payload, its CRC32C verified (DATA_LOSS when it does not match).
    The caller keeps it in memory only."""
    return (await access_version(clients, runner, name))[1]


async def access_version(clients: Clients, runner: CallRunner, name: str) -> tuple[str, bytes]:
    """`access_secret`, with the version the name resolved to (`latest` or an alias):
    AccessSecretVersionResponse.name is "The resource name of the SecretVersion in the format
    `projects/*/secrets/*/versions/*`" (google/cloud/secretmanager/v1/service.proto); "" when
    the server leaves it out."""
    response = await runner.call(
        "access",
        "AccessSecretVersion",
        name,
        attempt(clients.secrets.access_secret_version, name=name),
    )
    data = bytes(response.payload.data)
    checksum = response.payload.data_crc32c
    if checksum and crc32c(data) != checksum:
        raise ApiError("AccessSecretVersion", name, "DATA_LOSS", "payload crc32c mismatch")
    return str(response.name), data
