"""IAM policies as drift reads them, and the one question it asks of them: may this member
access this secret version? Conditional bindings are evaluated with three values: a part drift
can evaluate exactly (the CEL conditions on secrets use in practice) decides when CEL's `&&`/`||`
let it; otherwise the answer is "unknown" (reported as unverified, never as `secret.no_access`).

Sources: Secret Manager access control — the Secret Accessor role can be granted on the
secret, its project, a folder or the organisation; `secretmanager.versions.access` is in
roles/owner, roles/secretmanager.admin and roles/secretmanager.secretAccessor only (roles/editor
lacks it). IAM Conditions: Secret Manager resources are named
`projects/PROJECT_NUMBER/secrets/SECRET/versions/VERSION`; GetIamPolicy returns conditions only
with `options.requested_policy_version = 3` (google/iam/v1/options.proto)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

ACCESSOR_ROLES = frozenset(
    {"roles/secretmanager.secretAccessor", "roles/secretmanager.admin", "roles/owner"}
)
PUBLIC = frozenset({"allUsers", "allAuthenticatedUsers"})
INDIRECT = ("group:", "domain:", "principalSet:", "principal:")
"""Members that stand for principals drift cannot list (`Policy.indirect_bindings`)."""
CUSTOM_ROLES = ("projects/", "organizations/")


@dataclass(frozen=True)
class Binding:
    role: str
    members: frozenset[str]
    condition: str = ""
    """The CEL expression of a conditional binding ("" when unconditional)."""


@dataclass(frozen=True)
class Policy:
    """An IAM policy as read (`resource`: the secret, project, folder or organisation)."""

    resource: str
    bindings: tuple[Binding, ...] = ()

    @classmethod
    def from_proto(cls, resource: str, policy: Any) -> Policy:
        return cls(
            resource,
            tuple(
                Binding(
                    b.role,
                    frozenset(b.members),
                    b.condition.expression if b.HasField("condition") else "",
                )
                for b in policy.bindings
            ),
        )

    def accessor_bindings(self, member: str) -> list[Binding]:
        """Bindings of an accessor role naming `member` (or everyone)."""
        return [
            b
            for b in self.bindings
            if b.role in ACCESSOR_ROLES and (member in b.members or PUBLIC & b.members)
        ]

    def indirect_bindings(self, member: str) -> list[str]:
        """Bindings that may grant `member` access in ways drift does not expand: an accessor
        role held by a group, a domain or a principal set or identifier ("group:{emailid}: An
        email address that represents a Google group", `domain:`, `principalSet://`,
        `principal://`: google/iam/v1/policy.proto Binding.members — every principal in it
        holds the role), and a custom role (`projects/*/roles/*`, `organizations/*/roles/*`)
        held by the member, everyone or such a set: it may include
        `secretmanager.versions.access` (Secret Manager access control: "You can grant one or
        more predefined roles or create and grant custom roles")."""
        out = []
        for b in self.bindings:
            sets = sorted(m for m in b.members if m.startswith(INDIRECT))
            if b.role in ACCESSOR_ROLES and sets:
                out.append(f"{b.role} to {', '.join(sets)}")
            elif b.role.startswith(CUSTOM_ROLES) and (
                sets or member in b.members or PUBLIC & b.members
            ):
                held = ", ".join(sets) or (member if member in b.members else "everyone")
                out.append(f"the custom role {b.role} to {held}")
        return out


class Grant(StrEnum):
    GRANTED = "granted"
    DENIED = "denied"
    UNKNOWN = "unknown"


@dataclass(frozen=True)
class Verdict:
    grant: Grant
    detail: str = ""


def verdict(
    member: str,
    resource_names: Sequence[str],
    policies: Iterable[Policy],
    unreadable: dict[str, str],
    now: dt.datetime,
    unread: str = "",
) -> Verdict:
    """Whether `member` may access a secret version named any of `resource_names` (the names
    a condition may test it by, by project number: none when the number is unknown, and then a
    conditional grant is unknown). Which of a version's names IAM tests when it is asked for by
    an alias (`latest`: the alias or the number it stands for) is not documented, so a grant
    counts only when a condition holds for every name, and denies only when it fails for all
    of them: one that holds for some names only is unknown (SPEC "Access as IAM grants it":
    what drift cannot judge it cannot call clean, nor `no_access`). `unread`: why a policy
    that decides (the project's) could not be read — unless a readable one grants, the answer
    is unknown; `unreadable`: levels above the project that could not be read — they may grant
    too, so unless a readable level grants, the answer is unknown (SPEC "Access as IAM grants
    it": the folders and the organisation count when readable; what drift cannot read it
    cannot deny)."""
    undecided: list[str] = []
    policies = list(policies)
    partly: list[str] = []  # conditional grants that hold for some names of the version
    covered: set[str] = set()  # the names one of them holds for
    for policy in policies:
        for binding in policy.accessor_bindings(member):
            where = f"{binding.role} on {policy.resource}"
            if not binding.condition:
                return Verdict(Grant.GRANTED, where)
            holds = {name: evaluate(binding.condition, name, now) for name in resource_names}
            if resource_names and all(holds.values()):
                return Verdict(Grant.GRANTED, f"{where} (condition)")
            if any(holds.values()):
                partly.append(where)
                covered.update(name for name, held in holds.items() if held)
            if not resource_names or any(held is not False for held in holds.values()):
                undecided.append(f"{where} if {binding.condition}{_which(holds)}")
    if resource_names and covered == set(resource_names):  # one grant for each name
        return Verdict(Grant.GRANTED, "; ".join(partly) + " (conditions)")
    why: list[str] = []
    if undecided:
        why.append("a conditional grant drift cannot evaluate: " + "; ".join(undecided))
    indirect = [f"{b} on {p.resource}" for p in policies for b in p.indirect_bindings(member)]
    if indirect:
        why.append("a grant drift cannot expand may hold it: " + "; ".join(indirect))
    if unread:
        why.append(f"a grant on the project cannot be ruled out: {unread}")
    if unreadable:
        levels = ", ".join(f"{r} ({status})" for r, status in unreadable.items())
        why.append(f"a grant above the project cannot be ruled out: not readable: {levels}")
    if why:
        return Verdict(Grant.UNKNOWN, "; ".join(why))
    return Verdict(Grant.DENIED)


def _which(holds: dict[str, bool | None]) -> str:
    """Why a condition is undecided beyond drift not evaluating it: no name to test, or it
    holds for some names of the version and not for others."""
    if not holds:
        return " (the project number IAM names it by is unknown)"
    short = {"/".join(name.split("/")[-2:]): held for name, held in holds.items()}
    if not any(short.values()) or None in short.values():
        return ""
    yes = ", ".join(n for n, held in short.items() if held)
    no = ", ".join(n for n, held in short.items() if not held)
    return f" (true for {yes}, false for {no}: which name IAM tests is not documented)"


# --- the CEL that conditions on secrets use in practice -------------------------------------

_TOKEN = re.compile(
    r"""\s*(?:
        (?P<bad>\"\"\"|'''|//)
      | (?P<str>"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')
      | (?P<op>&&|\|\||==|!=|<=|>=|<|>|\(|\)|!|,|\.)
      | (?P<ident>[A-Za-z_][A-Za-z0-9_]*)
      | (?P<other>[^\s"'])
    )""",
    re.X,
)
"""`other`: a character of a part drift does not model (a number, `+`, `[`, `?`), read so that
part can be skipped as one unknown operand; `bad`: a triple-quoted string or a comment, whose
text could hide an `&&` — the whole expression is then unknown, as is an unclosed quote."""


class _Unsupported(Exception):
    pass


def evaluate(expression: str, resource_name: str, now: dt.datetime) -> bool | None:
    """The value of a condition for a resource at `now`: True, False or None (unknown).
    drift judges `resource.name` (==, !=, startsWith, endsWith) and `request.time` compared with
    `timestamp("…")`, joined by `&&`, `||`, `!` and parentheses; any other part, or one it cannot
    judge (a timestamp without an offset), is unknown. Each `&&` and `||` is three-valued: CEL's
    "if any of their operands uniquely determines the result (`false` for `&&` and `true` for
    `||`) the other operand may or may not be evaluated, and if that evaluation produces a
    runtime error, it will be ignored. This makes those operators commutative" (google/cel-spec
    doc/langdef.md, Evaluation, Logical Operators). So `false && x` is False and `true || x` True
    whatever x is; otherwise an unknown operand makes the result unknown, and `!unknown` is
    unknown. An expression drift cannot read as a whole is unknown."""
    try:
        tokens = _tokens(expression)
        parser = _Parser(tokens, resource_name, now)
        value = parser.disjunction()
        if parser.pos != len(tokens):
            return None
        return value
    except (_Unsupported, ArithmeticError, LookupError, TypeError, ValueError, RecursionError):
        # anything it cannot judge (a comparison of unlike values, a date out of range, an
        # expression nested too deep) is unknown: unverified, never a crash of the check
        return None


def _tokens(expression: str) -> list[tuple[str, str]]:
    out: list[tuple[str, str]] = []
    pos = 0
    while pos < len(expression):
        if expression[pos:].strip() == "":
            break
        match = _TOKEN.match(expression, pos)
        if match is None:
            raise _Unsupported(expression[pos:])
        kind = match.lastgroup or ""
        if kind == "bad":
            raise _Unsupported(match.group(kind))
        out.append((kind, match.group(kind)))
        pos = match.end()
    return out


class _Parser:
    def __init__(self, tokens: list[tuple[str, str]], resource: str, now: dt.datetime) -> None:
        self.tokens = tokens
        self.pos = 0
        self.resource = resource
        self.now = now

    def _peek(self) -> str:
        return self.tokens[self.pos][1] if self.pos < len(self.tokens) else ""

    def _take(self, expected: str | None = None) -> tuple[str, str]:
        if self.pos >= len(self.tokens):
            raise _Unsupported("unexpected end")
        token = self.tokens[self.pos]
        if expected is not None and token[1] != expected:
            raise _Unsupported(token[1])
        self.pos += 1
        return token

    def disjunction(self) -> bool | None:
        values = [self.conjunction()]
        while self._peek() == "||":
            self._take()
            values.append(self.conjunction())
        return True if True in values else None if None in values else False

    def conjunction(self) -> bool | None:
        values = [self.unary()]
        while self._peek() == "&&":
            self._take()
            values.append(self.unary())
        return False if False in values else None if None in values else True

    def unary(self) -> bool | None:
        if self._peek() == "!":
            self._take()
            # `!` binds tighter than a relation (CEL grammar: Unary = "!" {"!"} Member), so
            # `!resource.name == "x"` negates a string: an error, unknown
            value = self.unary() if self._peek() in ("!", "(") else self.operand(negated=True)
            return None if value is None else not value
        if self._peek() == "(":
            self._take()
            value = self.disjunction()
            self._take(")")
            return value
        return self.operand()

    def operand(self, negated: bool = False) -> bool | None:
        """One comparison, or None for a part drift does not model or cannot judge: that part
        is skipped to the `&&`, `||` or `)` that ends it."""
        start = self.pos
        try:
            value = self.comparison(negated)
            if self._peek() in ("&&", "||", ")", ""):
                return value
        except (_Unsupported, ArithmeticError, LookupError, TypeError, ValueError):
            pass
        self.pos = start
        depth = 0
        while self.pos < len(self.tokens):
            kind, text = self.tokens[self.pos]
            if kind != "str" and depth == 0 and text in ("&&", "||", ")"):
                break
            if kind != "str" and depth == 0 and text in ("?", ":", "]", "}"):
                raise _Unsupported(text)  # `?:` binds looser than `&&` and `||`
            if kind != "str" and text in ("(", "[", "{", ")", "]", "}"):
                depth += 1 if text in ("(", "[", "{") else -1
            self.pos += 1
        if depth or self.pos == start:
            raise _Unsupported("an incomplete expression")
        return None

    def comparison(self, negated: bool = False) -> bool:
        subject = self._path()
        if negated and self._peek() != ".":
            raise _Unsupported("!")
        if subject == "resource.name":
            op = self._take()[1]
            if op == ".":
                method = self._take()[1]
                self._take("(")
                argument = self._string()
                self._take(")")
                if method == "startsWith":
                    return self.resource.startswith(argument)
                if method == "endsWith":
                    return self.resource.endswith(argument)
                raise _Unsupported(method)
            if op in ("==", "!="):
                other = self._string()
                return (self.resource == other) == (op == "==")
            raise _Unsupported(op)
        if subject == "request.time":
            op = self._take()[1]
            if op not in ("<", "<=", ">", ">=", "==", "!="):
                raise _Unsupported(op)
            if self._take()[1] != "timestamp":
                raise _Unsupported("timestamp")
            self._take("(")
            when = _timestamp(self._string())
            self._take(")")
            return _compare(self.now, op, when)
        raise _Unsupported(subject)

    def _path(self) -> str:
        kind, first = self._take()
        if kind != "ident":
            raise _Unsupported(first)
        if self._peek() != ".":
            raise _Unsupported(first)
        self._take(".")
        kind, second = self._take()
        if kind != "ident":
            raise _Unsupported(second)
        return f"{first}.{second}"

    def _string(self) -> str:
        kind, value = self._take()
        if kind != "str":
            raise _Unsupported(value)
        return bytes(value[1:-1], "utf-8").decode("unicode_escape")


_RFC3339 = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d{1,9})?(Z|[+-]\d\d:\d\d)")
"""CEL's `timestamp(string)` converts "according to RFC3339" (google/cel-spec doc/langdef.md,
Standard Definitions, `timestamp`), whose date-time always ends with its offset, `Z` or
`+HH:MM` (RFC 3339 section 5.6: full-time = partial-time time-offset). A text without one (a
bare date, a local time) is an error in CEL: drift cannot judge it."""


def _timestamp(text: str) -> dt.datetime:
    if _RFC3339.fullmatch(text.upper()) is None:
        raise _Unsupported(text)
    try:  # Python reads up to 9 digits of a fraction (keeps 6), `Z` and `+HH:MM`
        return dt.datetime.fromisoformat(text.upper())
    except ValueError as exc:  # a month 13, a leap second 60
        raise _Unsupported(text) from exc


def _compare(left: dt.datetime, op: str, right: dt.datetime) -> bool:
    return {
        "<": left < right,
        "<=": left <= right,
        ">": left > right,
        ">=": left >= right,
        "==": left == right,
        "!=": left != right,
    }[op]
