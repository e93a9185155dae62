"""Saved plans, the way `terraform plan -out` and `apply` work: `drift plan ENV --out FILE`
writes the plan with what it was made against (each patched service's etag, a digest of the
profile files, the options), and `drift fix --plan FILE` applies exactly that plan or nothing
(`--only ID…`: part of it). A saved plan holds no secret value: changes are stated as every
output states them, masked, and the profile is compared by digest."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any

from drift import __version__
from drift.errors import UsageError
from drift.files import write_whole
from drift.findings import Finding
from drift.fix.formats.json_plan import PLAN_SCHEMA, changes_json, plan_data
from drift.fix.model import Plan, ServicePlan
from drift.kinds import Kind, workload_key
from drift.profiles.model import Profile
from drift.textsafe import plural, visible

MAX_BYTES = 16 * 1024 * 1024
"""A saved plan larger than this is not one drift wrote (1,000 services fit in a few MB)."""


@dataclass(frozen=True)
class SavedPlan:
    file: str
    environment: str
    project: str
    region: str
    services: tuple[str, ...]
    """The `--service` selection the plan was made with (empty: every service)."""
    from_template: bool
    profile_digest: str
    etags: dict[str, str]
    """Each service with a patch: its etag when the plan was made."""
    changes: dict[str, dict[str, Any]]
    """Each change by id, as the plan states it."""


def profile_digest(profile: Profile) -> str:
    """SHA-256 over the profile files the environment was merged from, in order."""
    digest = hashlib.sha256()
    for name in profile.files:
        try:
            content = Path(name).read_bytes()
        except OSError as exc:
            raise UsageError(f"cannot read {name}: {exc.strerror or exc}") from exc
        digest.update(len(content).to_bytes(8, "big") + content)
    return digest.hexdigest()


def saved_text(
    plan: Plan, profile: Profile, services: Sequence[str] | None, from_template: bool
) -> str:
    data = plan_data(plan)
    data["saved"] = {
        "made_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "drift_version": __version__,
        "services": list(services or ()),
        "from_template": from_template,
        "profile_digest": profile_digest(profile),
    }
    return json.dumps(data, indent=2) + "\n"


def write_saved(path: Path, text: str) -> None:
    """Write atomically: a plan cut short by a full disk or Ctrl-C is never left behind."""
    write_whole(path, text, what="the plan")


def read_saved(path: Path) -> SavedPlan:
    """The saved plan in `path`, or one UsageError naming the file and what is wrong."""
    shown = visible(str(path))
    try:
        if path.stat().st_size > MAX_BYTES:
            raise UsageError(f"{shown}: larger than {MAX_BYTES // 2**20} MB: not a saved plan")
        data = json.loads(path.read_text(encoding="utf-8"))
    except OSError as exc:
        raise UsageError(f"cannot read the plan {shown}: {exc.strerror or exc}") from exc
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise UsageError(f"{shown} is not a saved plan (not JSON: {exc})") from exc
    except RecursionError as exc:  # a document nested deeper than any plan drift writes
        raise UsageError(f"{shown} is not a saved plan (nested too deeply)") from exc
    try:
        return _parsed(shown, data)
    except (KeyError, TypeError, AttributeError, ValueError) as exc:
        raise UsageError(
            f"{shown} is not a saved plan ({PLAN_SCHEMA} written by `drift plan --out`): "
            f"{type(exc).__name__} {visible(str(exc))}"
        ) from exc


def _parsed(shown: str, data: Any) -> SavedPlan:
    if not isinstance(data, dict) or data.get("schema") != PLAN_SCHEMA:
        raise ValueError(f"schema is not {PLAN_SCHEMA}")
    saved = data.get("saved")
    if not isinstance(saved, dict):
        raise ValueError(
            "no `saved` block: `drift plan --format json` shows a plan, "
            "`drift plan --out FILE` saves one"
        )
    etags: dict[str, str] = {}
    changes: dict[str, dict[str, Any]] = {}
    for service in data["services"]:
        ids = [str(c["id"]) for c in [*service["env"], *service["settings"]]]
        if ids:  # by key: a job's is job/NAME
            kind = Kind(service.get("kind", Kind.SERVICE.value))
            etags[workload_key(kind, str(service["service"]))] = str(service["etag"])
        for change in [*service["env"], *service["settings"]]:
            changes[str(change["id"])] = dict(change)
    return SavedPlan(
        file=shown,
        environment=str(data["environment"]),
        project=str(data["project"]),
        region=str(data["region"]),
        services=tuple(str(s) for s in saved["services"]),
        from_template=bool(saved["from_template"]),
        profile_digest=str(saved["profile_digest"]),
        etags=etags,
        changes=changes,
    )


def check_target(saved: SavedPlan, profile: Profile) -> None:
    """Refuse (exit 2) a plan made for another environment, project or region."""
    made = (saved.environment, saved.project, saved.region)
    here = (profile.environment, profile.project, profile.region)
    if made != here:
        raise UsageError(
            f"{saved.file} was made for {visible('/'.join(made))}, not "
            f"{visible('/'.join(here))}: make a plan for this environment"
        )


def changed_since(saved: SavedPlan, profile: Profile, plan: Plan) -> str:
    """Why the plan a fix would apply now is not the saved one ("" when it is): a service
    changed (its etag), the profile changed, or the changes differ."""
    now = {sp.key: sp for sp in plan.services}
    moved = [
        f"{name} (etag {etag} when planned, {now[name].etag if name in now else 'gone'} now)"
        for name, etag in saved.etags.items()
        if name not in now or now[name].etag != etag
    ]
    if moved:
        return f"changed since {saved.file} was made: {', '.join(moved)}"
    if profile_digest(profile) != saved.profile_digest:
        return f"the profile files changed since {saved.file} was made"
    current = {c["id"]: c for sp in plan.services for c in changes_json(sp)}
    differ = sorted(set(current) ^ set(saved.changes)) + sorted(
        i for i in set(current) & set(saved.changes) if current[i] != saved.changes[i]
    )
    if differ:
        return f"the plan now differs from {saved.file} in {', '.join(differ)}"
    return ""


def only(plan: Plan, ids: Sequence[str], findings: Sequence[Finding]) -> Plan:
    """The plan cut down to the changes `ids` name (each must be one of its changes); what
    each service's patch repairs, cut down alike."""
    known = {i for sp in plan.services for i in sp.change_ids}
    unknown = [i for i in ids if i not in known]
    if unknown:
        listed = ", ".join(sorted(known)) or "none"
        raise UsageError(
            f"--only: no change {visible(', '.join(unknown))} in the plan (its changes: "
            f"{visible(listed)})"
        )
    wanted = set(ids)
    target = {f.id: f.target for f in findings}
    return replace(plan, services=tuple(_cut(sp, wanted, target) for sp in plan.services))


def _cut(sp: ServicePlan, wanted: set[str], target: dict[str, str]) -> ServicePlan:
    env = tuple(c for c in sp.env if sp.env_id(c) in wanted)
    settings = tuple(s for s in sp.settings if sp.setting_id(s) in wanted)
    kept = replace(sp, env=env, settings=settings)
    targets = set(kept.targets)
    return replace(kept, fixes=tuple(f for f in sp.fixes if target.get(f) in targets))


def cut_note(before: Plan, after: Plan) -> str:
    left = sum(len(s.change_ids) for s in before.services) - sum(
        len(s.change_ids) for s in after.services
    )
    return f"--only: {plural(left, 'change')} of the plan left out" if left else ""
