"""What Cloud Run does with a service spec: validate it, turn a template into a revision
(failing it when a secret is missing or denied), route traffic, and report conditions."""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

import grpc
from google.cloud import run_v2
from google.protobuf import field_mask_pb2
from google.protobuf.descriptor import FieldDescriptor
from google.protobuf.message import Message

from drift.sandbox.names import RpcError, ServiceKey, invalid
from drift.sandbox.pb import (
    ConditionPb,
    ContainerPb,
    EnvVarPb,
    RevisionPb,
    ServicePb,
    TemplatePb,
    TrafficPb,
    TrafficStatusPb,
    copy,
)
from drift.sandbox.state import ProjectRec, ServiceRec, VersionState, World

LATEST = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST
REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
SUCCEEDED = run_v2.Condition.State.CONDITION_SUCCEEDED
FAILED = run_v2.Condition.State.CONDITION_FAILED
ENV_NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.-]*$")
TAG = re.compile(r"^[a-z]([-a-z0-9]{0,45}[a-z0-9])?$")

OUTPUT_ONLY = frozenset(
    {
        "name",
        "uid",
        "generation",
        "create_time",
        "update_time",
        "delete_time",
        "expire_time",
        "creator",
        "last_modifier",
        "observed_generation",
        "terminal_condition",
        "conditions",
        "latest_ready_revision",
        "latest_created_revision",
        "traffic_statuses",
        "uri",
        "urls",
        "satisfies_pzs",
        "threat_detection_enabled",
        "reconciling",
        "etag",
    }
)
MUTABLE = tuple(f.name for f in ServicePb.DESCRIPTOR.fields if f.name not in OUTPUT_ONLY)
REVISION_FROM_TEMPLATE = tuple(
    f.name
    for f in TemplatePb.DESCRIPTOR.fields
    if f.name != "revision" and f.name in RevisionPb.DESCRIPTOR.fields_by_name
)


@dataclass
class Outcome:
    """A service after an update, before it is stored (and before backends get ports)."""

    service: ServicePb
    revisions: dict[str, RevisionPb]
    created: str | None  # the new revision's short name
    error: RpcError | None  # set when the new revision failed: the operation's error


def copy_fields(src: Message, dst: Message, names: Iterable[str]) -> None:
    """Copy same-named fields between two message types (maps, lists, messages, scalars)."""
    for name in names:
        field = src.DESCRIPTOR.fields_by_name[name]
        dst.ClearField(name)
        if field.is_repeated:
            getattr(dst, name).MergeFrom(getattr(src, name))
        elif field.cpp_type == FieldDescriptor.CPPTYPE_MESSAGE:
            if src.HasField(name):
                getattr(dst, name).CopyFrom(getattr(src, name))
        else:
            setattr(dst, name, getattr(src, name))


def is_ready(revision: RevisionPb) -> bool:
    return any(c.type_ == "Ready" and c.state == SUCCEEDED for c in revision.conditions)


def condition(kind: str, problem: str | None, world: World, **reasons: int) -> ConditionPb:
    cond = ConditionPb(
        type_=kind,
        state=FAILED if problem else SUCCEEDED,
        last_transition_time=world.now(),
        severity=run_v2.Condition.Severity.ERROR,
    )
    if problem:
        cond.message = problem
        for field, value in reasons.items():
            setattr(cond, field, value)
    return cond


def template_problem(world: World, project: ProjectRec, template: TemplatePb) -> str | None:
    """Why a revision of this template would not become ready, naming the secret; or None."""
    account = template.service_account or project.default_service_account
    for c_index, container in enumerate(template.containers):
        for e_index, var in enumerate(container.env):
            if not var.HasField("value_source"):
                continue
            ref = var.value_source.secret_key_ref
            where = (
                f"spec.template.spec.containers[{c_index}].env[{e_index}]"
                ".value_from.secret_key_ref.name"
            )
            problem = _secret_problem(world, project, ref.secret, ref.version or "latest", account)
            if problem:
                return f"{where}: {problem}"
    return None


