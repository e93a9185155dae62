"""The field rules of a container and its volumes that run v2's `k8s.min.proto` states, checked
on every write as the API checks them (INVALID_ARGUMENT); the wording of each refusal is the
sandbox's (Google documents the rule, not its message)."""

from __future__ import annotations

import posixpath
import re
from typing import Any, NamedTuple

from drift.sandbox.names import invalid

DNS_LABEL = re.compile(r"[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?")
"""RFC 1123 label: Container.name "Name of the container specified as a DNS_LABEL (RFC 1123)"."""
PROTOCOLS = frozenset({"", "http1", "h2c"})
"""ContainerPort.name: "If specified, used to specify which protocol to use. Allowed values are
"http1" and "h2c"."""
DOTTED = re.compile(r"^\.\.|/\.\.(/|$)")
"""A secret item's path "May not contain the path element '..'. May not start with the string
'..'." (KeyToPath.path, run v1 REST reference, which Cloud Run fully managed supports); the v2
VersionToPath.path is "The relative path of the secret in the container" (not absolute)."""
CLOUDSQL_PATH = "/cloudsql"
"""VolumeMount.mount_path: "For Cloud SQL volumes, it can be left empty, or must otherwise be
/cloudsql"."""
CONNECTION = re.compile(r"(?:[a-z0-9.-]+:)?[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+", re.IGNORECASE)
"""CloudSqlInstance.instances: "The Cloud SQL instance connection names … Format:
{project}:{location}:{instance}" (a domain-scoped project's id holds a colon: `example.com:p`)."""
FORBIDDEN_MOUNTS = ("/dev", "/proc", "/sys")
"""The Cloud Storage and NFS volume pages (cloud.google.com/run/docs/configuring/services/
cloud-storage-volume-mounts, …/nfs-volume-mounts; the jobs' and worker pools' alike), "Disallowed
paths": "Cloud Run does not allow you to mount a volume at /dev, /proc and /sys, or on their
subdirectories"."""
GEN1 = 1  # ExecutionEnvironment.EXECUTION_ENVIRONMENT_GEN1
MAX_MODE = 0o777
"""SecretVolumeSource.default_mode "Must be a value between 0000 and 0777 (octal)";
VersionToPath.mode "must be a value between 01 and 0777 (octal)"."""


def validate_fields(template: Any, *, serves: bool = False) -> None:
    """Each container's name, ports, probes and mounts, and each secret volume's modes and
    paths; `serves`: a service's (its startup probes' `SERVICE_STARTUP_MOST`)."""
    most = SERVICE_STARTUP_MOST[_gpu(template)] if serves else None
    cloudsql = {v.name for v in template.volumes if v.HasField("cloud_sql_instance")}
    for index, container in enumerate(template.containers):
        at = f"spec.template.spec.containers[{index}]"
        if container.name and not DNS_LABEL.fullmatch(container.name):
            raise invalid(f"{at}.name: '{container.name}' must be a DNS label (RFC 1123).")
        if len(container.ports) > 1:  # Container.ports: "Only a single port can be specified"
            raise invalid(f"{at}.ports: only a single port can be specified.")
        for port in container.ports:
            # ContainerPort.container_port: "0 < container_port < 65536" (0: unset, chosen)
            if not 0 <= port.container_port < 65536:
                raise invalid(f"{at}.ports.container_port: must be below 65536.")
            if port.name not in PROTOCOLS:
                raise invalid(f"{at}.ports.name: '{port.name}' is not http1 or h2c.")
        _validate_probes(container, at, most)
        for mount in container.volume_mounts:
            if ":" in mount.mount_path:  # VolumeMount.mount_path: "Must not contain ':'"
                raise invalid(f"{at}.volume_mounts.mount_path: must not contain ':'.")
            path = mount.mount_path.rstrip("/")
            if any(path == p or path.startswith(f"{p}/") for p in FORBIDDEN_MOUNTS):
                raise invalid(
                    f"{at}.volume_mounts.mount_path: '{mount.mount_path}': no volume may be "
                    "mounted at /dev, /proc or /sys, or below them."
                )
            if mount.name in cloudsql and mount.mount_path not in ("", CLOUDSQL_PATH):
                raise invalid(f"{at}.volume_mounts.mount_path: a Cloud SQL volume's is /cloudsql.")
    for index, volume in enumerate(template.volumes):
        for instance in volume.cloud_sql_instance.instances:
            if not CONNECTION.fullmatch(instance):
                raise invalid(
                    f"spec.template.spec.volumes[{index}].cloud_sql_instance.instances: "
                    f"'{instance}' is not {{project}}:{{location}}:{{instance}}."
                )
        if not volume.HasField("secret"):
            continue
        at = f"spec.template.spec.volumes[{index}].secret"
        if not 0 <= volume.secret.default_mode <= MAX_MODE:
            raise invalid(f"{at}.default_mode: must be between 0000 and 0777 (octal).")
        if any(not 0 <= item.mode <= MAX_MODE for item in volume.secret.items):
            raise invalid(f"{at}.items.mode: must be between 01 and 0777 (octal).")
        for item in volume.secret.items:
            if item.path.startswith("/") or DOTTED.search(item.path):
                raise invalid(
                    f"{at}.items.path: '{item.path}' must be relative, with no '..' element."
                )


