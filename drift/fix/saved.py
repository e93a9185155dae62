"""Saved plans, the way `terraform plan -out` and `apply` work: `drift plan ENV --out FILE`
writes the plan with what it was made against (each patched service's etag, a digest of the
profile files, the options), and `drift fix --plan FILE` applies exactly that plan or nothing
(`--only ID…`: part of it). A saved plan states changes as every output states them, masked
(a history not read leaves a value unmasked that it would mask: the file's `notes` say so, as
the plan's do), and the profile is compared by digest.

The plan reviewed is the plan applied: `saved.digest` (`drift.fix.saved_digest`) covers what
the fix changes and the live state it was planned on, and the options it was made with. A
file whose body does not match it (edited by hand) is refused, and so is a fresh plan whose
body differs from the saved one (exit 4, nothing written). The digest catches edits and
drift, not forgery: anyone who can edit the file can run `drift fix` without it."""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drift import __version__, jsontext
from drift.errors import Aborted, UsageError
from drift.files import read_bounded, write_whole
from drift.fix.formats.json_plan import PLAN_SCHEMA, changes_json, plan_data
from drift.fix.model import Plan
from drift.fix.saved_digest import OPTIONS as OPTIONS  # the digest's, as tests and callers know it
from drift.fix.saved_digest import body_digest, legacy_digest, stated, stated_change
from drift.kinds import Kind, workload_key
from drift.profiles.model import Profile
from drift.schemas import NEWER, newer, other_version
from drift.textsafe import visible

MAX_BYTES = 16 * 1024 * 1024
"""A saved plan larger than this is not one drift wrote (1,000 services fit in a few MB)."""
MAX_NESTING = 32
"""A saved plan nested deeper is not one drift wrote (its own go 6 levels deep)."""


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
    digest: str = ""
    """The digest of the reviewed plan (`body_digest`) the file was saved with."""
    intact: bool = True
    """Whether the file's body still matches `digest` (False: edited since it was saved)."""
    bodies: dict[str, dict[str, Any]] | None = None
    """Each service as the saved plan states it, by key."""
    made_by: str = ""
    """`saved.drift_version` and `saved.made_at` of the file, in words ("" when absent)."""
    version: str = ""
    """`saved.drift_version` of the file ("" when absent)."""
    no_promote: bool | None = None
    """Whether it was planned with `--no-promote` (`drift plan --no-promote --out`), and so
    is applied held (`promote_as_saved`); None: saved by a drift that did not keep it."""

    def options(self) -> dict[str, Any]:
        """The options of its `saved` block that its digest covers (`saved_digest.OPTIONS`:
        `no_promote` only when the file has it)."""
        kept = {} if self.no_promote is None else {"no_promote": self.no_promote}
        return {
            "services": list(self.services),
            "from_template": self.from_template,
            "profile_digest": self.profile_digest,
            **kept,
        }


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
    plan: Plan,
    profile: Profile,
    services: Sequence[str] | None,
    from_template: bool,
    *,
    no_promote: bool = False,
) -> str:
    """The file `drift plan --out` saves: `plan` (as made, before `plan_hold.held_plan`)
    and the options it was made with, `no_promote` among them (`promote_as_saved`)."""
    data: dict[str, Any] = {**plan_data(plan), "notes": list(plan.notes)}  # as `plan_json`
    options = {
        "services": list(services or ()),
        "from_template": from_template,
        "profile_digest": profile_digest(profile),
        "no_promote": no_promote,
    }
    data["saved"] = {
        "made_at": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "drift_version": __version__,
        **options,
        "digest": body_digest(data, options),
    }
    return json.dumps(data, indent=2) + "\n"


def write_saved(path: Path, text: str) -> None:
    """Write atomically: a plan cut short by a full disk or Ctrl-C is never left behind."""
    write_whole(path, text, what="the plan", replace_links=True)


def read_saved(path: Path) -> SavedPlan:
    """The saved plan in `path`, or one UsageError naming the file and what is wrong."""
    shown = visible(str(path))
    try:
        raw = read_bounded(path, MAX_BYTES + 1)  # a named pipe: refused, never waited on
        if len(raw) > MAX_BYTES:
            raise UsageError(f"{shown}: larger than {MAX_BYTES // 2**20} MB: not a saved plan")
        data = jsontext.loads(raw.decode("utf-8"))
        if jsontext.deeper_than(data, MAX_NESTING):  # its digest's dumps would run out of stack
            raise RecursionError
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
            f"{_unlike(exc)}"
        ) from exc


def _unlike(exc: Exception) -> str:
    """How a document differs from a saved plan, in a person's words (no exception names:
    a key missing, a value of another type than drift writes, or what `_parsed` says)."""
    if isinstance(exc, KeyError):
        return f"it has no {visible(repr(exc.args[0]))}"
    if isinstance(exc, TypeError | AttributeError):
        return "a value in it is not of the type drift writes there (a list, text or a number)"
    return visible(str(exc))


