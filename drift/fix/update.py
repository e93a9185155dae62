"""One write to Cloud Run and how it ended: UpdateService with the etag that was read (so a
retry, the very same request, cannot apply twice), an `update_mask` of only what drift writes,
and drift's name and version as the client (`Service.client` / `client_version`: "Arbitrary
identifier for the API client", set by the caller on every write), then its long-running
operation, polled through the call runner (a deadline and retries per poll, OPERATION_TIMEOUT
in all). When the answer or the operation is lost, `settled` follows the deployment."""

from __future__ import annotations

import asyncio
import re
import time
from typing import Any

from drift import __version__
from drift.diff.describe import mask_plain
from drift.errors import ApiError
from drift.fields.access import template_of
from drift.fix.etag_moved import RESENDS, same_version, with_etag
from drift.fix.update_mask import with_mask
from drift.fix.waiting import POLL_FIRST, POLL_MAX, Deadline, until, waiting, whole
from drift.kinds import Kind, label
from drift.live import api, workloads
from drift.live.api import attempt
from drift.live.calls import CallRunner, NotSent, api_errors
from drift.live.normalize import raw
from drift.live.session import Session
from drift.redact import MASK

CLIENT = "drift"
OPERATION_TIMEOUT = 600.0


async def update_workload(
    session: Session,
    kind: Kind,
    workload: Any,
    *,
    validate_only: bool = False,
    timeout: float = OPERATION_TIMEOUT,
    version: str = __version__,
    read: Any = None,
    base: Any = None,
    parts: tuple[str, ...] | list[str] = (),
    deadline: Deadline | None = None,
) -> Any:
    """Send `workload` (a run_v2 Service, Job or WorkerPool as read, then changed) with
    UpdateService, UpdateJob or UpdateWorkerPool (`allow_missing` false) and wait for the
    operation; raise ApiError naming the method when either fails. Written as drift's, client
    `version` (SPEC invariant 12). `read`: the read `workload` was built from: a write refused
    for an etag that moved with nobody's write since (`drift.fix.etag_moved`) is sent again with
    the etag read now. `base` (none: `read`), `parts`: `drift.fix.update_mask`. `deadline`: the
    write's whole wait, shared with the read that follows it until it settles (`settled`); none:
    `timeout` from now."""
    from google.cloud import run_v2

    workload.client, workload.client_version = CLIENT, version
    clients = session.clients
    method: str
    request: Any
    call: Any
    if kind is Kind.JOB:
        method, call = "UpdateJob", clients.jobs.update_job
        without_execution_token(workload)
        request = run_v2.UpdateJobRequest(job=workload, validate_only=validate_only)
    elif kind is Kind.WORKER_POOL:
        method, call = "UpdateWorkerPool", clients.worker_pools.update_worker_pool
        request = run_v2.UpdateWorkerPoolRequest(worker_pool=workload, validate_only=validate_only)
    else:
        method, call = "UpdateService", clients.services.update_service
        request = run_v2.UpdateServiceRequest(service=workload, validate_only=validate_only)
    with_mask(request, kind, workload, read if base is None else base, parts)
    name, kept = workload.name, withheld(workload)
    # Retried only as the very same request carrying the etag, and only while the workload
    # still has that etag (an attempt whose answer was lost did not apply). A server that
    # refuses a stale etag (AIP-154: ABORTED) would refuse the repeat anyway; one that lets
    # it through (run v2: the etag "May be used to detect modification conflict") would
    # apply it twice, and drift would take its own second write for someone else's.
    # Without an etag, never retried.
    send = attempt(call, request=request)
    tries: list[ApiError | None] = []  # each attempt's failure (None: cut by the runner)
    before: list[ApiError | None] = []  # the attempts before a resend (`_moved_alone`)

    async def once(timeout: float) -> Any:
        if (
            tries
            and not validate_only
            and not await _unchanged(session, kind, workload, timeout, read, request)
        ):
            last = tries[-1]
            raise NotSent(
                method,
                name,
                last.status if last is not None else "DEADLINE_EXCEEDED",
                (last.detail + "; " if last is not None else "")
                + "not sent again: the workload was written since drift read it, or could "
                "not be read",
            )
        tries.append(None)
        try:
            with api_errors(method, name, kept):
                return await send(timeout)
        except ApiError as exc:
            tries[-1] = exc
            raise

    resends = 0
    while True:
        try:
            operation = await session.runner.call(
                "run", method, name, once, retry=bool(workload.etag) or validate_only
            )
            break
        except ApiError as exc:
            again = read is not None and not validate_only and resends < RESENDS
            if not (again and await _moved_alone(session, kind, workload, exc, timeout, read)):
                told = await _told_stale(session, kind, workload, exc, timeout)
                sent = [*before, *tries]  # each attempt's failure; NotSent: the last not sent
                told.refused_each = not isinstance(exc, NotSent) and _each_refused(sent)
                raise told from exc
            with_etag(request, workload.etag)  # nobody's write: sent again, the etag read now
            before.extend(tries)
            resends, tries[:] = resends + 1, []
    said = _said(kind, workload, method, operation.operation.name or name)
    wait = deadline or Deadline(timeout)
    async with waiting(said, wait.limit, wait.began, whole(deadline)):
        await _wait(session.runner, operation, wait, timeout, name, method)
    try:
        with api_errors(method, name, kept):  # the operation's own error: the revision failed
            return await operation.result()
    except ApiError as exc:
        exc.done = True  # done (`_wait`): carried out or given up for good, never later
        raise


