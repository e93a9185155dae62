"""Build the sandbox world a scenario describes: projects, services with their revision
history and traffic, secrets with versions and IAM policies."""

from __future__ import annotations

from typing import Any

from google.cloud import run_v2, secretmanager_v1
from google.iam.v1 import policy_pb2
from google.protobuf import duration_pb2

from drift.sandbox.backend import BackendConfig
from drift.sandbox.deploy import (
    LATEST,
    REVISION,
    make_revision,
    settle,
)
from drift.sandbox.names import SecretKey, ServiceKey
from drift.sandbox.pb import (
    RevisionPb,
    SecretPb,
    SecretVersionPb,
    ServicePb,
    TemplatePb,
    TrafficPb,
)
from drift.sandbox.scenario import (
    BackendSpec,
    ProjectSpec,
    RevisionSpec,
    Scenario,
    SecretSpec,
    ServiceSpec,
    TemplateSpec,
    TrafficSpec,
)
from drift.sandbox.state import (
    ProjectRec,
    SecretRec,
    ServiceRec,
    VersionRec,
    VersionState,
    World,
)
from drift.units import parse_duration

DAY = 86400.0
DEFAULTS = TemplateSpec(
    image="us-docker.pkg.dev/cloudrun/container/hello",
    port=8080,
    cpu="1",
    memory="512Mi",
    cpu_throttling=True,
    startup_cpu_boost=False,
    min_instances=0,
    max_instances=100,
    concurrency=80,
    timeout="300s",
)
_Ingress = run_v2.IngressTraffic
INGRESS = {
    "all": _Ingress.INGRESS_TRAFFIC_ALL,
    "internal": _Ingress.INGRESS_TRAFFIC_INTERNAL_ONLY,
    "internal-and-cloud-load-balancing": _Ingress.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER,
    "none": _Ingress.INGRESS_TRAFFIC_NONE,
}
EXECUTION = {
    "gen1": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1,
    "gen2": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2,
}
EGRESS = {
    "all-traffic": run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC,
    "private-ranges-only": run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
}
MERGED_MAPS = ("env", "labels", "annotations")
REVISION_ONLY = frozenset({"name", "ready", "message"})


def build_world(scenario: Scenario) -> World:
    world = World(scenario.options.seed)
    for pid, spec in scenario.projects.items():
        world.add_project(
            ProjectRec(
                pid,
                spec.number,
                spec.region,
                {role: tuple(members) for role, members in spec.iam.items()},
            )
        )
    for pid, spec in scenario.projects.items():
        _seed_project(world, world.projects[pid], spec)
    return world


def _seed_project(world: World, project: ProjectRec, spec: ProjectSpec) -> None:
    for name, secret in spec.secrets.items():
        secret_key = SecretKey(project.id, name)
        world.secrets[secret_key] = build_secret(world, secret_key, secret)
    for name, service in spec.services.items():
        service_key = ServiceKey(project.id, service.region or project.region, name)
        world.services[service_key] = build_service(world, project, service_key, service)


def merge_template(base: TemplateSpec, change: TemplateSpec) -> TemplateSpec:
    """`base` with the keys `change` sets; maps merge and a `null` entry removes a key."""
    data: dict[str, Any] = base.model_dump()
    for field in change.model_fields_set - REVISION_ONLY:
        value = getattr(change, field)
        if field in MERGED_MAPS and value is not None:
            merged = dict(data.get(field) or {})
            for k, v in value.items():
                if v is None:
                    merged.pop(k, None)
                else:
                    merged[k] = v
            data[field] = merged
        else:
            data[field] = value
    return TemplateSpec.model_validate(data)


