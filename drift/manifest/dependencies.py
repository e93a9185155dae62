"""The startup order of a template's containers, checked before the deploy: every name it
gives is a container of that template, and no container waits on itself through others.

Cloud Run v2 `Container.depends_on` (google/cloud/run/v2/k8s.min.proto): "Names of the
containers that must start before this container"; in a Knative manifest the
`run.googleapis.com/container-dependencies` annotation of the template, a JSON object of
container name -> the names it starts after (Cloud Run YAML reference,
https://cloud.google.com/run/docs/reference/yaml/v1, `CONTAINER_START_ORDER`; gcloud
`--depends-on`). A name that is no container of the template cannot start before anything,
and a cycle leaves no container to start first: the deploy cannot honour either, and the
conversion (`drift.fix.knative.pod`) keeps only the entries of containers it has, so one
naming a missing container was passed over in silence — it is refused at its line instead."""

from __future__ import annotations

import json
from typing import Any, TypeGuard

from drift.errors import Problem
from drift.fields.startup_order import order_problems
from drift.fix.knative import keys
from drift.manifest.proto import PathProblem
from drift.yamldoc import Located

_PLACES = {
    "Service": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "WorkerPool": (("spec", "template", "metadata"), ("spec", "template", "spec")),
    "Job": (("spec", "template", "metadata"), ("spec", "template", "spec", "template", "spec")),
}
"""Where each kind of document holds the annotation and the containers it orders."""


def knative_order(doc: Located, data: dict[str, Any], kind: str) -> list[Problem]:
    """The container-dependencies annotation of a Knative document, at its line (its shape
    is `annotations`' to check: only a well-shaped one is read here)."""
    meta, spec = (_at(data, where) for where in _PLACES.get(kind, ((), ())))
    annotations = meta.get("annotations") if isinstance(meta, dict) else None
    value = annotations.get(keys.DEPENDENCIES) if isinstance(annotations, dict) else None
    try:
        order = json.loads(value) if isinstance(value, str) else None
    except (ValueError, RecursionError):
        return []
    if not _well_shaped(order):
        return []
    containers = spec.get("containers") if isinstance(spec, dict) else None
    names = [
        c["name"]
        for c in (containers if isinstance(containers, list) else [])
        if isinstance(c, dict) and isinstance(c.get("name"), str)
    ]
    where = (*_PLACES[kind][0], "annotations", keys.DEPENDENCIES)
    return [
        doc.problem(where, f"{keys.DEPENDENCIES}: {why}") for _, why in order_problems(order, names)
    ]


def plan_order(containers: Any, at: str) -> None:
    """Each container's `depends_on` in a plan's `after` (`containers`: the template's list,
    `at`: its JSON path): the first that is wrong is refused at its path."""
    listed = containers if isinstance(containers, list) else []
    names = [c["name"] for c in listed if isinstance(c, dict) and isinstance(c.get("name"), str)]
    order = {
        c["name"]: c["depends_on"]
        for c in listed
        if isinstance(c, dict)
        and isinstance(c.get("name"), str)
        and isinstance(c.get("depends_on"), list)
        and all(isinstance(n, str) for n in c["depends_on"])  # unknown ones are null: not read
    }
    for owner, why in order_problems(order, names):
        raise PathProblem(f"{at}[{names.index(owner)}].depends_on", why)


def _well_shaped(order: Any) -> TypeGuard[dict[str, list[str]]]:
    return isinstance(order, dict) and all(
        isinstance(v, list) and all(isinstance(n, str) for n in v) for v in order.values()
    )


def _at(data: Any, where: tuple[str, ...]) -> Any:
    for step in where:
        data = data.get(step) if isinstance(data, dict) else None
    return data
