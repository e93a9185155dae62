"""What a service revision, a job task and a worker pool revision share, both ways:
containers, volumes, the runtime identity, network, encryption and the annotations that stand
for them (`spec` of a Knative revision template or task template, plus the annotations of its
metadata)."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

from drift.fix.knative import keys
from drift.fix.knative.container import container_in, container_out
from drift.fix.knative.conversion import Conversion, parse_aliases, present
from drift.fix.knative.volumes import volume_in, volume_out
from drift.live.normalize import raw

CLOUDSQL_VOLUME = "cloudsql"
CLOUDSQL_PATH = "/cloudsql"
"""Knative has no Cloud SQL volume, only the instance list: read back, it becomes this volume
mounted at this path (the only path v2 allows: `VolumeMount.mount_path` "For Cloud SQL
volumes, it can be left empty, or must otherwise be /cloudsql") in the ingress container."""


def enum_name(value: Any) -> str:
    return str(getattr(value, "name", value))


def put(conv: Conversion, annotations: dict[str, str], key: str, value: str) -> None:
    """Set the annotation that stands for a field (once: a second value is a conflict)."""
    old = annotations.get(key)
    if old is not None and old != value:
        conv.note(f"annotation {key} would need two values ({old!r}, {value!r})")
    annotations[key] = value


def merge(
    conv: Conversion, live: Any, fields: dict[str, str], mapped: frozenset[str]
) -> dict[str, str]:
    """The live annotations plus the ones standing for fields. A live annotation with a key
    Knative reads as a field (an old v1 annotation kept on the resource) is exact only when
    it says what the field says."""
    out = {k: conv.free(f"annotation {k}", str(v)) for k, v in dict(live).items()}
    for key in sorted(out.keys() & mapped):
        if key not in fields:
            conv.note(f"annotation {key} on the live resource would be read back as a setting")
        elif out[key] != fields[key]:
            conv.note(f"annotation {key}={out[key]!r} on the live resource contradicts its field")
    out.update(fields)
    return out


def ingress_index(containers: Any) -> int:
    """The container that receives requests: the one declaring a port, else the first."""
    return next((i for i, c in enumerate(containers) if c.ports), 0)


def pod_out(conv: Conversion, t: Any, ann: dict[str, str], *, job: bool = False) -> dict[str, Any]:
    """The Knative `spec` of a RevisionTemplate or TaskTemplate `t`; its annotations go to
    `ann` (the template's annotations as read, with the field annotations added); `job`: `t`
    is a job's TaskTemplate (an explicit false GPU zonal redundancy is written)."""
    hidden = _cloudsql_out(conv, t, ann)
    spec: dict[str, Any] = {}
    if t.service_account:
        spec["serviceAccountName"] = t.service_account
    spec["containers"] = [container_out(conv, c, hidden) for c in t.containers]
    volumes = [v for v in (volume_out(conv, v) for v in t.volumes) if v is not None]
    if volumes:
        spec["volumes"] = volumes
    if t.node_selector.accelerator:
        spec["nodeSelector"] = {keys.ACCELERATOR: t.node_selector.accelerator}
    _cpu_out(conv, t, ann)
    deps = {c.name: list(c.depends_on) for c in t.containers if c.depends_on}
    if deps:
        put(conv, ann, keys.DEPENDENCIES, json.dumps(deps))
    bases = {c.name: c.base_image_uri for c in t.containers if c.base_image_uri}
    if bases:
        put(conv, ann, keys.BASE_IMAGES, json.dumps(bases))
        spec["runtimeClassName"] = keys.BASE_IMAGE_RUNTIME
    env = ""  # a worker pool's template has no execution environment
    if has_field(t, "execution_environment"):
        env = keys.EXECUTION_VALUES.get(enum_name(t.execution_environment), "")
    if env:
        put(conv, ann, keys.EXECUTION_ENVIRONMENT, env)
    _vpc_out(conv, t, ann)
    _encryption_out(conv, t, ann)
    _gpu_redundancy_out(conv, t, ann, job=job)
    return spec


def _gpu_redundancy_out(conv: Conversion, t: Any, ann: dict[str, str], *, job: bool) -> None:
    """gpu_zonal_redundancy_disabled is `optional bool` in every template ("a member of
    `oneof` ``_gpu_zonal_redundancy_disabled``"). A service's or pool's unset reads as not
    disabled (drift.fields.hardware `_gpu_redundancy_off`), so only true is written; a job's
    default is not documented and drift judges only a set value (`_job_default_unknown`),
    so its explicit false is written too."""
    if t.gpu_zonal_redundancy_disabled:
        put(conv, ann, keys.GPU_ZONAL_REDUNDANCY_DISABLED, "true")
    elif job and present(t, "gpu_zonal_redundancy_disabled"):
        put(conv, ann, keys.GPU_ZONAL_REDUNDANCY_DISABLED, "false")


def finish_annotations(conv: Conversion, ann: dict[str, str]) -> None:
    """After every container and volume: the aliases of secrets in other projects."""
    aliases = conv.aliases_annotation()
    if aliases is not None:
        put(conv, ann, keys.SECRETS, aliases)


def _cloudsql_out(conv: Conversion, t: Any, ann: dict[str, str]) -> set[str]:
    volumes = [v for v in t.volumes if present(v, "cloud_sql_instance")]
    if not volumes:
        return set()
    instances = [i for v in volumes for i in v.cloud_sql_instance.instances]
    put(conv, ann, keys.CLOUDSQL, ",".join(instances))
    names = {v.name for v in volumes}
    mounts = [
        (i, m) for i, c in enumerate(t.containers) for m in c.volume_mounts if m.name in names
    ]
    expected = [(ingress_index(t.containers), CLOUDSQL_VOLUME, CLOUDSQL_PATH, "")]
    if [(i, m.name, m.mount_path or CLOUDSQL_PATH, m.sub_path) for i, m in mounts] != expected:
        conv.note(
            "Cloud SQL: Knative holds only the instance list (run.googleapis.com/cloudsql-"
            f"instances); read back it is volume '{CLOUDSQL_VOLUME}' at {CLOUDSQL_PATH} in the "
            "ingress container, not the live volumes and mounts"
        )
    return names


def _cpu_out(conv: Conversion, t: Any, ann: dict[str, str]) -> None:
    """CPU allocation is per revision in Knative (template annotations), per container in
    v2; read back, a service's annotation applies to every container (`_containers_in`), and
    a service's container without resources counts as the catalogue reads it: throttled, no
    boost. A job's or pool's counts only where it sets resources, as it is read back."""
    from google.cloud import run_v2

    sized = [c for c in t.containers if present(c, "resources")]
    if not sized:
        return
    whole = isinstance(t, run_v2.RevisionTemplate)  # a service's
    for field, key, unset in (
        ("cpu_idle", keys.CPU_THROTTLING, True),
        ("startup_cpu_boost", keys.STARTUP_BOOST, False),
    ):
        values = [
            bool(getattr(c.resources, field)) if present(c, "resources") else unset
            for c in t.containers
        ]
        counted = values if whole else [bool(getattr(c.resources, field)) for c in sized]
        if len(set(counted)) > 1:
            conv.note(f"{field} differs between containers; Knative has one value per revision")
        first = values[ingress_index(t.containers)]
        put(conv, ann, key, "true" if first else "false")


def _vpc_out(conv: Conversion, t: Any, ann: dict[str, str]) -> None:
    vpc = t.vpc_access
    if vpc.connector:
        put(conv, ann, keys.VPC_CONNECTOR, vpc.connector)
    egress = keys.EGRESS_VALUES.get(enum_name(vpc.egress))
    if egress:
        put(conv, ann, keys.VPC_EGRESS, egress)
    interfaces = [
        {
            k: x
            for k, x in (
                ("network", n.network),
                ("subnetwork", n.subnetwork),
                ("tags", list(n.tags)),
            )
            if x
        }
        for n in vpc.network_interfaces
    ]
    if interfaces:
        # gcloud's form (config_changes.NetworkInterfacesChange): JSON, keys sorted
        put(conv, ann, keys.NETWORK_INTERFACES, json.dumps(interfaces, sort_keys=True))


def has_field(message: Any, name: str) -> bool:
    """Whether the message type has the field (a TaskTemplate lacks some template fields)."""
    return name in raw(message).DESCRIPTOR.fields_by_name


def _encryption_out(conv: Conversion, t: Any, ann: dict[str, str]) -> None:
    if t.encryption_key:
        put(conv, ann, keys.ENCRYPTION_KEY, t.encryption_key)
    if not has_field(t, "encryption_key_revocation_action"):
        return
    action = keys.REVOCATION_VALUES.get(enum_name(t.encryption_key_revocation_action))
    if action:
        put(conv, ann, keys.REVOCATION_ACTION, action)
    seconds = seconds_of(t.encryption_key_shutdown_duration)
    if seconds:
        if seconds % 3600:
            conv.note("encryption_key_shutdown_duration is not whole hours; Knative has hours")
        put(conv, ann, keys.SHUTDOWN_HOURS, str(int(seconds // 3600)))


def seconds_of(duration: Any) -> float:
    if isinstance(duration, timedelta):
        return duration.total_seconds()
    return float(duration.seconds) + float(duration.nanos) / 1e9


# --- back: Knative -> v2 ------------------------------------------------------------------


def pod_in(spec: dict[str, Any], ann: dict[str, str], t: Any, *, service: bool = False) -> None:
    """Fill the RevisionTemplate or TaskTemplate `t` from a Knative `spec` and the template's
    annotations `ann` (the annotations that stand for fields are taken out of `ann`);
    `service`: `t` is a service's revision template (CPU throttled unless it says not)."""
    from google.cloud import run_v2

    aliases = parse_aliases(ann.pop(keys.SECRETS, None))
    t.service_account = spec.get("serviceAccountName", "")
    containers = [container_in(c, aliases) for c in spec.get("containers") or []]
    volumes = [volume_in(v, aliases) for v in spec.get("volumes") or []]
    cloudsql = ann.pop(keys.CLOUDSQL, None)
    if cloudsql:
        instances = [i for i in cloudsql.split(",") if i]
        volumes.append(
            run_v2.Volume(
                name=CLOUDSQL_VOLUME,
                cloud_sql_instance=run_v2.CloudSqlInstance(instances=instances),
            )
        )
        if containers:
            containers[ingress_index(containers)].volume_mounts.append(
                run_v2.VolumeMount(name=CLOUDSQL_VOLUME, mount_path=CLOUDSQL_PATH)
            )
    _containers_in(ann, containers, throttled=service)
    t.containers = containers
    t.volumes = volumes
    accelerator = (spec.get("nodeSelector") or {}).get(keys.ACCELERATOR)
    if accelerator:
        t.node_selector = run_v2.NodeSelector(accelerator=accelerator)
    env = (
        ann.pop(keys.EXECUTION_ENVIRONMENT, None) if has_field(t, "execution_environment") else None
    )
    if env:
        t.execution_environment = {v: k for k, v in keys.EXECUTION_VALUES.items()}.get(env, 0)
    _vpc_in(ann, t)
    _encryption_in(ann, t)
    zonal = ann.pop(keys.GPU_ZONAL_REDUNDANCY_DISABLED, None)
    if zonal in ("true", "false"):
        # as stated, false too: the field tracks presence (`_gpu_redundancy_out`)
        t.gpu_zonal_redundancy_disabled = zonal == "true"


def _containers_in(ann: dict[str, str], containers: list[Any], *, throttled: bool) -> None:
    from google.cloud import run_v2

    deps = json.loads(ann.pop(keys.DEPENDENCIES, "") or "{}")
    bases = json.loads(ann.pop(keys.BASE_IMAGES, "") or "{}")
    throttling = ann.pop(keys.CPU_THROTTLING, None)
    boost = ann.pop(keys.STARTUP_BOOST, None)
    for c in containers:
        c.depends_on = list(deps.get(c.name, []))
        c.base_image_uri = bases.get(c.name, "")
    sized = [c for c in containers if present(c, "resources")]
    if throttled and (throttling == "false" or boost == "true"):
        # a service's run.googleapis.com/cpu-throttling and startup-cpu-boost are revision-
        # template annotations (Cloud Run YAML reference, https://cloud.google.com/run/docs/
        # reference/yaml/v1: spec.template.metadata.annotations): one value for the whole
        # revision, so every container has it, whether or not it writes a `resources` block
        # (one without reads as throttled without boost: only another value needs them)
        for c in containers:
            if not present(c, "resources"):
                c.resources = run_v2.ResourceRequirements()
        sized = containers
    elif (throttling is not None or boost is not None) and not sized and containers:
        first = containers[ingress_index(containers)]
        first.resources = run_v2.ResourceRequirements()
        sized = [first]
    for c in sized:
        if throttling is not None:
            c.resources.cpu_idle = throttling == "true"
        elif throttled:
            # A service revision without the annotation has the v1 default, request-based
            # billing: CPU only during requests ("Request-based billing (default)",
            # https://cloud.google.com/run/docs/configuring/billing-settings); in v2 a
            # container that sets resources must say so (ResourceRequirements.cpu_idle: "if
            # ResourceRequirements is set, the caller must explicitly set this field to true").
            c.resources.cpu_idle = True
        if boost is not None:
            c.resources.startup_cpu_boost = boost == "true"


def _vpc_in(ann: dict[str, str], t: Any) -> None:
    from google.cloud import run_v2

    connector = ann.pop(keys.VPC_CONNECTOR, "")
    egress = ann.pop(keys.VPC_EGRESS, "")
    interfaces = json.loads(ann.pop(keys.NETWORK_INTERFACES, "") or "[]")
    if not (connector or egress or interfaces):
        return
    names = {v: k for k, v in keys.EGRESS_VALUES.items()} | keys.EGRESS_ALIASES
    t.vpc_access = run_v2.VpcAccess(
        connector=connector,
        egress=getattr(run_v2.VpcAccess.VpcEgress, names[egress]) if egress in names else 0,
        network_interfaces=[
            run_v2.VpcAccess.NetworkInterface(
                network=n.get("network", ""),
                subnetwork=n.get("subnetwork", ""),
                tags=list(n.get("tags", [])),
            )
            for n in interfaces
        ],
    )


def _encryption_in(ann: dict[str, str], t: Any) -> None:
    from google.cloud import run_v2

    t.encryption_key = ann.pop(keys.ENCRYPTION_KEY, "")
    action = ann.pop(keys.REVOCATION_ACTION, "")
    names = {v: k for k, v in keys.REVOCATION_VALUES.items()}
    if action in names and has_field(t, "encryption_key_revocation_action"):
        t.encryption_key_revocation_action = getattr(
            run_v2.EncryptionKeyRevocationAction, names[action]
        )
    hours = ann.pop(keys.SHUTDOWN_HOURS, "")
    if hours and has_field(t, "encryption_key_shutdown_duration"):
        t.encryption_key_shutdown_duration = timedelta(hours=int(hours))
