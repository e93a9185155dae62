"""Every value a Terraform plan marks sensitive, wherever it is, registered as a secret before
anything of the plan is read, so that no output carries it: a plan holds them in plain text
beside the marks ("sensitive values are shown in plain text in the JSON output":
developer.hashicorp.com/terraform/internals/json-format). The marks: a change's
`after_sensitive` and `before_sensitive` ("with all sensitive leaf values replaced with true",
shaped as `after` and `before`), in `resource_changes`, `resource_drift`, `deferred_changes`
and `output_changes`; a resource's `sensitive_values` beside its `values` in `prior_state` and
`planned_values` (their modules' too), and an output's `sensitive` there; an action
invocation's `config_sensitive`; the configuration's `sensitive = true` of a variable. A
workload's variable may hold such a value as a plain one that Terraform does not mark
(`nonsensitive()`, a literal copied into the configuration): the `secret_data` of a version
the plan creates was printed whole in every format (helper-698 F9), and so was a value only a
Cloud Run workload's own `before_sensitive` or `resource_drift` marked (an old password pasted
into a plain variable while rotating it: helper-776, 778 F5).

Where the marks are, a shape Terraform does not write is refused at its JSON path (exit 2);
masking then did nothing, quietly, and such a value was printed (helper-766). A variable whose
declaration the plan does not hold (no `configuration.root_module.variables`, which Terraform
always writes beside the values: terraform `internal/command/jsonconfig/config.go`) may be
sensitive: its value is masked."""

from __future__ import annotations

import re
from collections.abc import Collection, Iterator
from typing import Any

from drift.manifest.planmarked import declared_variables, decoded, defaults, keys, register, texts
from drift.manifest.proto import OutOfRange, PathProblem, expect, index, key, kind_of, message
from drift.manifest.unknowns import TPath, value_at
from drift.secretforms import SEARCH_MIN, bare_forms

_CHANGES = ("resource_changes", "resource_drift")
"""The lists of resource changes (`resource_drift`: what changed outside Terraform; and
`deferred_changes`, each change in its `resource_change`)."""
_STATES = ("prior_state.values", "planned_values")
"""Where a plan holds values representations: the state it is planned from, and what it plans."""

IDENTIFIERS = frozenset({"name", "secret", "version", "mount_path"})
"""What names a value rather than holding it (a variable's name, the secret and version a
variable or volume references, where a file is mounted; a secret volume item's file,
`identifier`): not treated as sensitive in a block a workload's marks mark as a whole (a
dynamic block over a sensitive map); marked itself, it is (`workload_leaves`)."""
PLACE = (("project",), ("location",))
"""Where the workload runs, which every message names (`WHERE`): as `IDENTIFIERS`."""


NAMED: tuple[TPath, ...] = (
    ("name",),
    *PLACE,
    ("template", 0, "service_account"),
    ("template", 0, "revision"),
    ("template", 0, "template", 0, "service_account"),  # a job's tasks'
)
"""Where a Cloud Run workload's values hold the names drift prints of it: its name, project
and region, the service account it runs as, its revision's name (what `live.normalize` takes
for public: `redact.register_public`)."""


def register_sensitive(
    plan: dict[str, Any],
    workloads: Collection[str],
    public: Collection[str] = (),
    profiled: Collection[str] = (),
) -> None:
    """Register the plan's sensitive values (`planmarked.register`: in every form): a Cloud
    Run workload's (of a type in `workloads`), on any side of any change or state of it,
    whatever their length, but its names and places (`workload_leaves`); any other's of
    `SEARCH_MIN` characters or more (a shorter one of another resource — a flag, a count —
    would mask the same word wherever a workload has it). None that is a name drift prints
    anyway (`shown_names`: `public`, the profile's, and those of the plan's workloads of the
    profile, `profiled`): registered, `REGION=us-central1` in a block marked whole (a dynamic
    `env` over a sensitive map) of any workload of the state hid the region of every report,
    and every text holding it (`us-central1-docker.pkg.dev/…`), in every format (helper-794
    B1); the workload's own variable or setting that holds it is still masked on its data
    (`terraform._sensitive`). Raises `PathProblem` where the plan's marks or declarations have
    a shape drift cannot read."""
    values = list(_sensitive_values(plan, workloads))
    names = shown_names(plan, workloads, public, profiled)
    for value in values:
        register(value, names)


