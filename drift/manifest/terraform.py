"""Read `terraform show -json PLAN`: the planned `after` value of every
`google_cloud_run_v2_service`, `google_cloud_run_v2_job` and `google_cloud_run_v2_worker_pool`
in `resource_changes`, as the run_v2 message it becomes (terraform
`internal/command/jsonplan/plan.go`; the provider's schema: magic-modules
`mmv1/products/cloudrunv2/{Service,Job,WorkerPool}.yaml`, whose attributes are the protos'
fields). A workload the plan destroys is recorded (`Destroyed`: the profile's is
`service.missing`); values Terraform cannot know yet are `Unknown`; values the configuration
marks sensitive (`after_sensitive`) are treated as secrets: never shown."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import replace
from typing import Any

from drift.errors import Problem
from drift.fix.knative import OUTPUT_ONLY
from drift.kinds import Kind
from drift.manifest.dependencies import plan_order
from drift.manifest.deployable import refused_in_plan
from drift.manifest.functions import FUNCTION, as_service
from drift.manifest.functions import WHAT as FUNCTION_IS
from drift.manifest.model import Destroyed, Manifest, Unknown, Unread, Workload
from drift.manifest.planned import Planned, planned
from drift.manifest.plansecrets import read_marked, register_sensitive, workload_leaves
from drift.manifest.proto import WHERE, PathProblem, expect, index, key, placed, text
from drift.manifest.refused import created_first, deleted_first, name_kept, protected, unprefixed
from drift.manifest.removed import Removed, removed
from drift.manifest.rounds import deferred, incomplete, managed, refusal, unknown_actions
from drift.manifest.scaling import terraform_pool
from drift.manifest.unknowns import (
    TPath,
    job_unknowns,
    marks,
    odd_values,
    service_unknowns,
    settings_at,
    unmarked_nulls,
    value_at,
)
from drift.textsafe import visible

SERVICE = "google_cloud_run_v2_service"
JOB = "google_cloud_run_v2_job"
POOL = "google_cloud_run_v2_worker_pool"
KINDS = {SERVICE: Kind.SERVICE, JOB: Kind.JOB, POOL: Kind.WORKER_POOL}
NOT_READ = {
    "google_cloud_run_service": "the Cloud Run v1 (Knative) resource",
    FUNCTION: FUNCTION_IS,
}
READ = {**dict.fromkeys(NOT_READ, Kind.SERVICE), **KINDS}
SKIPPED = frozenset({*OUTPUT_ONLY, "name"})
"""What the provider reports and no configuration sets (the v2 protos' OUTPUT_ONLY fields), and
the name (the plan holds the short one)."""


def is_plan(data: Any) -> bool:
    return isinstance(data, dict) and ("resource_changes" in data or "terraform_version" in data)


def read_plan(
    file: str,
    plan: dict[str, Any],
    problems: list[Problem],
    public: Collection[str] = (),
    profiled: Collection[str] = (),
) -> Manifest:
    """The Cloud Run workloads a plan leaves running; what is wrong goes to `problems`.
    `public`: the names drift prints anyway; `profiled`: the profile's workloads, each as
    `PROJECT/REGION/NAME` (`plansecrets.register_sensitive`)."""
    if (refused := refusal(plan)) is not None:
        problems.append(Problem(file, 1, *refused))
        return Manifest(file)
    workloads: list[Workload] = []
    unread: list[Unread] = []
    created: list[Planned] = []
    gone: list[Removed] = []
    destroyed: list[Destroyed] = []
    try:
        register_sensitive(
            plan, READ, public, profiled
        )  # before anything of it is read, and so said
        notes: list[str] = incomplete(file, plan)
        changes = expect(plan.get("resource_changes", []), list, "resource_changes", "a list")
        unread += deferred(file, plan, READ)
    except PathProblem as exc:
        problems.append(Problem(file, 1, exc.message, path=exc.path))
        return Manifest(file)
    for i, change in enumerate(changes):
        try:
            found = _resource(file, index("resource_changes", i), change, notes, destroyed)
        except PathProblem as exc:
            problems.append(Problem(file, 1, exc.message, path=exc.path))
            continue
        if change.get("mode", "managed") == "managed" and isinstance(change.get("change"), dict):
            # shown in a reason
            address, kind = visible(str(change.get("address", ""))), change.get("type")
            created += planned(address, kind, change["change"])
            gone += removed(address, kind, change["change"])
        if isinstance(found, Destroyed):
            destroyed.append(found)
        elif isinstance(found, Unread):
            unread.append(found)
        elif found is not None:
            workloads.append(found)
    return Manifest(
        file,
        tuple(workloads),
        tuple(unread),
        tuple(created),
        tuple(notes),
        tuple(gone),
        tuple(destroyed),
    )


def _resource(
    file: str, path: str, rc: Any, notes: list[str], destroyed: list[Destroyed]
) -> Workload | Unread | Destroyed | None:
    expect(rc, dict, path, "an object")
    kind = rc.get("type")
    if kind is not None:  # a list or an object was an internal error (unhashable; helper-544)
        expect(kind, str, key(path, "type"), "a string")
    # only ever shown (notes, `where`, reasons): made visible once, here, as a `for_each` key
    # in it is any string (a line break, `::warning::`, an escape sequence)
    address = visible(str(rc.get("address") or f"{kind}.{rc.get('name', '?')}"))
    if kind not in READ or not managed(rc, path):
        return None  # another resource, or a data source: read, not deployed
    change = expect(rc.get("change"), dict, key(path, "change"), "an object")
    change = as_service(change) if kind == FUNCTION else change
    actions = expect(change.get("actions"), list, key(path, "change.actions"), "a list")
    if (strange := unknown_actions(file, address, READ[kind], change, actions)) is not None:
        return strange
    if rc.get("deposed"):  # an older object of the address, destroyed once its replacement runs
        notes.append(f"{file}: {address}: a deposed object the plan destroys: not checked")
        return None
    if "create" not in actions and "forget" in actions:  # Terraform 1.7 `removed` (destroy = false)
        notes.append(
            f"{file}: {address} is no longer managed by Terraform (forget): it keeps running "
            "as it is, and this plan says nothing of it: not checked"
        )
        return None
    if "create" not in actions and "delete" in actions:  # Terraform writes its state whole
        return _destroyed(
            file, address, kind, placed(change.get("before"), key(path, "change.before"))
        )
    if "create" not in actions and "update" not in actions and "no-op" not in actions:
        return None
    here = key(path, "change.after")
    after = placed(change.get("after"), here)
    if "create" in actions and "delete" in actions:
        old = _replaced(file, address, kind, change.get("before"), after)
        destroyed += [old] if old is not None else []
    if kind in NOT_READ:
        if kind != FUNCTION:  # a plan of many functions: said only of the profile's
            notes.append(f"{file}: {address} not checked ({NOT_READ[kind]})")
        return _unread(file, address, kind, after)
    unmarked_nulls(after, change.get("after_unknown"), here)
    refused_in_plan(after, _TEMPLATES[kind], here)
    template = _TEMPLATES[kind]
    plan_order(
        value_at(after, (*template, "containers")), f"{here}{_json_path(template)}.containers"
    )
    sensitive, hidden = _sensitive(kind, change, key(path, "change"))
    name = after.get("name")
    if not isinstance(name, str) or not name:
        notes.append(f"{file}: {address}: its name is not known until apply: not checked")
        return _nameless(file, address, KINDS[kind], after)
    from google.cloud import run_v2

    unknown = change.get("after_unknown")
    unplaced = [k for k in ("project", "location") if value_at(unknown, (k,)) is True]
    if unplaced:
        return _unplaced(file, address, KINDS[kind], name, after, unplaced)
    # a service and a worker pool share the template's shape (containers, volumes, scaling); a
    # job's task template has that shape too, inside its execution template
    read_unknowns = job_unknowns if kind == JOB else service_unknowns
    known = read_unknowns(after, unknown, file, key(path, "change"))
    cls = {JOB: run_v2.Job, POOL: run_v2.WorkerPool}.get(kind, run_v2.Service)
    marked = key(path, "change.after_sensitive")
    resource, odd = read_marked(cls, known.after, here, change, marked, SKIPPED)
    where = f"{file}: {address}"
    unknowns = tuple(known.items)
    unknowns += tuple(odd_values(odd, here, file, kind == JOB, hidden))
    if kind == POOL:  # automatic scaling: no v2 field of the installed client holds it
        unknowns += tuple(terraform_pool(after, file, here, hidden))
    unknowns += created_first(where, KINDS[kind], actions, change.get("before"), after)
    unknowns += deleted_first(where, KINDS[kind], kind, actions, change.get("before"))
    revision = value_at(after, ("template", 0, "revision"))
    unknowns += tuple(unprefixed(where, KINDS[kind], name, revision))
    workload = _workload(
        file, path, address, KINDS[kind], resource, after, unknowns, (sensitive, hidden)
    )
    if kind == JOB:  # a job's executions are not named revisions
        return workload
    split = "instance_splits" if kind == POOL else "traffic"
    split_unknown = [
        f"{file}: {here}{_json_path(at)}"
        for at in marks(unknown, key(path, "change.after_unknown"))
        if at[:1] == (split,)
    ] + [f"{file}: {p}" for p, _ in odd if p.startswith(f"{here}.{split}")]
    taken = name_kept(actions, change.get("before"), after, unknown)
    return replace(workload, taken=taken, split_unknown=next(iter(split_unknown), ""))


_TEMPLATES: dict[str, TPath] = {
    SERVICE: ("template", 0),
    POOL: ("template", 0),
    JOB: ("template", 0, "template", 0),  # the execution template's task template
}
"""Where each resource holds the template whose `containers` run."""


def _json_path(at: TPath) -> str:
    return "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in at)


def _destroyed(file: str, address: str, kind: str, before: Any) -> Destroyed | Unread:
    """A workload the plan destroys, by the name, project and region it has now (`before`;
    the v1 resource names its service as the v2 one does: Terraform google_cloud_run_service
    `name`, `location`, `project`). One without a name may be any of the profile's: a note
    left it clean (helper-766)."""
    name, project, region = (text(before, k) for k in WHERE)
    found, blocked = KINDS.get(kind, Kind.SERVICE), protected(kind, before)
    if not name:
        why = f"{file}: {address} destroys a {found.noun} whose name is not in the plan: it may "
        return Unread(
            "", f"{file}: {address}", f"{why}be this one: not verified", project, region, found
        )
    return Destroyed(found, name, file, address, project, region, protected=blocked)


"""What names a Cloud Run workload: Cloud Run renames none (`name` is immutable, and so are
`project` and `location`: magic-modules mmv1/products/cloudrunv2/{Service,Job,WorkerPool}.yaml),
so a plan changing one replaces the resource at the same address."""


def _replaced(
    file: str, address: str, kind: str, before: Any, after: dict[str, Any]
) -> Destroyed | None:
    """The workload a replace destroys (actions "delete" and "create", in either order:
    Terraform's JSON output format) when it names another one than it creates — `before` and
    `after` differ in a name, project or region both know: applying it deletes the Cloud Run
    workload `before` names (revown53 F1). One the replace keeps by its name, project and region
    is the one it creates, checked as such; one whose new name is not known until apply, in
    the same project and region, may be it again (its creation is not verified). One whose new
    project or region is known and differs is deleted whatever its new name (revown56 F1)."""
    if not isinstance(before, dict):
        return None
    old = {k: text(before, k) for k in WHERE}
    new = {k: text(after, k) for k in WHERE}
    if not old["name"]:
        return None
    moved = [k for k in WHERE if old[k] and new[k] and old[k] != new[k]]
    if not moved:
        return None  # the same one, or a new name not known until apply: see `_nameless`
    found = _destroyed(file, address, kind, before)
    if not isinstance(found, Destroyed):
        return None
    by = visible(new["name"]) if new["name"] else "a workload"
    by += f" in project {visible(new['project'])}" if "project" in moved else ""
    by += f" in region {visible(new['location'])}" if "location" in moved else ""
    by += "" if new["name"] else ", its name known at apply"
    return replace(found, detail=f" (replaced by {by})")


def _nameless(file: str, address: str, kind: Kind, after: dict[str, Any]) -> Unread:
    """A workload whose name Terraform only knows once it applies (`after_unknown.name`, a
    name made from another resource's attribute): it may be any of the profile's of its
    kind."""
    why = (
        f"{file}: {address} deploys a {kind.noun} whose name is not known until apply: it may "
        "be this one: not verified"
    )
    where = f"{file}: {address}"
    return Unread("", where, why, text(after, "project"), text(after, "location"), kind)


def _unplaced(
    file: str, address: str, kind: Kind, name: str, after: dict[str, Any], unknown: list[str]
) -> Unread:
    """A workload whose project or region Terraform only knows once it applies (a project the
    plan creates, `after_unknown.project`): it may be the profile's or one elsewhere, which
    leaves the profile's as it is; read as the provider's default, it was checked as the
    profile's, clean (revman85 F3)."""
    what = " and ".join("region" if k == "location" else k for k in unknown)
    why = (
        f"{file}: {address} deploys {kind.noun} {visible(name)} to a {what} not known until "
        "apply: it may be this one, or one elsewhere: not verified"
    )
    project, region = text(after, "project"), text(after, "location")
    return Unread(name, f"{file}: {address}", why, project, region, kind)


def _unread(file: str, address: str, kind: str, after: dict[str, Any]) -> Unread:
    name = after.get("name")
    if not isinstance(name, str) or not name:
        return _nameless(file, address, Kind.SERVICE, after)
    why = (
        f"{file}: {address} deploys it as {kind} ({NOT_READ[kind]}), which drift does not "
        "read: not checked"
    )
    where = f"{file}: {address}"
    return Unread(name, where, why, text(after, "project"), text(after, "location"))


def _workload(
    file: str,
    path: str,
    address: str,
    kind: Kind,
    resource: Any,
    after: dict[str, Any],
    unknown: tuple[Unknown, ...],
    sensitive: tuple[frozenset[tuple[int, str]], frozenset[str]],
) -> Workload:
    project, region = text(after, "project"), text(after, "location")
    resource.name = f"projects/{project}/locations/{region}/{kind.collection}/{after['name']}"
    return Workload(
        kind=kind,
        name=after["name"],
        file=file,
        where=f"{file}: {address}",
        resource=resource,
        project=project or "",
        region=region or "",
        unknown=unknown,
        sensitive=sensitive[0],
        hidden=sensitive[1],
    )


_CONTAINERS: dict[str, TPath] = {
    SERVICE: ("template", 0, "containers"),
    POOL: ("template", 0, "containers"),
    JOB: ("template", 0, "template", 0, "containers"),
}


def _sensitive(
    kind: str, change: dict[str, Any], path: str
) -> tuple[frozenset[tuple[int, str]], frozenset[str]]:
    """Of the values the change's `after_sensitive` or `before_sensitive` marks (the
    configuration said `sensitive`, or it comes from a sensitive attribute: `jsondecode` of a
    secret's data; each registered as a secret by `plansecrets` before the plan is read), the
    variables are returned, as (container index, name), and the settings, to be masked on the
    data whatever their length or type (a number is no text a search finds:
    `max_instance_count = 7`). Marked before only, a value is sensitive still: Terraform's own
    plan shows `(sensitive value)` where either side is (terraform
    `internal/command/jsonformat/differ/sensitive.go`, `checkForSensitive`). `path`: where the
    change is in the plan, which malformed marks are refused at."""
    found: set[tuple[int, str]] = set()
    settings: set[str] = set()
    containers = _CONTAINERS[kind]
    for side in ("after", "before"):
        value, marks = change.get(side), change.get(f"{side}_sensitive")
        for leaf, leaf_value in workload_leaves(value, marks, key(path, f"{side}_sensitive")):
            if isinstance(leaf_value, str | int | float):  # a bool is an int
                settings |= settings_at(leaf, kind == JOB)
            variable = _variable(value, containers, leaf) if isinstance(leaf_value, str) else None
            if variable is not None:
                found.add(variable)
    return frozenset(found), frozenset(settings)


def _variable(after: Any, containers: TPath, leaf: TPath) -> tuple[int, str] | None:
    """(container index, name) when `leaf` is the value of a container's variable."""
    n = len(containers)
    if len(leaf) != n + 4 or leaf[:n] != containers or leaf[n + 1 :: 2] != ("env", "value"):
        return None
    i, j = leaf[n], leaf[n + 2]
    name = value_at(after, (*leaf[:-1], "name"))
    return (
        (i, name) if isinstance(i, int) and isinstance(j, int) and isinstance(name, str) else None
    )