def _parsed(shown: str, data: Any) -> SavedPlan:
    if not isinstance(data, dict) or data.get("schema") != PLAN_SCHEMA:
        theirs = data.get("schema") if isinstance(data, dict) else None
        if why := other_version(theirs, PLAN_SCHEMA, "drift plan ENVIRONMENT --out FILE"):
            if why.startswith(NEWER) and (edited := _edited_schema(data)):
                raise UsageError(f"{shown} {edited}")
            raise UsageError(f"{shown} was {why}{_drifts(data)}")
        raise ValueError(f"schema is not {PLAN_SCHEMA}")
    saved = data.get("saved")
    if not isinstance(saved, dict):
        raise ValueError(
            "no `saved` block: `drift plan --format json` shows a plan, "
            "`drift plan --out FILE` saves one"
        )
    etags: dict[str, str] = {}
    changes: dict[str, dict[str, Any]] = {}
    bodies: dict[str, dict[str, Any]] = {}
    for service in data["services"]:
        ids = [str(c["id"]) for c in [*service["env"], *service["settings"]]]
        kind = Kind(service.get("kind", Kind.SERVICE.value))
        key = workload_key(kind, str(service["service"]))  # a job's is job/NAME
        bodies[key] = service
        if ids:
            etags[key] = str(service["etag"])
        for change in [*service["env"], *service["settings"]]:
            changes[str(change["id"])] = dict(change)
    if not isinstance(saved.get("digest"), str):
        raise UsageError(
            f"{shown} was saved by an older drift, without the digest of the plan reviewed: "
            f"make it again (drift plan {visible(str(data['environment']))} --out FILE) "
            "and review it"
        )
    no_promote = saved.get("no_promote")  # absent: saved by a drift that did not keep it
    if no_promote is not None and not isinstance(no_promote, bool):
        raise ValueError("its saved no_promote is neither true nor false")
    # read with a drift before revown56's digest: intact all the same, and compared by this one's
    intact = saved["digest"] in (body_digest(data, saved), legacy_digest(data, saved))
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
        digest=body_digest(data, saved) if intact else saved["digest"],
        intact=intact,
        bodies=bodies,
        made_by=" at ".join(str(saved[k]) for k in ("drift_version", "made_at") if saved.get(k)),
        version=str(saved.get("drift_version") or ""),
        no_promote=no_promote,
    )


def _edited_schema(data: dict[str, Any]) -> str:
    """Why a plan of a newer schema than this drift's was edited ("" when it may not have
    been): it says this very version of drift saved it (revinput60 F5: "written by a newer
    drift… saved by drift X, this is drift X"). A development build keeps its version across
    schema changes (an older schema saved by "this" version is one, tests/fix/
    test_saved_plan.py), so another build of it is named too."""
    saved = data.get("saved")
    version = saved.get("drift_version") if isinstance(saved, dict) else None
    if not isinstance(version, str) or version != __version__:
        return ""
    return visible(
        f"names the schema {data.get('schema')} (this drift reads {PLAN_SCHEMA}), yet says it "
        f"was saved by drift {version}, this very version: it was edited since it was saved "
        f"(or saved by another build of {version}); make a new plan (drift plan ENVIRONMENT "
        "--out FILE) and review it"
    )


def _drifts(data: dict[str, Any]) -> str:
    """Which drift saved a plan of another schema and which one reads it, as a refusal ends
    ("" when the file does not say)."""
    saved = data.get("saved")
    made = [saved.get(k) for k in ("drift_version", "made_at")] if isinstance(saved, dict) else []
    if not made or not isinstance(made[0], str) or not made[0]:
        return ""
    at = f" at {made[1]}" if isinstance(made[1], str) and made[1] else ""
    return visible(f"; it was saved by drift {made[0]}{at}, this is drift {__version__}")


def check_target(saved: SavedPlan, profile: Profile) -> None:
    """Refuse (exit 2) a plan made for another environment, project or region; then (exit
    4) a plan edited since it was saved."""
    made = (saved.environment, saved.project, saved.region)
    here = (profile.environment, profile.project, profile.region)
    if made != here:
        raise UsageError(
            f"{saved.file} was made for {visible('/'.join(made))}, not "
            f"{visible('/'.join(here))}: make a plan for this environment"
        )
    if not saved.intact and newer(saved.version):
        # a later drift may digest a plan otherwise (as revown56 did): not said to be edited
        raise Aborted(
            f"{saved.file} does not match the digest of the plan reviewed as this drift "
            f"{__version__} computes it: it was saved by drift {visible(saved.made_by)}, newer "
            "than this one, which may digest it otherwise (or it was edited since): nothing "
            f"was changed; apply it with drift {visible(saved.version)}, or make a new plan "
            f"with this one (drift plan {visible(profile.environment)} --out FILE) and review it"
        )
    if not saved.intact:
        raise Aborted(
            f"{saved.file} was edited since `drift plan --out` saved it (it does not match "
            "the digest of the plan reviewed): nothing was changed; make a new plan "
            f"(drift plan {visible(profile.environment)} --out FILE) and review it"
        )


