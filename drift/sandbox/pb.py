"""The raw protobuf classes behind the proto-plus types: the sandbox stores and serves these
(faster, and what goes on the wire). Typed as Any: protobuf classes carry no static types."""

from __future__ import annotations

from collections.abc import Iterable
from typing import TYPE_CHECKING, Any, TypeAlias

if TYPE_CHECKING:
    ServicePb: TypeAlias = Any
    RevisionPb: TypeAlias = Any
    TemplatePb: TypeAlias = Any
    ContainerPb: TypeAlias = Any
    EnvVarPb: TypeAlias = Any
    TrafficPb: TypeAlias = Any
    TrafficStatusPb: TypeAlias = Any
    ConditionPb: TypeAlias = Any
    SecretPb: TypeAlias = Any
    SecretVersionPb: TypeAlias = Any
    PoolPb: TypeAlias = Any
    PoolTemplatePb: TypeAlias = Any
    SplitPb: TypeAlias = Any
    SplitStatusPb: TypeAlias = Any
    JobPb: TypeAlias = Any
    ExecutionTemplatePb: TypeAlias = Any
    TaskTemplatePb: TypeAlias = Any
    ExecutionPb: TypeAlias = Any
    ExecutionRefPb: TypeAlias = Any
    OverridesPb: TypeAlias = Any
else:
    from google.cloud import run_v2, secretmanager_v1

    ServicePb = run_v2.Service.pb()
    RevisionPb = run_v2.Revision.pb()
    TemplatePb = run_v2.RevisionTemplate.pb()
    ContainerPb = run_v2.Container.pb()
    EnvVarPb = run_v2.EnvVar.pb()
    TrafficPb = run_v2.TrafficTarget.pb()
    TrafficStatusPb = run_v2.TrafficTargetStatus.pb()
    ConditionPb = run_v2.Condition.pb()
    SecretPb = secretmanager_v1.Secret.pb()
    SecretVersionPb = secretmanager_v1.SecretVersion.pb()
    PoolPb = run_v2.WorkerPool.pb()
    PoolTemplatePb = run_v2.WorkerPoolRevisionTemplate.pb()
    SplitPb = run_v2.InstanceSplit.pb()
    SplitStatusPb = run_v2.InstanceSplitStatus.pb()
    JobPb = run_v2.Job.pb()
    ExecutionTemplatePb = run_v2.ExecutionTemplate.pb()
    TaskTemplatePb = run_v2.TaskTemplate.pb()
    ExecutionPb = run_v2.Execution.pb()
    ExecutionRefPb = run_v2.ExecutionReference.pb()
    OverridesPb = run_v2.RunJobRequest.Overrides.pb()


COMMON_OUTPUT_ONLY = frozenset(
    {"name", "uid", "generation", "create_time", "update_time", "delete_time", "expire_time"}
    | {"creator", "last_modifier", "observed_generation", "terminal_condition", "conditions"}
    | {"reconciling", "satisfies_pzs", "etag"}
)
"""The fields of every Cloud Run v2 resource alike (Service, Job, WorkerPool) that an update
does not change: those the `google.cloud.run_v2` docstrings call "Output only.", plus `name`
(the resource's identifier) and `etag` (the server's fingerprint of a version, which a write
sends only as a guard). Each kind adds its own (`drift.sandbox.kinds`, `drift.sandbox.jobs`)."""


def copy(message: Any) -> Any:
    """A deep copy of a protobuf message (the store never hands out its own objects)."""
    out = type(message)()
    out.CopyFrom(message)
    return out


WRITTEN = ("update_time", "etag", "last_modifier")
"""What every write sets itself: who wrote, when, and the fingerprint."""
METADATA = ("labels", "annotations", *WRITTEN)
"""What an update may change without changing the spec (Kubernetes' `metadata`), and what
the server stamps on every write."""


def generations(options: Any, was: Any, desired: Any) -> int:
    """How far an update of `was` (None: a create) into `desired` moves `generation`: 1, or 0
    for one that changes nothing at all under the option `unchanged_write: keeps`, or only the
    resource's own labels or annotations under `labels_bump_generation: false`
    (`drift.sandbox.scenario_writes`)."""
    if was is None:
        return 1
    if options.unchanged_write == "keeps" and _same(was, desired, WRITTEN):
        return 0
    if options.labels_bump_generation:
        return 1
    return 0 if _same(was, desired, METADATA) else 1


def _same(was: Any, desired: Any, without: Iterable[str]) -> bool:
    """Whether `desired` holds what `was` holds, but for the fields `without`."""
    before, after = type(desired)(), type(desired)()
    before.CopyFrom(was)
    after.CopyFrom(desired)
    for message in (before, after):
        for name in without:
            message.ClearField(name)
    return bool(before == after)
