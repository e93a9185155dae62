"""Revisions as Cloud Run makes them from a template: conditions, readiness, the secrets they
use (env and volumes, every container), routing traffic to them, and the environment their
instances start with."""

from __future__ import annotations

import functools
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass

from google.cloud import run_v2
from google.protobuf.descriptor import Descriptor, FieldDescriptor
from google.protobuf.message import Message

from drift.protofield import is_repeated
from drift.revision_names import number
from drift.sandbox.kinds import SERVICE, Kind, kind_of
from drift.sandbox.names import ResourceKey
from drift.sandbox.pb import (
    ConditionPb,
    ContainerPb,
    PoolTemplatePb,
    RevisionPb,
    SplitPb,
    SplitStatusPb,
    TemplatePb,
    TrafficPb,
    TrafficStatusPb,
)
from drift.sandbox.registry import reason_of
from drift.sandbox.state import OwnerRec, ProjectRec, World

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
State = run_v2.Condition.State
SUCCEEDED = State.CONDITION_SUCCEEDED
FAILED = State.CONDITION_FAILED
RECONCILING = State.CONDITION_RECONCILING
RETIRED = run_v2.Condition.RevisionReason.RETIRED
RESERVE = run_v2.Condition.RevisionReason.RESERVE
RETIRING = run_v2.Condition.RevisionReason.RETIRING
MIN_INSTANCES = run_v2.Condition.RevisionReason.MIN_INSTANCES_NOT_PROVISIONED
UNSERVED = frozenset({RETIRED, RESERVE, RETIRING, MIN_INSTANCES})
"""RevisionReasons of a revision that stopped serving but can be routed to again
(condition.proto: "Revision is Retired", "Revision is in Reserve state", "Revision is being
retired", and MIN_INSTANCES_NOT_PROVISIONED: "A revision with min_instance_count > 0 was
created and is reserved, but it was not configured to serve traffic, so it's not live").
Cloud Run's docs: "Non-serving revisions do not consume any resources and are not
billed", and traffic can be sent back to a previous revision (a rollback) -- so none of them is
a failure (https://cloud.google.com/run/docs/managing/revisions,
https://cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration)."""
CLIENT_NAME = "run.googleapis.com/client-name"
CLIENT_VERSION = "run.googleapis.com/client-version"


_REPEATED, _MESSAGE, _PRESENCE, _SCALAR = range(4)


@functools.lru_cache(maxsize=256)
def _copy_plan(descriptor: Descriptor, names: tuple[str, ...]) -> tuple[tuple[str, int], ...]:
    """How `copy_fields` copies each field of a message type (its descriptor): worked out once
    per type and field list, as a message type's fields never change."""
    plan = []
    for name in names:
        field = descriptor.fields_by_name[name]
        if is_repeated(field):
            how = _REPEATED
        elif field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
            how = _MESSAGE
        elif field.has_presence:
            how = _PRESENCE
        else:
            how = _SCALAR
        plan.append((name, how))
    return tuple(plan)


def copy_fields(src: Message, dst: Message, names: Iterable[str]) -> None:
    """Copy same-named fields between two message types (maps, lists, messages, scalars)."""
    for name, how in _copy_plan(src.DESCRIPTOR, tuple(names)):
        dst.ClearField(name)
        if how == _REPEATED:
            getattr(dst, name).MergeFrom(getattr(src, name))
        elif how == _MESSAGE:
            if src.HasField(name):
                getattr(dst, name).CopyFrom(getattr(src, name))
        elif how == _SCALAR or src.HasField(name):
            # a scalar with presence (a oneof member: `Job.run_execution_token` "is a member
            # of oneof create_execution", job.proto; `TaskTemplate.max_retries` of `retries`)
            # is set only when the request sets it: copying its default would set the oneof
            setattr(dst, name, getattr(src, name))


def condition(
    world: World, kind: str, state: int, message: str = "", reason: int = 0
) -> ConditionPb:
    cond = ConditionPb(
        type_=kind,
        state=state,
        last_transition_time=world.now(),
        severity=run_v2.Condition.Severity.ERROR,
        message=message,
    )
    if reason:
        cond.reason = reason
    return cond


