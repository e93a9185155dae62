"""Who gains and who loses an accessor role (`ACCESSOR_ROLES`) in one Terraform change of an
IAM resource of Secret Manager: the one place drift reads these resources, for what a plan
grants (`planned`) and what it removes (`removed`).

The resources (hashicorp/google provider, resources/secret_manager_secret_iam,
google_project_iam, google_folder_iam and google_organization_iam; their code:
google/tpgiamresource/resource_iam_*.go):

- `_member` (`google_secret_manager_secret_iam_member`, `google_project_iam_member`, the
  folder's and the organisation's):
  "Non-authoritative ... Other members for the role ... are preserved": it grants its `member`,
  and its delete removes that membership only.
- `_binding`: "Authoritative for a given role": create and update drop every binding of its
  role (and condition) and write its own (`filterBindingsWithRoleAndCondition`, then append),
  so every member of the role it does not name loses it; delete drops the role's binding.
- `_policy`: "Authoritative. Sets the IAM policy ... and replaces any existing policy already
  attached": every member it does not name loses every role; delete sets an empty policy.
- `google_project_iam_member_remove`: "Ensures that a member:role pairing does not exist ...
  On create, this resource will modify the policy to remove the member from the role"; its
  delete only clears it from Terraform's state. It never grants.

A change's `before` is what Terraform's refresh read live before planning (`terraform plan`
refreshes by default), so on an update or a delete it names who holds the role now. A create
has no `before`: who holds the role now is not in the plan, so an authoritative one takes it
from every member it does not name. A replace (`actions` holds both "delete" and "create", in
either order) does both. A binding's condition is not told apart: a conditional binding is
read as if it replaced the unconditional one too (a reference may be left unverified, never
called clean); a member granted only under a condition may be granted (`conditional`)."""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any

from drift.live.iam_policy import ACCESSOR_ROLES, CUSTOM_ROLES

MEMBER, BINDING, POLICY, MEMBER_REMOVE = "member", "binding", "policy", "member_remove"
FORMS: dict[str, tuple[bool, str]] = {
    "google_secret_manager_secret_iam_member": (False, MEMBER),
    "google_secret_manager_secret_iam_binding": (False, BINDING),
    "google_secret_manager_secret_iam_policy": (False, POLICY),
    "google_project_iam_member": (True, MEMBER),
    "google_project_iam_binding": (True, BINDING),
    "google_project_iam_policy": (True, POLICY),
    "google_project_iam_member_remove": (True, MEMBER_REMOVE),
    "google_folder_iam_member": (True, MEMBER),
    "google_folder_iam_binding": (True, BINDING),
    "google_folder_iam_policy": (True, POLICY),
    "google_organization_iam_member": (True, MEMBER),
    "google_organization_iam_binding": (True, BINDING),
    "google_organization_iam_policy": (True, POLICY),
}
"""Each IAM resource type drift reads: (above the secret: every secret of the project, its
form). A folder's or the organisation's (`folder`, `org_id`: they name no `project`) holds
for every project under it, which a plan does not say: it is read as on every project, so
what it removes leaves every reference unverified and what it grants may answer any
`secret.no_access` (not verified either way, never clean: Secret Manager access control grants
roles "at the level of the Google Cloud organization, folder, project, or secret")."""


@dataclass(frozen=True)
class Members:
    """Some members (`names`), or everyone but them (`others`)."""

    names: frozenset[str] = frozenset()
    others: bool = False

    def __bool__(self) -> bool:
        return self.others or bool(self.names)

    def __or__(self, other: Members) -> Members:
        if self.others and other.others:
            return Members(self.names & other.names, True)
        if self.others or other.others:
            kept, named = (self, other) if self.others else (other, self)
            return Members(kept.names - named.names, True)
        return Members(self.names | other.names)


EVERYONE = Members(others=True)


