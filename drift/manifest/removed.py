"""What a Terraform plan removes that a secret reference of a service needs: the secret
(`google_secret_manager_secret`), the version it names (`google_secret_manager_secret_version`
deleted, or updated to `enabled = false`), or an accessor grant of its runtime account
(`google_secret_manager_secret_iam_member|_binding|_policy`, `google_project_iam_*`), deleted
or replaced (`actions` holds "delete": terraform `internal/command/jsonplan`), or a binding or
policy updated without the member. A check made before apply reads them still there: each
reference to them is not verified ("removed by this plan: ADDRESS"), never clean. Cloud Run
checks every secret a revision uses at deploy and env secrets at each instance start
(cloud.google.com/run/docs/configuring/services/secrets)."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drift.fields import DEFAULT_ACCOUNT_SUFFIX, is_default_account
from drift.findings import Unverified
from drift.live.iam_policy import ACCESSOR_ROLES, PUBLIC, Grant
from drift.live.model import LiveState
from drift.manifest.planned import ANY_SECRET, same_project
from drift.refs import SecretRef


@dataclass(frozen=True)
class Removed:
    done: str
    """What the plan does to it: `removed`, `disabled` (a version) or `access removed`."""
    secret: str
    """The secret's name; `ANY_SECRET` for a grant on the project."""
    project: str
    """The project the plan names ("" when it names none)."""
    address: str
    version: str = ""
    """A version's number ("": the secret itself, or not known: any version)."""
    members: tuple[str, ...] | None = None
    """Who loses access to it (None: not an access; empty: not known, anyone)."""


def removed(address: str, kind: Any, change: dict[str, Any]) -> list[Removed]:
    """What one resource change removes that a secret reference may need."""
    before, after, actions = change.get("before"), change.get("after"), change.get("actions")
    if not isinstance(kind, str) or not isinstance(before, dict) or not isinstance(actions, list):
        return []
    deleted = "delete" in actions  # a delete, or a replace (delete and create, in either order)
    after = None if deleted or not isinstance(after, dict) else after
    project = _text(before.get("project"))
    if kind == "google_secret_manager_secret":
        secret = _text(before.get("secret_id"))
        return [Removed("removed", secret, project, address)] if deleted and secret else []
    if kind == "google_secret_manager_secret_version":
        return _version(address, before, after, deleted, project)
    if not kind.startswith(("google_secret_manager_secret_iam_", "google_project_iam_")):
        return []
    unknown = change.get("after_unknown")
    lost = _members(kind, before) - _members(kind, after, unknown)
    if not lost:
        return []
    if kind.startswith("google_project_iam_"):
        return [Removed("access removed", ANY_SECRET, project, address, "", tuple(sorted(lost)))]
    ref = SecretRef.parse(_text(before.get("secret_id")))
    if ref.unread:
        return []
    members = tuple(sorted(lost))
    return [Removed("access removed", ref.secret, ref.project or project, address, "", members)]


def _version(
    address: str, before: dict[str, Any], after: dict[str, Any] | None, deleted: bool, project: str
) -> list[Removed]:
    """A version deleted (destroyed, or disabled with `deletion_policy = "DISABLE"`; left as it
    is with "ABANDON": Terraform google_secret_manager_secret_version), or updated to
    `enabled = false`."""
    ref = SecretRef.parse(_text(before.get("secret")))
    if ref.unread:
        return []
    number = _text(before.get("version")) or _text(before.get("name")).rpartition("/versions/")[2]
    policy = _text(before.get("deletion_policy")) or "DELETE"
    if deleted and policy != "ABANDON":
        done = "disabled" if policy == "DISABLE" else "removed"
    elif after is not None and before.get("enabled") is not False and after.get("enabled") is False:
        done = "disabled"
    else:
        return []
    return [Removed(done, ref.secret, ref.project or project, address, number)]


def _members(kind: str, values: dict[str, Any] | None, unknown: Any = None) -> set[str]:
    """The members an IAM resource grants an accessor role (none when it is gone, or when
    what it grants is not known until apply: then what it held before is lost)."""
    unknown = unknown if isinstance(unknown, dict) else {}
    if values is None or any(unknown.get(k) for k in ("role", "member", "members", "policy_data")):
        return set()
    if kind.endswith("_policy"):
        try:
            policy = json.loads(_text(values.get("policy_data")) or "{}")
        except ValueError:
            return set()
        bindings = policy.get("bindings") if isinstance(policy, dict) else None
        return {
            m
            for b in (bindings if isinstance(bindings, list) else ())
            if isinstance(b, dict) and b.get("role") in ACCESSOR_ROLES
            for m in b.get("members") or ()
            if isinstance(m, str)
        }
    if _text(values.get("role")) not in ACCESSOR_ROLES:
        return set()
    members = values.get("members") if kind.endswith("_binding") else [values.get("member")]
    return {m for m in members or () if isinstance(m, str)}


def removals(found: Iterable[Removed], state: LiveState, own: str) -> list[Unverified]:
    """Each reference of a service read (`state`) to what the plan removes: not verified."""
    found = list(found)
    out: dict[Unverified, None] = {}
    for key, svc in state.services.items() if found else ():
        for rev in svc.checked:
            account = rev.config.settings.get("service_account", "")
            for _, _, ref in rev.config.secret_refs():
                for r in found:
                    if _needs(r, ref, state, own, account if isinstance(account, str) else ""):
                        target = f"secret.{ref.key}"
                        out.setdefault(
                            Unverified.at(key, target, f"{r.done} by this plan: {r.address}")
                        )
    return list(out)


def _needs(r: Removed, ref: SecretRef, state: LiveState, own: str, account: str) -> bool:
    """Whether the reference `ref` of a revision running as `account` needs what `r` removes."""
    if ref.unread or r.secret not in (ref.secret, ANY_SECRET):
        return False
    if not same_project(state, r.project, ref.project, own):
        return False
    if r.members is not None:
        return _loses(r.members, account) and state.grant(account, ref) is not Grant.DENIED
    if not r.version:
        return True
    info = state.versions.get(ref)
    return r.version in (ref.version, info.resolved if info else None) or (
        info is None and not ref.version.isdigit()
    )


def _loses(members: tuple[str, ...], account: str) -> bool:
    """Whether `account` is among `members` (empty: not known, anyone); the default compute
    account, by a number drift cannot tell offline, is any default account."""
    if not members or not PUBLIC.isdisjoint(members):
        return True
    if is_default_account(account) and not account.endswith(DEFAULT_ACCOUNT_SUFFIX):
        return any(m.endswith(DEFAULT_ACCOUNT_SUFFIX) for m in members)
    return f"serviceAccount:{account}" in members


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
