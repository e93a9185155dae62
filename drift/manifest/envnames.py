"""A variable stated twice in one container of a manifest. The run v2 Container holds `env` as
a list (google/cloud/run/v2/k8s.min.proto, "List of environment variables to set in the
container"), and a YAML list or a Terraform `env` block keeps every entry; drift reads a
container's variables by name, so one of two entries of a name would be passed over in
silence — a plain credential stated above the secret reference of the same name neither
judged nor shown. Cloud Run keeps one variable of a name (the sandbox refuses the template,
`drift.sandbox.validate`), and which entry a deploy would run cannot be told from the
manifest: it is refused where the second entry is, as a deploy would be."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from drift.errors import Problem
from drift.yamldoc import Located


def repeated(variables: Any) -> Iterator[tuple[int, int, str]]:
    """(index of the first entry, index of the repeat, name) of each name a container's `env`
    list states again (names not known yet, or not text, are left to the rest of the read)."""
    seen: dict[str, int] = {}
    for j, var in enumerate(variables if isinstance(variables, list) else []):
        name = var.get("name") if isinstance(var, dict) else None
        if not isinstance(name, str):
            continue
        if name in seen:
            yield seen[name], j, name
        else:
            seen[name] = j


def stated_twice(name: str, first: str) -> str:
    """The message, `first` saying where the first entry is (a line, a JSON path)."""
    return (
        f"variable {name[:80]!r} is stated twice in this container (first at {first}): Cloud "
        "Run keeps one variable of a name, so the deploy is refused or runs only one of them, "
        "and which cannot be told from the manifest: state it once"
    )


POD_OF = {
    "Service": ("spec", "template", "spec"),
    "Job": ("spec", "template", "spec", "template", "spec"),  # the task template's
    "WorkerPool": ("spec", "template", "spec"),
}
"""Where each kind of document holds the pod spec whose `containers` run."""


def knative_twice(doc: Located, kind: str) -> list[Problem]:
    """Each variable a container states twice (`envnames`), at the repeat's line."""
    pod = POD_OF.get(kind, ())
    node: Any = doc.data
    for step in pod:
        node = node.get(step) if isinstance(node, dict) else None
    containers = node.get("containers") if isinstance(node, dict) else None
    problems = []
    for c, container in enumerate(containers if isinstance(containers, list) else []):
        env: tuple[str | int, ...] = (*pod, "containers", c, "env")
        variables = container.get("env") if isinstance(container, dict) else None
        for first, j, name in repeated(variables):
            where = ".".join(map(str, (*env, j, "name")))
            said = stated_twice(name, f"line {doc.line((*env, first, 'name'))}")
            problems.append(doc.problem((*env, j, "name"), f"{where}: {said}"))
    return problems
