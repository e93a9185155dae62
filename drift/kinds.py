"""The kinds of Cloud Run workload drift checks — services, jobs and worker pools: how profiles
name them, the key that tells a job from a service of the same name, and how a person reads
them."""

from __future__ import annotations

from enum import StrEnum


class Kind(StrEnum):
    SERVICE = "service"
    JOB = "job"
    WORKER_POOL = "worker_pool"

    @property
    def section(self) -> str:
        """The profile's top-level key of this kind (`services`, `jobs`, `worker_pools`)."""
        return f"{self.value}s"

    @property
    def noun(self) -> str:
        """How a person names one (`worker pool`)."""
        return self.value.replace("_", " ")

    @property
    def collection(self) -> str:
        """The collection in the API's resource names (`workerPools`)."""
        return {"service": "services", "job": "jobs", "worker_pool": "workerPools"}[self.value]

    @property
    def reserved_env(self) -> frozenset[str]:
        """The variables Cloud Run sets in this kind's containers: "The environment variables
        defined in the container runtime contract are reserved and cannot be set. In
        particular, the PORT environment variable is injected inside your container by Cloud
        Run" (cloud.google.com/run/docs/configuring/services/overview-environment-variables and
        …/jobs/environment-variables, "Reserved names"). The contract
        (cloud.google.com/run/docs/container-contract#env-vars) lists PORT (the ingress
        container's only), K_SERVICE, K_REVISION, K_CONFIGURATION for services and
        CLOUD_RUN_JOB, CLOUD_RUN_EXECUTION, CLOUD_RUN_TASK_INDEX, CLOUD_RUN_TASK_ATTEMPT,
        CLOUD_RUN_TASK_COUNT for jobs. Worker pools': not verified, so none."""
        return _RESERVED_ENV[self.value]

    def sets_env(self, *, ingress: bool) -> frozenset[str]:
        """The variables Cloud Run sets in one container of this kind, which no template may
        hold: `reserved_env`, PORT only in the ingress container. "For Cloud Run services,
        Cloud Run injects the PORT environment variable into the container. If you deploy
        multiple containers to a service, this is the ingress container"
        (cloud.google.com/run/docs/configuring/containers): a sidecar's PORT is its own."""
        return self.reserved_env if ingress else self.reserved_env - INGRESS_ONLY_ENV


INGRESS_ONLY_ENV = frozenset({"PORT"})
"""The reserved variables Cloud Run sets only in the container requests reach."""
_RESERVED_ENV = {
    "service": frozenset({"PORT", "K_SERVICE", "K_REVISION", "K_CONFIGURATION"}),
    "job": frozenset(
        {
            "CLOUD_RUN_JOB",
            "CLOUD_RUN_EXECUTION",
            "CLOUD_RUN_TASK_INDEX",
            "CLOUD_RUN_TASK_ATTEMPT",
            "CLOUD_RUN_TASK_COUNT",
        }
    ),
    "worker_pool": frozenset[str](),
}


def workload_key(kind: Kind, name: str) -> str:
    """What a workload is known by where services, jobs and pools meet (a profile, a read):
    a service by its name (so everything keyed by service stays as it was), the others as
    `job/NAME` or `worker_pool/NAME` (no Cloud Run name holds a `/`)."""
    return name if kind is Kind.SERVICE else f"{kind.value}/{name}"


def split_key(key: str) -> tuple[Kind, str]:
    """(kind, name) of a key. A key with a `/` whose prefix is no kind (gcloud's `jobs/NAME`,
    `worker-pool/NAME`) is bad input: no Cloud Run name holds a `/` (Service.name's last
    segment "must be a valid DNS label", google/cloud/run/v2/service.proto) — never a
    service read as that name (revwild F2)."""
    kind, slash, name = key.partition("/")
    if not slash:
        return Kind.SERVICE, key
    if kind in {k.value for k in Kind}:
        return Kind(kind), name
    from drift.errors import UsageError

    guess = kind.lower().replace("-", "_").rstrip("s")
    meant = next((k for k in Kind if k is not Kind.SERVICE and k.value == guess), None)
    spellings = "a service is named alone, a job `job/NAME`, a worker pool `worker_pool/NAME`"
    if meant is not None:
        raise UsageError(
            f"{key!r} names no workload: did you mean `{meant.value}/{name}`? ({spellings})"
        )
    raise UsageError(f"{key!r} names no workload: {spellings}")


def label(kind: Kind, name: str) -> str:
    """A workload as headings and messages name it: `api`, `job migrate-db`, `worker pool
    queue-consumer` (a service by its name alone, as it always was)."""
    return name if kind is Kind.SERVICE else f"{kind.noun} {name}"


def key_label(key: str) -> str:
    return label(*split_key(key))


def key_name(key: str) -> str:
    """The workload's name alone, as a profile's `same_as` writes it."""
    return split_key(key)[1]


def misplaced(kind: Kind, name: str, other: Kind) -> str:
    """Where a workload profiled under the wrong kind belongs: `migrate is a job in this
    region: list it under jobs: in the profile, not under services:`."""
    article = "an" if other.noun[0] in "aeiou" else "a"
    return (
        f"{name} is {article} {other.noun} in this region: list it under `{other.section}:` "
        f"in the profile, not under `{kind.section}:`"
    )