def _secret_problem(
    world: World, project: ProjectRec, ref: str, version: str, account: str
) -> str | None:
    key = world.secret_ref_key(project, ref)
    owner = world.projects.get(key.project)
    number = owner.number if owner else key.project
    shown = f"projects/{number}/secrets/{key.secret}/versions/{version}"
    rec = world.secrets.get(key)
    if rec is None:
        return f"Secret {shown} was not found"
    if not world.can_access(key, f"serviceAccount:{account}"):
        return (
            f"Permission denied on secret: {shown} for Revision service account {account}. "
            "The service account used must be granted the 'Secret Manager Secret Accessor' "
            "role (roles/secretmanager.secretAccessor) at the secret, project or higher level."
        )
    try:
        found = world.resolve_version(rec, version)
    except RpcError:
        return f"Secret {shown} was not found"
    if found.state != VersionState.ENABLED:
        return f"Secret {shown} is in {VersionState(found.state).name} state"
    return None


def validate_spec(key: ServiceKey, service: ServicePb) -> None:
    """The checks the API makes before accepting a request (INVALID_ARGUMENT)."""
    template = service.template
    if not template.containers:
        raise invalid("spec.template.spec.containers: at least one container is required.")
    for index, container in enumerate(template.containers):
        if not container.image:
            raise invalid(f"spec.template.spec.containers[{index}].image: must be set.")
        seen: set[str] = set()
        for var in container.env:
            if not ENV_NAME.fullmatch(var.name):
                raise invalid(
                    f"spec.template.spec.containers[{index}].env: invalid name '{var.name}'."
                )
            if var.name in seen:
                raise invalid(
                    f"spec.template.spec.containers[{index}].env: duplicate name '{var.name}'."
                )
            seen.add(var.name)
    if template.revision and not template.revision.startswith(f"{key.service}-"):
        raise invalid(
            f"spec.template.revision: '{template.revision}' must be prefixed by the name of "
            f"the enclosing Service: '{key.service}-'."
        )
    scaling = template.scaling
    if scaling.max_instance_count and scaling.min_instance_count > scaling.max_instance_count:
        raise invalid("spec.template.scaling: min_instance_count exceeds max_instance_count.")
    _validate_traffic(service.traffic)


def _validate_traffic(traffic: Iterable[TrafficPb]) -> None:
    total = 0
    tags: set[str] = set()
    for target in traffic:
        if target.type_ == LATEST and target.revision:
            raise invalid("spec.traffic: a LATEST target cannot name a revision.")
        if target.type_ == REVISION and not target.revision:
            raise invalid("spec.traffic: a REVISION target must name a revision.")
        if not 0 <= target.percent <= 100:
            raise invalid(f"spec.traffic: percent {target.percent} is out of range.")
        if target.tag:
            if not TAG.fullmatch(target.tag):
                raise invalid(f"spec.traffic: invalid tag '{target.tag}'.")
            if target.tag in tags:
                raise invalid(f"spec.traffic: tag '{target.tag}' is used more than once.")
            tags.add(target.tag)
        total += target.percent
    if traffic and total != 100:
        raise invalid(f"spec.traffic: percents must add up to 100, not {total}.")


def check_routable(
    traffic: Iterable[TrafficPb], revisions: Mapping[str, RevisionPb], new: str | None
) -> None:
    """Named revisions must exist (or be the one this update creates) and be ready."""
    for target in traffic:
        name = target.revision
        if not name or name == new:
            continue
        if name not in revisions:
            raise invalid(f"spec.traffic: Revision '{name}' does not exist.")
        if not is_ready(revisions[name]):
            raise RpcError(
                grpc.StatusCode.FAILED_PRECONDITION,
                f"Revision '{name}' is not ready and cannot serve traffic.",
            )


def latest_ready(revisions: Mapping[str, RevisionPb]) -> str | None:
    return next((n for n in reversed(list(revisions)) if is_ready(revisions[n])), None)