PROBE_PARTS = ("startup_probe", "liveness_probe", "readiness_probe")
PROBE_BOUNDS = {  # field: (least, most of each of PROBE_PARTS; None: no most stated)
    "initial_delay_seconds": (0, 240, 3600, None),
    "timeout_seconds": (1, 3600, 3600, 300),
    "period_seconds": (1, 240, 3600, 300),
    "failure_threshold": (1, None, None, None),
}
"""Probe (k8s.min.proto): initial_delay_seconds "Minimum value is 0. Maximum value for liveness
probe is 3600. Maximum value for startup probe is 240"; timeout_seconds "Minimum value is 1.
Maximum value is 3600"; period_seconds "Minimum value is 1. Maximum value for liveness probe is
3600. Maximum value for startup probe is 240"; failure_threshold "Minimum value is 1". 0 is
unset, the default (0, 1, 10, 3); a port "Must be in the range 1 to 65535" (0: the container's).
A readiness probe's period and timeout: "Specify a value from 1 to 300" (cloud.google.com/run/
docs/configuring/healthchecks, "Configure readiness probes"); the page names no initial delay,
and no document bounds one (stored as sent)."""


SERVICE_STARTUP_MOST = (600, 1800)
"""A service's startup probe's initial_delay_seconds, period_seconds and timeout_seconds at the
most, without and with a GPU: the newest services' healthchecks page (docs.cloud.google.com/run/
docs/configuring/healthchecks, "Configure startup probes"): initial delay "Specify a value from 0
seconds to 600 seconds (1800 for GPU)", period "Specify a value from 1 second to 600 seconds (1800
for GPU)", timeout "Specify a value from 1 to 600 (1800 for GPU)". The proto's 240 (`PROBE_BOUNDS`)
is older; no page raises it for a job's or worker pool's."""


def _gpu(template: Any) -> bool:
    """Whether a template has a GPU: a container's `nvidia.com/gpu` limit or an accelerator."""
    limits = (c.resources.limits.get("nvidia.com/gpu", "0") for c in template.containers)
    return any(n != "0" for n in limits) or bool(template.node_selector.accelerator)


