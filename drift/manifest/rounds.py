"""What a Terraform plan says of itself beside the changes it holds (terraform
`internal/command/jsonplan/plan.go`): whether drift can read it at all (`errored`: planning
failed part-way; `format_version` of a major other than the ones read here: "Reject any input
which reports an unsupported major version", developer.hashicorp.com/terraform/internals/
json-format; an action it does not know), and what it leaves to a later plan and apply
(`complete: false`, Terraform 1.8+: planned with `-target` or with changes deferred,
`plans.Plan.Complete`; `deferred_changes`: each resource deferred, as a `resource_change` with
the `reason`, not in `resource_changes`).

A Cloud Run workload the plan defers is not deployed by it, and what a later round deploys
is not in it to check: it is not verified, named by its address, never clean and never left
out (`Unread`)."""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from drift.kinds import Kind
from drift.manifest.model import Unread
from drift.manifest.proto import WHERE, PathProblem, expect, index, key, kind_of, text
from drift.textsafe import visible

ERRORED = (
    "this Terraform plan is marked errored (planning failed, so it is incomplete): fix what "
    "terraform plan reported, then give the JSON of the saved plan"
)
MAJORS = ("0", "1")
"""The majors of `format_version` read here: "0.1"/"0.2" (Terraform 0.12 to 1.0), "1.x"
(Terraform 1.1 on); a new major is a change "not backward-compatible"."""


def refusal(plan: dict[str, Any]) -> tuple[str, str] | None:
    """Why the plan cannot be read at all, and where (None: it can). A plan holds
    `resource_changes` unless it changes nothing: Terraform leaves the list out when it is
    empty, as when every resource is deferred or the configuration has none (it has
    `planned_values` then); a state (`values`) holds none."""
    if plan.get("errored") is True:
        return ERRORED, ""
    version = plan.get("format_version", "1")
    major = version.split(".", 1)[0] if isinstance(version, str) else ""
    if major not in MAJORS:
        shown = visible(version) if isinstance(version, str) else json_kind(version)
        return (
            f"format_version {shown}: this reads the plan JSON of format_version 1.x (and the "
            "0.x of Terraform before 1.1); a new major changes what its fields mean: give the "
            "JSON of a plan that a Terraform of format 1.x shows, or a drift that reads it",
            "",
        )
    if "resource_changes" in plan or "deferred_changes" in plan or "planned_values" in plan:
        return None
    shape = "state" if "values" in plan else "output"
    return (
        f"this Terraform {shape} has no resource_changes: give the JSON of a saved plan "
        "(terraform plan -out plan && terraform show -json plan)",
        "resource_changes",
    )


def json_kind(value: Any) -> str:
    """A JSON value where text was expected, as the JSON has it and in words (`null`, `1.2
    (a number, not text)`: `kind_of`), never Python's names for it (helper-810: `NoneType
    None`)."""
    if value is None:
        return "null (not text)"
    shown = json.dumps(value, ensure_ascii=False, default=str)
    shown = shown if len(shown) <= 40 else shown[:39] + "…"
    return f"{visible(shown)} ({kind_of(value)}, not text)"


def deferred(file: str, plan: dict[str, Any], kinds: Mapping[str, Kind]) -> list[Unread]:
    """Each Cloud Run workload (of a type in `kinds`) the plan defers: not verified. One whose
    name is not known yet (a `for_each` over a value not known: `[*]`) may be any of the
    profile's of its kind."""
    changes = plan.get("deferred_changes")
    if changes is None:
        return []
    out = []
    for i, entry in enumerate(expect(changes, list, "deferred_changes", "a list")):
        path = index("deferred_changes", i)
        expect(entry, dict, path, "an object")
        path = key(path, "resource_change")
        rc = expect(entry.get("resource_change"), dict, path, "an object")
        kind = rc.get("type")
        if not isinstance(kind, str) or kind not in kinds or not managed(rc, path):
            continue
        change = rc.get("change") if isinstance(rc.get("change"), dict) else {}
        name, project, region = _placed(change)
        address = visible(str(rc.get("address") or f"{kind}.{rc.get('name', '?')}"))
        reason = visible(str(entry.get("reason") or "no reason given"))
        what = kinds[kind].noun
        why = (
            f"{file}: {address} is deferred by this plan ({reason}): Terraform plans it in a "
            f"later round, so this plan does not tell what the {what} will run"
        )
        why += ": not verified" if name else f" nor which {what} it is: it may be this one"
        where = f"{file}: {address}"
        out.append(Unread(name, where, why, project, region, kinds[kind], later=True))
    return out


MODES = ("managed", "data")
"""The modes of a resource change (terraform `internal/command/jsonplan/resource.go`: any
other is an error there)."""


def managed(rc: dict[str, Any], path: str) -> bool:
    """Whether a workload's change `rc` (at `path`) is of a managed resource (no mode: as
    before) rather than a data source; another mode was skipped, and the plan then named no
    workload ("names no service"): refused, named."""
    mode = rc.get("mode", "managed")
    if not isinstance(mode, str) or mode not in MODES:
        shown = visible(json.dumps(mode)) if isinstance(mode, str) else kind_of(mode)
        raise PathProblem(key(path, "mode"), f'expected "managed" or "data", found {shown}')
    return mode == "managed"


ACTIONS = frozenset({"no-op", "create", "read", "update", "delete", "forget"})
"""The actions of a resource change drift reads (terraform `jsonplan.Change.Actions`: `forget`
came in Terraform 1.7, within format 1.x: the list may grow again)."""


def unknown_actions(
    file: str, address: str, kind: Kind, change: dict[str, Any], actions: list[Any]
) -> Unread | None:
    """A workload whose change holds an action drift does not read (of a newer Terraform), or
    none: what the plan does to it is not known, so it is not verified (by its name, else as
    any of the profile's of its kind), never left out."""
    if actions and all(isinstance(a, str) and a in ACTIONS for a in actions):
        return None
    name, project, region = _placed(change)
    shown = visible(json.dumps(actions))
    why = f"{file}: {address}: actions {shown}, which drift does not read: not verified"
    return Unread(name, f"{file}: {address}", why, project, region, kind)


def incomplete(file: str, plan: dict[str, Any]) -> list[str]:
    """The note an incomplete plan gets (`complete: false`): the workloads it leaves out are
    not in it to check; and a refresh-only one (`resource_drift` and no `resource_changes`:
    it records what changed outside Terraform and deploys nothing)."""
    if "resource_changes" not in plan and plan.get("resource_drift"):
        return [
            f"{file} is a refresh-only plan (terraform plan -refresh-only): it deploys "
            "nothing; give the JSON of the plan that deploys"
        ]
    if plan.get("complete") is not False:
        return []
    return [
        f"{file}: this plan is incomplete (complete: false: planned with -target, or with "
        "changes deferred): a workload it leaves out is not checked; plan again once it is "
        "applied, and check that plan"
    ]


def _placed(change: dict[str, Any]) -> tuple[str, str, str]:
    """The name, project and region a change's `after` says, else its `before`."""
    after, before = change.get("after"), change.get("before")
    name, project, region = (text(after, k) or text(before, k) for k in WHERE)
    return name, project, region
