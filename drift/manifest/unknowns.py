"""What a Terraform plan cannot tell yet, in the words of findings. `after_unknown` marks every
value Terraform will only know once it applies (an image built by another resource, a host
read from a database being created, the defaults the API fills on create): each mark becomes
the finding targets it could change, so that no finding is made from a value that is not
there and none of them is reported clean (terraform `internal/command/jsonplan/plan.go`:
"`after_unknown` … with all unknown leaf values replaced with true"; unknown values are left
out of `after`, or null inside lists)."""

from __future__ import annotations

import copy
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from typing import Any

from drift.fields import CONTAINER_SETTINGS, FIELDS, Field
from drift.fields.base import ANY_INDEX, TerraformPath, tf_container
from drift.kinds import Kind
from drift.manifest.model import Unknown
from drift.manifest.proto import Odd, PathProblem, index, key, kind_of
from drift.textsafe import visible

TPath = TerraformPath
ANY = ANY_INDEX
"""Any index in a pattern."""

_CONTAINER: TPath = tf_container()


def _by_path(rows: Iterable[Field]) -> tuple[tuple[TPath, tuple[str, ...]], ...]:
    """Each Terraform path the rows name (`Field.terraform`), with the settings a value
    unknown there may change, in catalogue order."""
    names: dict[TPath, list[str]] = {}
    for row in rows:
        for path in row.terraform:
            names.setdefault(path, []).append(row.name)
    return tuple((path, tuple(found)) for path, found in names.items())


SETTINGS = _by_path(FIELDS.values())
"""Where each setting of the catalogue is in a `google_cloud_run_v2_service` (or `_job`,
`_worker_pool`): the rows' own paths (a test keeps every row with one)."""
_JOB_SETTINGS = _by_path(f for f in FIELDS.values() if f.kinds == {Kind.JOB}) + tuple(
    (path, names)
    for path, names in _by_path(f for f in FIELDS.values() if Kind.JOB in f.kinds)
    if path[:1] != ("template",)
)
"""The rows at a job's own paths: those only a job has (its execution template's and its task
template's own), and the ones it shares held at the top of the resource, as a service holds
them (`binary_authorization`: an unknown one was judged as none, helper-525). The shared rows
under `template` are a service's template, which a job holds as its task template."""


@dataclass
class Unknowns:
    items: list[Unknown] = field(default_factory=list)
    after: dict[str, Any] = field(default_factory=dict)
    """`after` with every variable and secret volume that is partly unknown made harmless: a
    variable keeps its name and no value (nor a reference to a version Terraform has not
    chosen yet), a volume loses its secret."""


