"""The field rules of a container and its volumes that run v2's `k8s.min.proto` states, checked
on every write as the API checks them (INVALID_ARGUMENT); the wording of each refusal is the
sandbox's (Google documents the rule, not its message)."""

from __future__ import annotations

import re
from typing import Any

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
MAX_MODE = 0o777
"""SecretVolumeSource.default_mode "Must be a value between 0000 and 0777 (octal)";
VersionToPath.mode "must be a value between 01 and 0777 (octal)"."""


def validate_fields(template: Any) -> None:
    """Each container's name, ports and mounts, and each secret volume's modes and paths."""
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
        for mount in container.volume_mounts:
            if ":" in mount.mount_path:  # VolumeMount.mount_path: "Must not contain ':'"
                raise invalid(f"{at}.volume_mounts.mount_path: must not contain ':'.")
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
