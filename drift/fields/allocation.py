"""How CPU is allocated — throttled outside requests, boosted at startup — as the API holds it:
once per container (`ResourceRequirements.cpu_idle`, `startup_cpu_boost`, run v2
k8s_min.proto), though gcloud sets each for the whole revision (`--[no-]cpu-throttling`,
`--[no-]cpu-boost`) and Knative YAML has one annotation per revision. Throttling is the
instance's (what it is billed for: cpu_floor, gpu_floor judge every container's); where the
containers of a revision disagree on it (a template written through the v2 API, Terraform's
`google_cloud_run_v2_service`: a sidecar's `resources { limits }` without `cpu_idle`), which
one the instance runs with is not documented: it is not read, never one container's value
taken for the instance's (helper-547 F1). A boost is of a container's own CPU."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.fields.base import Source


def throttled(container: Any) -> bool:
    """ResourceRequirements.cpu_idle: "Determines whether CPU is only allocated during
    requests (true by default). However, if ResourceRequirements is set, the caller must
    explicitly set this field to true to preserve the default behavior." """
    return not container.HasField("resources") or bool(container.resources.cpu_idle)


def boosted(container: Any) -> bool:
    """ResourceRequirements.startup_cpu_boost: "Determines whether CPU should be boosted on
    startup of a new container instance above the requested CPU threshold" (false unset)."""
    return bool(container.resources.startup_cpu_boost)


def reader(per_container: Callable[[Any], bool], default: bool) -> Callable[[Source], bool]:
    """The setting as the container the profile describes holds it (the containers agree
    where it is read: `disagreeing`); `default` without a container."""

    def read(source: Source) -> bool:
        return per_container(source.container) if source.container is not None else default

    return read


def disagreeing(name: str, per_container: Callable[[Any], bool]) -> Callable[[Source], str]:
    """Why `name` is not read: the revision's containers hold it differently ("": they agree,
    or it has one)."""

    def why(source: Source) -> str:
        containers = list(getattr(source.revision, "containers", ()))
        held = {c.name or f"#{i}": per_container(c) for i, c in enumerate(containers)}
        if len(set(held.values())) < 2:
            return ""
        each = ", ".join(f"{n}: {'true' if v else 'false'}" for n, v in held.items())
        return (
            f"its containers hold {name} differently ({each}); Cloud Run's documentation "
            "does not say which one the instance runs with"
        )

    return why