@dataclass(frozen=True)
class AccessChange:
    project_level: bool
    """A grant on the project (every secret in it), or on a folder or the organisation (every
    secret of every project: `project` is "")."""
    secret: str
    """The secret's id as the resource names it (`secret_id`; "" on the project, or when it is
    not known until apply)."""
    project: str
    """The project the resource names ("" when it names none)."""
    gained: tuple[str, ...] | None = None
    """Who is granted an accessor role once applied (None: nobody; empty: not known)."""
    lost: Members = Members()
    """Who loses an accessor role they hold now."""
    node: str = ""
    """The folder or organisation a grant above the project is on (`folders/N`,
    `organizations/N`; "" otherwise)."""
    conditional: tuple[str, ...] = ()
    """Of `gained`, who is granted only under a condition ("If the condition evaluates to
    `true`, then this binding applies", iam/v1 policy.proto Binding.condition): drift does
    not evaluate a planned condition, so it may grant or not."""


def access_changes(kind: Any, change: dict[str, Any]) -> list[AccessChange]:
    """What one change of an IAM resource does to accessor roles: on the place its `before`
    names (what goes), and on the one its `after` names (what comes, and what a created
    authoritative resource takes): one, or two when a replace moves it (`secret_id` and
    `project` force a new resource). Empty: not an IAM resource drift reads."""
    before, after, actions = change.get("before"), change.get("after"), change.get("actions")
    if not isinstance(kind, str) or kind not in FORMS or not isinstance(actions, list):
        return []
    before = before if isinstance(before, dict) else None
    after = after if isinstance(after, dict) else None
    unknown = change.get("after_unknown")
    unknown = unknown if isinstance(unknown, dict) else {}
    project_level, form = FORMS[kind]
    created, deleted, updated = "create" in actions, "delete" in actions, "update" in actions
    pairs = _held(form, after, unknown) if after is not None else frozenset()
    now = None if pairs is None else frozenset(m for m, _ in pairs)
    out: list[AccessChange] = []
    whole = None if pairs is None else frozenset(m for m, c in pairs if not c)
    if before is not None and (deleted or updated) and form != MEMBER_REMOVE:
        held = _held(form, before, {})
        lost = EVERYONE if held is None else Members(frozenset(m for m, _ in held))
        if not deleted and pairs is not None and whole is not None:
            # kept only by the same grant (its condition too), or one with no condition: a
            # grant made conditional in place grants only while the condition holds
            lost = (
                Members(whole, True)
                if held is None
                else Members(frozenset(m for m, c in held if not {(m, c), (m, "")} & pairs))
            )
        place = _place(project_level, before, {})
        out.append(AccessChange(project_level, *place, lost=lost, node=_node(before)))
    if after is not None and (created or updated):
        gained: tuple[str, ...] | None = None
        if form != MEMBER_REMOVE and not unknown.get("role"):
            gained = () if now is None else tuple(sorted(now)) or None
        taken = _taken(form, after, unknown, whole) if created else Members()
        place = _place(project_level, after, unknown)
        # granted only under a condition: each of its grants has one (helper-604)
        iffy = () if gained is None or whole is None else tuple(sorted(set(gained) - whole))
        if out and (out[0].secret, out[0].project) == place:
            lost, node = out[0].lost | taken, out[0].node or _node(after)
            out[0] = AccessChange(project_level, *place, gained, lost, node, iffy)
        else:
            out.append(AccessChange(project_level, *place, gained, taken, _node(after), iffy))
    return [c for c in out if c.gained is not None or c.lost]


def _place(project_level: bool, values: dict[str, Any], unknown: dict[str, Any]) -> tuple[str, str]:
    """(the secret's id, "" on the project or when not known until apply; the project)."""
    secret = "" if project_level or unknown.get("secret_id") else text(values.get("secret_id"))
    # `project` as the provider takes it: "We can either get "projects/project-id" or
    # "project-id", so strip any prefixes" (terraform-provider-google iam_project.go)
    return secret, text(values.get("project")).removeprefix("projects/")


def _node(values: dict[str, Any]) -> str:
    """The folder or organisation a resource's values name ("" when none)."""
    if folder := text(values.get("folder")):
        return folder if folder.startswith("folders/") else f"folders/{folder}"
    org = text(values.get("org_id"))
    return f"organizations/{org}" if org else ""


