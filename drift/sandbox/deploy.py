"""What Cloud Run does with an UpdateService or an UpdateWorkerPool: the desired spec, the
revision it creates (or refuses to), the deploy that reconciles, and how it settles — ready,
or failed with the requested spec kept while traffic (instances) stay where they were."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass

import grpc
from google.cloud import run_v2
from google.protobuf import field_mask_pb2

from drift.sandbox.deploy_checks import refuse_binauthz
from drift.sandbox.kinds import SERVICE, Kind, implied_mask, kind_of
from drift.sandbox.metadata import validate_metadata
from drift.sandbox.names import ResourceKey, RpcError, invalid
from drift.sandbox.pb import PoolPb, RevisionPb, ServicePb, TemplatePb, copy, generations
from drift.sandbox.registry import owner_problem, refuse_connector
from drift.sandbox.retire import retire
from drift.sandbox.revisions import (
    CLIENT_NAME,
    CLIENT_VERSION,
    FAILED,
    LATEST,
    RECONCILING,
    SUCCEEDED,
    condition,
    copy_fields,
    is_ready,
    latest_ready,
    make_revision,
    next_number,
    not_ready_message,
    route,
    set_ready,
)
from drift.sandbox.scenario_options import Options
from drift.sandbox.server_defaults import fill_secret_versions, fill_template
from drift.sandbox.startup import startup_problem
from drift.sandbox.state import OwnerRec, World
from drift.sandbox.validate import (
    check_routable,
    missing_message,
    template_problem,
    validate_update,
)

REVISION_FAILED = run_v2.Condition.CommonReason.REVISION_FAILED
Owner = ServicePb | PoolPb


@dataclass
class Plan:
    """An update, checked and computed, before it is stored: the desired service (status
    fields still those of the current one), its revisions with the new one, the new
    revision's name, and why it will fail its deploy checks (None: it will become ready)."""

    service: Owner
    revisions: dict[str, RevisionPb]
    created: str | None
    problem: str | None


def desired_spec(
    current: Owner,
    request: Owner,
    mask: field_mask_pb2.FieldMask | None,
    options: Options,
    kind: Kind = SERVICE,
) -> Owner:
    """The current resource with the request applied: by `update_mask` (none: option
    `omitted_mask`, every mutable field — `kind`: a service's or a worker pool's — or
    `implied_mask`). A path to a message replaces it, or is merged into it (option
    `mask_message`); a path to a list or a map replaces it either way."""
    implied, merged = options.omitted_mask, options.mask_message == "merged"
    desired = copy(current)
    if implied == "populated" and not (mask and mask.paths):
        mask = implied_mask(request, kind)
    if mask is not None and mask.paths:
        if not mask.IsValidForDescriptor(kind.message.DESCRIPTOR):
            raise invalid(f"update_mask: invalid paths {list(mask.paths)}.")
        paths = [p for p in mask.paths if p.split(".", 1)[0] not in kind.output_only]
        field_mask_pb2.FieldMask(paths=paths).MergeMessage(
            request, desired, replace_message_field=not merged, replace_repeated_field=True
        )
    else:
        copy_fields(request, desired, kind.mutable)
        if not request.client and options.client_when_omitted == "kept":
            # whether a full replace without `client` clears it is not documented
            desired.client, desired.client_version = current.client, current.client_version
    split = getattr(desired, kind.split)
    if not split:
        # "If traffic is empty or not provided, defaults to 100% traffic to the latest
        # `Ready` Revision." (Service.traffic; WorkerPool.instance_splits says the same)
        split.append(kind.target(type_=LATEST, percent=100))
    return desired


def configuration(message: RevisionPb | TemplatePb, default_account: str, kind: Kind) -> RevisionPb:
    """What makes two revisions the same: a revision's template fields, less server annotations."""
    out = RevisionPb()
    copy_fields(message, out, kind.revision_fields)
    out.service_account = out.service_account or default_account
    for key in (CLIENT_NAME, CLIENT_VERSION):
        out.annotations.pop(key, None)
    return out


def _retries(world: World, current: OwnerRec) -> bool:
    """Whether an unchanged template resent over a latest created revision that failed makes
    a new one (option `failed_resend`): Google does not document whether a revision that failed
    its deploy checks is tried again. A template naming its revision names the failed one: its
    name is taken, nothing is made."""
    if world.options.failed_resend != "new_revision" or current.rollout is not None:
        return False
    if current.pb.template.revision:
        return False
    latest = current.revisions.get(current.pb.latest_created_revision.rsplit("/", 1)[-1])
    return latest is not None and not is_ready(latest)