def withheld(workload: Any) -> list[str]:
    """The plain values `workload` (as about to be written) holds that every output shows as
    `***` (`mask_plain`, the judgement of the plan and of the rollback's prompt, for a value
    the profile sets or the journal restores): masked in the server's answer to the write
    (`ApiError`), which may quote them (revleak70 F1, F2). Never a name drift shows in clear
    in the same answer (`SECRET_PROJECT=acme-chat`, `SECRET_REGION=us-central1`: the
    project, region and workload of the call, its revisions, its runtime account and the
    secrets it references; revown70 F1)."""
    # read from the protobuf under proto-plus (`raw`): no message wrapped again at each field
    template, workload = raw(template_of(workload)), raw(workload)
    names = {*workload.name.split("/"), getattr(template, "revision", ""), template.service_account}
    names.update(t.revision for t in getattr(workload, "traffic", ()))
    for container in template.containers:
        for var in container.env:
            names.update(var.value_source.secret_key_ref.secret.split("/"))
    for volume in template.volumes:
        names.update(volume.secret.secret.split("/"))
    for latest in ("latest_ready_revision", "latest_created_revision"):
        names.add(getattr(workload, latest, "").rsplit("/", 1)[-1])
    return [
        var.value
        for container in template.containers
        for var in container.env
        if var.value
        and var.value.strip() not in names
        and mask_plain(var.name, var.value, secret=False) == MASK
    ]


def _each_refused(tries: list[ApiError | None]) -> bool:
    """Each attempt sent refused (`refusal`; None: cut by the runner, its answer lost)."""
    return bool(tries) and all(t is not None and refusal(t) for t in tries)


def without_execution_token(job: Any) -> Any:
    """`job` (a run_v2 Job about to be written), its oneof `create_execution` cleared: drift
    never starts an execution. `start_execution_token` / `run_execution_token` are "A unique
    string used as a suffix [for] creating a new execution" (googleapis
    google/cloud/run/v2/job.proto, Job, oneof create_execution): a GetJob answers the token
    that created the job's current generation, and sent back it "fails the apply outright
    with `Resource 'job-token' already exists`", while a token of no existing execution
    "starts an execution as documented" (GoogleCloudPlatform/magic-modules#19060, observed on
    the real API; hashicorp/terraform-provider-google#24451). UpdateJob has no update mask,
    so the job's new generation has no token: a change of its configuration (Terraform's next
    plan sets it again) that every plan, the fix and the rollback name
    (`drift.fix.exec_token`)."""
    from google.cloud import run_v2

    run_v2.Job.pb(job).ClearField("create_execution")
    return job


def _said(kind: Kind, workload: Any, method: str, operation: str) -> str:
    """`app: waiting for UpdateService's operation projects/…/operations/ID (revision
    app-drift-…) to complete`: names only."""
    revision = getattr(getattr(workload, "template", None), "revision", "") or ""
    of = f" (revision {revision})" if revision else ""
    who = label(kind, api.short(workload.name))
    return f"{who}: waiting for {method}'s operation {operation}{of} to complete"