def route(
    traffic: Iterable[TrafficPb], revisions: Mapping[str, RevisionPb]
) -> list[TrafficStatusPb]:
    """`traffic_statuses` for a traffic spec (LATEST resolved to the latest ready revision)."""
    ready = latest_ready(revisions) or ""
    statuses = []
    for target in traffic:
        kind = target.type_ or (REVISION if target.revision else LATEST)
        name = ready if kind == LATEST else target.revision
        statuses.append(
            TrafficStatusPb(type_=kind, revision=name, percent=target.percent, tag=target.tag)
        )
    return statuses


def weights(statuses: Iterable[TrafficStatusPb]) -> dict[str, int]:
    """Revisions that must run a backend (serving or tagged) -> their share of traffic."""
    out: dict[str, int] = {}
    for status in statuses:
        if status.revision and (status.percent or status.tag):
            out[status.revision] = out.get(status.revision, 0) + status.percent
    return out


def make_revision(
    world: World,
    project: ProjectRec,
    key: ServiceKey,
    template: TemplatePb,
    name: str,
    *,
    problem: str | None = None,
    age_seconds: float = 0.0,
) -> RevisionPb:
    revision = RevisionPb(
        name=key.revision(name),
        uid=world.uid(),
        generation=1,
        observed_generation=1,
        create_time=world.now(-age_seconds),
        update_time=world.now(-age_seconds),
        service=key.name,
        log_uri=(
            f"https://console.cloud.google.com/logs/viewer?project={key.project}"
            f"&resource=cloud_run_revision/service_name/{key.service}/revision_name/{name}"
        ),
    )
    copy_fields(template, revision, REVISION_FROM_TEMPLATE)
    if not revision.service_account:
        revision.service_account = project.default_service_account
    revision.conditions.append(
        condition(
            "Ready",
            problem,
            world,
            reason=run_v2.Condition.CommonReason.SECRETS_ACCESS_CHECK_FAILED,
        )
    )
    revision.conditions.append(condition("ContainerHealthy", None, world))
    revision.conditions.append(condition("ResourcesAvailable", None, world))
    revision.etag = world.etag(revision.name)
    return revision


def not_ready_message(name: str, revision: RevisionPb) -> str:
    ready = next((c for c in revision.conditions if c.type_ == "Ready"), None)
    detail = f" {ready.message}" if ready is not None and ready.message else ""
    return f"Revision '{name}' is not ready and cannot serve traffic.{detail}"


def settle(
    world: World, key: ServiceKey, service: ServicePb, revisions: Mapping[str, RevisionPb]
) -> None:
    """Fill the status fields Cloud Run computes after an update; the service is not ready
    while its latest created revision is not."""
    created = list(revisions)[-1] if revisions else None
    ready = latest_ready(revisions)
    failure = None
    if created is not None and created != ready:
        failure = not_ready_message(created, revisions[created])
    service.latest_created_revision = key.revision(created) if created else ""
    service.latest_ready_revision = key.revision(ready) if ready else ""
    del service.traffic_statuses[:]
    service.traffic_statuses.extend(route(service.traffic, revisions))
    reason = run_v2.Condition.CommonReason.REVISION_FAILED
    service.terminal_condition.CopyFrom(condition("Ready", failure, world, reason=reason))
    del service.conditions[:]
    service.conditions.append(condition("ConfigurationsReady", failure, world, reason=reason))
    service.conditions.append(condition("RoutesReady", None, world))


def desired_spec(
    current: ServicePb, request: ServicePb, mask: field_mask_pb2.FieldMask | None
) -> ServicePb:
    """The current service with the request applied: by `update_mask`, or every mutable field."""
    desired = ServicePb()
    desired.CopyFrom(current)
    if mask is not None and mask.paths:
        if not mask.IsValidForDescriptor(ServicePb.DESCRIPTOR):
            raise invalid(f"update_mask: invalid paths {list(mask.paths)}.")
        paths = [p for p in mask.paths if p.split(".", 1)[0] not in OUTPUT_ONLY]
        field_mask_pb2.FieldMask(paths=paths).MergeMessage(
            request, desired, replace_message_field=True, replace_repeated_field=True
        )
    else:
        copy_fields(request, desired, MUTABLE)
    if not desired.traffic:
        desired.traffic.append(TrafficPb(type_=LATEST, percent=100))
    return desired


