"""Build the sandbox world a scenario describes: organisations, folders and projects with their
IAM policies, services with their revision history, traffic and deploys in progress, secrets
with versions, lifecycle times and IAM policies."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from google.cloud import run_v2, secretmanager_v1
from google.iam.v1 import policy_pb2
from google.type import expr_pb2

from drift.errors import InputError, Problem
from drift.revision_names import number as revision_number
from drift.sandbox.backend import BackendConfig
from drift.sandbox.clock import duration
from drift.sandbox.deploy import begin, plan_update, serve
from drift.sandbox.kinds import SERVICE, Kind, kind_of
from drift.sandbox.metadata import refuse_seeded
from drift.sandbox.names import JOBS, POOLS, SERVICES, ResourceKey, RpcError, SecretKey
from drift.sandbox.pb import RevisionPb, SecretPb, SecretVersionPb, ServicePb, SplitPb, TrafficPb
from drift.sandbox.retire import forget, keep_deleted, retirement_problem
from drift.sandbox.revisions import (
    CLIENT_NAME,
    CLIENT_VERSION,
    FAILED,
    LATEST,
    REVISION,
    SUCCEEDED,
    condition,
    make_revision,
    ready_condition,
    set_ready,
)
from drift.sandbox.scenario_fields import OlderSpec, SplitSpec, TrafficSpec
from drift.sandbox.scenario_jobs import OwnerSpec, PoolSpec
from drift.sandbox.scenario_models import (
    BackendSpec,
    Iam,
    NodeSpec,
    Scenario,
    SecretSpec,
    ServiceSpec,
)
from drift.sandbox.seed_jobs import build_job
from drift.sandbox.seed_templates import owner_templates, refused
from drift.sandbox.state import (
    NodeRec,
    OwnerRec,
    ProjectRec,
    Rollout,
    SecretRec,
    VersionRec,
    VersionState,
    World,
)
from drift.sandbox.templates import apply_json, merge_template, resolve, template_pb
from drift.sandbox.validate import JOB_ENV
from drift.units import parse_span

HEALTH_CHECK_CONTAINER_ERROR = run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
DAY = 86400.0
_Ingress = run_v2.IngressTraffic
INGRESS = {
    "all": _Ingress.INGRESS_TRAFFIC_ALL,
    "internal": _Ingress.INGRESS_TRAFFIC_INTERNAL_ONLY,
    "internal-and-cloud-load-balancing": _Ingress.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER,
    "none": _Ingress.INGRESS_TRAFFIC_NONE,
}


def policy_of(world: World, spec: Iam) -> policy_pb2.Policy:
    """An IAM policy from `role: [members]` or from bindings with conditions (version 3
    when any binding has a condition: google/iam/v1/policy.proto)."""
    policy = policy_pb2.Policy(version=1)
    if isinstance(spec, dict):
        for role, members in spec.items():
            policy.bindings.append(policy_pb2.Binding(role=role, members=members))
        return policy
    for item in spec:
        binding = policy_pb2.Binding(role=item.role, members=item.members)
        if item.condition is not None:
            cond = item.condition
            binding.condition.CopyFrom(
                expr_pb2.Expr(
                    title=cond.title, description=cond.description, expression=cond.expression
                )
            )
            policy.version = 3
            if cond.holds is not None:
                world.condition_overrides[cond.expression] = cond.holds
        policy.bindings.append(binding)
    return policy


def _node(world: World, name: str, spec: NodeSpec) -> NodeRec:
    policy = policy_of(world, spec.iam)
    policy.etag = world.etag(f"{name}:iam").encode()
    return NodeRec(name, spec.parent, policy, frozenset(spec.deny))


def build_world(scenario: Scenario) -> World:
    world = World(scenario.options.seed, scenario.options)
    for kind, group in (("organizations", scenario.organizations), ("folders", scenario.folders)):
        for number, spec in group.items():
            name = f"{kind}/{number}"
            world.nodes[name] = _node(world, name, spec)
    for pid, spec in scenario.projects.items():
        node = _node(world, f"projects/{spec.number}", spec)
        world.add_project(
            ProjectRec(pid, spec.number, spec.region, node.policy, spec.parent, node.deny)
        )
    for pid, spec in scenario.projects.items():
        for name, secret in spec.secrets.items():
            secret_key = SecretKey(pid, name)
            world.secrets[secret_key] = build_secret(world, secret_key, secret)
            world.watch_secret(secret_key, world.secrets[secret_key])
    # every project's secrets first: a seeded revision or execution using another project's
    # secret is judged by it whatever order the scenario lists the projects in (revjobs67 F4)
    for pid, spec in scenario.projects.items():
        project = world.projects[pid]
        owners: list[tuple[str, str, ServiceSpec | PoolSpec]] = [
            *((SERVICES, name, s) for name, s in spec.services.items()),
            *((POOLS, name, s) for name, s in spec.worker_pools.items()),
        ]
        for collection, name, owner in owners:
            key = ResourceKey(pid, owner.region or project.region, name, collection)
            world.owners(collection)[key] = build_owner(world, project, key, owner)
        for name, job in spec.jobs.items():
            key = ResourceKey(pid, job.region or project.region, name, JOBS)
            world.jobs[key] = build_job(world, project, key, job)
            tasks = world.jobs[key].pb.template.template
            refused(tasks, f"projects.{pid}.jobs.{name}", None, 1, serves=False, reserved=JOB_ENV)
    return world


def _client(spec: OlderSpec | OwnerSpec | None) -> tuple[str, str]:
    if spec is None:
        return ("", "")
    return (spec.client or "", spec.client_version or "")


def build_owner(
    world: World, project: ProjectRec, key: ResourceKey, spec: ServiceSpec | PoolSpec
) -> OwnerRec:
    """A service or a worker pool (`key.collection`) with its revision history."""
    kind = kind_of(key)
    history = owner_templates(
        project,
        key,
        spec,
        filled=world.options.template_defaults == "filled",
        latest=world.options.empty_secret_version == "latest",
    )
    count = len(history)
    deployer = spec.creator or f"deployer@{project.id}.iam.gserviceaccount.com"
    revisions: dict[str, RevisionPb] = {}
    ages: list[float] = []
    generation = 0
    for place, (pb, older) in enumerate(history, 1):
        fixed = older.name if older is not None else pb.revision
        # One generation per revision, and never below the number a name in Cloud Run's own
        # shape carries (`revision_number`): the number Cloud Run gives a revision is the generation
        # that made it (Knative Serving, whose API Cloud Run's v1 serves, names a revision
        # `CONFIGURATION-00001` after it: label serving.knative.dev/configurationGeneration;
        # "The revision suffix is assigned automatically", cloud.google.com/run/docs/managing/
        # revisions), so no two revisions of a service share one, nor does a later deploy's.
        generation = max(generation + 1, revision_number(key.id, fixed) or 0 if fixed else 0)
        name = fixed or f"{key.id}-{generation:05d}-{world.suffix()}"
        age = (count - place) * DAY
        if older is not None and older.created is not None:
            age = parse_span(older.created)
        ages.append(age)
        revision = make_revision(
            world,
            project,
            key,
            pb,
            name,
            creator=(older.creator if older else None) or deployer,
            client=_client(older if older is not None else spec),
            age_seconds=age,
        )
        if older is not None and older.client:
            # what the scenario says the writer was, whatever the option for new writes
            revision.annotations[CLIENT_NAME] = older.client
            if older.client_version:
                revision.annotations[CLIENT_VERSION] = older.client_version
        problem = spec.failed if older is None else None
        if older is not None and not older.ready:
            problem = older.message or "Revision failed to become ready."
        set_ready(world, revision, FAILED if problem else SUCCEEDED, problem or "")
        revisions[name] = revision
    names = list(revisions)
    owner = kind.message(
        name=key.name,
        uid=world.uid(),
        description=spec.description or "",
        generation=generation,
        labels=spec.labels,
        annotations=spec.annotations,
        create_time=world.now(-max(ages) - DAY),
        update_time=world.now(),
        creator=deployer,
        last_modifier=spec.last_modifier or deployer,
        client=spec.client or "",
        client_version=spec.client_version or "",
        template=history[-1][0],  # the current template (a message field copies it)
    )
    split = getattr(spec, kind.split) or [TrafficSpec(latest=True, percent=100)]
    getattr(owner, kind.split).extend(_target(t, names, kind) for t in split)
    if spec.api:
        apply_json(owner, spec.api)
    backend = BackendConfig()
    if isinstance(spec, ServiceSpec):
        owner.ingress = INGRESS[spec.ingress]
        backend = backend_config(spec.backend)
    elif spec.instances is not None:  # the flat key wins over `scaling`
        owner.scaling.manual_instance_count = spec.instances
    owner.etag = world.etag(key.name)
    where = f"projects.{project.id}.{key.collection}.{key.id}"
    refuse_seeded(where, [owner, *revisions.values()], world.options.image_registries)
    serve(world, key, owner, revisions)
    if isinstance(spec, ServiceSpec) and spec.unhealthy is not None:
        unhealthy(world, owner, revisions, spec.unhealthy)
    if spec.failed is not None and world.options.failed_observed_generation == "last_serving":
        # the failed deploy's generation was never observed (Service.reconciling)
        owner.observed_generation = generation - 1
    rec = OwnerRec(key, owner, revisions, backend)
    gone = [(n, o.deleted) for n, (_, o) in zip(names, history, strict=True) if o and o.deleted]
    for name, ago in gone:
        _deleted(world, rec, name, parse_span(ago))
    return rec


def _deleted(world: World, rec: OwnerRec, name: str, ago: float) -> None:
    """A history entry the scenario says was deleted `ago` seconds ago: refused where
    DeleteRevision would refuse it ("Only retired revisions can be deleted",
    DeleteRevisionRequest) or before it was made; else kept as DeleteRevision keeps it."""
    problem = retirement_problem(world, rec, name)
    made = rec.revisions[name].create_time.seconds
    if problem is None and world.now(-ago).seconds < made:
        problem = "it is deleted before it was created"
    if problem:
        at = f"{rec.key.collection}.{rec.key.id}: revision {name} cannot be deleted"
        raise InputError([Problem("<scenario>", 1, f"{at}: {problem}")], kind="scenario")
    keep_deleted(rec, name, rec.revisions.pop(name), world.now(-ago))
    forget(rec)


def start_deploys(
    world: World, scenario: Scenario, started: Callable[[OwnerRec, Rollout], None]
) -> None:
    """The deploys a scenario finds in progress (`deploying:`), begun as UpdateService
    would begin them; `started` schedules each to settle."""
    for pid, project in scenario.projects.items():
        for name, spec in project.services.items():
            deploying = spec.deploying
            if deploying is None:
                continue
            rec = world.find_service(pid, name, spec.region)
            request = ServicePb()
            request.CopyFrom(rec.pb)
            target = merge_template(resolve(spec.template), deploying.template)
            request.template.CopyFrom(template_pb(target, name))
            fixed = deploying.template.name or (deploying.template.api or {}).get("revision")
            request.template.revision = fixed or ""
            request.client = deploying.client or request.client
            request.client_version = deploying.client_version or request.client_version
            if deploying.traffic is not None:
                names = [*rec.revisions, request.template.revision]
                del request.traffic[:]
                request.traffic.extend(_target(t, names) for t in deploying.traffic)
            try:
                plan = plan_update(world, rec.key, rec, request)
            except RpcError as exc:
                at = f"projects.{pid}.services.{name}.deploying"
                raise InputError(
                    [Problem("<scenario>", 1, f"{at}: {exc.message}")], kind="scenario"
                ) from None
            if deploying.creator:
                plan.service.last_modifier = deploying.creator
                if plan.created is not None:
                    plan.revisions[plan.created].creator = deploying.creator
            failed = deploying.outcome == "failed"
            if failed:
                plan.problem = deploying.message or "Revision failed to become ready."
            begin(world, rec, plan)
            due = None
            if deploying.settles_in is not None:
                due = world.clock.now() + parse_span(deploying.settles_in)
            operation = rec.key.operation(world.uid())
            rollout = Rollout(rec.pb.generation, plan.created, plan.problem, due, operation)
            rollout.secrets = not failed
            started(rec, rollout)


def _target(spec: SplitSpec, names: list[str], kind: Kind = SERVICE) -> TrafficPb | SplitPb:
    """A traffic target (or an instance split) naming a revision by name or by number."""
    target = kind.target(type_=LATEST if spec.latest else REVISION, percent=spec.percent)
    if not spec.latest:
        number = spec.revision
        target.revision = names[number - 1] if isinstance(number, int) else str(number)
    if isinstance(spec, TrafficSpec) and spec.tag:
        target.tag = spec.tag
    return target


def backend_config(spec: BackendSpec | None) -> BackendConfig:
    if spec is None:
        return BackendConfig()
    e2e = spec.e2e
    return BackendConfig(
        checks=True,
        path=spec.path,
        require=tuple(spec.require),
        e2e_header=e2e.header if e2e else None,
        e2e_value=e2e.value if e2e else "e2e",
        e2e_require=tuple(e2e.require) if e2e else (),
        e2e_bypass_auth=tuple(e2e.bypass_auth.items()) if e2e else (),
        jwt_secret_env=spec.auth.jwt_secret_env if spec.auth else None,
        selects_subprotocol=spec.selects_subprotocol,
        echo=spec.echo,
        closes_after_answer=spec.closes_after_answer,
    )


def build_secret(world: World, key: SecretKey, spec: SecretSpec) -> SecretRec:
    count = len(spec.versions)
    secret = SecretPb(
        name=world.secret_name(key),
        replication=secretmanager_v1.Replication.pb()(
            automatic=secretmanager_v1.Replication.Automatic.pb()()
        ),
        create_time=world.now(-(count + 1) * DAY),
        labels=spec.labels,
        version_aliases=spec.aliases,
    )
    if spec.expire_in is not None:
        secret.expire_time.CopyFrom(world.now(parse_span(spec.expire_in)))
    if spec.version_destroy_ttl is not None:
        secret.version_destroy_ttl.CopyFrom(duration(parse_span(spec.version_destroy_ttl)))
    secret.etag = world.etag(key.name)
    versions = []
    for number, item in enumerate(spec.versions, 1):
        state = int(VersionState.__members__[item.state])
        age = parse_span(item.created) if item.created is not None else (count - number + 1) * DAY
        version = SecretVersionPb(
            name=f"{secret.name}/versions/{number}", create_time=world.now(-age), state=state
        )
        if state == VersionState.DESTROYED:
            # destroy_time: "The time this SecretVersion was destroyed" (resources.proto):
            # never before its create_time
            version.destroy_time.CopyFrom(world.now(-min(age, (count - number) * DAY)))
        if item.scheduled_destroy_in is not None:
            version.scheduled_destroy_time.CopyFrom(
                world.now(parse_span(item.scheduled_destroy_in))
            )
        version.etag = world.version_etag(version)
        data = b"" if state == VersionState.DESTROYED else (item.value or "").encode()
        versions.append(VersionRec(version, data))
    policy = policy_of(world, spec.iam)
    policy.etag = world.etag(f"{key.name}:iam").encode()
    return SecretRec(secret, versions, policy)


def unhealthy(world: World, service: Any, revisions: dict[str, RevisionPb], message: str) -> None:
    """Scenario key `unhealthy`: the revisions serving traffic stopped being ready after they
    served (RevisionReason HEALTH_CHECK_CONTAINER_ERROR, "There was a health check error",
    condition.proto) and the service's terminal condition ("containing its readiness status,
    and detailed error information", Service.terminal_condition) failed with them; nothing
    else moves (settled, latest created = latest ready)."""
    for status in service.traffic_statuses:
        name = status.revision.rsplit("/", 1)[-1]
        if status.percent and name in revisions:
            ready = ready_condition(revisions[name])
            if ready is not None:
                ready.state = FAILED
                ready.revision_reason = HEALTH_CHECK_CONTAINER_ERROR
                ready.message = message
                ready.last_transition_time.CopyFrom(world.now())
    service.terminal_condition.CopyFrom(condition(world, "Ready", FAILED, message))
    service.terminal_condition.revision_reason = HEALTH_CHECK_CONTAINER_ERROR
