"""The defaults Cloud Run writes into a service's or worker pool's template when a write leaves
them out (option `template_defaults: filled`), so that a write read back is not the write as
sent: "validated and default values populated" (run v2 service.proto, CreateServiceRequest and
UpdateServiceRequest.validate_only). Which fields a GetService then shows filled in is not
documented field by field; each one here is a default Google documents (cited where it is
written), and `unset` (the other reading) stores the write as sent. Jobs have their own
(`jobs.fill_defaults`, option `job_defaults`)."""

from __future__ import annotations

from typing import Any

from drift.sandbox.clock import duration
from drift.sandbox.kinds import SERVICE, Kind
from drift.sandbox.pb import TemplatePb
from drift.sandbox.revisions import ingress_container
from drift.sandbox.templates import default_concurrency

MAX_INSTANCES = 100
"""RevisionScaling.max_instance_count (vendor_settings.proto): "When unspecified, the field is
set to the server default value of 100"."""
TIMEOUT_S = 300
""""By default, the request timeout is set to 5 minutes (300 seconds)" (run/docs/configuring/
request-timeout)."""
PORT = 8080
"""Container.ports (k8s.min.proto): "If omitted, a port number will be chosen and passed to the
container through the PORT environment variable"; that number is 8080 ("The default port is
8080", run/docs/container-contract)."""
LIMITS = {"cpu": "1000m", "memory": "512Mi"}
"""1 CPU and 512 MiB: each instance's default (run/docs/configuring/services/cpu, …/memory-
limits); `1000m` is how Google writes one CPU back (what `gcloud run services describe` shows;
the form is not documented)."""
FILE_MODE = 0o444
"""SecretVolumeSource.default_mode (k8s.min.proto): "defaulting to 0444"."""
PROBE_S = 240
"""The default TCP startup probe: "A TCP startup probe is automatically configured for a new
Cloud Run service with default values … tcpSocket: port: CONTAINER_PORT timeoutSeconds: 240
periodSeconds: 240 failureThreshold: 1" (run/docs/configuring/healthchecks)."""


def fill_template(kind: Kind, template: Any) -> None:
    """Write the documented defaults into `template` (a service's RevisionTemplate or a worker
    pool's WorkerPoolRevisionTemplate) where it leaves them unset; a value written is kept."""
    for container in template.containers:
        _fill_resources(container)
    for volume in template.volumes:
        if volume.HasField("secret") and not volume.secret.default_mode:
            volume.secret.default_mode = FILE_MODE
    if kind is not SERVICE or not template.containers:
        return  # a worker pool serves no requests: no port, timeout, concurrency or scaling
    _fill_service(template)


def fill_secret_versions(template: Any) -> None:
    """Each env variable's secret reference `template` (a revision's or a task's) writes without
    a version written as `latest` (option `empty_secret_version: latest`): SecretKeySelector.
    version documents no default ("Can be 'latest' for the latest version, an integer for a
    specific version, or a version alias"); `kept`, the other reading, stores "" and an
    instance reads the latest version (`revisions.secret_uses`). A secret volume's item is
    another matter: "When items are defined, they must specify a path and a version"
    (SecretVolumeSource.items): refused without one (`validate`)."""
    for container in template.containers:
        for var in container.env:
            source = var.value_source
            if var.HasField("value_source") and source.HasField("secret_key_ref"):
                source.secret_key_ref.version = source.secret_key_ref.version or "latest"


def _fill_resources(container: Any) -> None:
    if not container.HasField("resources"):
        # ResourceRequirements.cpu_idle: "true by default. However, if ResourceRequirements
        # is set, the caller must explicitly set this field to true" (k8s.min.proto)
        container.resources.cpu_idle = True
    for key, value in LIMITS.items():
        container.resources.limits.setdefault(key, value)


def _fill_service(template: TemplatePb) -> None:
    if not template.scaling.max_instance_count:
        template.scaling.max_instance_count = MAX_INSTANCES
    if not template.HasField("timeout"):
        template.timeout.CopyFrom(duration(TIMEOUT_S))
    if not template.max_instance_request_concurrency:
        template.max_instance_request_concurrency = default_concurrency(template)
    ingress = ingress_container(template)
    if not ingress.ports:  # one container (several need one port: `validate_containers`)
        ingress.ports.add(container_port=PORT)
    port = ingress.ports[0].container_port or PORT
    if not ingress.HasField("startup_probe"):
        probe = ingress.startup_probe
        probe.tcp_socket.port = port
        probe.timeout_seconds = probe.period_seconds = PROBE_S
        probe.failure_threshold = 1
