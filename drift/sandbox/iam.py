"""IAM as the sandbox applies it: allow policies on secrets, projects, folders and
organisations, conditional bindings (the CEL forms real policies use), and a policy formatted
for the version a GetIamPolicy caller asked for."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Literal

from google.iam.v1 import policy_pb2

from drift.sandbox.names import invalid

# The roles that carry `secretmanager.versions.access` (Secret Manager roles page:
# https://cloud.google.com/secret-manager/docs/access-control).
ACCESS_ROLES = frozenset(
    {
        "roles/secretmanager.secretAccessor",
        "roles/secretmanager.admin",
        "roles/owner",
    }
)
Unknown = Literal["deny", "grant"]
EVERYONE = frozenset({"allUsers", "allAuthenticatedUsers"})
"""policy.proto Binding.members: `allUsers` is anyone, `allAuthenticatedUsers` anyone
"authenticated with a Google account or a service account": every runtime account."""

_QUOTED = r"""(?:"([^"]*)"|'([^']*)')"""
_TIME = re.compile(rf"request\.time\s*(<=|>=|<|>)\s*timestamp\(\s*{_QUOTED}\s*\)")
_NAME_CALL = re.compile(rf"resource\.name\.(startsWith|endsWith)\(\s*{_QUOTED}\s*\)")
_EQUALS = re.compile(rf"resource\.(name|type|service)\s*(==|!=)\s*{_QUOTED}")
# "All service accounts in a project": principalSet://cloudresourcemanager.googleapis.com/
# projects/PROJECT_NUMBER/type/ServiceAccount (allow-policy table of
# https://cloud.google.com/iam/docs/principal-identifiers). Folder and organisation sets
# are not granted here (an account's project would have to be placed in the hierarchy).
_PROJECT_ACCOUNTS = (
    "principalSet://cloudresourcemanager.googleapis.com/projects/{}/type/ServiceAccount"
)
_PROJECT_SET = re.compile(_PROJECT_ACCOUNTS.format(r"\d+").replace(".", r"\."))
# Members that stand for principals the scenario does not list ("group:{emailid}: An email
# address that represents a Google group", `domain:`, `principalSet://`, `principal://`:
# google/iam/v1/policy.proto Binding.members), and custom roles, whose permissions it does not
# list ("You can grant one or more predefined roles or create and grant custom roles": Secret
# Manager access control). Workforce identities are human users, never a service account
# (cloud.google.com/iam/docs/principal-identifiers, "Workforce Identity Federation").
_SETS = ("group:", "domain:", "principalSet:", "principal:")
_WORKFORCE = (
    "principal://iam.googleapis.com/locations/global/workforcePools/",
    "principalSet://iam.googleapis.com/locations/global/workforcePools/",
)
CUSTOM_ROLES = ("projects/", "organizations/")
_DEFAULT_ACCOUNT = re.compile(
    r"serviceAccount:(?P<number>\d+)-compute@developer\.gserviceaccount\.com"
)
_PROJECT_ACCOUNT = re.compile(
    r"serviceAccount:[^@]+@(?P<project>[^@.]+)\.iam\.gserviceaccount\.com"
)


def _quoted(match: re.Match[str], first: int) -> str:
    return match.group(first) if match.group(first) is not None else match.group(first + 1)


def _term(text: str, resource: str, kind: str, now: float) -> bool | None:
    """One comparison of the CEL subset, or None when it is not one the sandbox knows."""
    text = text.strip()
    while text.startswith("(") and text.endswith(")"):
        text = text[1:-1].strip()
    if match := _TIME.fullmatch(text):
        try:
            when = datetime.fromisoformat(_quoted(match, 2).replace("Z", "+00:00")).timestamp()
        except ValueError:
            return None
        return {
            "<": now < when,
            "<=": now <= when,
            ">": now > when,
            ">=": now >= when,
        }[match.group(1)]
    if match := _NAME_CALL.fullmatch(text):
        value = _quoted(match, 2)
        return (
            resource.startswith(value)
            if match.group(1) == "startsWith"
            else (resource.endswith(value))
        )
    if match := _EQUALS.fullmatch(text):
        # `resource.service` is the service of the resource type, `secretmanager.googleapis.com`
        # for `secretmanager.googleapis.com/SecretVersion` (resource service and type values:
        # https://cloud.google.com/iam/docs/conditions-resource-attributes)
        attribute = match.group(1)
        actual = {"name": resource, "type": kind, "service": kind.partition("/")[0]}[attribute]
        same = actual == _quoted(match, 3)
        return same if match.group(2) == "==" else not same
    return None


def evaluate(expression: str, resource: str, kind: str, now: float) -> bool | None:
    """A condition's value: `||`, `&&`, `!` and parentheses over the simple comparisons real
    policies use (`request.time < timestamp("…")`, `resource.name.startsWith("…")`/`endsWith`,
    `resource.name`/`resource.type`/`resource.service ==`); None (unknown) where a part is
    another expression, unless CEL's commutative `&&`/`||` make it not matter (`false && x`
    is false, `true || x` true: google/cel-spec doc/langdef.md, Logical Operators)."""
    text = expression.strip()
    for operator, decides in (("||", True), ("&&", False)):  # `||` binds looser than `&&`
        parts = _split(text, operator)
        if parts is None:
            return None
        if len(parts) > 1:  # one part that decides decides; else an unknown part leaves it so
            values = [evaluate(p, resource, kind, now) for p in parts]
            return decides if decides in values else None if None in values else not decides
    if text.startswith("!"):
        value = evaluate(text[1:], resource, kind, now)
        return None if value is None else not value
    if text.startswith("(") and text.endswith(")") and _split(text[1:-1], "||") is not None:
        return evaluate(text[1:-1], resource, kind, now)
    return _term(text, resource, kind, now)