def marks(value: Any, path: str, at: TPath = ()) -> Iterator[TPath]:
    """The paths `after_unknown` marks true."""
    if value is True:
        yield at
    elif isinstance(value, dict):
        for k, v in value.items():
            yield from marks(v, key(path, k), (*at, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield from marks(v, index(path, i), (*at, i))
    elif value is not False and value is not None:
        raise PathProblem(
            path, f"expected true, false, an object or a list, found {kind_of(value)}"
        )


def unmarked_nulls(after: Any, unknown: Any, path: str) -> None:
    """Refuse a null element of a list in `after` that `after_unknown` does not mark true:
    Terraform writes a value not known until apply as null and marks it there, and a known
    null in a list is refused before any plan is written (an SDKv2 provider's, the google
    provider's: "Error: Null value found in list … Null values are not allowed for this
    attribute value"), so an unmarked one is no plan Terraform wrote; reading it as absent
    would judge the defaults a missing block leaves (a job's whole task template) as drift, or
    as clean."""
    if unknown is True:
        return  # the whole value is not known: `after` holds nothing of it to judge
    if isinstance(after, dict):
        fields = unknown if isinstance(unknown, dict) else {}
        for k, v in after.items():
            unmarked_nulls(v, fields.get(k), key(path, k))
    elif isinstance(after, list):
        items = unknown if isinstance(unknown, list) else []
        for i, item in enumerate(after):
            mark = items[i] if i < len(items) else None
            if item is None and mark is not True:
                raise PathProblem(
                    index(path, i),
                    "null, which after_unknown does not mark as not known until apply: "
                    "Terraform writes null in a list for nothing else (is this the output of "
                    "`terraform show -json`?)",
                )
            unmarked_nulls(item, mark, index(path, i))


def service_unknowns(after: dict[str, Any], unknown: Any, file: str, path: str) -> Unknowns:
    """What `after_unknown` hides in the service (or worker pool) `after` describes (`path`:
    the resource's change in the plan)."""
    out = Unknowns(after=copy.deepcopy(after))
    containers = _list(value_at(after, ("template", 0, "containers")))
    several = len(containers) > 1
    for at, why in _marked(unknown, file, path):
        out.items += _unknown(out, at, why, containers, several)
    return out


_TASK: TPath = ("template", 0, "template")
"""Where a `google_cloud_run_v2_job` holds its task template: the execution template's
`template` block, shaped as a service's revision template (containers, volumes, service
account, VPC access)."""


def job_unknowns(after: dict[str, Any], unknown: Any, file: str, path: str) -> Unknowns:
    """What `after_unknown` hides in the job `after` describes: its task template is read as a
    service's template is, the execution template's own settings (`parallelism`,
    `task_count`) and the task's (`timeout`, `max_retries`) by their rows of `SETTINGS`."""
    out = Unknowns(after=copy.deepcopy(after))
    # the task template, where a service has its template: changes to it are made in `out`
    task = Unknowns(after={"template": _list(value_at(out.after, _TASK))})
    containers = _list(value_at(task.after, ("template", 0, "containers")))
    several = len(containers) > 1
    for at, why in _marked(unknown, file, path):
        if len(at) <= len(_TASK) + 1 and _overlaps(at, (*_TASK, 0)):
            out.items.append(Unknown("*", why))  # the execution or task template as a whole
            continue
        for pattern, names in _JOB_SETTINGS:
            if _matches(at, pattern):
                out.items += [Unknown(f"setting.{n}", why) for n in names]
        if _matches(at, _TASK):
            out.items += _unknown(task, at[len(_TASK) - 1 :], why, containers, several)
    return out


def settings_at(leaf: TPath, job: bool) -> frozenset[str]:
    """The settings a value at `leaf` of a workload's `after` is (part of), by the rows'
    Terraform paths as `after_unknown` marks are read: a job's task template as a service's
    template, its own rows by their whole paths."""
    found = [
        n
        for pattern, names in (_JOB_SETTINGS if job else SETTINGS)
        for n in names
        if _matches(leaf, pattern)
    ]
    if job and _matches(leaf, _TASK):
        task = leaf[len(_TASK) - 1 :]
        found += [n for pattern, names in SETTINGS for n in names if _matches(task, pattern)]
    return frozenset(found)


_STEP = re.compile(r"\.([^.\[\]]+)|\[(\d+)\]")


def odd_values(odd: Odd, here: str, file: str, job: bool, hidden: frozenset[str]) -> list[Unknown]:
    """Each enum value drift's protos do not know (`proto.Odd`: left unset, so read as the
    API's default) as the settings it is part of, not verified: a newer provider or API has
    values drift's client does not (an `ingress` of a later release was `all`, clean:
    helper-560 F2). `here`: the JSON path of the workload's `after`; a sensitive setting's
    value (`hidden`) is not said."""
    found: list[Unknown] = []
    for path, value in odd:
        leaf = tuple(int(i) if i else name for name, i in _STEP.findall(path.removeprefix(here)))
        names = sorted(settings_at(leaf, job))
        said = "its value" if hidden.intersection(names) else visible(repr(value))
        why = (
            f"{said} is a value drift's Cloud Run client does not know (newer than it), so it "
            f"is not read ({file}: {path})"
        )
        found += [Unknown(f"setting.{n}", why) for n in names]
    return found


def _marked(unknown: Any, file: str, path: str) -> Iterator[tuple[TPath, str]]:
    """Each path `after_unknown` marks, and why it is not judged (where the plan says so)."""
    for at in marks(unknown, key(path, "after_unknown")):
        where = key(path, "after") + "".join(
            f"[{p}]" if isinstance(p, int) else f".{p}" for p in at
        )
        yield at, f"not known until apply ({file}: {visible(where)})"  # the plan's keys


def _unknown(
    out: Unknowns, at: TPath, why: str, containers: list[Any], several: bool
) -> list[Unknown]:
    if len(at) <= len(_CONTAINER) and _overlaps(at, _CONTAINER):
        return [Unknown("*", why)]  # the template, its containers or one of them
    found: list[Unknown] = []
    container = _container_name(containers, at)
    for pattern, names in SETTINGS:
        if _overlaps(at, pattern):
            # a container's own (its image, limits) is that container's: a sidecar's rule is
            # not the app's (helper-548 F4); what the instance adds up (concurrency) is any's
            found += [
                Unknown(
                    f"setting.{n}", why, container=container if n in CONTAINER_SETTINGS else None
                )
                for n in names
            ]
            if names == ("service_account",):
                found.append(Unknown("secret.*", why, rule="secret.no_access"))
    if _matches(at, (*_CONTAINER, "env")):
        found += _env(out, at, why, containers, container)
    elif _matches(at, (*_CONTAINER, "volume_mounts")):
        found.append(Unknown("mount.*", why, container=container))
    elif _matches(at, (*_CONTAINER, "name")) or _is(at, (*_CONTAINER, "ports")):
        # which container is which, and which one gets requests: the one with a port. Only
        # the whole list hides whether it has one; a port's `container_port` or `name`
        # ("http1" or "h2c", run v2 ContainerPort; "Optional, Computed" in the provider, so
        # unknown on create) hides no container: only its own row (`http2`), by the loop above
        if several:
            found.append(Unknown("*", why))
    elif _matches(at, ("template", 0, "volumes")):
        found.append(Unknown("mount.*", why))
        _forget_volume(out.after, at)
    return found


def _env(
    out: Unknowns, at: TPath, why: str, containers: list[Any], container: str | None
) -> list[Unknown]:
    """`env.NAME` when the variable's name is known, else every variable of the container;
    only its value, where that alone is unknown and the variable is known to be plain (the
    usual `value = some_resource.attr`, `value_source` known empty): what its name and shape
    make certain (forbidden, unexpected, plain where a reference is expected) is judged,
    whatever value Terraform fills in."""
    if len(at) > 5 and at[6:] != ("name",):
        variables = _list(value_at(out.after, at[:5]))
        j = at[5]
        var = variables[j] if isinstance(j, int) and 0 <= j < len(variables) else None
        name = var.get("name") if isinstance(var, dict) else None
        if isinstance(var, dict) and isinstance(name, str) and name and isinstance(j, int):
            plain = at[6:] == ("value",) and not var.get("value_source")
            variables[j] = {"name": name, "value": ""}  # nothing Terraform has not chosen
            return [Unknown(f"env.{name}", why, container=container, value=plain)]
    return [Unknown("env.*", why, container=container)]


def _forget_volume(after: dict[str, Any], at: TPath) -> None:
    volumes = _list(value_at(after, ("template", 0, "volumes")))
    if len(at) > 3 and isinstance(at[3], int) and at[3] < len(volumes):
        chosen = [volumes[at[3]]]
    else:
        chosen = volumes
    for volume in chosen:
        if isinstance(volume, dict):
            volume.pop("secret", None)


def _container_name(containers: list[Any], at: TPath) -> str | None:
    if len(at) < 4 or not isinstance(at[3], int) or at[3] >= len(containers):
        return None
    container = containers[at[3]]
    name = container.get("name") if isinstance(container, dict) else None
    return name if isinstance(name, str) and name else None


def _matches(at: TPath, pattern: TPath) -> bool:
    """Whether `at` is `pattern` or below it (ANY in the pattern: any index)."""
    return len(at) >= len(pattern) and _overlaps(at, pattern)


def _is(at: TPath, pattern: TPath) -> bool:
    """Whether `at` is `pattern` itself, not below it."""
    return len(at) == len(pattern) and _overlaps(at, pattern)


def _overlaps(at: TPath, pattern: TPath) -> bool:
    """Whether one is the other or below it: what `at` hides covers `pattern` or is in it."""
    return all(
        (p == ANY and isinstance(a, int)) or p == a for a, p in zip(at, pattern, strict=False)
    )


def value_at(value: Any, at: TPath) -> Any:
    """The value at a path of a JSON value (None where it has none)."""
    for step in at:
        if isinstance(step, int):
            value = value[step] if isinstance(value, list) and step < len(value) else None
        else:
            value = value.get(step) if isinstance(value, dict) else None
    return value


def _list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else []
