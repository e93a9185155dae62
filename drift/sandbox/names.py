"""Resource names of the emulated APIs, and the gRPC error every handler raises."""

from __future__ import annotations

import re
from dataclasses import dataclass

import grpc
from google.protobuf import any_pb2, duration_pb2
from google.protobuf.message import Message
from google.rpc import error_details_pb2, status_pb2

LOCATION = re.compile(r"projects/([^/]+)/locations/([^/]+)")
SERVICE = re.compile(r"projects/([^/]+)/locations/([^/]+)/services/([^/]+)")
POOL = re.compile(r"projects/([^/]+)/locations/([^/]+)/workerPools/([^/]+)")
JOB = re.compile(r"projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)")
EXECUTION = re.compile(r"projects/([^/]+)/locations/([^/]+)/jobs/([^/]+)/executions/([^/]+)")
# a revision of a service or of a worker pool (Revisions API bindings, revision.proto)
REVISION = re.compile(
    r"projects/([^/]+)/locations/([^/]+)/(services|workerPools)/([^/]+)/revisions/([^/]+)"
)
OWNER = re.compile(r"projects/([^/]+)/locations/([^/]+)/(services|workerPools)/([^/]+)")
OPERATION = re.compile(r"projects/([^/]+)/locations/([^/]+)/operations/([^/]+)")
PROJECT = re.compile(r"projects/([^/]+)")
SECRET = re.compile(r"projects/([^/]+)/secrets/([^/]+)")
VERSION = re.compile(r"projects/([^/]+)/secrets/([^/]+)/versions/([^/]+)")


class RpcError(Exception):
    """A gRPC status a handler answers with (never carries a secret value)."""

    def __init__(
        self,
        code: grpc.StatusCode,
        message: str,
        *,
        retry_delay: float | None = None,
        error_info: error_details_pb2.ErrorInfo | None = None,
        details: tuple[Message, ...] = (),
    ) -> None:
        super().__init__(f"{code.name}: {message}")
        self.code = code
        self.message = message
        self.retry_delay = retry_delay
        self.error_info = error_info
        self.details = details
        """Further google.rpc details (error_details.proto: a QuotaFailure, …), after those."""

    def status(self) -> status_pb2.Status:
        """The google.rpc.Status form (operation errors, `grpc-status-details-bin`)."""
        status = status_pb2.Status(code=self.code.value[0], message=self.message)
        if self.retry_delay is not None:
            delay = duration_pb2.Duration()
            delay.FromNanoseconds(int(self.retry_delay * 1e9))
            detail = any_pb2.Any()
            detail.Pack(error_details_pb2.RetryInfo(retry_delay=delay))
            status.details.append(detail)
        if self.error_info is not None:
            status.details.add().Pack(self.error_info)
        for detail in self.details:
            status.details.add().Pack(detail)
        return status

    def trailers(self) -> tuple[tuple[str, bytes], ...]:
        if self.retry_delay is None and self.error_info is None and not self.details:
            return ()
        return (("grpc-status-details-bin", self.status().SerializeToString()),)


def invalid(message: str) -> RpcError:
    return RpcError(grpc.StatusCode.INVALID_ARGUMENT, message)


def not_found(message: str) -> RpcError:
    return RpcError(grpc.StatusCode.NOT_FOUND, message)


def missing(key: ResourceKey) -> RpcError:
    return not_found(
        f"Resource '{key.id}' of kind '{key.kind}' in region '{key.region}' "
        f"in project '{key.project}' does not exist."
    )


