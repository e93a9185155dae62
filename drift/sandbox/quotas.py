"""Per-minute request quotas (scenario option `quotas`): past one, a call is refused with
RESOURCE_EXHAUSTED and Google's quota error details.

The quotas (Cloud Run: "Quotas for Cloud Run encompass API rate limits, which affect the rate
at which you can call the Cloud Run Admin API", cloud.google.com/run/quotas, with separate
read and write requests per minute per region; Secret Manager: read requests and access
requests per minute per project, cloud.google.com/secret-manager/quotas):

- `run`: Cloud Run Admin API reads (Get*, List*, and the operations' Get/Wait);
- `run_writes`: its writes (Update*, Delete*, RunJob, …);
- `secrets`: Secret Manager reads other than an access (GetSecret, ListSecrets, GetIamPolicy, …);
- `secrets_writes`: its writes (AddSecretVersion, SetIamPolicy, …);
- `access`: AccessSecretVersion, a quota of its own.

Counted per project on the sandbox's own clock (a test moves it forward with `advance`), over
the last 60 s. Only calls let through count: a refused call used no quota (the docs do not say
a refused request is charged).

The refusal, as Google's error model has it (google/rpc/error_details.proto,
google/api/error_reason.proto): status RESOURCE_EXHAUSTED, the message Google's quota errors
carry ("Quota exceeded for quota metric … and limit … of service … for consumer …"), an
ErrorInfo with reason RATE_LIMIT_EXCEEDED, domain googleapis.com and metadata `consumer`,
`service`, `quota_metric`, `quota_limit` (error_reason.proto's example), and a QuotaFailure
naming the project ("if a daily limit was exceeded for the calling project, a service could
respond with a QuotaFailure detail containing the project id and the description of the quota
limit that was exceeded"). Whether a quota error carries a RetryInfo the docs leave open (the
error model lists it among the details any error may carry: "Describes when the clients can
retry a failed request", error_details.proto; quota errors Google documents show the
QuotaFailure and ErrorInfo only): none by default; with `retry_info` (`QuotaBook.reset`), a
RetryInfo whose `retry_delay` is the time until the window has room again, what a server that
knows its window would say."""

from __future__ import annotations

from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field

import grpc
from google.rpc import error_details_pb2

from drift.sandbox.names import PROJECT, RpcError
from drift.sandbox.scenario_options import QuotaName

WINDOW = 60.0
READS = ("Get", "List", "Wait", "Access", "TestIamPermissions")


@dataclass(frozen=True)
class Quota:
    """One per-minute quota, as Google names it."""

    service: str
    metric: str
    metric_title: str
    limit: str
    limit_title: str


QUOTAS: dict[QuotaName, Quota] = {
    "run": Quota(
        "run.googleapis.com",
        "run.googleapis.com/read_requests",
        "Read requests",
        "ReadRequestsPerMinutePerRegion",
        "Read requests per minute per region",
    ),
    "run_writes": Quota(
        "run.googleapis.com",
        "run.googleapis.com/write_requests",
        "Write requests",
        "WriteRequestsPerMinutePerRegion",
        "Write requests per minute per region",
    ),
    "secrets": Quota(
        "secretmanager.googleapis.com",
        "secretmanager.googleapis.com/read_requests",
        "Read requests",
        "ReadRequestsPerMinutePerProject",
        "Read requests per minute per project",
    ),
    "secrets_writes": Quota(
        "secretmanager.googleapis.com",
        "secretmanager.googleapis.com/write_requests",
        "Write requests",
        "WriteRequestsPerMinutePerProject",
        "Write requests per minute per project",
    ),
    "access": Quota(
        "secretmanager.googleapis.com",
        "secretmanager.googleapis.com/access_requests",
        "Access requests",
        "AccessRequestsPerMinutePerProject",
        "Access requests per minute per project",
    ),
}


def quota_of(service: str, method: str) -> QuotaName | None:
    """The quota a call counts against (None: none the sandbox enforces)."""
    if service.startswith(("google.cloud.run.v2.", "google.longrunning.")):
        return "run" if method.startswith(READS) else "run_writes"
    if service.startswith("google.cloud.secretmanager.v1."):
        if method == "AccessSecretVersion":
            return "access"
        return "secrets" if method.startswith(READS) else "secrets_writes"
    return None


@dataclass
class QuotaBook:
    """The quotas in force (`limits`: per minute, by `QUOTAS` key) and the calls each took."""

    now: Callable[[], float]
    limits: Mapping[QuotaName, int] = field(default_factory=dict)
    retry_info: bool = False
    """Whether a refusal carries a RetryInfo (see the module's docs)."""
    _taken: dict[tuple[QuotaName, str], deque[float]] = field(default_factory=dict)

    def reset(self, limits: Mapping[QuotaName, int], *, retry_info: bool = False) -> None:
        self.limits = dict(limits)
        self.retry_info = retry_info
        self._taken.clear()

    def take(self, service: str, method: str, resource: str) -> None:
        """Count the call, or raise RESOURCE_EXHAUSTED when its quota is spent this minute."""
        key = quota_of(service, method)
        if key is None or key not in self.limits:
            return
        found = PROJECT.match(resource)
        project = found.group(1) if found else "-"
        taken = self._taken.setdefault((key, project), deque())
        now = self.now()
        while taken and taken[0] <= now - WINDOW:
            taken.popleft()
        if len(taken) >= self.limits[key]:
            room = taken[0] + WINDOW - now if taken else WINDOW  # a quota of 0: a whole window
            delay = room if self.retry_info else None
            raise refusal(QUOTAS[key], project, self.limits[key], delay)
        taken.append(now)


def refusal(quota: Quota, project: str, value: int, retry_delay: float | None = None) -> RpcError:
    consumer = f"projects/{project}"
    info = error_details_pb2.ErrorInfo(
        reason="RATE_LIMIT_EXCEEDED",
        domain="googleapis.com",
        metadata={
            "consumer": consumer,
            "service": quota.service,
            "quota_metric": quota.metric,
            "quota_limit": quota.limit,
            "quota_limit_value": str(value),
        },
    )
    violation = error_details_pb2.QuotaFailure.Violation(
        subject=f"project:{project}", description=f"{quota.limit_title}: {value}"
    )
    # fields newer googleapis-common-protos have (1.76, not the floor 1.63): set where held
    newer = {
        "api_service": quota.service,
        "quota_metric": quota.metric,
        "quota_id": quota.limit,
        "quota_value": value,
    }
    for name, held in newer.items():
        if name in violation.DESCRIPTOR.fields_by_name:
            setattr(violation, name, held)
    failure = error_details_pb2.QuotaFailure(violations=[violation])
    message = (
        f"Quota exceeded for quota metric '{quota.metric_title}' and limit "
        f"'{quota.limit_title}' of service '{quota.service}' for consumer "
        f"'project:{project}'."
    )
    return RpcError(
        grpc.StatusCode.RESOURCE_EXHAUSTED,
        message,
        retry_delay=retry_delay,
        error_info=info,
        details=(failure,),
    )