def ready_condition(revision: RevisionPb) -> ConditionPb | None:
    return next((c for c in revision.conditions if c.type_ == "Ready"), None)


def is_ready(revision: RevisionPb) -> bool:
    """Ready, or retired (in reserve) after it was (`drift.sandbox.retire.retire`): such a
    revision can be routed to again, whatever the Ready state option `retired_ready` gives
    it."""
    ready = ready_condition(revision)
    if ready is None:
        return False
    return bool(ready.state == SUCCEEDED or ready.revision_reason in UNSERVED)


def latest_ready(revisions: Mapping[str, RevisionPb]) -> str | None:
    return next((n for n in reversed(list(revisions)) if is_ready(revisions[n])), None)


def set_ready(
    world: World, revision: RevisionPb, state: int, problem: str = "", *, secrets: bool = True
) -> None:
    """A revision's readiness: reconciling while its deploy runs, then ready or failed: a
    failed secret check is SECRETS_ACCESS_CHECK_FAILED (Condition.CommonReason), any other
    failure a container that did not start (RevisionReason.HEALTH_CHECK_CONTAINER_ERROR)."""
    del revision.conditions[:]
    ready = condition(world, "Ready", state, problem)
    if problem and secrets and reason_of(problem):
        # a deploy check's reason: the secret check's, an image missing (registry.Problem);
        # none: a container that did not start (a failed startup probe, `sandbox.startup`)
        ready.reason = reason_of(problem)
    elif problem:
        ready.revision_reason = run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
    revision.conditions.append(ready)
    # a revision that failed its deploy checks never started: its other conditions wait
    healthy = State.CONDITION_PENDING if state == FAILED else state
    revision.conditions.append(condition(world, "ContainerHealthy", healthy))
    revision.conditions.append(condition(world, "ResourcesAvailable", healthy))
    revision.reconciling = state == RECONCILING


def make_revision(
    world: World,
    project: ProjectRec,
    key: ResourceKey,
    template: TemplatePb | PoolTemplatePb,
    name: str,
    *,
    creator: str,
    client: tuple[str, str] = ("", ""),
    age_seconds: float = 0.0,
) -> RevisionPb:
    """A new revision of `template` (a service's or a worker pool's), reconciling;
    `set_ready` settles it."""
    kind = kind_of(key)
    resource = "cloud_run_revision/service_name" if kind.serves else "cloud_run_worker_pool"
    revision = RevisionPb(
        name=key.revision(name),
        uid=world.uid(),
        generation=1,
        observed_generation=1,
        create_time=world.now(-age_seconds),
        update_time=world.now(-age_seconds),
        creator=creator,
        log_uri=(
            f"https://console.cloud.google.com/logs/viewer?project={key.project}"
            f"&resource={resource}/{key.id}/revision_name/{name}"
        ),
    )
    if kind.serves or world.options.pool_revision_service == "pool":
        # Revision.service: "The name of the parent service"; what a worker pool's revision
        # says there is not documented (option `pool_revision_service`)
        revision.service = key.name
    copy_fields(template, revision, kind.revision_fields)
    if not revision.service_account:
        # "If not provided, the revision will use the project's default service account"
        # (RevisionTemplate.service_account): the Compute Engine default service account.
        revision.service_account = project.default_service_account
    name_, version = client
    if name_ and world.options.revision_client_annotations:
        # the writer's client, as gcloud records it on the revisions it creates
        revision.annotations[CLIENT_NAME] = name_
        if version:
            revision.annotations[CLIENT_VERSION] = version
    set_ready(world, revision, RECONCILING)
    revision.etag = world.etag(revision.name)
    return revision


def not_ready_message(name: str, revision: RevisionPb) -> str:
    ready = ready_condition(revision)
    detail = f" {ready.message}" if ready is not None and ready.message else ""
    return f"Revision '{name}' is not ready and cannot serve traffic.{detail}"