def _taken(form: str, after: dict[str, Any], unknown: dict[str, Any], now: Any) -> Members:
    """Who a created resource takes an accessor role from: for `_member_remove` its member,
    for a binding of an accessor role or a policy everyone it does not name."""
    if form == MEMBER_REMOVE:
        if unknown.get("member") or unknown.get("role"):
            return EVERYONE
        member = after.get("member")
        accessor = text(after.get("role")) in ACCESSOR_ROLES
        return Members(frozenset({member})) if accessor and isinstance(member, str) else Members()
    if form == MEMBER:
        return Members()
    if (
        form == BINDING
        and not unknown.get("role")
        and text(after.get("role")) not in ACCESSOR_ROLES
    ):
        return Members()
    return EVERYONE if now is None else Members(now, True)


def _held(
    form: str, values: dict[str, Any], unknown: dict[str, Any]
) -> frozenset[tuple[str, str]] | None:
    """The members a resource's values grant an accessor role, each with its binding's
    condition ("" for none; None: not known until apply)."""
    if form == MEMBER_REMOVE:
        return frozenset()
    if any(unknown.get(k) for k in ("role", "member", "members", "policy_data")):
        return None
    if form == POLICY:
        try:
            policy = json.loads(text(values.get("policy_data")) or "{}")
        except ValueError:
            return None
        bindings = policy.get("bindings") if isinstance(policy, dict) else None
        return frozenset(
            (m, _condition(b.get("condition")))
            for b in (bindings if isinstance(bindings, list) else ())
            if isinstance(b, dict) and b.get("role") in ACCESSOR_ROLES
            for m in b.get("members") or ()
            if isinstance(m, str)
        )
    if text(values.get("role")) not in ACCESSOR_ROLES:
        return frozenset()
    members = values.get("members") if form == BINDING else [values.get("member")]
    condition = values.get("condition")  # a list of one block in the plan, or none
    block = condition[0] if isinstance(condition, list) and condition else condition
    # a condition known only after apply is one all the same: it may not hold (helper-613 L3)
    held = UNKNOWN_CONDITION if unknown.get("condition") else _condition(block)
    return frozenset((m, held) for m in members or () if isinstance(m, str))


UNKNOWN_CONDITION = "(known after apply)"
"""A binding's condition Terraform knows only after apply (`after_unknown.condition`)."""


def _condition(block: Any) -> str:
    """A binding's condition as one comparable text ("" for none)."""
    if not isinstance(block, dict) or not any(block.values()):
        return ""
    return json.dumps(block, sort_keys=True)


def text(value: Any) -> str:
    """A plan's value when it is text ("" otherwise)."""
    return value if isinstance(value, str) else ""


def custom_grants(kind: Any, change: dict[str, Any]) -> list[AccessChange]:
    """Who a created or updated IAM resource grants a custom role (`projects/*/roles/*`,
    `organizations/*/roles/*`), on the place its `after` names: it may include
    `secretmanager.versions.access` (Secret Manager access control: "You can grant one or more
    predefined roles or create and grant custom roles"), which the live check leaves
    unverified (`drift.live.iam_policy.Policy.indirect_bindings`; helper-600 F2)."""
    after, actions = change.get("after"), change.get("actions")
    if not isinstance(kind, str) or kind not in FORMS or not isinstance(after, dict):
        return []
    if not isinstance(actions, list) or not {"create", "update"} & set(actions):
        return []
    unknown = change.get("after_unknown")
    unknown = unknown if isinstance(unknown, dict) else {}
    project_level, form = FORMS[kind]
    keys = ("role", "member", "members", "policy_data")
    if form == MEMBER_REMOVE or any(unknown.get(k) for k in keys):
        return []
    if form == POLICY:
        try:
            policy = json.loads(text(after.get("policy_data")) or "{}")
        except ValueError:
            return []
        bindings = policy.get("bindings") if isinstance(policy, dict) else None
        pairs = [
            (text(b.get("role")), b.get("members"))
            for b in (bindings if isinstance(bindings, list) else ())
            if isinstance(b, dict)
        ]
    else:
        members = after.get("members") if form == BINDING else [after.get("member")]
        pairs = [(text(after.get("role")), members)]
    held = {
        m
        for role, members in pairs
        if role.startswith(CUSTOM_ROLES) and isinstance(members, list)
        for m in members
        if isinstance(m, str)
    }
    if not held:
        return []
    place = _place(project_level, after, unknown)
    return [AccessChange(project_level, *place, tuple(sorted(held)), node=_node(after))]
