"""What a Terraform plan creates beside the workloads that a check of secrets, made before the
plan is applied, cannot see yet: the secrets it creates (`google_secret_manager_secret`, a
version of one: `google_secret_manager_secret_version`) and the access it grants (an IAM
resource of the secret or the project whose change gains members a role that can access
secrets, as `drift.manifest.iam_changes` reads it; `google_project_iam_member_remove` never
grants). A `secret.missing` or `secret.no_access` finding they may answer is not verified
("created by this plan: ADDRESS"), never clean and never an error."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from drift.findings import Unverified
from drift.live.iam_policy import PUBLIC, indirect, project_accounts
from drift.live.secret_state import SecretVersionInfo, VersionState
from drift.live.state import LiveState
from drift.manifest.iam_changes import AccessChange, access_changes, custom_grants, text
from drift.refs import SecretRef
from drift.secret_target import secret_target

GRANTED, MAYBE = "granted", "may be granted"
"""How a planned grant answers a `secret.no_access` (`Planned.grant`)."""
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
    latest: bool = False
    """A new version, enabled: `latest` names it once applied."""
    unsure: bool = False
    """`secret.no_access`: the role granted is a custom one, which may hold access or not, or
    the grant has a condition, which may hold or not (`AccessChange.conditional`)."""
    expires: tuple[dt.datetime | dt.timedelta, ...] | None = None
    """`secret.expiring`: when the secret expires once applied (`expire_time`), and how long
    after it is applied (`ttl`), the earlier of which holds; None with that rule: not known
    until apply."""

    def answers(
        self, key: str, own: str, account: str, created: set[str], number: str = ""
    ) -> bool:
        """Whether it may answer a finding on the secret `key` (`NAME` or `P/NAME`; `own`: the
        profile's project) about the service account `account` ("": the default one; `number`:
        the number of its project, when known)."""
        ref = SecretRef.parse(f"projects/{key.replace('/', '/secrets/')}" if "/" in key else key)
        if self.project and (ref.project or own) != self.project:
            return False
        if self.secret not in (ref.secret, ANY_SECRET) and not (
            self.secret == CREATED and ref.secret in created
        ):
            return False
        return bool(self.grant(account, number))

    def grant(self, account: str, number: str = "") -> str:
        """How it grants the service account `account` ("": the default one) the access a
        `secret.no_access` finding lacks, by the live policy's membership rules
        (`drift.live.iam_policy.verdict`; helper-600 F2): GRANTED to the account, everyone
        (`allUsers`, `allAuthenticatedUsers`) or every service account of its project
        (`number`, that project's number, when known); MAYBE through a member drift cannot
        expand (a group, a domain, a principal set; the project's set when its number is not
        known), a custom role or a condition; "" when it does not."""
        if not self.members or not account:
            # the default compute account has a number drift cannot tell offline: any account
            return MAYBE if self.unsure else GRANTED
        members = set(self.members)
        own = project_accounts(number) if number else ""
        named = f"serviceAccount:{account}" in members or own in members or PUBLIC & members
        sets = any(indirect(m, number) for m in members)
        if self.unsure:
            return MAYBE if named or sets else ""
        return GRANTED if named else MAYBE if sets else ""


def planned(address: str, kind: Any, change: dict[str, Any]) -> list[Planned]:
    """What one resource change creates that a check of secrets cannot see yet."""
    after, actions = change.get("after"), change.get("actions")
    if not isinstance(kind, str) or not isinstance(after, dict) or not isinstance(actions, list):
        return []
    if not any(a in ("create", "update") for a in actions):
        return []  # there already (what the check reads), or removed
    project = text(after.get("project"))
    if kind == "google_secret_manager_secret" and text(after.get("secret_id")):
        made = Planned("secret.missing", after["secret_id"], project, address)
        unknown = change.get("after_unknown") if "create" not in actions else None
        return [made, *_expiry(made, after, unknown)]
    if kind == "google_secret_manager_secret_version" and text(after.get("secret")):
        ref = SecretRef.parse(after["secret"])
        new = "create" in actions and after.get("enabled") is not False  # true by default
        return [Planned("secret.missing", ref.secret, ref.project or project, address, (), new)]
    out = []
    for c in access_changes(kind, change):
        if c.gained is None:
            continue
        sure = tuple(m for m in c.gained if m not in c.conditional)
        if sure or not c.gained:  # none named: who is not known until apply
            out.append(Planned("secret.no_access", *_where(c), address, sure))
        if c.conditional:
            out.append(Planned("secret.no_access", *_where(c), address, c.conditional, unsure=True))
    return out + [
        Planned("secret.no_access", *_where(c), address, c.gained or (), unsure=True)
        for c in custom_grants(kind, change)
    ]


def _expiry(made: Planned, after: dict[str, Any], unknown: Any) -> list[Planned]:
    """When a secret the plan creates or updates expires once applied: `expire_time` (a
    timestamp) or `ttl` (a duration from apply: "A duration in seconds with up to nine
    fractional digits, ending with 's'"), the provider's two members of Secret's `expiration`
    oneof; nothing when neither is set. Secret Manager deletes a secret when it expires
    (Secret.expire_time), so it is judged as a live expiry is (`secret.expiring`). `unknown`:
    an update's `after_unknown` (a secret created is not there to judge: `secret.missing`, not
    verified, says it)."""
    from google.protobuf import duration_pb2, timestamp_pb2

    unknown = unknown if isinstance(unknown, dict) else {}
    made = Planned("secret.expiring", made.secret, made.project, made.address)
    found: list[dt.datetime | dt.timedelta] = []
    for name, message in (("expire_time", timestamp_pb2.Timestamp), ("ttl", duration_pb2.Duration)):
        if not (given := text(after.get(name))):
            continue
        value = message()
        try:
            value.FromJsonString(given)
            found.append(value.ToDatetime(dt.UTC) if name == "expire_time" else value.ToTimedelta())
        except (ValueError, OverflowError):
            return [made]  # not a value drift reads: not known
    if not found and (unknown.get("expire_time") or unknown.get("ttl")):
        return [made]  # not known until apply
    # both: the provider sends a changed `ttl` alone ("if d.HasChange("ttl") &&
    # !d.HasChange("expire_time") { delete(obj, "expireTime") }", its pre_update of the
    # secret), and `expire_time`, computed, keeps the value before: the earlier of the two
    # is never later than the truth (helper-566 F2)
    return [replace(made, expires=tuple(found))] if found else []


def expiring(planned: Iterable[Planned], state: LiveState, own: str) -> list[Unverified]:
    """Each reference of a service read (`state`) to a secret the plan gives an expiry: the
    earlier of the live one and the plan's is the one judged (`secret.expiring`: an expiry
    the plan sets or brings forward is told before apply; one it removes is still told,
    until applied); a `ttl` runs from apply, at the earliest now. One not known until apply
    leaves the reference not verified."""
    out: dict[Unverified, None] = {}
    for p in (p for p in planned if p.rule == "secret.expiring"):
        for key, svc in state.services.items():
            for _, _, ref in (u for rev in svc.checked for u in rev.config.secret_refs()):
                if ref.unread or ref.secret != p.secret:
                    continue
                if not same_project(state, p.project, ref.project, own):
                    continue
                if p.expires is None:
                    why = f"its expiry is not known until apply: {p.address}"
                    out.setdefault(Unverified.at(key, secret_target(ref, state, own), why))
                    continue
                live = state.expiry.get(ref.key)
                times = [t for e in p.expires if (t := _when(e, state.now)) is not None]
                if earliest := min([*times, *([live] if live else [])], default=None):
                    state.expiry[ref.key] = earliest
    return list(out)


def _when(given: dt.datetime | dt.timedelta, now: dt.datetime) -> dt.datetime | None:
    """A planned expiry as a time: a `ttl` from now (None past the last time a date holds:
    never within any warning window; helper-566 F5)."""
    if isinstance(given, dt.datetime):
        return given
    try:
        return now + given
    except OverflowError:
        return None


def _where(c: AccessChange) -> tuple[str, str]:
    """(the secret a grant is on: `ANY_SECRET` on the project, `CREATED` when not known until
    apply; its project)."""
    if c.project_level:
        return ANY_SECRET, c.project
    ref = SecretRef.parse(c.secret) if c.secret else SecretRef(CREATED)
    return ref.secret, ref.project or c.project


_UNUSABLE = (VersionState.DISABLED, VersionState.DESTROYED)


def rotated(planned: Iterable[Planned], state: LiveState, own: str) -> list[Unverified]:
    """A reference to `latest` whose version is DISABLED or DESTROYED, of a secret the plan
    adds an enabled version to: once applied, `latest` is that version ("an alias to the most
    recently created SecretVersion": secretmanager v1 GetSecretVersionRequest.name). Whether
    Terraform creates it before the service's new revision is not known: not verified,
    neither the state read now nor clean. Pinned references keep theirs."""
    new = [p for p in planned if p.latest]
    out: dict[Unverified, None] = {}
    for ref, info in list(state.versions.items()) if new else ():
        if ref.version != "latest" or info.state not in _UNUSABLE:
            continue
        mine = (p for p in new if p.secret == ref.secret)
        found = next((p for p in mine if same_project(state, p.project, ref.project, own)), None)
        if found is None:
            continue
        # the new version, as once applied (not verified, below): no rule judges the state
        # read now, and the secret's own expiry is still told
        state.versions[ref] = SecretVersionInfo(ref, VersionState.ENABLED)
        resolved = f" (version {info.resolved})" if info.resolved else ""
        why = (
            f"version latest{resolved} is {info.state.value}; a new version is created by this "
            f"plan: {found.address}, which latest names once applied (the order of apply is "
            "not known)"
        )
        for key, svc in state.services.items():
            if any(r == ref for rev in svc.checked for _, _, r in rev.config.secret_refs()):
                out.setdefault(Unverified.at(key, secret_target(ref, state, own), why))
    return list(out)


def same_project(state: LiveState, project: str, token: str, own: str) -> bool:
    """Whether the project a plan names (`project`, "" when it names none) may be the one a
    reference's project token designates: an id and a number not matched may be one."""
    mine, theirs = state.project_of(project, own), state.project_of(token, own)
    return not project or mine == theirs or mine.isdigit() != theirs.isdigit()