def _new_revision(
    world: World, key: ResourceKey, current: OwnerRec | None, desired: Owner, force: bool
) -> str | None:
    """The name of the revision this update creates; None when it creates none (the
    template did not change — unless `force`: UpdateWorkerPoolRequest.force_new_revision —
    or it names an existing revision of the very same configuration and
    `same_name_same_config: reuse`), unless `failed_resend: new_revision` and the latest
    created revision failed."""
    if current is not None and desired.template == current.pb.template and not force:
        if not _retries(world, current):
            return None
    name = str(desired.template.revision)
    if not name:
        # SERVICE-NNNNN-xxx (run/docs/managing/revisions: "The revision suffix is assigned
        # automatically"); no page says what NNNNN counts (option `revision_numbers`;
        # drift.diff.since reads a gap as deleted or skipped)
        return f"{key.id}-{next_number(world, current, desired.generation):05d}-{world.suffix()}"
    # services and worker pools share the namespace
    for key_, rec in [*world.services.items(), *world.pools.items()]:
        same_place = (key_.project, key_.region) == (key.project, key.region)
        if key_ != key and same_place and name in rec.revisions:
            # "Revision names must be unique within the namespace" (a project and region):
            # hashicorp/terraform-provider-google#14477
            raise RpcError(
                grpc.StatusCode.ALREADY_EXISTS,
                f"Found a conflicting revision name {name}. Revision names must be unique "
                "within the namespace.",
            )
    existing = current.revisions.get(name) if current is not None else None
    if existing is None:
        return name
    account = world.project(key.project).default_service_account
    kind = kind_of(key)
    same = configuration(existing, account, kind) == configuration(desired.template, account, kind)
    if same and world.options.same_name_same_config == "reuse":
        return None  # Knative reuses it (CheckNameAvailability): see plan_update
    # RevisionTemplate.revision must be unique; see googleapis/google-cloud-python#11870,
    # #14259 and hashicorp/terraform-provider-google#9438 for the 409 clients meet.
    raise RpcError(
        grpc.StatusCode.ALREADY_EXISTS,
        f"Revision named '{name}' with different configuration already exists."
        if not same
        else f"Revision named '{name}' already exists.",
    )


def plan_update(
    world: World,
    key: ResourceKey,
    current: OwnerRec | None,
    request: Owner,
    mask: field_mask_pb2.FieldMask | None = None,
    *,
    force: bool = False,
) -> Plan:
    """Everything an update changes, computed without touching the world."""
    project = world.project(key.project)
    caller = world.caller
    kind = kind_of(key)
    base = world.starting_point(key, current.pb if current is not None else None, kind.message)
    desired = desired_spec(base, request, mask, world.options, kind)
    _inherit_manual_count(base, desired)
    validate_update(key, desired, base, world.options)
    if world.options.template_defaults == "filled":
        fill_template(kind, desired.template)
    if world.options.empty_secret_version == "latest":
        fill_secret_versions(desired.template)
    written = list(mask.paths) if mask is not None and mask.paths else None
    validate_metadata(world, desired, current.pb if current is not None else None, written)
    was = current.pb if current is not None else None
    desired.generation = base.generation + generations(world.options, was, desired)
    revisions = dict(current.revisions) if current is not None else {}
    created = _new_revision(world, key, current, desired, force)
    reused = desired.template.revision
    if created is None and current is not None and desired.template != current.pb.template:
        # the named revision, of this very configuration, becomes the latest created (and,
        # being ready, the latest ready) one, as Knative sorts a named revision first
        revisions[reused] = revisions.pop(reused)
    split = list(getattr(desired, kind.split))
    if world.options.not_ready_traffic == "operation":
        # a target that exists but is not ready fails the operation instead (`settle`)
        split = [t for t in split if t.revision not in revisions or is_ready(revisions[t.revision])]
    if world.options.missing_traffic == "operation":  # likewise one that does not exist
        split = [t for t in split if not t.revision or t.revision in revisions]
    check_routable(split, revisions, created, kind.split)
    problem = None
    if created is not None:
        refuse_connector(world, project, key.region, desired.template)
        refuse_binauthz(world, desired, desired.template)
        problem = template_problem(world, project, desired.template, key.region)
        problem = problem or owner_problem(world, desired, desired.template)
        problem = problem or startup_problem(world, kind, desired.template)
        revisions[created] = make_revision(
            world,
            project,
            key,
            desired.template,
            created,
            creator=caller,
            client=(desired.client, desired.client_version),
        )
    desired.update_time.CopyFrom(world.now())
    desired.last_modifier = caller
    desired.etag = world.etag(key.name)
    return Plan(desired, revisions, created, problem)