def check_etag(
    key: ResourceKey, sent: str, current: str, stale: str = "aborted", revision: str = ""
) -> None:
    """A write that names an etag must name the current one: ABORTED, as AIP-154 asks of
    Google APIs; `stale="failed_precondition"` (the scenario option `stale_etag`) answers what
    AIP-154 asked for when first published ("must send a FAILED_PRECONDITION error
    response", aip.dev/154); `stale="ignored"` lets it through, which the run v2 `etag`
    comments ("May be used to detect modification conflict during updates") leave open.
    `revision`: a DeleteRevision's, whose request etag says the same (helper-575 F4: it
    answered ABORTED whatever the option)."""
    if stale == "ignored" or not sent or sent == current:
        return
    code = grpc.StatusCode.ABORTED if stale == "aborted" else grpc.StatusCode.FAILED_PRECONDITION
    if stale == "failed_precondition_unsaid":  # the status's generic words, no etag named
        raise RpcError(code, "Precondition check failed.")
    raise RpcError(
        code,
        f"The etag provided ({sent}) does not match the current etag of "
        f"'{key.revision(revision) if revision else key.name}'; read the "
        f"{'revision' if revision else key.kind.lower().replace('_', ' ')} again and retry.",
    )


NEW_ID = re.compile(r"[a-z]([a-z0-9-]{0,47}[a-z0-9])?")


def check_new_id(key: ResourceKey) -> None:
    """The name of a service, worker pool or job a write creates (`allow_missing`): "It must
    begin with letter, and cannot end with hyphen; must contain fewer than 50 characters"
    (run v2 CreateServiceRequest.service_id; CreateWorkerPoolRequest.worker_pool_id and
    CreateJobRequest.job_id say the same), in lowercase letters, digits and hyphens as
    AIP-122 resource IDs (RFC 1034 labels)."""
    if not NEW_ID.fullmatch(key.id):
        raise invalid(
            f"Invalid {key.kind.lower().replace('_', ' ')} name '{key.id}': it must begin with "
            "a letter, hold only lowercase letters, digits and hyphens, not end with a hyphen, "
            "and have fewer than 50 characters."
        )


def check_update(
    key: ResourceKey, etag: str | None, sent: str, *, allow_missing: bool, stale: str
) -> None:
    """An update's preconditions, as UpdateService, UpdateWorkerPool and UpdateJob check them
    (`etag`: the resource's current one, None when it does not exist): NOT_FOUND for one that
    does not exist unless `allow_missing` ("If set to true, and if the Service does not
    exist, it will create a new one", run v2 UpdateServiceRequest.allow_missing; the Job's
    and WorkerPool's alike), when its id must be one a create takes; for one that exists,
    the etag `sent` (`check_etag`, `stale`: the scenario option `stale_etag`)."""
    if etag is None:
        if not allow_missing:
            raise missing(key)
        check_new_id(key)
    else:
        check_etag(key, sent, etag, stale)


def parse(pattern: re.Pattern[str], name: str, expected: str) -> tuple[str, ...]:
    match = pattern.fullmatch(name)
    if match is None:
        raise invalid(f"Invalid resource name '{name}': expected {expected}.")
    return match.groups()


@dataclass(frozen=True, order=True)
class ResourceKey:
    """A regional Cloud Run resource: a service, a worker pool or a job (`collection`)."""

    project: str
    region: str
    id: str
    collection: str = "services"

    @property
    def parent(self) -> str:
        return f"projects/{self.project}/locations/{self.region}"

    @property
    def name(self) -> str:
        return f"{self.parent}/{self.collection}/{self.id}"

    @property
    def kind(self) -> str:
        """The kind Cloud Run's NOT_FOUND messages name (`SERVICE`, `WORKER_POOL`, `JOB`)."""
        return KIND_WORDS[self.collection]

    def revision(self, revision: str) -> str:
        return f"{self.name}/revisions/{revision}"

    def execution(self, execution: str) -> str:
        return f"{self.name}/executions/{execution}"

    def operation(self, op_id: str) -> str:
        return f"{self.parent}/operations/{op_id}"


SERVICES, POOLS, JOBS = "services", "workerPools", "jobs"
KIND_WORDS = {SERVICES: "SERVICE", POOLS: "WORKER_POOL", JOBS: "JOB"}


@dataclass(frozen=True, order=True)
class SecretKey:
    project: str
    secret: str

    @property
    def name(self) -> str:
        return f"projects/{self.project}/secrets/{self.secret}"

    def version(self, number: int | str) -> str:
        return f"{self.name}/versions/{number}"
