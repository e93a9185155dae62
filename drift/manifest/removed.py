"""What a Terraform plan removes that a secret reference of a service needs: the secret
(`google_secret_manager_secret`), the version it names (`google_secret_manager_secret_version`
deleted, or updated to `enabled = false`), or an accessor grant of its runtime account (an IAM
resource of the secret, the project, a folder or the organisation, as
`drift.manifest.iam_changes` reads it: a grant
deleted or replaced, `actions` holding "delete": terraform `internal/command/jsonplan`; a
binding or policy updated without the member; an authoritative binding or policy created
without it; a `google_project_iam_member_remove` of it created). A check made before apply
reads them still there: each reference to them is not verified ("removed by this plan:
ADDRESS"), never clean. Cloud Run checks every secret a revision uses at deploy and env
secrets at each instance start (cloud.google.com/run/docs/configuring/services/secrets)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from drift.fields import account_project, named_default, unnamed_default
from drift.findings import Unverified
from drift.live.iam_policy import PROJECT_ACCOUNTS, PUBLIC, Grant, project_accounts
from drift.live.state import LiveState
from drift.manifest.iam_changes import AccessChange, access_changes, text
from drift.manifest.planned import ANY_SECRET, same_project
from drift.refs import SecretRef
from drift.secret_target import secret_target


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
    """Who loses access to it (None: not an access)."""
    others: bool = False
    """Everyone but `members` loses it (an authoritative binding or policy created; with no
    `members`: everyone)."""
    latest: bool = False
    """A version replaced by a new, enabled one: `latest` names the new one once applied."""
    detail: str = ""
    """Said after the address (what a replace does to the version's number)."""


def removed(address: str, kind: Any, change: dict[str, Any]) -> list[Removed]:
    """What one resource change removes that a secret reference may need."""
    access = [
        _access(address, c)
        for c in access_changes(kind, change)
        if c.lost and (c.project_level or not SecretRef.parse(c.secret).unread)
    ]
    before, after, actions = change.get("before"), change.get("after"), change.get("actions")
    if access or not isinstance(actions, list):
        return access
    unknown = change.get("after_unknown")
    enabled = _enabled(after, unknown if isinstance(unknown, dict) else {})
    if kind == "google_secret_manager_secret_version" and not isinstance(before, dict):
        return _created(address, after, actions, enabled)
    if isinstance(kind, str) and kind in _ELSEWHERE:
        return _ELSEWHERE[kind](address, before, after, actions, unknown)
    if not isinstance(before, dict):
        return []
    deleted = "delete" in actions  # a delete, or a replace (delete and create, in either order)
    after = None if deleted or not isinstance(after, dict) else after
    project = text(before.get("project"))
    if kind == "google_secret_manager_secret":
        secret = text(before.get("secret_id"))
        return [Removed("removed", secret, project, address)] if deleted and secret else []
    if kind == "google_secret_manager_secret_version":
        made = change.get("after")
        replaced = deleted and "create" in actions and _same_secret(before, made, project)
        return _version(address, before, after, deleted, project, replaced, enabled)
    return []


def _account(
    address: str, before: Any, after: Any, actions: list[Any], unknown: Any
) -> list[Removed]:
    """A `google_service_account` deleted, replaced or disabled: "If you delete a service
    account, then create a new service account with the same name, the new service account is
    treated as a separate identity; it does not inherit the roles granted to the deleted
    service account", and a disabled one is refused its tokens
    (cloud.google.com/iam/docs/service-accounts-delete-undelete, …-disable-enable): every
    grant of that email may be lost (helper-564 F2)."""
    email = text(before.get("email")) if isinstance(before, dict) else ""
    if not email:
        return []
    if "delete" in actions:
        how = "recreated: a new identity" if "create" in actions else "deleted"
    elif (
        isinstance(after, dict)
        and before.get("disabled") is not True
        and (
            after.get("disabled") is True or (isinstance(unknown, dict) and unknown.get("disabled"))
        )
    ):
        how = "disabled"
    else:
        return []
    detail = f" (service account {email} {how}, which no grant it holds now survives)"
    members = (f"serviceAccount:{email}",)
    return [Removed("access removed", ANY_SECRET, "", address, "", members, detail=detail)]


def _api(address: str, before: Any, after: Any, actions: list[Any], unknown: Any) -> list[Removed]:
    """`google_project_service` of secretmanager.googleapis.com destroyed with
    `disable_on_destroy = true` ("If true, disable the service when the Terraform resource is
    destroyed"; provider 6.x wrote its default, true, into the state; 7.x defaults to false,
    which "will only remove it from Terraform's state and leave the service enabled"), unless
    `deletion_policy = "ABANDON"`: the project's Secret Manager API is disabled, and Cloud Run
    reads every secret at deploy and env secrets at each instance start (helper-564 F6;
    helper-566 F3: an unset flag of 7.x was read as true)."""
    if (
        not isinstance(before, dict)
        or text(before.get("service")) != "secretmanager.googleapis.com"
    ):
        return []
    if "delete" not in actions or before.get("disable_on_destroy") is not True:
        return []
    if text(before.get("deletion_policy")).upper() == "ABANDON":
        return []
    if (
        "create" in actions
        and isinstance(after, dict)
        and after.get("service") == before["service"]
    ):
        return []  # disabled, then enabled again by the same apply
    detail = " (the project's Secret Manager API is disabled)"
    project = text(before.get("project")).removeprefix("projects/")
    return [Removed("disabled", ANY_SECRET, project, address, detail=detail)]


def _deny(address: str, before: Any, after: Any, actions: list[Any], unknown: Any) -> list[Removed]:
    """A `google_iam_deny_policy` created or updated whose rules may deny a Secret Manager
    permission (`secretmanager.googleapis.com/…`, a wildcard, or rules not known until apply):
    "IAM always checks relevant deny policies before checking relevant allow policies"
    (cloud.google.com/iam/docs/deny-overview). drift evaluates no deny policy (the live check
    says so in a note), nor where its `parent` sits: every reference is not verified
    (helper-564 F8)."""
    if not isinstance(after, dict) or not ({"create", "update"} & set(actions)):
        return []
    rules = after.get("rules")
    said = not isinstance(rules, list) or (isinstance(unknown, dict) and bool(unknown.get("rules")))
    for rule in rules if isinstance(rules, list) else ():
        blocks = rule.get("deny_rule") if isinstance(rule, dict) else None
        for block in blocks if isinstance(blocks, list) else [None]:
            denied = block.get("denied_permissions") if isinstance(block, dict) else None
            said |= not isinstance(denied, list) or any(_reads(p) for p in denied)
    if not said:
        return []
    detail = " (a deny policy that may deny secret access; drift does not evaluate deny policies)"
    return [Removed("denied", ANY_SECRET, "", address, detail=detail)]


_ACCESS = ("secretmanager.googleapis.com/versions.access", "secretmanager.versions.access")
"""The permission a revision's secret read needs, in a deny policy's form
(`SERVICE_FQDN/RESOURCE.ACTION`) and in the allow policies' form."""


def _reads(permission: Any) -> bool:
    """Whether a deny rule's permission (or its pattern: `SERVICE/*`, `SERVICE/RESOURCE.*`,
    `*…`) may deny the secret read a revision makes; one that cannot (`secrets.delete`, the
    usual "nobody deletes secrets" policy) takes nothing away (helper-566 F3)."""
    from fnmatch import fnmatchcase

    if not isinstance(permission, str):
        return True  # not a value drift reads
    return any(fnmatchcase(p, permission) for p in _ACCESS)


_ELSEWHERE = {
    "google_service_account": _account,
    "google_project_service": _api,
    "google_iam_deny_policy": _deny,
}
"""What a plan does beside the secrets and their grants that takes a reference's access away."""


def _enabled(after: Any, unknown: dict[str, Any]) -> bool | None:
    """Whether a version the plan writes is enabled once applied (true by default: Terraform
    google_secret_manager_secret_version); None: not known until apply (`enabled = var.x`)."""
    if unknown.get("enabled"):
        return None
    return not isinstance(after, dict) or after.get("enabled") is not False


def _created(address: str, after: Any, actions: list[Any], enabled: bool | None) -> list[Removed]:
    """A version created (no `before`) disabled, or whose `enabled` is not known until apply:
    `latest` is "an alias to the most recently created SecretVersion" (secretmanager v1
    AccessSecretVersionRequest), so once applied a reference to `latest` may name a version it
    cannot read (helper-564 F4); an enabled one is `planned`'s (`latest` names it)."""
    if "create" not in actions or enabled or not isinstance(after, dict):
        return []
    ref = SecretRef.parse(text(after.get("secret")))
    if ref.unread:
        return []
    how = "created disabled" if enabled is False else "whose enabled is not known until apply"
    detail = f" (a new version {how}, which latest names once applied)"
    where = ref.project or text(after.get("project"))
    return [Removed("created", ref.secret, where, address, "latest", detail=detail)]


def _same_secret(before: dict[str, Any], after: Any, project: str) -> bool:
    """Whether a replaced version's replacement is in the same secret (`secret` forces a
    replace too: Terraform google_secret_manager_secret_version): only then does `latest` of
    that secret name the new version once applied. One moved into another secret (or into a
    secret not known until apply) is the old secret's version destroyed (revown53 F2)."""
    if not isinstance(after, dict):
        return False
    old = SecretRef.parse(text(before.get("secret")))
    new = SecretRef.parse(text(after.get("secret")))
    if old.unread or new.unread or old.secret != new.secret:
        return False
    # a project named on one side only is the provider's default: the same one
    mine, theirs = old.project or project, new.project or text(after.get("project"))
    return not mine or not theirs or mine == theirs


def _access(address: str, c: AccessChange) -> Removed:
    members, others = tuple(sorted(c.lost.names)), c.lost.others
    if c.project_level:
        detail = f" (a grant on {c.node}: every project under it)" if c.node else ""
        return Removed(
            "access removed", ANY_SECRET, c.project, address, "", members, others, detail=detail
        )
    ref = SecretRef.parse(c.secret)
    return Removed(
        "access removed", ref.secret, ref.project or c.project, address, "", members, others
    )


def _version(
    address: str,
    before: dict[str, Any],
    after: dict[str, Any] | None,
    deleted: bool,
    project: str,
    replaced: bool = False,
    enabled: bool | None = False,
) -> list[Removed]:
    """A version deleted (destroyed, or disabled with `deletion_policy = "DISABLE"`; left as it
    is with "ABANDON": Terraform google_secret_manager_secret_version), or updated to
    `enabled = false`. A replace (`replaced`: actions hold "delete" and "create", in either order,
    Terraform's JSON output format; `secret_data` forces one) is not a removal of the secret:
    the plan creates a version in its place, which `latest` names once applied ("an alias to
    the most recently created SecretVersion": secretmanager v1 AccessSecretVersionRequest) when
    it is enabled, as for a version the plan creates (`drift.manifest.planned`); a reference
    pinned to the old number still loses it."""
    ref = SecretRef.parse(text(before.get("secret")))
    if ref.unread:
        return []
    number = text(before.get("version")) or text(before.get("name")).rpartition("/versions/")[2]
    policy = text(before.get("deletion_policy")) or "DELETE"
    if deleted and policy != "ABANDON":
        done = "disabled" if policy == "DISABLE" else "removed"
    elif after is not None and before.get("enabled") is not False and not enabled:
        done = "disabled"  # set false, or to a value not known until apply
    else:
        return []
    where = ref.project or project
    if replaced:  # `enabled`: the new version is (true by default)
        gone = "disabled" if done == "disabled" else "destroyed"
        new = (
            "may be created disabled (its enabled is not known until apply)"
            if enabled is None
            else "has another number"
            if enabled
            else "is created disabled"
        )
        detail = f" (version {number or '?'} {gone}; the new version {new})"
        return [
            Removed(
                "replaced", ref.secret, where, address, number, latest=bool(enabled), detail=detail
            )
        ]
    unsure = " (its enabled is not known until apply)" if enabled is None and after else ""
    return [Removed(done, ref.secret, where, address, number, detail=unsure)]


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
                        target = secret_target(ref, state, own)
                        out.setdefault(
                            Unverified.at(
                                key, target, f"{r.done} by this plan: {r.address}{r.detail}"
                            )
                        )
    return list(out)


def _needs(r: Removed, ref: SecretRef, state: LiveState, own: str, account: str) -> bool:
    """Whether the reference `ref` of a revision running as `account` needs what `r` removes."""
    if ref.unread or r.secret not in (ref.secret, ANY_SECRET):
        return False
    if not same_project(state, r.project, ref.project, own):
        return False
    if r.members is not None:
        lost = _loses(r.members, r.others, account, _sets(account, state))
        return lost and state.grant(account, ref) is not Grant.DENIED
    if not r.version:
        return True
    if r.latest and ref.version == "latest":
        return False  # the new version, enabled, is latest once applied
    info = state.versions.get(ref)
    return r.version in (ref.version, info.resolved if info else None) or (
        info is None and not ref.version.isdigit()
    )


def _loses(members: tuple[str, ...], others: bool, account: str, sets: str | None = "") -> bool:
    """Whether `account` is among who loses access: `members`, or everyone but them
    (`others`). The default compute account, by a number drift cannot tell offline, is any
    default account: it loses when any one does, and keeps only when named by its number.
    `sets`: the identifier of all the service accounts of its project ("all service accounts in
    a project", which grants it as the live check counts it: `project_accounts`), None when
    that project's number is not known (any such set may be it), "" when it is no service
    account."""
    named = f"serviceAccount:{account}" in members
    in_set = any(PROJECT_ACCOUNTS.fullmatch(m) for m in members) and sets != ""
    if sets:
        in_set = sets in members
    if others:  # everyone, or all but a few: kept only by a grant named and kept for certain
        kept = named or (bool(sets) and in_set)
        return not kept and PUBLIC.isdisjoint(members)
    if not PUBLIC.isdisjoint(members) or in_set:
        return True
    if unnamed_default(account):
        return any(named_default(m) for m in members)
    return named


def _sets(account: str, state: LiveState) -> str | None:
    """The "all service accounts in a project" identifier of the project `account` belongs
    to (`_loses`); None: not known; "": not a service account of a project drift can name."""
    if not (project := account_project(account)):
        return None if unnamed_default(account) or named_default(account) else ""
    number = state.number_of(project)  # a number stays itself
    return project_accounts(number) if number else None