def promote_as_saved(saved: SavedPlan, promote: bool) -> tuple[bool, str]:
    """Whether `drift fix --plan FILE` promotes (`promote`: without `--no-promote` on its
    command line), and a note when the plan says otherwise than that command line: the plan
    reviewed decides. Saved with `--no-promote`: held, the flag given again or not (the note
    says so when not). Saved to promote, applied with `--no-promote`: refused, exit 2, as
    that is not the plan reviewed. A plan without `no_promote` (an older drift's) is applied
    as the command line says, as it was. Called once `check_target` found the file intact."""
    if saved.no_promote is None:
        return promote, ""
    if saved.no_promote:
        said = (
            f"note: {saved.file} was planned with --no-promote: this fix holds what it writes, "
            "as reviewed (no traffic or instances until the change is finished)"
        )
        return False, said if promote else ""
    if not promote:
        raise UsageError(
            f"{saved.file} was planned without --no-promote: the plan reviewed moves the "
            "traffic and instances to what the fix writes, and --no-promote would hold them "
            f"(nothing was changed): apply it without --no-promote, or make a new plan "
            f"(drift plan {visible(saved.environment)} --no-promote --out FILE) and review it"
        )
    return True, ""


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
    current = {c["id"]: stated_change(c) for sp in plan.services for c in changes_json(sp)}
    was = {i: stated_change(c) for i, c in saved.changes.items()}
    differ = sorted(set(current) ^ set(was)) + sorted(
        i for i in set(current) & set(was) if current[i] != was[i]
    )
    if differ:
        said = f"the plan now differs from {saved.file} in {', '.join(differ)}"
        return said + _drift_changed(saved, profile)
    return _body_differs(saved, plan, profile)


def _drift_changed(saved: SavedPlan, profile: Profile) -> str:
    """Why a plan differs whose services (etags) and profile are as when it was made: the
    drift that makes it (revbaseline2 F6: an upgrade that spells a value otherwise), said
    with the drift that saved it, so the refusal does not read as the service's change; the
    version named only when it is another one (revown56 F3)."""
    again = f"run `drift plan {visible(profile.environment)}` again"
    if saved.version == __version__:
        return (
            f" (the services and the profile are as when it was planned, by this drift "
            f"{visible(saved.made_by)}: what else it reads differs this time; {again})"
        )
    made = f"drift {visible(saved.made_by)}" if saved.made_by else "an older drift"
    if newer(saved.version):  # this drift is the older one: upgrading it is the other way
        return (
            f" (the services and the profile are as when it was planned: it was made by {made},"
            f" newer than this drift {__version__}, which plans it otherwise; apply it with "
            f"drift {visible(saved.version)}, or {again} with this one)"
        )
    return (
        f" (the services and the profile are as when it was planned: it was made by {made}, "
        f"this is drift {__version__}, which plans it otherwise; {again})"
    )


def _body_differs(saved: SavedPlan, plan: Plan, profile: Profile) -> str:
    """Why the fresh plan's body is not the reviewed one (its digest), naming what differs."""
    data = plan_data(plan)
    if body_digest(data, saved.options()) == saved.digest:
        return ""
    was = {key: stated(body) for key, body in (saved.bodies or {}).items()}
    now = {
        workload_key(Kind(s.get("kind", Kind.SERVICE.value)), s["service"]): stated(s)
        for s in data["services"]
    }
    if not newer(saved.version) and (older := _older(was, now)):
        return f"{saved.file} was saved by an older drift: {visible(older)}"
    what = [f"{key} ({_fields(was.get(key, {}), body)})" for key, body in now.items()]
    what = [w for w in what if not w.endswith("()")]
    what += [f"{key} (gone)" for key in was if key not in now]
    said = f"the plan now differs from {saved.file} in {visible(', '.join(what) or 'its body')}"
    return said + _drift_changed(saved, profile)


def _older(was: dict[str, dict[str, Any]], now: dict[str, dict[str, Any]]) -> str:
    """What this drift's plan states that the saved one lacks altogether, when that is all
    that differs ("" otherwise): a key a later drift added to a `drift.plan/v2` service
    (`promotion_tags`, 8f1845f), absent from a plan an older drift saved. The services' etags
    and the profile are the same (`changed_since`), so the service did not change: drift did.
    Refused all the same (what was reviewed is not what would be applied; revupgrade F5)."""
    missing: dict[str, set[str]] = {}
    for key, body in now.items():
        earlier = was.get(key, {})
        differ = {k for k in {*earlier, *body} if earlier.get(k) != body.get(k)}
        if not differ:
            continue
        if key not in was or any(k in earlier for k in differ):
            return ""
        missing[key] = differ
    if not missing or any(key not in now for key in was):
        return ""
    said = "; ".join(f"{key}: {', '.join(sorted(keys))}" for key, keys in missing.items())
    return f"its plan does not state what this drift's does ({said})"


def _fields(was: dict[str, Any], now: dict[str, Any]) -> str:
    return ", ".join(sorted(k for k in {*was, *now} if was.get(k) != now.get(k)))