def plan_update(
    world: World,
    key: ServiceKey,
    current: ServiceRec | None,
    request: ServicePb,
    mask: field_mask_pb2.FieldMask | None = None,
) -> Outcome:
    """Everything an update changes, computed without touching the world."""
    project = world.project(key.project)
    base = ServicePb()
    if current is not None:
        base.CopyFrom(current.pb)
    else:
        base.name, base.uid = key.name, world.uid()
        base.create_time.CopyFrom(world.now())
        base.creator = base.last_modifier = "sandbox@drift.local"
    desired = desired_spec(base, request, mask)
    validate_spec(key, desired)
    revisions = dict(current.revisions) if current else {}
    desired.generation = base.generation + 1
    changed = current is None or desired.template != current.pb.template
    created = None
    problem = None
    if changed:
        created = (
            desired.template.revision or f"{key.service}-{desired.generation:05d}-{world.suffix()}"
        )
        if created in revisions:
            raise RpcError(
                grpc.StatusCode.ALREADY_EXISTS,
                f"Revision named '{created}' with different configuration already exists.",
            )
    check_routable(desired.traffic, revisions, created)
    if created is not None:
        problem = template_problem(world, project, desired.template)
        revisions[created] = make_revision(
            world, project, key, desired.template, created, problem=problem
        )
    error = None
    if created is not None and problem is not None:
        message = not_ready_message(created, revisions[created])
        error = RpcError(grpc.StatusCode.FAILED_PRECONDITION, message)
        del desired.traffic[:]
        desired.traffic.extend(base.traffic)
    else:
        check_routable(desired.traffic, revisions, None)
    desired.update_time.CopyFrom(world.now())
    desired.etag = world.etag(key.name)
    settle(world, key, desired, revisions)
    desired.observed_generation = desired.generation
    return Outcome(desired, revisions, created, error)


def ingress_container(revision: RevisionPb) -> ContainerPb:
    """The container that receives requests: the one with a port, else the first."""
    return next((c for c in revision.containers if c.ports), revision.containers[0])


def revision_env(world: World, project: ProjectRec, revision: RevisionPb) -> dict[str, str]:
    """The environment a revision's instances start with: secrets resolved now; a reference
    that cannot be resolved leaves the variable unset (the instance would not get it)."""
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
            env[var.name] = var.value
    return env


def env_update(
    service: ServicePb, name: str, value: str | None, secret: str | None, version: str
) -> ServicePb:
    """What `gcloud run services update --update-env-vars/--update-secrets/--remove-env-vars`
    sends: one variable changed in place, a generated revision name, 100% to the latest
    revision (tags kept, at 0%)."""
    request = copy(service)
    request.template.revision = ""
    container = next(
        (c for c in request.template.containers if c.ports), request.template.containers[0]
    )
    kept = [var for var in container.env if var.name != name]
    index = next((i for i, var in enumerate(container.env) if var.name == name), len(kept))
    var = EnvVarPb(name=name)
    if secret is not None:
        var.value_source.secret_key_ref.secret = secret
        var.value_source.secret_key_ref.version = version
    elif value is not None:
        var.value = value
    if secret is not None or value is not None:
        kept.insert(index, var)
    del container.env[:]
    container.env.extend(kept)
    tags = [t for t in request.traffic if t.tag]
    del request.traffic[:]
    request.traffic.append(TrafficPb(type_=LATEST, percent=100))
    for target in tags:
        request.traffic.append(
            TrafficPb(type_=target.type_, revision=target.revision, tag=target.tag, percent=0)
        )
    return request