def _validate_probes(container: Any, at: str, startup_most: int | None = None) -> None:
    """Each probe's fields within `PROBE_BOUNDS` (a service's startup probe's delay, period and
    timeout within `startup_most`), and Probe.period_seconds "Must be greater or
    equal than timeout_seconds" (its timeout_seconds says "Must be smaller than period_seconds",
    yet Cloud Run's own default startup probe has both 240: equal passes; the readiness probe's
    timeout "cannot exceed" its period, the healthchecks page)."""
    for column, part in enumerate(PROBE_PARTS, start=1):
        if not container.HasField(part):
            continue
        probe = getattr(container, part)
        for field, bounds in PROBE_BOUNDS.items():
            value, least, top = getattr(probe, field), bounds[0], bounds[column]
            if column == 1 and startup_most and field != "failure_threshold":
                top = startup_most
            if value and not (least <= value and (top is None or value <= top)):
                span = f"from {least}" + (f" to {top}" if top else "")
                raise invalid(f"{at}.{part}.{field}: {value} is not {span}.")
        action = probe.WhichOneof("probe_type")
        if action and not 0 <= getattr(probe, action).port <= 65535:
            raise invalid(f"{at}.{part}.{action}.port: must be in the range 1 to 65535.")
        timeout, period = probe.timeout_seconds or 1, probe.period_seconds or 10
        if period < timeout:
            raise invalid(
                f"{at}.{part}.period_seconds: {period} must be greater or equal than "
                f"timeout_seconds ({timeout})."
            )


def validate_network_volumes(template: Any, gen1_volumes: str) -> None:
    """A service's Cloud Storage or NFS volume in the first generation execution environment,
    named so: the execution environments page lists "Network file system support" among what
    the second generation provides, and the Terraform provider's `volumes.gcs` says "This
    feature is only supported in the gen2 execution environment"; the API reference says
    nothing. `gen1_volumes` (the scenario option `network_volumes_gen1`): "refused"
    (INVALID_ARGUMENT) or "taken". Unset, Cloud Run "selects the execution environment based
    on the features used" (…/configuring/execution-environments): taken."""
    if gen1_volumes != "refused" or template.execution_environment != GEN1:
        return
    for index, volume in enumerate(template.volumes):
        if volume.HasField("gcs") or volume.HasField("nfs"):
            raise invalid(
                f"spec.template.spec.volumes[{index}]: a Cloud Storage or NFS volume needs the "
                "second generation execution environment (gen2)."
            )


class OpenRules(NamedTuple):
    """The container rules the documentation leaves open, as the scenario's options of these
    names read them (`validate_optional`)."""

    mount_path_twice: str = "refused"
    startup_window: str = "taken"
    readiness_tcp: str = "taken"
    liveness_delay: str = "taken"

    @classmethod
    def of(cls, options: Any) -> OpenRules:
        """The scenario `options`' readings."""
        return cls(*(getattr(options, name) for name in cls._fields))


OPEN_DEFAULTS = OpenRules()
"""The scenario options' defaults."""


def validate_optional(template: Any, rules: OpenRules, *, serves: bool = False) -> None:
    """The open container rules as `rules` read them: `_mount_paths`, `_startup_windows`, a
    service's (`serves`) `_liveness_delays` and a TCP readiness probe: the healthchecks page's
    "Configure readiness probes" configures HTTP and gRPC ones only and does not say that a TCP
    one is refused (`readiness_tcp: refused`: INVALID_ARGUMENT, `taken`: stored as sent)."""
    if rules.mount_path_twice == "refused":
        _mount_paths(template)
    if rules.startup_window == "refused":
        _startup_windows(template)
    if serves and rules.liveness_delay == "refused":
        _liveness_delays(template)
    for index, container in enumerate(template.containers):
        if rules.readiness_tcp == "refused" and container.readiness_probe.HasField("tcp_socket"):
            raise invalid(
                f"spec.template.spec.containers[{index}].readiness_probe: a readiness probe is "
                "httpGet or grpc, not tcpSocket."
            )


