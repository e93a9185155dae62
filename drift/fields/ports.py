"""The rows of the settings catalogue for how a service's requests reach its ingress container
(the one declaring a port: "Only a single port can be specified", run v2 `Container.ports`):
end-to-end HTTP/2 (`ContainerPort.name` "h2c") and the port requests are sent to
(`ContainerPort.container_port`). Services only: "Port settings don't apply to Cloud Run jobs"
(cloud.google.com/run/docs/configuring/containers), and a worker pool takes no requests.

"Configure container ports" (the same page): "Specify the port to which requests will be sent,
if not the default value 8080" (`gcloud run services update SERVICE --port PORT`). "Using
end-to-end HTTP/2" (cloud.google.com/run/docs/configuring/http2): "Your Cloud Run service must
handle requests in HTTP/2 cleartext (h2c)"; `--use-http2`, `--no-use-http2`; Knative's
`ports[].name: h2c`. Both flags are in gcloud run deploy's `--container=CONTAINER` group (its
synopsis), so on a service with sidecars they follow the ingress container's `--container`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.fields import access as a
from drift.fields.base import (
    ANY_INDEX,
    UNTOLD,
    Field,
    SettingValue,
    Source,
    tf_container,
)

DEFAULT_PORT = 8080
"""The port requests are sent to where the ingress container declares none (or port 0)."""
H2C = "h2c"
"""ContainerPort.name: "Allowed values are "http1" and "h2c"" (unset: HTTP/1)."""


def ingress(containers: Any) -> Any | None:
    """The container that gets a service's requests: the one with a port, else the only one
    (`drift.live.normalize.pick_container` with no name)."""
    for container in containers:
        if len(container.ports):
            return container
    return containers[0] if len(containers) == 1 else None


def mounted(template: Any) -> list[Any]:
    """The volumes of a template (raw or proto-plus: views on its own messages) that some
    container mounts. One no container mounts connects nothing: "Volume represents a named
    volume in a container", "VolumeMount describes a mounting of a Volume within a container"
    (run v2 k8s.min.proto), a Cloud SQL volume's instances being "available as
    /cloudsql/[instance]" only where a VolumeMount puts it; Knative refuses one ("volume with
    name %q not mounted", serving's k8s_validation.go). So `cloudsql_instances`,
    `storage_buckets` and `nfs_shares` read, and their fixes touch, only these."""
    names = {m.name for c in template.containers for m in c.volume_mounts}
    return [v for v in template.volumes if v.name in names]


def mount_untold(template: Any, container: Any) -> str:
    """Why a fix cannot mount a new volume in the ingress container (a job's or pool's without
    a port: `container`, the one the profile describes) where neither is there (several, none
    with a port, none named): the `Field.unwritable` of the volume rows for a value no mounted
    volume can take ("": it can). The value is read all the same (`mounted`)."""
    if container is None and ingress(template.containers) is None:
        return f"its containers have no port, and {UNTOLD}"
    return ""


def ingress_name(workload: Any) -> str:
    """The name of the container a (run_v2) workload's requests reach ("" when not read, or
    none has a port and there are several)."""
    found = None if workload is None else ingress(a.template_of(workload).containers)
    return str(found.name) if found is not None else ""


def _port_of(source: Source) -> Any | None:
    found = ingress(source.revision.containers)
    return found.ports[0] if found is not None and len(found.ports) else None


def _http2(source: Source) -> bool:
    port = _port_of(source)
    return port is not None and port.name == H2C


def _port(source: Source) -> int:
    port = _port_of(source)
    return int(port.container_port) if port is not None and port.container_port else DEFAULT_PORT


def _own_port(workload: Any, container: Any) -> Any:
    """The ingress container's port in a (run_v2) workload, added where it declares none."""
    return _ingress_of(workload, container).ports[0]


def _ingress_of(workload: Any, container: Any) -> Any:
    """The ingress container of a (run_v2) workload, given a port where it declares none."""
    target = ingress(a.template_of(workload).containers)
    if target is None:
        target = container
    if not len(target.ports):
        target.ports.append(a.run_v2().ContainerPort())
    return target


def _write_http2(workload: Any, container: Any, value: SettingValue) -> None:
    # gcloud's --no-use-http2 names the port http1; its number is kept either way
    _own_port(workload, container).name = H2C if value else "http1"


def _write_port(workload: Any, container: Any, value: SettingValue) -> None:
    target = _ingress_of(workload, container)
    old = target.ports[0].container_port or DEFAULT_PORT
    target.ports[0].container_port = int(value)
    # gcloud's --port moves a TCP startup probe on the old port with it (command_lib/run/
    # config_changes.py ContainerPortChange): one left there fails every new revision; the
    # plan says where each probe on the old port ends (`health_rules.port_note`)
    probe = target.startup_probe if "startup_probe" in target else None
    if probe is not None and "tcp_socket" in probe and probe.tcp_socket.port == old:
        probe.tcp_socket.port = int(value)


def _port_row(
    name: str,
    help: str,
    annotation: Any,
    part: str,
    flag: Callable[[SettingValue], str],
    **more: Any,
) -> Field:
    """A row of one part of the ingress container's port (`name`, `container_port`): its flag
    after that container's `--container` (gcloud's container group)."""
    return Field(
        name,
        help,
        annotation,
        level="container",
        terraform=(tf_container("ports", ANY_INDEX, part),),
        gcloud=flag,
        gcloud_args=lambda after, before: ((flag(after), "ingress"),),
        sparse=True,  # a row of 2026-12: the journals written before digest none of it
        **more,
    )


PORT_FIELDS: tuple[Field, ...] = (
    _port_row(
        "http2",
        "End-to-end HTTP/2: requests reach the ingress container as h2c (its port named h2c); "
        "false: Cloud Run downgrades them to HTTP/1.",
        bool,
        "name",
        a.switch("use-http2"),
        read=_http2,
        write=_write_http2,
        unset=False,
    ),
    _port_row(
        "port",
        "The port requests are sent to in the ingress container (8080 when unset).",
        int,
        "container_port",
        a.flag("port"),
        read=_port,
        write=_write_port,
        minimum=1,
        # ContainerPort.container_port: "a valid TCP port number, 0 < container_port < 65536"
        maximum=65535,
        why_max="a TCP port number (ContainerPort.container_port)",
        examples=(8080,),
        unset=DEFAULT_PORT,
    ),
)