def template_pb(spec: TemplateSpec, service: str) -> TemplatePb:
    env = []
    for name, value in (spec.env or {}).items():
        if value is None:
            continue
        if isinstance(value, str):
            env.append(run_v2.EnvVar.pb()(name=name, value=value))
        else:
            selector = run_v2.SecretKeySelector.pb()(secret=value.secret, version=value.version)
            source = run_v2.EnvVarSource.pb()(secret_key_ref=selector)
            env.append(run_v2.EnvVar.pb()(name=name, value_source=source))
    limits = {k: v for k, v in (("cpu", spec.cpu), ("memory", spec.memory)) if v is not None}
    container = run_v2.Container.pb()(
        name=spec.container_name or f"{service}-1",
        image=spec.image or "",
        env=env,
        resources=run_v2.ResourceRequirements.pb()(
            limits=limits,
            cpu_idle=bool(spec.cpu_throttling),
            startup_cpu_boost=bool(spec.startup_cpu_boost),
        ),
        ports=[run_v2.ContainerPort.pb()(name="http1", container_port=spec.port or 8080)],
    )
    template = TemplatePb(
        labels=spec.labels or {},
        annotations=spec.annotations or {},
        containers=[container],
        scaling=run_v2.RevisionScaling.pb()(
            min_instance_count=spec.min_instances or 0,
            max_instance_count=spec.max_instances or 0,
        ),
        max_instance_request_concurrency=spec.concurrency or 0,
        service_account=spec.service_account or "",
        session_affinity=bool(spec.session_affinity),
    )
    if spec.timeout is not None:
        template.timeout.CopyFrom(duration_pb2.Duration(seconds=int(parse_duration(spec.timeout))))
    if spec.execution_environment is not None:
        template.execution_environment = EXECUTION[spec.execution_environment]
    if spec.vpc_connector is not None:
        template.vpc_access.connector = spec.vpc_connector
        if spec.vpc_egress is not None:
            template.vpc_access.egress = EGRESS[spec.vpc_egress]
    return template


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
    )


def build_service(
    world: World, project: ProjectRec, key: ServiceKey, spec: ServiceSpec
) -> ServiceRec:
    current = merge_template(DEFAULTS, spec.template)
    history: list[tuple[TemplateSpec, RevisionSpec | None]] = [
        (merge_template(current, older), older) for older in spec.history
    ]
    history.append((current, None))
    count = len(history)
    revisions: dict[str, RevisionPb] = {}
    for number, (template, older) in enumerate(history, 1):
        name = (older.name if older else None) or f"{key.service}-{number:05d}-{world.suffix()}"
        if older is not None:
            problem = None if older.ready else older.message or "Revision failed to become ready."
        else:
            problem = spec.failed
        revisions[name] = make_revision(
            world,
            project,
            key,
            template_pb(template, key.service),
            name,
            problem=problem,
            age_seconds=(count - number) * DAY,
        )
    names = list(revisions)
    service = ServicePb(
        name=key.name,
        uid=world.uid(),
        description=spec.description or "",
        generation=count,
        observed_generation=count,
        labels=spec.labels,
        annotations=spec.annotations,
        create_time=world.now(-count * DAY),
        update_time=world.now(),
        creator=spec.creator or f"deployer@{project.id}.iam.gserviceaccount.com",
        last_modifier=spec.last_modifier
        or spec.creator
        or f"deployer@{project.id}.iam.gserviceaccount.com",
        client=spec.client or "",
        client_version=spec.client_version or "",
        ingress=INGRESS[spec.ingress],
        template=template_pb(current, key.service),
        traffic=[
            _traffic(t, names) for t in spec.traffic or [TrafficSpec(latest=True, percent=100)]
        ],
    )
    service.etag = world.etag(key.name)
    settle(world, key, service, revisions)
    return ServiceRec(key, service, revisions, backend_config(spec.backend))


def _traffic(spec: TrafficSpec, names: list[str]) -> TrafficPb:
    if spec.latest:
        return TrafficPb(type_=LATEST, percent=spec.percent, tag=spec.tag or "")
    name = names[spec.revision - 1] if isinstance(spec.revision, int) else str(spec.revision)
    return TrafficPb(type_=REVISION, revision=name, percent=spec.percent, tag=spec.tag or "")


def build_secret(world: World, key: SecretKey, spec: SecretSpec) -> SecretRec:
    count = len(spec.versions)
    secret = SecretPb(
        name=key.name,
        replication=secretmanager_v1.Replication.pb()(
            automatic=secretmanager_v1.Replication.Automatic.pb()()
        ),
        create_time=world.now(-(count + 1) * DAY),
        labels=spec.labels,
        version_aliases=spec.aliases,
    )
    secret.etag = world.etag(key.name)
    versions = []
    for number, item in enumerate(spec.versions, 1):
        state = int(VersionState.__members__[item.state])
        version = SecretVersionPb(
            name=key.version(number),
            create_time=world.now(-(count - number + 1) * DAY),
            state=state,
        )
        if state == VersionState.DESTROYED:
            version.destroy_time.CopyFrom(world.now(-(count - number) * DAY))
        version.etag = world.etag(version.name)
        data = b"" if state == VersionState.DESTROYED else (item.value or "").encode()
        versions.append(VersionRec(version, data))
    policy = policy_pb2.Policy(
        version=1,
        bindings=[policy_pb2.Binding(role=r, members=m) for r, m in spec.iam.items()],
    )
    policy.etag = world.etag(f"{key.name}:iam").encode()
    return SecretRec(secret, versions, policy)