def route(
    split: Iterable[TrafficPb | SplitPb], revisions: Mapping[str, RevisionPb], kind: Kind = SERVICE
) -> list[TrafficStatusPb | SplitStatusPb]:
    """The statuses of a split — `traffic_statuses` of a service's traffic, or
    `instance_split_statuses` of a worker pool's `instance_splits` — with LATEST resolved to
    the latest ready revision (TrafficTargetAllocationType / InstanceSplitAllocationType
    LATEST; both enums number LATEST 1 and REVISION 2)."""
    ready = latest_ready(revisions) or ""
    statuses = []
    for target in split:
        type_ = target.type_ or (REVISION if target.revision else LATEST)
        status = kind.status(
            type_=type_,
            revision=ready if type_ == LATEST else target.revision,
            percent=target.percent,
        )
        if kind.serves:
            status.tag = target.tag
        statuses.append(status)
    return statuses


def weights(statuses: Iterable[TrafficStatusPb]) -> dict[str, int]:
    """Revisions that must run a backend (serving or tagged) -> their share of traffic."""
    out: dict[str, int] = {}
    for status in statuses:
        if status.revision and (status.percent or status.tag):
            out[status.revision] = out.get(status.revision, 0) + status.percent
    return out


def ingress_container(revision: RevisionPb | TemplatePb) -> ContainerPb:
    """The container that receives requests: the one with a port, else the first."""
    return next((c for c in revision.containers if c.ports), revision.containers[0])


@dataclass(frozen=True)
class SecretUse:
    """One place a revision reads a secret: `where` in the v1 field path Cloud Run's
    messages use, the secret (`NAME` or `projects/P/secrets/NAME`) and the version."""

    where: str
    secret: str
    version: str
    mounted: bool = False
    """A secret volume's (read when the file is read), not an env variable's (read when an
    instance starts)."""


def secret_uses(template: RevisionPb | TemplatePb) -> Iterator[SecretUse]:
    """Every secret a revision uses: each container's env and each secret volume item; a
    secret volume without items mounts the secret's `latest` version
    (SecretVolumeSource.items, k8s_min.proto)."""
    for c_index, container in enumerate(template.containers):
        for e_index, var in enumerate(container.env):
            if var.HasField("value_source") and var.value_source.HasField("secret_key_ref"):
                ref = var.value_source.secret_key_ref
                where = (
                    f"spec.template.spec.containers[{c_index}].env[{e_index}]"
                    ".value_from.secret_key_ref.name"
                )
                yield SecretUse(where, ref.secret, ref.version or "latest")
    for v_index, volume in enumerate(template.volumes):
        if not volume.HasField("secret"):
            continue
        source = volume.secret
        where = f"spec.template.spec.volumes[{v_index}].secret.secret_name"
        if not source.items:
            yield SecretUse(where, source.secret, "latest", mounted=True)
        for item in source.items:
            yield SecretUse(where, source.secret, item.version or "latest", mounted=True)


def revision_env(world: World, project: ProjectRec, revision: RevisionPb) -> dict[str, str]:
    """The environment the ingress container's instances start with: secrets resolved now
    (env secrets are resolved when an instance starts: `validate.instance_env` first makes
    sure each can be, else no instance starts), plain values as written."""
    env: dict[str, str] = {}
    if not revision.containers:
        return env
    for var in ingress_container(revision).env:
        if var.HasField("value_source"):
            ref = var.value_source.secret_key_ref
            value = world.secret_text(project, ref.secret, ref.version or "latest")
            if value is not None:
                env[var.name] = value
        else:
            # EnvVar.value (run v2 k8s.min.proto since googleapis b478ea33bf, 2024-11-01, and
            # google-cloud-run 0.16's docstring): "Literal value of the environment variable.
            # ... Variable references are not supported in Cloud Run." (the older text that
            # said `$(VAR_NAME)` expands was corrected "to reflect Cloud Run product
            # capabilities"; GoogleCloudPlatform/magic-modules#11398: "Cloud Run doesn't
            # support variable substitution for environment variables"). `$(X)` stays text.
            env[var.name] = var.value
    return env


def next_number(world: World, current: OwnerRec | None, generation: int) -> int:
    """The number in the name of the revision an update makes (option `revision_numbers`):
    the owner's new `generation`, or one more than the revisions it made before (the highest
    number among them, or their count), as Knative counts its Configuration's generation."""
    if world.options.revision_numbers == "service_generation" or current is None:
        return generation
    names = [*current.revisions, *current.deleted]
    return max([len(names), *(number(current.key.id, n) or 0 for n in names)]) + 1