def _inherit_manual_count(base: Owner, desired: Owner) -> None:
    """A service switched from manual to automatic scaling with neither service-level bound:
    "If you specify neither of these in the command that switches modes, service-level
    minimum and maximum instances inherit the manual instance count" (manual-scaling page,
    https://cloud.google.com/run/docs/configuring/services/manual-scaling, "Switching between
    automatic and manual scaling"): min = max = the count it ran at (revown46 R3)."""
    if "scaling" not in desired.DESCRIPTOR.fields_by_name:
        return
    was, now = base.scaling, desired.scaling
    fields = now.DESCRIPTOR.fields_by_name
    if not all(f in fields for f in ("scaling_mode", "min_instance_count", "max_instance_count")):
        return  # a worker pool's scaling: no service-level bounds
    modes = fields["scaling_mode"].enum_type.values_by_name
    if (was.scaling_mode, now.scaling_mode) != (modes["MANUAL"].number, modes["AUTOMATIC"].number):
        return
    if now.min_instance_count or now.max_instance_count:
        return
    now.min_instance_count = now.max_instance_count = was.manual_instance_count


def begin(world: World, rec: OwnerRec, plan: Plan) -> None:
    """Store the update as a deploy in progress: the spec as requested, `reconciling`, and
    the transient status the `reconciling` comment describes (Service.reconciling,
    WorkerPool.reconciling: while it runs, `observed_generation`, `latest_ready_revision`
    and the split's statuses keep the values that serve now)."""
    service = plan.service
    service.reconciling = True
    if plan.created is not None and world.options.created_while_reconciling == "new":
        service.latest_created_revision = rec.key.revision(plan.created)
    _conditions(world, service, kind_of(rec.key), RECONCILING, RECONCILING)
    rec.pb, rec.revisions = service, plan.revisions


def _conditions(
    world: World, owner: Owner, kind: Kind, state: int, routes: int, message: str = ""
) -> None:
    """`terminal_condition` Ready and the conditions under it: ConfigurationsReady (the
    revisions) and, for services, RoutesReady (the traffic)."""
    reason = REVISION_FAILED if state == FAILED else 0
    owner.terminal_condition.CopyFrom(condition(world, "Ready", state, message, reason))
    del owner.conditions[:]
    owner.conditions.append(condition(world, kind.conditions[0], state, message, reason))
    for name in kind.conditions[1:]:
        owner.conditions.append(condition(world, name, routes))


def serve(
    world: World, key: ResourceKey, service: Owner, revisions: Mapping[str, RevisionPb]
) -> None:
    """The status of a service (or worker pool) whose deploy succeeded: traffic (instances)
    as the spec says (LATEST resolved), `observed_generation` caught up; still not ready
    while its latest created revision is not (ConfigurationsReady)."""
    kind = kind_of(key)
    created = list(revisions)[-1] if revisions else None
    ready = latest_ready(revisions)
    failure = ""
    if created is not None and created != ready:
        failure = not_ready_message(created, revisions[created])
    service.latest_created_revision = key.revision(created) if created else ""
    service.latest_ready_revision = key.revision(ready) if ready else ""
    statuses = getattr(service, kind.statuses)
    del statuses[:]
    statuses.extend(route(getattr(service, kind.split), revisions, kind))
    if world.options.latest_ready == "serving":  # its field comment's reading
        shares = {s.revision.rsplit("/", 1)[-1] for s in statuses if s.percent}
        serving = [n for n in revisions if n in shares and is_ready(revisions[n])]
        service.latest_ready_revision = key.revision(serving[-1]) if serving else ""
    service.observed_generation = service.generation
    service.reconciling = False
    if kind.serves:  # its routes reconciled: this ingress is observed
        world.observed_ingress[service.name] = service.ingress
    _conditions(world, service, kind, FAILED if failure else SUCCEEDED, SUCCEEDED, failure)
    retire(world, key, service, revisions)


def fail(world: World, key: ResourceKey, service: Owner, message: str) -> None:
    """A failed deploy: "If reconciliation failed, `traffic_statuses`, `observed_generation`,
    and `latest_ready_revision` will have the state of the last serving revision"
    (Service.reconciling; WorkerPool.reconciling says the same of `instance_split_statuses`);
    the spec keeps what was requested, the failure is in `terminal_condition` and
    `conditions`."""
    service.reconciling = False
    if world.options.failed_observed_generation == "generation":
        service.observed_generation = service.generation  # the Knative/v1 habit
    _conditions(world, service, kind_of(key), FAILED, SUCCEEDED, message)


