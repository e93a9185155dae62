"""What a Terraform plan creates beside the workloads that a check of secrets, made before the
plan is applied, cannot see yet: the secrets it creates (`google_secret_manager_secret`, a
version of one: `google_secret_manager_secret_version`) and the access it grants
(`google_secret_manager_secret_iam_member|_binding`, `google_project_iam_member|_binding` with
a role that can access secrets). A `secret.missing` or `secret.no_access` finding they may
answer is not verified ("created by this plan: ADDRESS"), never clean and never an error."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from drift.live.iam_policy import ACCESSOR_ROLES
from drift.refs import SecretRef

ANY_SECRET = "*"
"""A grant on the project: every secret in it."""
CREATED = ""
"""A grant on a secret the plan names only once applied (its `secret_id` is unknown): one of
the secrets the plan creates."""


@dataclass(frozen=True)
class Planned:
    rule: str
    """The finding it may answer: `secret.missing` (created) or `secret.no_access` (granted)."""
    secret: str
    """The secret's name; `ANY_SECRET`, or `CREATED`."""
    project: str
    """The project the plan names ("" when it names none)."""
    address: str
    members: tuple[str, ...] = ()
    """Who is granted access (empty: not known until apply)."""

    def answers(self, key: str, own: str, account: str, created: set[str]) -> bool:
        """Whether it may answer a finding on the secret `key` (`NAME` or `P/NAME`; `own`: the
        profile's project) about the service account `account` ("": the default one)."""
        ref = SecretRef.parse(f"projects/{key.replace('/', '/secrets/')}" if "/" in key else key)
        if self.project and (ref.project or own) != self.project:
            return False
        if self.secret not in (ref.secret, ANY_SECRET) and not (
            self.secret == CREATED and ref.secret in created
        ):
            return False
        # the default compute account has a number drift cannot tell offline: any account
        return not self.members or not account or f"serviceAccount:{account}" in self.members


def planned(address: str, kind: Any, change: dict[str, Any]) -> list[Planned]:
    """What one resource change creates that a check of secrets cannot see yet."""
    after, unknown, actions = (
        change.get("after"),
        change.get("after_unknown"),
        change.get("actions"),
    )
    if not isinstance(kind, str) or not isinstance(after, dict) or not isinstance(actions, list):
        return []
    if not any(a in ("create", "update") for a in actions):
        return []  # there already (what the check reads), or removed
    unknown = unknown if isinstance(unknown, dict) else {}
    project = _text(after.get("project"))
    if kind == "google_secret_manager_secret" and _text(after.get("secret_id")):
        return [Planned("secret.missing", after["secret_id"], project, address)]
    if kind == "google_secret_manager_secret_version" and _text(after.get("secret")):
        ref = SecretRef.parse(after["secret"])
        return [Planned("secret.missing", ref.secret, ref.project or project, address)]
    if kind.startswith(("google_secret_manager_secret_iam_", "google_project_iam_")):
        if kind.endswith("_policy") or _text(after.get("role")) not in ACCESSOR_ROLES:
            return []
        members = after.get("members") if kind.endswith("_binding") else [after.get("member")]
        granted = tuple(m for m in members or () if isinstance(m, str))
        if unknown.get("member") or unknown.get("members"):
            granted = ()
        if kind.startswith("google_project_iam_"):
            return [Planned("secret.no_access", ANY_SECRET, project, address, granted)]
        secret = _text(after.get("secret_id"))
        ref = SecretRef.parse(secret) if secret else SecretRef(CREATED)
        return [Planned("secret.no_access", ref.secret, ref.project or project, address, granted)]
    return []


def _text(value: Any) -> str:
    return value if isinstance(value, str) else ""
