"""The row of the settings catalogue for a service container's readiness probe
(`Container.readiness_probe`, google/cloud/run/v2 k8s.min.proto: "Readiness probe to be used for
health checks"), a `Probe` as the startup and liveness probes are (`drift.fields.health`), in
the same text: `http /ready port 8080`, `grpc port 8080 service NAME`, or `none` (no probe),
then any of `timeout 1s`, `period 10s`, `failure 3` (compared where stated).

Cloud Run's readiness probes (cloud.google.com/run/docs/configuring/healthchecks, "Readiness
probes (Preview)": "Readiness probes determine when an instance in your Cloud Run service should
serve traffic … If an instance fails its readiness probe beyond the failure threshold value you
configure, Cloud Run stops sending new traffic to it"): a service's only. The worker pools'
page configures "two types of health check probes" (liveness, startup) and the jobs' startup
probes only, so a job's or worker pool's profile stating one is refused at its line (`kinds`).
What the page's "Configure readiness probes" gives (`probe_text.BOUNDS`, `NO_TCP`): HTTP or
gRPC; period and timeout "a value from 1 to 300", the period at least the timeout ("This value
cannot exceed the value specified for periodSeconds"), defaults period 10s, timeout 1s, failure
3; no initial delay, so a value read shows its delay only where one is set (through the API:
`delay 5s`), which a fix that keeps the probe's kind keeps. Its success threshold ("The default
is 2") has no field in run v2's `Probe` (client 0.16.2; googleapis k8s.min.proto of 2026-08):
drift neither reads, compares nor writes it.

gcloud 528: `--readiness-probe=httpGet.path=/ready,httpGet.port=8080,periodSeconds=10` is the
alpha track's (surface/run/services/update.py adds `ReadinessProbeFlag` in `AlphaUpdate` only;
`drift.fix.commands.ALPHA_SERVICE_FLAGS`), its keys timeoutSeconds, periodSeconds,
failureThreshold, successThreshold, httpGet.port, httpGet.path, grpc.port, grpc.service
(flags.py `_SUPPORTED_READINESS_PROBE_KEYS`); `--readiness-probe=` removes it. Knative:
`readinessProbe` (`drift.fix.knative.container`). Terraform: `template.containers.
readiness_probe`. An HTTP probe's headers and a token in its path are kept and shown as the
other probes' are (`probe_text.shown`)."""

from __future__ import annotations

from dataclasses import replace

from drift.fields.base import SERVICES, Field, Source
from drift.fields.health import probe_row
from drift.fields.probe_text import read_check

NAME = "readiness_probe"


def _read(source: Source) -> str:
    """The probe as read: its delay left out where it has none (0: Cloud Run's readiness
    probes have no initial delay), as a profile states it."""
    container = source.container
    if container is None or not container.HasField(NAME):
        return ""
    check = read_check(container.readiness_probe, container)
    if not check.timings.get("delay"):
        check = replace(check, timings={w: n for w, n in check.timings.items() if w != "delay"})
    return check.text()


READINESS_FIELD: Field = replace(
    probe_row(
        NAME,
        "The container's readiness probe (a service's; Preview): http PATH port N or grpc port "
        "N [service NAME], then any of timeout/period Ns, failure N (compared where stated); "
        "none: no probe.",
        SERVICES,
        "http /ready port 8080",
    ),
    read=_read,
)