def settle(world: World, rec: OwnerRec) -> RpcError | None:
    """End the deploy in progress: ready (traffic moves) or failed (the operation's error)."""
    rollout = rec.rollout
    if rollout is None:
        return None
    rec.rollout = None
    # etag: "A system-generated fingerprint for this version of the resource" (run v2
    # service.proto), silent on whether status is part of that version: options.etag_on_status
    if world.options.etag_on_status == "changes":
        rec.pb.etag = world.etag(rec.key.name)
    if rollout.created is not None and rollout.created in rec.revisions:
        rec.pb.latest_created_revision = rec.key.revision(rollout.created)  # if not yet
        revision = rec.revisions[rollout.created]
        state = FAILED if rollout.problem else SUCCEEDED
        set_ready(world, revision, state, rollout.problem or "", secrets=rollout.secrets)
        if rollout.problem:
            message = not_ready_message(rollout.created, revision)
            fail(world, rec.key, rec.pb, message)
            return RpcError(_failed_code(world), message)
    elif rollout.problem:
        fail(world, rec.key, rec.pb, rollout.problem)
        return RpcError(_failed_code(world), rollout.problem)
    unroutable = _unroutable(world, rec, rollout.created)
    if unroutable:
        fail(world, rec.key, rec.pb, unroutable)
        return RpcError(_failed_code(world), unroutable)
    serve(world, rec.key, rec.pb, rec.revisions)
    return None


def _failed_code(world: World) -> grpc.StatusCode:
    """The operation's error code of a deploy that failed (option `failed_operation_code`):
    the protos document none; FAILED_PRECONDITION (the state refuses it), or INTERNAL, code 13,
    which users of v2 have been answered ("Error code 13, message: Revision '…' is not ready
    and cannot serve traffic", sourcegraph/sourcegraph-public-snapshot#59045;
    terraform-google-modules/terraform-docs-samples#269)."""
    return getattr(grpc.StatusCode, world.options.failed_operation_code)


def _unroutable(world: World, rec: OwnerRec, created: str | None) -> str | None:
    """Why the spec's traffic (instance split) cannot move (None: it can): option
    `not_ready_traffic` `operation`, a target that is not ready when the operation ends (or,
    `missing_traffic` `operation`, does not exist); option `traffic_while_failed` `refuses`,
    an update that made no revision (`created`) while the latest created one is failed."""
    latest = list(rec.revisions)[-1] if rec.revisions else None
    if world.options.traffic_while_failed == "refuses" and created is None and latest:
        if not is_ready(rec.revisions[latest]):
            return not_ready_message(latest, rec.revisions[latest])
    for target in getattr(rec.pb, kind_of(rec.key).split):
        revision = rec.revisions.get(target.revision)
        if revision is None and target.revision and world.options.missing_traffic == "operation":
            return missing_message(target.revision)
        if world.options.not_ready_traffic != "operation":
            continue
        if revision is not None and not is_ready(revision):
            return not_ready_message(target.revision, revision)
    return None


def view(world: World, service: Owner, kind: Kind = SERVICE) -> Owner:
    """The service (or worker pool) as the API answers it. Whether a LATEST traffic status
    names the revision it resolved to is not documented (TrafficTargetStatus.revision,
    InstanceSplitStatus.revision): option `latest_status_names_revision`."""
    out = copy(service)
    if not world.options.latest_status_names_revision:
        for status in getattr(out, kind.statuses):
            if status.type_ == LATEST:
                status.revision = ""
    # Service.ingress: "On output, returns the currently observed ingress settings, or
    # INGRESS_TRAFFIC_UNSPECIFIED if no revision is active" (service.proto): with no ready
    # revision nothing is observed, whatever was written; a service written without one is
    # open to all (what `publish` serves it as): observed, that is ALL
    observed = world.observed_ingress.get(out.name)
    if kind.serves and world.options.ingress_read == "observed" and observed is not None:
        out.ingress = observed  # a write's ingress not observed before its deploy serves
    if kind.serves and not out.latest_ready_revision:
        out.ingress = 0  # INGRESS_TRAFFIC_UNSPECIFIED
    elif kind.serves and out.ingress == 0:
        out.ingress = 1  # INGRESS_TRAFFIC_ALL
    return out
