"""Every value a Terraform plan marks sensitive, in whatever resource or variable it is,
registered as a secret before anything of the plan is read, so that no output carries it: a
plan holds them in plain text beside the marks ("sensitive values are shown in plain text in
the JSON output": developer.hashicorp.com/terraform/internals/json-format; a change's
`after_sensitive`/`before_sensitive` mark them, and the configuration's `sensitive = true` a
variable's). A Cloud Run workload's own are registered where it is read
(`drift.manifest.terraform`); these are the others: the `secret_data` of a version the plan
creates, which a variable of a workload may hold as a plain value that Terraform no longer
marks (`nonsensitive()`, a literal copied into the configuration) — it was printed whole in
every format (helper-698 F9).

Where the marks are, a shape Terraform does not write is refused at its JSON path (exit 2);
masking then did nothing, quietly, and such a value was printed (helper-766). A variable whose
declaration the plan does not hold (no `configuration.root_module.variables`, which Terraform
always writes beside the values: terraform `internal/command/jsonconfig/config.go`) may be
sensitive: its value is masked."""

from __future__ import annotations

from collections.abc import Collection, Iterator
from typing import Any

from drift import redact
from drift.manifest.proto import OutOfRange, PathProblem, expect, index, key, kind_of, message
from drift.manifest.unknowns import TPath, value_at
from drift.secretforms import SEARCH_MIN

_CHANGES = ("resource_changes", "resource_drift")
"""The lists of resource changes (`resource_drift`: what changed outside Terraform; and
`deferred_changes`, each change in its `resource_change`)."""
_VARIABLES = "configuration.root_module.variables"


def register_sensitive(plan: dict[str, Any], workloads: Collection[str]) -> None:
    """Register the plan's sensitive text values of `SEARCH_MIN` characters or more (a shorter
    one of another resource — a flag, a count — would mask the same word wherever a workload
    has it). `workloads`: the resource types read as workloads, whose values are registered
    where they are read, their names and places left shown (`terraform.IDENTIFIERS`). Raises
    `PathProblem` where the plan's marks or declarations have a shape drift cannot read."""
    for value in _sensitive_values(plan, workloads):
        if isinstance(value, str) and len(value) >= SEARCH_MIN:
            redact.register(value)


def sensitive_paths(value: Any, marks: Any, path: str, at: TPath = ()) -> Iterator[TPath]:
    """The paths into `value` that `marks` marks sensitive (Terraform's `SensitiveAsBool`:
    true where sensitive, false or left out where not, an object or a list of marks where the
    value is one; terraform `internal/command/jsonstate/state.go`). `path`: where the marks are
    in the plan. Marks of another shape than the value's are refused there; a list of marks of
    another length than the value's (an older Terraform left a set's unknown elements out of
    `after`, not out of the marks) cannot say which element each one marks: the whole list is
    sensitive if any of them is."""
    if marks is True:
        yield at
    elif marks is False or marks is None:
        return
    elif isinstance(marks, dict) and (value is None or isinstance(value, dict)):
        for k, m in marks.items():
            yield from sensitive_paths(value_at(value, (k,)), m, key(path, k), (*at, k))
    elif isinstance(marks, list) and (value is None or _same_length(value, marks)):
        for i, m in enumerate(marks):
            yield from sensitive_paths(value_at(value, (i,)), m, index(path, i), (*at, i))
    elif isinstance(marks, list) and isinstance(value, list):
        if next(sensitive_paths(None, marks, path), None) is not None:
            yield at
    else:
        raise PathProblem(path, f"expected {_marks_of(value, marks)}, found {kind_of(marks)}")


def read_marked(
    cls: Any, value: dict[str, Any], here: str, change: dict[str, Any], marks: str, skip: Any
) -> tuple[Any, list[tuple[str, str]]]:
    """`proto.message` of a workload's `after` (`value`, its unknowns left out, at `here`;
    `marks`: where its `after_sensitive` is), where a number out of its field's range that is
    a value `after_sensitive` marks is refused at its path without it (a sensitive variable's
    `3000000017` was quoted whole: helper-778 F4). Told by the value, not its path: `value`
    may hold fewer volumes than the `after` the marks are of."""
    try:
        return message(cls, value, here, skip=skip)  # type: ignore[no-any-return]
    except OutOfRange as exc:
        after = change.get("after")
        for at in sensitive_paths(after, change.get("after_sensitive"), marks):
            if any(_same(exc.given, v) for v in _leaves(value_at(after, at))):
                said = f"{exc.bound} (its value is marked sensitive: not shown)"
                raise PathProblem(exc.path, said) from None
        raise