def shown_names(
    plan: dict[str, Any],
    workloads: Collection[str],
    public: Collection[str],
    profiled: Collection[str] = (),
) -> set[str]:
    """The names drift prints whatever a plan marks (`public`), and those of each workload of
    the plan (of a type in `workloads`) that the profile names (`profiled`: its workloads as
    `PROJECT/REGION/NAME`), on any side of any change or state of it (`NAMED`: a full name's
    last part too), without their outer whitespace, but one marked itself anywhere (a password
    as the service account: helper-834 F2). Another workload of the plan is one no report
    prints (of the state outside the profile, or of its name in another project or region):
    its names freed a marked secret of the same text, which an unmarked copy then showed
    (helper-800 B-L1, helper-803)."""
    found: tuple[list[str], list[str]] = ([], [])  # (names, those marked themselves)
    for value, marks, path in _workload_values(plan, workloads):
        if _placed(value) in profiled:
            marked = set(sensitive_paths(value, marks, path))
            for at in NAMED:
                if isinstance(name := value_at(value, at), str):
                    found[at in marked].extend((name, name.rsplit("/", 1)[-1]))
    names, secret = ({b for n in f for b in bare_forms(n) if b} for f in found)
    return {b for n in public for b in bare_forms(n) if b} | (names - secret)


_FULL = re.compile(r"projects/([^/]+)/locations/([^/]+)/[A-Za-z]+/([^/]+)")


def _placed(value: Any) -> str | None:
    """A workload's `PROJECT/REGION/NAME`, from its full name or its fields; None: unknown."""
    named = value_at(value, ("name",))
    if not isinstance(named, str):
        return None
    if (full := _FULL.fullmatch(named)) is not None:
        return "/".join(full.groups())
    return f"{value_at(value, ('project',))}/{value_at(value, ('location',))}/{named}"


def _workload_values(
    plan: dict[str, Any], workloads: Collection[str]
) -> Iterator[tuple[Any, Any, str]]:
    """Each side of each change or state of a workload of the plan (of a type in
    `workloads`), with its marks and where they are."""
    for here, rc in _resources(plan):
        change = rc.get("change")
        if _workload(rc.get("type"), workloads) and isinstance(change, dict):
            for side in ("after", "before"):
                marks = _MARKS[side]
                yield change.get(side), change.get(marks), key(key(here, "change"), marks)
    for here, resource in _state_resources(plan):
        if _workload(resource.get("type"), workloads):
            marks = _MARKS["values"]
            yield resource.get("values"), resource.get(marks), key(here, marks)


def _workload(kind: Any, workloads: Collection[str]) -> bool:
    return isinstance(kind, str) and kind in workloads


def workload_leaves(value: Any, marks: Any, path: str) -> Iterator[tuple[TPath, Any]]:
    """Each value `marks` marks in a workload's `value` (an `after`, a `before`, a state's
    `values`), with its path, but what names a place (`IDENTIFIERS`) or where it runs
    (`PLACE`) inside a block marked whole. `path`: where the marks are in the plan
    (`sensitive_paths`). One marked itself is a secret whatever field holds it: a password
    given as the service account, a mount path or a secret's name was printed whole
    (`service_account = var.db_password`: helper-834 F2), where Terraform shows
    `(sensitive value)`."""
    # true: `value` sensitive as a whole, every value of it but where it is (yields ())
    for at in sensitive_paths(value, marks, path):
        for leaf, found in _paths(value_at(value, at), at):
            if leaf == at or not (identifier(leaf) or leaf in PLACE):
                yield leaf, found


def identifier(leaf: TPath) -> bool:
    """Whether the value at `leaf` names a place (`IDENTIFIERS`): a `path` only where it is a
    secret volume item's file (`volumes.secret.items.path`); a probe's HTTP path and an NFS
    export's path are values a plan marks as any other (`/healthz?key=${var.key}`)."""
    if not leaf:
        return False
    if leaf[-1] == "path":
        return len(leaf) >= 5 and (leaf[-5], leaf[-3]) == ("secret", "items")
    return leaf[-1] in IDENTIFIERS


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
        if rc.get("change") is not None:
            at = key(here, "change")
            change = expect(rc["change"], dict, at, "an object")
            for side in ("after", "before"):
                yield from _marked(rc.get("type"), change, at, side, workloads)
    for here, resource in _state_resources(plan):
        yield from _marked(resource.get("type"), resource, here, "values", workloads)
    for here, invocation in _invocations(plan):
        yield from _marked(None, invocation, here, "config_values", workloads)
    for here, outputs in _outputs(plan):
        for name, output in outputs.items():
            at = key(here, name)
            expect(output, dict, at, "an object")
            if here == "output_changes":
                for side in ("after", "before"):
                    yield from _marked(None, output, at, side, workloads)
            elif expect(
                output.get("sensitive", False), bool, key(at, "sensitive"), "true or false"
            ):
                yield from _long(_leaves(output.get("value")))
    variables = _object(plan.get("variables"), "variables")
    declared = declared_variables(plan) if variables else {}
    for name, variable in variables.items():
        value = expect(variable, dict, key("variables", name), "an object").get("value")
        if declared is None or declared.get(name, True):  # not declared: it may be sensitive
            yield from _long(_leaves(value))
            yield from keys(value)
    for default in defaults(plan):  # and what a sensitive variable holds unless given one
        yield from _long(_leaves(default))


