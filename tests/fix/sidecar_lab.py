"""A service, job or worker pool as teams run them with a sidecar (an OpenTelemetry collector
beside the app, pinned by its image tag, with limits of its own), and `drift` run on it as a
user runs it: the profile in `profiles/lab.yaml`, the journal beside it."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.fix.conftest import LAB

APP = "us-docker.pkg.dev/lab/app:v1"
OTEL = "us-docker.pkg.dev/lab/otel-collector:0.98.0"
OTEL_NEXT = "us-docker.pkg.dev/lab/otel-collector:0.99.0"
SECTION = {"service": "services", "job": "jobs", "worker_pool": "worker_pools"}


def containers(otel_image: str = OTEL, otel_memory: str = "256Mi") -> list[dict[str, Any]]:
    """The app (with the port, on a service) and the collector with its own limits."""
    return [
        {"name": "app", "image": APP, "env": [{"name": "MODE", "value": "live"}]},
        {
            "name": "otel",
            "image": otel_image,
            "resources": {"limits": {"cpu": "1", "memory": otel_memory}},
        },
    ]


def served(otel_image: str = OTEL, otel_memory: str = "256Mi") -> list[dict[str, Any]]:
    """A service's containers: the app's with the port."""
    out = containers(otel_image, otel_memory)
    out[0]["ports"] = [{"containerPort": 8080}]
    return out


def world(
    kind: str = "service", otel_image: str = OTEL, otel_memory: str = "256Mi", **fields: Any
) -> dict[str, Any]:
    """One workload `app` of `kind` with the sidecar (a service: LATEST 100 %, unless `fields`
    give its traffic and history)."""
    make = served if kind == "service" else containers
    template: dict[str, Any] = {"containers": make(otel_image, otel_memory)}
    body = {"client": "gcloud", "client_version": "467.0.0", "template": template, **fields}
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {"number": 555000111444, "region": "us-central1", SECTION[kind]: {"app": body}}
        },
    }


def profile(otel: str, kind: str = "service", app: str = "", container: str = "app") -> str:
    """`profiles/lab.yaml` text: the workload `app` with the sidecar's rules `otel` (the lines
    under `containers.otel`, indented by 8) and the workload's own lines `app` (by 4). A job's
    or pool's names the container its `env` describes (`container`; "": none): neither has a
    port, and their order tells nothing (helper-619 F4)."""
    head = f"project: {LAB}\nregion: us-central1\n{SECTION[kind]}:\n  app:\n"
    if kind != "service" and container:
        head += f"    container: {container}\n"
    return head + app + "    containers:\n      otel:\n" + otel


def run(sandbox: Sandbox, tmp_path: Path, text: str, *args: str) -> Any:
    """`drift ARGS` with `profiles/lab.yaml` holding `text` (and the journal in tmp_path)."""
    return drift_on(sandbox, tmp_path, ("lab", text), *args)


def template_of(sandbox: Sandbox, kind: str) -> Any:
    """The template of workload `app` of `kind` as it reads now (a job's: its task template)."""
    if kind == "service":
        return sandbox.service(LAB, "app").template
    if kind == "job":
        return sandbox.job(LAB, "app").template.template
    return sandbox.worker_pool(LAB, "app").template


def otel_of(template: Any) -> Any:
    """The collector container of a template (a job's: its task template)."""
    return next(c for c in template.containers if c.name == "otel")