async def _etag_now(session: Session, kind: Kind, workload: Any, timeout: float) -> str | None:
    """The workload's etag, read again; None when that read fails."""
    now = await _read_now(session, kind, workload, timeout)
    return None if now is None else str(now.etag)


async def _read_now(session: Session, kind: Kind, workload: Any, timeout: float) -> Any:
    """The workload read again (one Get, outside the runner: it is asked from inside a call's
    turn); None when that read fails."""
    get = workloads.getter(session.clients, kind)
    try:
        return await get(name=workload.name, retry=None, timeout=timeout)
    except Exception:  # noqa: BLE001 - any failure: what the workload holds is unknown
        return None


async def _unchanged(
    session: Session, kind: Kind, workload: Any, timeout: float, read: Any, request: Any
) -> bool:
    """Whether the workload still has the etag `workload` was read with, or is still the
    version `read` was but for what the server writes itself (`same_version`: a write that
    landed moves its generation; the request then carries the etag read now); False when it
    cannot be read (whether an attempt applied is unknown, so no repeat)."""
    now = await _read_now(session, kind, workload, timeout)
    if now is None:
        return False
    if now.etag == workload.etag:
        return True
    if read is None or not same_version(read, now):
        return False
    workload.etag = now.etag
    with_etag(request, now.etag)
    return True


async def _moved_alone(
    session: Session, kind: Kind, workload: Any, exc: ApiError, timeout: float, read: Any
) -> bool:
    """Whether the write was refused for its etag (`stale_etag`, or a FAILED_PRECONDITION in
    words that do not say, `_told_stale`) and the etag moved with nobody's write since `read`
    (`same_version`): then `workload` takes the etag read now."""
    if not workload.etag or exc.status not in ("ABORTED", "FAILED_PRECONDITION"):
        return False
    now = await _read_now(session, kind, workload, timeout)
    if now is None or now.etag == workload.etag or not same_version(read, now):
        return False
    workload.etag = now.etag
    return True


async def _told_stale(
    session: Session, kind: Kind, workload: Any, exc: ApiError, timeout: float
) -> ApiError:
    """`exc`, or when it is a FAILED_PRECONDITION whose words do not name the etag (no document
    says what they hold: "Precondition check failed.") and the workload, read again, no longer
    has the etag the write carried, `exc` saying so: someone wrote it since drift read it
    (`stale_etag`), not a refusal of the patch itself."""
    if exc.status != "FAILED_PRECONDITION" or stale_etag(exc) or not workload.etag:
        return exc
    if await _etag_now(session, kind, workload, timeout) in (None, workload.etag):
        return exc  # unread, or unchanged: the refusal as the server worded it
    return ApiError(
        exc.call,
        exc.resource,
        exc.status,
        f"{exc.detail} (read again: its etag is no longer the one drift read)",
        withheld=withheld(workload),
    )


_ETAG_WORD = re.compile(r"(?<![\w/.-])etag(?![\w/.-])", re.IGNORECASE)
"""`etag` as a word of the server's message, never inside a name (`metagraph`, a service
`etag-api`, `projects/p/…/services/etag`)."""


def stale_etag(exc: ApiError) -> bool:
    """Whether a write was refused for the etag it carried: the workload changed after drift
    read it, and nothing was written. ABORTED is what a stale etag gets ("If the value provided
    does not match the value known to the server, ABORTED will be thrown, and the client
    should retry the read-modify-write cycle", the googleapis `etag` field comment; AIP-154
    "must send an ABORTED error response"), and what google/rpc/code.proto gives "a
    concurrency issue" on a write. FAILED_PRECONDITION, what AIP-154 said before 2021, is
    also what Cloud Run answers for a revision that failed: it counts only when the message
    speaks of the etag."""
    if exc.status == "ABORTED":
        return True
    return exc.status == "FAILED_PRECONDITION" and bool(_ETAG_WORD.search(exc.detail))


def refusal(exc: ApiError) -> bool:
    """Whether a write's answer is the server's refusal of it (`stale_etag`, `REFUSED`): what
    was sent was not carried out (never an answer lost: UNAVAILABLE, DEADLINE_EXCEEDED)."""
    return stale_etag(exc) or exc.status in REFUSED


