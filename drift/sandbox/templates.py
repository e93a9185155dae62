"""Templates from a scenario — a service's RevisionTemplate, a worker pool's
WorkerPoolRevisionTemplate, a job's ExecutionTemplate — flat keys merged over the sandbox's
defaults, v2 JSON fields built with the official types, and history entries merged over the
current template."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, TypeVar, cast

from google.cloud import run_v2
from google.protobuf import json_format
from google.protobuf.message import Message

from drift.sandbox.clock import duration
from drift.sandbox.pb import (
    ContainerPb,
    EnvVarPb,
    ExecutionTemplatePb,
    PoolTemplatePb,
    TaskTemplatePb,
    TemplatePb,
)
from drift.sandbox.revisions import copy_fields, ingress_container
from drift.sandbox.scenario_fields import (
    CONTAINER_KEYS,
    BaseTemplateSpec,
    JobTemplateSpec,
    PoolTemplateSpec,
    TemplateSpec,
)
from drift.sandbox.validate import ONE_CPU, instance_cpu
from drift.units import parse_duration

Spec = TypeVar("Spec", bound=BaseTemplateSpec)

# Cloud Run's defaults where a template leaves a setting unset: a 300 s request timeout and at
# most 100 instances (https://cloud.google.com/run/docs/configuring/request-timeout,
# .../max-instances), 1 CPU and 512 MiB (…/services/memory-limits); the concurrency follows
# the CPU (`default_concurrency`).
TEMPLATE_DEFAULTS = TemplateSpec(min_instances=0, max_instances=100, timeout="300s")
CONTAINER_DEFAULTS = TemplateSpec(
    image="us-docker.pkg.dev/cloudrun/container/hello",
    port=8080,
    cpu="1",
    memory="512Mi",
    cpu_throttling=True,
    startup_cpu_boost=False,
)
# Worker pools and jobs get the same container defaults, without a port (they serve no
# requests); a job's image is Google's sample job (https://cloud.google.com/run/docs/quickstarts/jobs/create-execute).
POOL_DEFAULTS = PoolTemplateSpec(image=CONTAINER_DEFAULTS.image, cpu="1", memory="512Mi")
JOB_DEFAULTS = JobTemplateSpec(
    image="us-docker.pkg.dev/cloudrun/container/job:latest", cpu="1", memory="512Mi"
)
MERGED_MAPS = ("env", "labels", "annotations")
NOT_TEMPLATE = frozenset({"name", "ready", "message", "creator", "created", "client"})
NOT_TEMPLATE |= {"client_version", "deleted"}
EXECUTION = {
    "gen1": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1,
    "gen2": run_v2.ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN2,
}
EGRESS = {
    "all-traffic": run_v2.VpcAccess.VpcEgress.ALL_TRAFFIC,
    "private-ranges-only": run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
}


def _json_containers(spec: BaseTemplateSpec) -> bool:
    return bool(spec.api and "containers" in spec.api)


def merge_template(base: Spec, change: BaseTemplateSpec) -> Spec:
    """`base` with the keys `change` sets: maps merge (a `null` entry removes a key; in
    `env` the null is kept, so it also removes the variable from v2 JSON containers), v2
    JSON fields replace theirs, everything else replaces."""
    data: dict[str, Any] = base.model_dump(exclude_unset=True)
    for field in change.model_fields_set - NOT_TEMPLATE:
        value = getattr(change, field)
        if field in MERGED_MAPS and value is not None:
            merged = dict(data.get(field) or {})
            for key, item in value.items():
                if item is None and field != "env":
                    merged.pop(key, None)
                else:
                    merged[key] = item
            data[field] = merged
        elif field == "api" and value is not None:
            data["api"] = {**(data.get("api") or {}), **value}
        else:
            data[field] = value
    return type(base).model_validate(data)


SERVICE_DEFAULTS = merge_template(CONTAINER_DEFAULTS, TEMPLATE_DEFAULTS)
"""A service's defaults with its container's: merged once (`merge_template` never changes its
`base`, nor does `resolve` change what it merges onto)."""


def resolve(spec: Spec) -> Spec:
    """The template with the sandbox's defaults under it (container defaults only when the
    scenario does not give the containers in v2 JSON form)."""
    containers = not _json_containers(spec)
    base: BaseTemplateSpec
    if isinstance(spec, PoolTemplateSpec):
        base = POOL_DEFAULTS if containers else PoolTemplateSpec()
    elif isinstance(spec, JobTemplateSpec):
        base = JOB_DEFAULTS if containers else JobTemplateSpec()
    else:
        base = SERVICE_DEFAULTS if containers else TEMPLATE_DEFAULTS
    return cast(Spec, merge_template(base, spec))  # base is of spec's own type


def env_pb(spec_env: Mapping[str, Any]) -> list[EnvVarPb]:
    out = []
    for name, value in spec_env.items():
        if value is None:
            continue
        if isinstance(value, str):
            out.append(EnvVarPb(name=name, value=value))
        else:
            selector = run_v2.SecretKeySelector.pb()(secret=value.secret, version=value.version)
            out.append(
                EnvVarPb(name=name, value_source=run_v2.EnvVarSource.pb()(secret_key_ref=selector))
            )
    return out


def _apply_container_keys(container: ContainerPb, spec: BaseTemplateSpec, service: str) -> None:
    """The flat keys a scenario set, onto one container (the ingress container)."""
    keys = spec.model_fields_set & CONTAINER_KEYS
    if "container_name" in keys or not container.name:
        # a scenario's convenience when it names none, kept a DNS label for a service named
        # with 63 characters (run v2 k8s_min.proto Container.name: "Name of the container
        # specified as a DNS_LABEL (RFC 1123)"; a label is at most 63 characters)
        container.name = spec.container_name or container.name or f"{service[:61]}-1"
    if spec.image is not None:
        container.image = spec.image
    port = getattr(spec, "port", None)  # a service's only
    if port is not None:
        del container.ports[:]
        container.ports.append(run_v2.ContainerPort.pb()(name="http1", container_port=port))
    if spec.env is not None:
        kept = [var for var in container.env if var.name not in spec.env]
        added = env_pb(spec.env)
        del container.env[:]
        container.env.extend([*kept, *added])
    resources = container.resources
    for key, value in (("cpu", spec.cpu), ("memory", spec.memory)):
        if value is not None:
            resources.limits[key] = value
    if spec.cpu_throttling is not None:
        resources.cpu_idle = spec.cpu_throttling
    if spec.startup_cpu_boost is not None:
        resources.startup_cpu_boost = spec.startup_cpu_boost


def apply_json(message: Message, api: Mapping[str, Any]) -> None:
    """Fields given in v2 JSON form, each replacing the field of `message`: a key is the
    field's JSON name (`launchStage`, as the API's JSON has it) or its proto name
    (`launch_stage`), as the protobuf JSON parser accepts both."""
    parsed = type(message)()
    json_format.ParseDict(dict(api), parsed)  # an unknown key: ParseError, naming it
    fields = parsed.DESCRIPTOR
    names = [(fields.fields_by_name.get(k) or fields.fields_by_camelcase_name[k]).name for k in api]
    copy_fields(parsed, message, names)


_FLAT = (
    "min_instances",
    "max_instances",
    "concurrency",
    "session_affinity",
    "timeout",
    "execution_environment",
    "max_retries",
)


def template_pb(spec: BaseTemplateSpec, name: str, target: Any = TemplatePb) -> Any:
    """The template a (resolved) scenario template describes: a RevisionTemplate, or
    (`target`) a WorkerPoolRevisionTemplate or a TaskTemplate, which take the same-named
    fields (the scenario models refuse the keys a target has not)."""
    given = spec.model_fields_set
    # what model_dump(exclude_unset=True) would give for these scalar keys (ints, bools,
    # strings), without dumping the whole model: a key the scenario did not set reads None
    flat = {key: getattr(spec, key) for key in _FLAT if key in given}
    template = TemplatePb(
        labels=spec.labels or {},
        annotations=spec.annotations or {},
        scaling=run_v2.RevisionScaling.pb()(
            min_instance_count=flat.get("min_instances") or 0,
            max_instance_count=flat.get("max_instances") or 0,
        ),
        max_instance_request_concurrency=flat.get("concurrency") or 0,
        service_account=spec.service_account or "",
        session_affinity=bool(flat.get("session_affinity")),
    )
    if flat.get("timeout") is not None:
        template.timeout.CopyFrom(duration(parse_duration(flat["timeout"])))
    if flat.get("execution_environment") is not None:
        template.execution_environment = EXECUTION[flat["execution_environment"]]
    if spec.vpc_connector is not None:
        template.vpc_access.connector = spec.vpc_connector
        if spec.vpc_egress is not None:
            template.vpc_access.egress = EGRESS[spec.vpc_egress]
    if target is not TemplatePb:
        out = target()
        fields = target.DESCRIPTOR.fields_by_name
        copy_fields(
            template, out, [f.name for f in TemplatePb.DESCRIPTOR.fields if f.name in fields]
        )
        template = out
    if flat.get("max_retries") is not None:
        template.max_retries = flat["max_retries"]
    if spec.api:
        apply_json(template, spec.api)
    if not template.containers:
        template.containers.append(ContainerPb())
    _apply_container_keys(ingress_container(template), spec, name)
    if target is TemplatePb and not template.max_instance_request_concurrency:
        template.max_instance_request_concurrency = default_concurrency(template)
    return template


def default_concurrency(template: TemplatePb) -> int:
    """RevisionTemplate.max_instance_request_concurrency: "If not specified or 0, concurrency
    defaults to 80 when requested `CPU >= 1` and defaults to 1 when requested `CPU < 1`" — the
    instance's CPU, every container's (`validate.validate_cpu`: Cloud Run refuses more than 1
    below one CPU), a container without a limit having the default, 1 CPU."""
    try:
        total = instance_cpu(template)
    except ValueError:
        return 80
    return 80 if total >= ONE_CPU else 1


def pool_template_pb(spec: PoolTemplateSpec, pool: str) -> PoolTemplatePb:
    return template_pb(spec, pool, PoolTemplatePb)


def job_template_pb(spec: JobTemplateSpec, job: str) -> ExecutionTemplatePb:
    """A job's ExecutionTemplate: task count, parallelism, labels and annotations around
    the TaskTemplate."""
    return ExecutionTemplatePb(
        labels=spec.labels or {},
        annotations=spec.annotations or {},
        task_count=spec.task_count or 0,
        parallelism=spec.parallelism or 0,
        template=template_pb(spec, job, TaskTemplatePb),
    )