_MARKS = {
    "after": "after_sensitive",
    "before": "before_sensitive",
    "values": "sensitive_values",
    "config_values": "config_sensitive",
}
"""Where the marks of a change's `after` and `before` are, of a state's `values`, and of an
action invocation's `config_values`."""


def _marked(
    kind: Any, holder: dict[str, Any], at: str, side: str, workloads: Collection[str]
) -> Iterator[Any]:
    """The values the marks of `holder`'s `side` mark in it (`holder`: a change or a state's
    resource of type `kind`, None for an output; `at`: where it is). A workload's is an object
    (refused at its path where it is not)."""
    value, marks, path = holder.get(side), holder.get(_MARKS[side]), key(at, _MARKS[side])
    if _workload(kind, workloads):
        if value is not None:
            expect(value, dict, key(at, side), "an object")
        yield from (found for _, found in workload_leaves(value, marks, path))
    else:
        paths = list(sensitive_paths(value, marks, path))
        for found in paths:
            yield from _long(_leaves(value_at(value, found)))
        yield from decoded(kind, value, bool({(), ("secret_data",)} & set(paths)))


def _long(values: Iterator[Any]) -> Iterator[Any]:
    """The values whose text (`planmarked.texts`) is of `SEARCH_MIN` characters or more."""
    return (v for v in values if len(texts(v) or "") >= SEARCH_MIN)


def _state_resources(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each resource of the plan's values representations (`_STATES`), their modules' too,
    with where it is."""
    for where in _STATES:
        found = _at(plan, where)
        if found is not None:
            yield from _module(found.get("root_module"), key(where, "root_module"))


def _module(module: Any, here: str) -> Iterator[tuple[str, dict[str, Any]]]:
    if module is None:
        return
    expect(module, dict, here, "an object")
    for i, resource in enumerate(_items(module.get("resources"), key(here, "resources"))):
        at = index(key(here, "resources"), i)
        yield at, expect(resource, dict, at, "an object")
    for i, child in enumerate(_items(module.get("child_modules"), key(here, "child_modules"))):
        yield from _module(child, index(key(here, "child_modules"), i))


def _invocations(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """Each action the plan invokes (Terraform 1.14 `action_invocations`, and the
    `action_invocation` of each of `deferred_action_invocations`: its `config_values` and
    `config_sensitive` shaped as a change's; terraform `internal/command/jsonplan/
    action_invocations.go`), with where it is."""
    for i, invocation in enumerate(_items(plan.get("action_invocations"), "action_invocations")):
        here = index("action_invocations", i)
        yield here, expect(invocation, dict, here, "an object")
    deferred = "deferred_action_invocations"
    for i, entry in enumerate(_items(plan.get(deferred), deferred)):
        here = index(deferred, i)
        invocation = expect(entry, dict, here, "an object").get("action_invocation")
        here = key(here, "action_invocation")
        yield here, expect(invocation, dict, here, "an object")


def _outputs(plan: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any]]]:
    """The plan's outputs, with where they are: its changes, and those of its states."""
    yield "output_changes", _object(plan.get("output_changes"), "output_changes")
    for where in _STATES:
        found = _at(plan, where)
        if found is not None:
            here = key(where, "outputs")
            yield here, _object(found.get("outputs"), here)


def _at(plan: dict[str, Any], where: str) -> dict[str, Any] | None:
    """The object at the dotted path `where` (None where it is not)."""
    found: Any = plan
    steps = where.split(".")
    for i, step in enumerate(steps):
        found = found.get(step)
        if found is None:
            return None
        expect(found, dict, ".".join(steps[: i + 1]), "an object")
    return found  # type: ignore[no-any-return]


def _items(value: Any, path: str) -> list[Any]:
    return [] if value is None else expect(value, list, path, "a list")


def _object(value: Any, path: str) -> dict[str, Any]:
    return {} if value is None else expect(value, dict, path, "an object")


def _leaves(value: Any) -> Iterator[Any]:
    return (leaf for _, leaf in _paths(value, ()))


def _paths(value: Any, at: TPath) -> Iterator[tuple[TPath, Any]]:
    """Each leaf of `value` (at `at`), with its path."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _paths(v, (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from _paths(v, (*at, i))
    else:
        yield at, value