def _split(text: str, op: str) -> list[str] | None:
    """`text` split on `op` outside quotes and parentheses; None when they do not balance."""
    out, depth, quote, start, i = [], 0, "", 0, 0
    while i < len(text):
        char = text[i]
        if quote:
            if char == "\\":
                i += 1
            elif char == quote:
                quote = ""
        elif char in "\"'":
            quote = char
        elif char == "(":
            depth += 1
        elif char == ")":
            depth -= 1
            if depth < 0:
                return None
        elif depth == 0 and text.startswith(op, i):
            out.append(text[start:i])
            start = i + len(op)
            i += len(op)
            continue
        i += 1
    if depth or quote:
        return None
    return [*out, text[start:]]


def binding_applies(
    binding: policy_pb2.Binding,
    resource: str,
    kind: str,
    now: float,
    unknown: Unknown,
    overrides: dict[str, bool],
) -> bool:
    if not binding.HasField("condition") or not binding.condition.expression:
        return True
    expression = binding.condition.expression
    if expression in overrides:
        return overrides[expression]
    value = evaluate(expression, resource, kind, now)
    return (unknown == "grant") if value is None else value


def grants(
    policies: Iterable[policy_pb2.Policy],
    member: str,
    roles: frozenset[str],
    *,
    resource: str,
    kind: str,
    now: float,
    unknown: Unknown = "deny",
    overrides: dict[str, bool] | None = None,
    numbers: Mapping[str, int] | None = None,
    indirect: Unknown = "deny",
) -> bool:
    """Whether any binding of any policy (secret, project, folders, organisation) gives
    `member` one of `roles` on `resource` now. `numbers`: project ids to numbers, for the
    project of a user-managed account (`NAME@PROJECT_ID.iam.gserviceaccount.com`).
    `indirect` (option `indirect_grants`): whether a set the scenario does not list holds
    `member`, and a custom role held by it carries the permission."""
    names = {member, *EVERYONE}
    if number := _account_project(member, numbers or {}):
        names.add(_PROJECT_ACCOUNTS.format(number))
    return any(
        _holds(binding, names, roles, bool(number), indirect == "grant")
        and binding_applies(binding, resource, kind, now, unknown, overrides or {})
        for policy in policies
        for binding in policy.bindings
    )


def _holds(
    binding: policy_pb2.Binding, names: set[str], roles: frozenset[str], placed: bool, sets: bool
) -> bool:
    """Whether the binding's role and members give one of `names` one of `roles` (`sets`: a
    set the scenario does not list holds them, a custom role carries the permission)."""
    named = not names.isdisjoint(binding.members)
    if binding.role in roles and named:
        return True
    if not sets:
        return False
    # an "all service accounts of a project" set is decided when the account's project is
    # placed (its number known): not a set the scenario leaves open
    held = any(
        m.startswith(_SETS)
        and not m.startswith(_WORKFORCE)
        and not (placed and _PROJECT_SET.fullmatch(m))
        for m in binding.members
    )
    if binding.role in roles:
        return held
    return binding.role.startswith(CUSTOM_ROLES) and (held or named)


def _account_project(member: str, numbers: Mapping[str, int]) -> str:
    """The number of the project a service account belongs to ("" when not one the sandbox
    places): `NUMBER-compute@developer.gserviceaccount.com` (the Compute Engine default
    account) by number, `NAME@PROJECT_ID.iam.gserviceaccount.com` by its project's id
    (https://cloud.google.com/iam/docs/service-account-types)."""
    if default := _DEFAULT_ACCOUNT.fullmatch(member):
        return default["number"]
    own = _PROJECT_ACCOUNT.fullmatch(member)
    found = numbers.get(own["project"]) if own else None
    return "" if found is None else str(found)


def has_conditions(policy: policy_pb2.Policy) -> bool:
    return any(b.HasField("condition") and b.condition.expression for b in policy.bindings)


def for_version(policy: policy_pb2.Policy, requested: int) -> policy_pb2.Policy:
    """The policy as GetIamPolicy answers `options.requested_policy_version` (0, 1 or 3).

    Version 3 returns conditions as they are; a policy without conditions is answered as
    version 1 ("if you specify version 3, but the policy has no conditional role bindings,
    the response uses version 1": google/iam/v1/options.proto). Below 3, a conditional
    binding is shown without its condition and with `_withcond_<hash>` after the role
    (https://cloud.google.com/iam/docs/troubleshooting-withcond)."""
    if requested not in (0, 1, 3):
        raise invalid(f"Invalid requested_policy_version {requested}: expected 0, 1 or 3.")
    out = policy_pb2.Policy()
    out.CopyFrom(policy)
    conditional = has_conditions(policy)
    out.version = 3 if conditional and requested == 3 else 1
    if conditional and requested != 3:
        for binding in out.bindings:
            if binding.HasField("condition") and binding.condition.expression:
                digest = hashlib.sha256(binding.condition.SerializeToString()).hexdigest()[:20]
                binding.role = f"{binding.role}_withcond_{digest}"
                binding.ClearField("condition")
    return out


def check_settable(policy: policy_pb2.Policy) -> None:
    """SetIamPolicy: conditional bindings need version 3 (google/iam/v1/policy.proto)."""
    if has_conditions(policy) and policy.version != 3:
        raise invalid("Policy with conditional role bindings must specify version 3.")
    if any("_withcond_" in b.role for b in policy.bindings):
        raise invalid("Role names with '_withcond_' cannot be set; read the policy as version 3.")