def _same(given: Any, marked: Any) -> bool:
    """Whether a marked value is the number given, as a number or as its text."""
    return not isinstance(marked, bool) and (marked == given or str(marked) == str(given))


def _same_length(value: Any, marks: list[Any]) -> bool:
    return isinstance(value, list) and len(value) == len(marks)


def _marks_of(value: Any, marks: Any) -> str:
    """What may mark `value`, where `marks` may not."""
    if value is None or not isinstance(marks, dict | list):
        return "true, false, an object or a list"
    return f"true, false or marks shaped as the value it marks ({kind_of(value)})"


def _resources(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each resource change of the plan, with where it is."""
    for name in _CHANGES:
        for i, rc in enumerate(_items(plan.get(name), name)):
            yield index(name, i), expect(rc, dict, index(name, i), "an object")
    for i, entry in enumerate(_items(plan.get("deferred_changes"), "deferred_changes")):
        here = index("deferred_changes", i)
        rc = expect(entry, dict, here, "an object").get("resource_change")
        here = key(here, "resource_change")
        yield here, expect(rc, dict, here, "an object")


def _sensitive_values(plan: dict[str, Any], workloads: Collection[str]) -> Iterator[Any]:
    for here, rc in _resources(plan):
        kind = rc.get("type")
        if isinstance(kind, str) and kind in workloads:
            continue  # (a type of another shape is refused where the workloads are read)
        change = rc.get("change")
        if change is not None:
            here = key(here, "change")
            yield from _change(expect(change, dict, here, "an object"), here)
    outputs = plan.get("output_changes")
    for out, change in _object(outputs, "output_changes").items():
        here = key("output_changes", out)
        yield from _change(expect(change, dict, here, "an object"), here)
    variables = _object(plan.get("variables"), "variables")
    declared = _declared(plan) if variables else {}
    for name, variable in variables.items():
        value = expect(variable, dict, key("variables", name), "an object").get("value")
        if declared is None or declared.get(name, True):  # not declared: it may be sensitive
            yield from _leaves(value)


def _change(change: dict[str, Any], at: str) -> Iterator[Any]:
    """The values a change's `after_sensitive` and `before_sensitive` mark (`at`: where the
    change is)."""
    for side in ("after", "before"):
        value, marks = change.get(side), change.get(f"{side}_sensitive")
        for found in sensitive_paths(value, marks, key(at, f"{side}_sensitive")):
            yield from _leaves(value_at(value, found))


def _items(value: Any, path: str) -> list[Any]:
    return [] if value is None else expect(value, list, path, "a list")


def _object(value: Any, path: str) -> dict[str, Any]:
    return {} if value is None else expect(value, dict, path, "an object")


def _declared(plan: dict[str, Any]) -> dict[str, bool] | None:
    """Whether each root module variable is declared `sensitive` (Terraform leaves `sensitive`
    out where it is false); None where the plan holds no declarations."""
    found: Any = plan
    for i, step in enumerate(("configuration", "root_module", "variables")):
        found = found.get(step)
        if found is None:
            return None
        expect(found, dict, ".".join(_VARIABLES.split(".")[: i + 1]), "an object")
    declared: dict[str, bool] = {}
    for name, variable in found.items():
        here = key(_VARIABLES, name)
        sensitive = expect(variable, dict, here, "an object").get("sensitive", False)
        declared[name] = expect(sensitive, bool, key(here, "sensitive"), "true or false")
    return declared


def _leaves(value: Any) -> Iterator[Any]:
    if isinstance(value, dict):
        for v in value.values():
            yield from _leaves(v)
    elif isinstance(value, list):
        for v in value:
            yield from _leaves(v)
    else:
        yield value