def _mount_paths(template: Any) -> None:
    """One container mounting two volumes at one path (`/data` and `/data/` alike), named so.
    run v2 says only VolumeMount.mount_path "Path within the container at which the volume
    should be mounted" and the volume pages nothing; Knative Serving, whose API Cloud Run's v1
    implements, refuses it ("%q must be unique", mountPath after path.Clean: knative/serving
    pkg/apis/serving/k8s_validation.go validateVolumeMounts), as Kubernetes does: refused
    (INVALID_ARGUMENT) under the scenario option `mount_path_twice: refused`, else stored, one
    volume hiding the other. A Cloud SQL volume's empty path is /cloudsql."""
    for index, container in enumerate(template.containers):
        seen: set[str] = set()
        for mount in container.volume_mounts:
            path = posixpath.normpath(mount.mount_path or CLOUDSQL_PATH)
            if path in seen:
                raise invalid(
                    f"spec.template.spec.containers[{index}].volume_mounts.mount_path: "
                    f"'{mount.mount_path}' must be unique: another volume is mounted there."
                )
            seen.add(path)


STARTUP_WINDOW_S = 240
"""The jobs' and worker pools' healthchecks pages: a startup probe's time "is calculated as
failureThreshold * periodSeconds and can't exceed 240 seconds" (…/jobs/healthchecks), "The time
is a maximum of 240 seconds, calculated as failureThreshold * periodSeconds" (…/workerpools/
healthchecks); the run v2 Probe fields bound the period and the initial delay alone. The
newest copies of the jobs' and the services' pages say 600 seconds (1800 for GPU), which
drift's profile rules follow (`drift.fields.probe_bounds.window_bound`); the option's
`refused` keeps the older 240 s for every kind, so that a test sees drift write what that
reading refuses (helper-722 F9)."""


def _startup_windows(template: Any) -> None:
    """A startup probe whose failure threshold times its period is over `STARTUP_WINDOW_S`
    (0: Probe's defaults, 3 and 10 s), refused under the scenario option `startup_window:
    refused`; whether Cloud Run refuses one or takes it and gives up on the container at 240 s
    (`taken`: the sandbox's probes answer at once, so it never gets that far) is not said."""
    for index, container in enumerate(template.containers):
        if not container.HasField("startup_probe"):
            continue
        probe = container.startup_probe
        window = (probe.period_seconds or 10) * (probe.failure_threshold or 3)
        if window > STARTUP_WINDOW_S:
            raise invalid(
                f"spec.template.spec.containers[{index}].startup_probe: failure_threshold * "
                f"period_seconds is {window} seconds; it can't exceed {STARTUP_WINDOW_S} seconds."
            )


SERVICE_LIVENESS_DELAY = (600, 1800)
"""A service's liveness probe's initial_delay_seconds at the most, without and with a GPU, as
the newest services' healthchecks page says (docs.cloud.google.com/run/docs/configuring/
healthchecks, "Configure liveness probes", in the console, gcloud and YAML sections alike):
"Specify a value from 0 seconds to 600 seconds (1800 for GPU)". run v2's Probe says
"Maximum value for liveness probe is 3600" (`PROBE_BOUNDS`, every write); the same page gives
the liveness period and timeout as the proto does ("from 1 second to 3600 seconds", "from 1 to
3600"). The worker pools' page states no liveness bound, and a job has no liveness probe."""


def _liveness_delays(template: Any) -> None:
    """A service's liveness probe whose initial delay is over `SERVICE_LIVENESS_DELAY` (its
    template's GPU), refused under the scenario option `liveness_delay: refused`; `taken`
    (the default) holds to the proto's 3600. Which one Cloud Run does is not documented."""
    most = SERVICE_LIVENESS_DELAY[_gpu(template)]
    for index, container in enumerate(template.containers):
        delay = container.liveness_probe.initial_delay_seconds
        if container.HasField("liveness_probe") and delay > most:
            raise invalid(
                f"spec.template.spec.containers[{index}].liveness_probe.initial_delay_seconds: "
                f"{delay} is not from 0 to {most}."
            )
