"""Every value a Terraform plan marks sensitive, in whatever resource or variable it is,
registered as a secret before anything of the plan is read, so that no output carries it: a
plan holds them in plain text beside the marks ("sensitive values are shown in plain text in
the JSON output": developer.hashicorp.com/terraform/internals/json-format; a change's
`after_sensitive`/`before_sensitive` mark them, and the configuration's `sensitive = true` a
variable's). A Cloud Run workload's own are registered where it is read
(`drift.manifest.terraform`); these are the others: the `secret_data` of a version the plan
creates, which a variable of a workload may hold as a plain value that Terraform no longer
marks (`nonsensitive()`, a literal copied into the configuration) — it was printed whole in
every format (helper-698 F9)."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from drift import redact
from drift.secretforms import SEARCH_MIN

_CHANGES = ("resource_changes", "resource_drift")
"""The lists of resource changes (`resource_drift`: what changed outside Terraform)."""


def register_sensitive(plan: dict[str, Any], workloads: Collection[str]) -> None:
    """Register the plan's sensitive text values of `SEARCH_MIN` characters or more (a shorter
    one of another resource — a flag, a count — would mask the same word wherever a workload
    has it). `workloads`: the resource types read as workloads, whose values are registered
    where they are read, their names and places left shown (`terraform.IDENTIFIERS`)."""
    for value in _sensitive_values(plan, workloads):
        if isinstance(value, str) and len(value) >= SEARCH_MIN:
            redact.register(value)


def _sensitive_values(plan: dict[str, Any], workloads: Collection[str]) -> Iterator[Any]:
    for name in _CHANGES:
        changes = plan.get(name)
        for rc in changes if isinstance(changes, list) else ():
            kind = rc.get("type") if isinstance(rc, dict) else None
            if not isinstance(rc, dict) or (isinstance(kind, str) and kind in workloads):
                continue  # (a type of another shape is refused where the workloads are read)
            change = rc.get("change")
            if isinstance(change, dict):
                yield from _marked(change.get("after"), change.get("after_sensitive"))
                yield from _marked(change.get("before"), change.get("before_sensitive"))
    outputs = plan.get("output_changes")
    for change in outputs.values() if isinstance(outputs, dict) else ():
        if isinstance(change, dict):
            yield from _marked(change.get("after"), change.get("after_sensitive"))
            yield from _marked(change.get("before"), change.get("before_sensitive"))
    variables, declared = plan.get("variables"), _declared(plan)
    for name, variable in variables.items() if isinstance(variables, dict) else ():
        if declared.get(name) is True and isinstance(variable, dict):
            yield from _marked(variable.get("value"), True)


def _declared(plan: dict[str, Any]) -> dict[str, Any]:
    """Whether each root module variable is declared `sensitive`."""
    root = plan.get("configuration", {})
    root = root.get("root_module", {}) if isinstance(root, dict) else {}
    found = root.get("variables", {}) if isinstance(root, dict) else {}
    if not isinstance(found, dict):
        return {}
    return {k: v.get("sensitive") for k, v in found.items() if isinstance(v, dict)}


def _marked(value: Any, marks: Any) -> Iterator[Any]:
    """The leaves of `value` that `marks` (its shape, `true` where sensitive) marks."""
    if marks is True:
        yield from _leaves(value)
    elif isinstance(marks, dict) and isinstance(value, dict):
        for k, m in marks.items():
            yield from _marked(value.get(k), m)
    elif isinstance(marks, list) and isinstance(value, list):
        for v, m in zip(value, marks, strict=False):
            yield from _marked(v, m)


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