def deleted(exc: object) -> bool:
    """Whether a call on a service answered NOT_FOUND: a definite answer, the service no
    longer exists. drift never sets `allow_missing` ("If set to true, and if the Service does
    not exist, it will create a new one", run/v2 `UpdateServiceRequest.allow_missing`), so an
    UpdateService answered so wrote nothing."""
    return isinstance(exc, ApiError) and exc.status == "NOT_FOUND"


GONE = "no longer exists"
"""How a service deleted since drift read it (or since its change) is said, and recorded."""


REFUSED = frozenset(
    "PERMISSION_DENIED UNAUTHENTICATED INVALID_ARGUMENT FAILED_PRECONDITION ALREADY_EXISTS "
    "OUT_OF_RANGE RESOURCE_EXHAUSTED".split()
)
"""A write's statuses that are the server's answer to the request itself (google/rpc/
code.proto; the server's judgement, as `drift.fix.dryrun.JUDGED`; RESOURCE_EXHAUSTED, a quota:
"The request is denied because there is not enough rate quota", google/api/error_reason.proto
RATE_LIMIT_EXCEEDED): it was refused, not lost (UNAVAILABLE, DEADLINE_EXCEEDED, CANCELLED,
INTERNAL: maybe carried out, `drift.fix.lost_answer`)."""


async def _wait(
    runner: CallRunner, operation: Any, wait: Deadline, cap: float, service: str, method: str
) -> None:
    """Poll the operation until it is done (GetOperation, each poll with a deadline), for
    what is left of `wait` (at most `cap` seconds)."""
    name = operation.operation.name or service
    deadline = time.monotonic() + wait.left(cap)
    pause = POLL_FIRST
    while not await runner.call(
        "run",
        "GetOperation",
        name,
        lambda t: asyncio.wait_for(operation.done(retry=None), t),
    ):
        left = deadline - time.monotonic()
        if left <= 0:
            raise ApiError(
                method,
                service,
                "DEADLINE_EXCEEDED",
                f"the operation {name} did not complete within {min(wait.limit, cap):g} s",
            )
        await asyncio.sleep(min(pause, left))
        pause = min(pause * 2, POLL_MAX)


async def get_service(session: Session, name: str) -> Any:
    return await api.get_service(session.clients, session.runner, name)


async def get_workload(session: Session, kind: Kind, name: str) -> Any:
    return await workloads.get_workload(session.clients, session.runner, kind, name)


async def revision_exists(session: Session, service: str, revision: str) -> bool | None:
    """Whether the service has the revision `revision` (GetRevision): None when that cannot
    be known (any answer but the revision or NOT_FOUND)."""
    name = f"{service}/revisions/{revision}"
    call = attempt(session.clients.revisions.get_revision, name=name)
    try:
        await session.runner.call("run", "GetRevision", name, call)
    except ApiError as exc:
        return False if exc.status == "NOT_FOUND" else None
    return True


async def settled(
    session: Session,
    name: str,
    revision: str = "",
    *,
    timeout: float = OPERATION_TIMEOUT,
    deadline: Deadline | None = None,
) -> Any:
    """The service once Cloud Run has finished reconciling (or `revision` is ready), read
    with GetService: after a write, and for a write whose answer or operation was lost
    (`deadline`: what is left of that write's whole wait)."""

    def done(service: Any) -> bool:
        ready = bool(revision) and service.latest_ready_revision.rsplit("/", 1)[-1] == revision
        return ready or not service.reconciling

    what = f"revision {revision} to be ready" if revision else "its deploy to settle"
    said = f"{api.short(name)}: waiting for {what} (the service is reconciling)"
    return await until(lambda: get_service(session, name), done, timeout, said, deadline)


async def settled_workload(
    session: Session,
    kind: Kind,
    name: str,
    *,
    timeout: float = OPERATION_TIMEOUT,
    deadline: Deadline | None = None,
) -> Any:
    """A job or worker pool once it is no longer `reconciling` ("true while … an update
    [is] in progress": Job.reconciling, WorkerPool.reconciling), read with GetJob or
    GetWorkerPool: for an update whose answer or operation was lost."""
    said = f"{label(kind, api.short(name))}: waiting for its update to settle (reconciling)"
    return await until(
        lambda: get_workload(session, kind, name),
        lambda w: not w.reconciling,
        timeout,
        said,
        deadline,
    )
