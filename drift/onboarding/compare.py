"""`drift compare A B`: parity of two environments, as merged profiles or as live services.

Both sides become the same view: per service, each variable's shape (a plain value, a secret
reference, constraints only, or forbidden), whether it must be present, and the settings.
Live variables are plain values or secret references, always present. Then, per service:

- `service.only_in`: a service one side has and the other does not.
- `env.unsatisfied` (profiles): a variable one side requires and the other does not (absent,
  optional or forbidden): `compare staging e2e` lists what E2E needs that staging does not.
- `env.only_in`: a variable (not required) named on one side only.
- `env.shape`: a plain value on one side, a secret reference on the other (or forbidden vs
  allowed). Constraint-only rules fit either shape.

Values that should differ are only looked for between different deployments: when both sides
read the same project and region, they describe the very same services and sharing is
expected (e2e is a view of staging). Between different deployments:

- `value.shared`: an equal plain value that points at a backend (a value with an IP address, a
  database/cache/queue URL scheme, or a host in a variable named like HOST, DATABASE, REDIS,
  DSN, BUCKET...), that names either environment or project (`ENVIRONMENT=staging` in both),
  or that looks like a credential (masked); the same service account; the same project.
- `value.foreign`: a value (plain value, secret name, service account) on one side that names
  the other side's environment or project (`https://staging.shop.dev` in production).
- `secret.shared`: both reference the same secret (same project, same name), or, live, two
  references whose values are equal (read in memory, kept as digests, never shown).

Plain values are shown masked when they look like credentials; secret values never are."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from drift.diff import describe_live, describe_rule, mask_plain
from drift.errors import ExitCode, UsageError
from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS, SettingValue
from drift.live.model import LiveState, SecretRef
from drift.live.session import Session
from drift.profiles.model import Profile, VarRule
from drift.redact import looks_like_credential
from drift.settings import Settings

COMPARE_SCHEMA = "drift.compare/v1"
Side = Literal["a", "b"]
Mode = Literal["profiles", "live"]
SIDES: tuple[Side, Side] = ("a", "b")


class Kind(StrEnum):
    SERVICE_ONLY_IN = "service.only_in"
    ENV_UNSATISFIED = "env.unsatisfied"
    ENV_ONLY_IN = "env.only_in"
    ENV_SHAPE = "env.shape"
    VALUE_SHARED = "value.shared"
    VALUE_FOREIGN = "value.foreign"
    SECRET_SHARED = "secret.shared"


_KIND_ORDER = {kind: i for i, kind in enumerate(Kind)}


class Shape(StrEnum):
    PLAIN = "a plain value"
    SECRET = "a secret reference"
    CONSTRAINT = "constraints only"
    FORBIDDEN = "forbidden"


class CompareStatus(StrEnum):
    EQUIVALENT = "equivalent"
    DIFFERENT = "different"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Environment:
    name: str
    project: str
    region: str

    @property
    def where(self) -> str:
        return f"{self.project}/{self.region}"


@dataclass(frozen=True)
class Difference:
    kind: Kind
    service: str | None  # None: the environment as a whole
    target: str  # `service`, `env.VAR`, `setting.NAME` or `project`
    message: str
    a: str | None  # what side A has, never a secret value (None: nothing)
    b: str | None
    side: Side | None = None  # for only_in / unsatisfied: the side that has / requires it


@dataclass(frozen=True)
class Unread:
    side: Side
    service: str
    target: str
    reason: str


@dataclass(frozen=True)
class Comparison:
    mode: Mode
    a: Environment
    b: Environment
    services: tuple[str, ...]
    differences: tuple[Difference, ...] = ()
    unverified: tuple[Unread, ...] = ()
    notes: tuple[str, ...] = field(default=())

    @property
    def status(self) -> CompareStatus:
        if self.differences:
            return CompareStatus.DIFFERENT
        if self.unverified:
            return CompareStatus.INCOMPLETE
        return CompareStatus.EQUIVALENT

    @property
    def exit_code(self) -> ExitCode:
        return {
            CompareStatus.DIFFERENT: ExitCode.DRIFT,
            CompareStatus.INCOMPLETE: ExitCode.INCOMPLETE,
            CompareStatus.EQUIVALENT: ExitCode.OK,
        }[self.status]

    def side(self, side: Side) -> Environment:
        return self.a if side == "a" else self.b


# -- one view for both sources ---------------------------------------------------------------


@dataclass(frozen=True)
class VarView:
    name: str
    shape: Shape
    required: bool
    shown: str  # a description, never a secret value
    value: str | None = None  # plain value (compared, shown masked when credential-like)
    secret: SecretRef | None = None


@dataclass(frozen=True)
class ServiceView:
    name: str
    env: dict[str, VarView]
    settings: dict[str, SettingValue]


def profile_views(profile: Profile, names: Iterable[str]) -> dict[str, ServiceView]:
    return {
        n: ServiceView(
            n,
            {r.name: _rule_view(r) for r in profile.services[n].env.values()},
            {k: FIELDS[k].normalise(s.value) for k, s in profile.services[n].settings.items()},
        )
        for n in names
        if n in profile.services
    }


def _rule_view(rule: VarRule) -> VarView:
    if rule.forbidden:
        return VarView(rule.name, Shape.FORBIDDEN, False, "forbidden")
    shown = describe_rule(rule) + ("" if rule.must_exist else " (optional)")
    if rule.secret is not None:
        ref = SecretRef(rule.secret, rule.version)
        return VarView(rule.name, Shape.SECRET, rule.must_exist, shown, secret=ref)
    if rule.value is not None:
        return VarView(rule.name, Shape.PLAIN, rule.must_exist, shown, value=rule.value)
    return VarView(rule.name, Shape.CONSTRAINT, rule.must_exist, shown)


def live_views(state: LiveState) -> dict[str, ServiceView]:
    """Each service as its main serving revision runs it (the template if none serves)."""
    views = {}
    for name, live in state.services.items():
        config = live.serving[0].config if live.serving else live.template
        env = {
            v.name: VarView(
                v.name,
                Shape.SECRET if v.ref is not None else Shape.PLAIN,
                True,
                describe_live(v),
                value=v.value if v.ref is None else None,
                secret=v.ref,
            )
            for v in config.env.values()
        }
        views[name] = ServiceView(name, env, dict(config.settings))
    return views


# -- comparing -----------------------------------------------------------------------------


def compare_profiles(a: Profile, b: Profile, services: Sequence[str] | None = None) -> Comparison:
    """Compare two merged profiles (no cloud call)."""
    names = _names(a, b, services)
    ctx = _Context("profiles", _env(a), _env(b))
    differences = ctx.compare(profile_views(a, names), profile_views(b, names), names)
    return Comparison("profiles", ctx.a, ctx.b, tuple(names), differences, (), ctx.notes())


async def compare_live(
    a: Profile,
    b: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    secret_values: bool = True,
) -> Comparison:
    """Read both environments' services concurrently and compare what they run with."""
    names = _names(a, b, services)
    mine_a = [n for n in names if n in a.services]
    mine_b = [n for n in names if n in b.services]
    async with Session(settings.access()) as session:
        state_a, state_b = await asyncio.gather(session.read(a, mine_a), session.read(b, mine_b))
        return await _compare_read(
            _live_context(a, b), a, b, names, state_a, state_b, session if secret_values else None
        )


def _live_context(a: Profile, b: Profile) -> _Context:
    return _Context("live", _env(a), _env(b))


async def _compare_read(
    ctx: _Context,
    a: Profile,
    b: Profile,
    names: list[str],
    state_a: LiveState,
    state_b: LiveState,
    session: Session | None,
) -> Comparison:
    unread = _unread("a", state_a) + _unread("b", state_b)
    skip = {u.service for u in unread}
    views_a = {n: v for n, v in live_views(state_a).items() if n not in skip}
    views_b = {n: v for n, v in live_views(state_b).items() if n not in skip}
    ctx.absent = {"a": _absent(a, state_a, names), "b": _absent(b, state_b, names)}
    compared = [n for n in names if n not in skip]
    differences = list(ctx.compare(views_a, views_b, compared))
    if session is not None and not ctx.same_deployment:
        found, failed = await _same_secret_values(ctx, views_a, views_b, compared, session)
        differences += found
        unread += failed
    return Comparison(
        "live",
        ctx.a,
        ctx.b,
        tuple(names),
        tuple(_sorted(differences)),
        tuple(unread),
        ctx.notes(),
    )


def _env(profile: Profile) -> Environment:
    return Environment(profile.environment, profile.project, profile.region)


def _names(a: Profile, b: Profile, wanted: Sequence[str] | None) -> list[str]:
    every = list(dict.fromkeys([*a.services, *b.services]))
    if not wanted:
        return every
    unknown = [s for s in wanted if s not in every]
    if unknown:
        raise UsageError(
            f"unknown service {', '.join(unknown)} in profiles {a.environment} and "
            f"{b.environment} (services: {', '.join(every) or 'none'})"
        )
    return list(dict.fromkeys(wanted))


def _absent(profile: Profile, state: LiveState, names: list[str]) -> dict[str, str]:
    """Why a service has no live view on this side."""
    where = f"{profile.project}/{profile.region}"
    absent = dict.fromkeys(state.missing, f"does not exist in {where}")
    absent.update(
        {n: f"not in profile {profile.environment}" for n in names if n not in profile.services}
    )
    return absent


def _unread(side: Side, state: LiveState) -> list[Unread]:
    """Services and revisions that could not be read (secret metadata does not matter here)."""
    return [
        Unread(side, u.service, u.target, u.reason)
        for u in state.unverified
        if u.target == "service" or u.target.startswith("revision.")
    ]


class _Context:
    def __init__(self, mode: Mode, a: Environment, b: Environment) -> None:
        self.mode = mode
        self.a = a
        self.b = b
        self.same_deployment = (a.project, a.region) == (b.project, b.region)
        self.absent: dict[Side, dict[str, str]] = {"a": {}, "b": {}}
        self.out: list[Difference] = []

    def env(self, side: Side) -> Environment:
        return self.a if side == "a" else self.b

    def notes(self) -> tuple[str, ...]:
        if self.same_deployment:
            return (
                f"{self.a.name} and {self.b.name} both read {self.a.where}: the same services, "
                "so shared values are expected and not looked for",
            )
        return ()

    def add(
        self,
        kind: Kind,
        service: str | None,
        target: str,
        message: str,
        shown: tuple[str | None, str | None],
        side: Side | None = None,
    ) -> None:
        self.out.append(Difference(kind, service, target, message, *shown, side))

    def compare(
        self, a: dict[str, ServiceView], b: dict[str, ServiceView], names: list[str]
    ) -> tuple[Difference, ...]:
        self.out = []
        if not self.same_deployment and self.a.project == self.b.project:
            self.add(
                Kind.VALUE_SHARED,
                None,
                "project",
                f"{self.a.name} and {self.b.name} share project {self.a.project} (its secrets, "
                "IAM and quotas)",
                (self.a.project, self.b.project),
            )
        for name in names:
            sa, sb = a.get(name), b.get(name)
            if sa is None and sb is None:
                continue
            if sa is None or sb is None:
                side: Side = "a" if sa is not None else "b"
                other: Side = "b" if side == "a" else "a"
                why = self.absent[other].get(name, f"not in {self.env(other).name}")
                here = f"in {self.env(side).where}"
                self.add(
                    Kind.SERVICE_ONLY_IN,
                    name,
                    "service",
                    f"{name} is only in {self.env(side).name} ({self.env(other).name}: {why})",
                    (here, why) if side == "a" else (why, here),
                    side,
                )
                continue
            self._service(sa, sb)
        return tuple(_sorted(self.out))

    def _service(self, a: ServiceView, b: ServiceView) -> None:
        for var in dict.fromkeys([*a.env, *b.env]):
            self._variable(a.name, var, a.env.get(var), b.env.get(var))
        if not self.same_deployment:
            self._settings(a, b)

    def _variable(self, service: str, name: str, a: VarView | None, b: VarView | None) -> None:
        shown = (a.shown if a else None, b.shown if b else None)
        apart = self._parity(service, name, a, b, shown)
        if self.same_deployment:
            return
        if not apart and a is not None and b is not None and self._shared(service, a, b, shown):
            return
        for side, view in zip(SIDES, (a, b), strict=True):
            if view is None:
                continue
            text = view.secret.secret if view.secret is not None else view.value
            named = self._foreign(side, text or "")
            if named:
                what = "references a secret named for" if view.secret else "names"
                self.add(
                    Kind.VALUE_FOREIGN,
                    service,
                    f"env.{name}",
                    f"{name} in {self.env(side).name} {what} {named}",
                    shown,
                    side,
                )

    def _parity(
        self,
        service: str,
        name: str,
        a: VarView | None,
        b: VarView | None,
        shown: tuple[str | None, str | None],
    ) -> bool:
        """Requirements, presence and shape; True when the values are not comparable."""
        target = f"env.{name}"
        if self.mode == "profiles" and bool(a and a.required) != bool(b and b.required):
            side: Side = "a" if a is not None and a.required else "b"
            other = b if side == "a" else a
            if other is None:
                lacks = "does not name it"
            elif other.shape is Shape.FORBIDDEN:
                lacks = "forbids it"
            else:
                lacks = "makes it optional"
            self.add(
                Kind.ENV_UNSATISFIED,
                service,
                target,
                f"{self.env(side).name} requires {name} on {service}; "
                f"{self.env(_other(side)).name} {lacks}",
                shown,
                side,
            )
            return True
        if a is None or b is None:
            side = "a" if a is not None else "b"
            self.add(
                Kind.ENV_ONLY_IN,
                service,
                target,
                f"{name} is only in {self.env(side).name}",
                shown,
                side,
            )
            return True
        if _conflict(a.shape, b.shape):
            self.add(
                Kind.ENV_SHAPE,
                service,
                target,
                f"{name} is {a.shape.value} in {self.a.name}, {b.shape.value} in {self.b.name}",
                shown,
            )
            return True
        return False

    def _shared(
        self, service: str, a: VarView, b: VarView, shown: tuple[str | None, str | None]
    ) -> bool:
        """An equal value or the same secret where two deployments should differ."""
        target = f"env.{a.name}"
        if a.value is not None and a.value == b.value:
            why = self._why_shared(a.name, a.value)
            if why:
                self.add(
                    Kind.VALUE_SHARED,
                    service,
                    target,
                    f"{a.name} {why} in both {self.a.name} and {self.b.name}",
                    shown,
                )
                return True
        if (
            a.secret is not None
            and b.secret is not None
            and self.a.project == self.b.project
            and a.secret.secret == b.secret.secret
        ):
            self.add(
                Kind.SECRET_SHARED,
                service,
                target,
                f"{a.name} references the same secret {a.secret.secret} of project "
                f"{self.a.project} in {self.a.name} and {self.b.name}",
                shown,
            )
            return True
        return False

    def _settings(self, a: ServiceView, b: ServiceView) -> None:
        account_a = a.settings.get("service_account")
        account_b = b.settings.get("service_account")
        if account_a == account_b and account_a not in (None, DEFAULT_SERVICE_ACCOUNT):
            self.add(
                Kind.VALUE_SHARED,
                a.name,
                "setting.service_account",
                f"{a.name} runs as {account_a} in both {self.a.name} and {self.b.name}",
                (_text(account_a), _text(account_b)),
            )
            return
        for key in ("service_account", "vpc_connector"):
            for side, view in zip(SIDES, (a, b), strict=True):
                value = view.settings.get(key)
                named = self._foreign(side, value) if isinstance(value, str) else None
                if named:
                    self.add(
                        Kind.VALUE_FOREIGN,
                        a.name,
                        f"setting.{key}",
                        f"{key} of {a.name} in {self.env(side).name} names {named}",
                        (_text(a.settings.get(key)), _text(b.settings.get(key))),
                        side,
                    )

    def _why_shared(self, name: str, value: str) -> str | None:
        if looks_like_credential(name, value):
            return "holds the same credential"
        for env in (self.a, self.b):
            for marker in (env.project, env.name):
                if _mentions(value, marker):
                    return f"names {marker}"
        if _points_at_backend(name, value):
            return f"points at the same backend ({mask_plain(name, value, secret=False)})"
        return None

    def _foreign(self, side: Side, text: str) -> str | None:
        """The other side's environment or project, when `text` (from `side`) names it."""
        mine = self.env(side)
        other = self.env(_other(side))
        for marker in (mine.project, mine.name):
            text = _without(text, marker)
        for marker in (other.project, other.name):
            if marker not in (mine.project, mine.name) and _mentions(text, marker):
                return f"{other.name}'s project {marker}" if marker == other.project else marker
        return None


async def _same_secret_values(
    ctx: _Context,
    a: dict[str, ServiceView],
    b: dict[str, ServiceView],
    names: list[str],
    session: Session,
) -> tuple[list[Difference], list[Unread]]:
    """Pairs of secret references (one per side, same variable) holding the same value."""
    from drift.onboarding.live import secret_digests

    pairs: list[tuple[str, VarView, VarView]] = []
    for name in names:
        sa, sb = a.get(name), b.get(name)
        if sa is None or sb is None:
            continue
        for var, va in sa.env.items():
            vb = sb.env.get(var)
            if va.secret is None or vb is None or vb.secret is None:
                continue
            if ctx.a.project == ctx.b.project and va.secret.secret == vb.secret.secret:
                continue  # the same secret: already reported by name
            pairs.append((name, va, vb))
    if not pairs:
        return [], []
    wanted = [(ctx.a.project, va.secret) for _, va, _ in pairs if va.secret]
    wanted += [(ctx.b.project, vb.secret) for _, _, vb in pairs if vb.secret]
    read = await secret_digests(session, wanted)
    found: list[Difference] = []
    unread: list[Unread] = []
    for service, va, vb in pairs:
        assert va.secret is not None and vb.secret is not None
        key_a, key_b = (ctx.a.project, va.secret), (ctx.b.project, vb.secret)
        failed = [
            Unread(side, service, f"env.{va.name}", read.failed[key])
            for side, key in zip(SIDES, (key_a, key_b), strict=True)
            if key in read.failed
        ]
        unread += failed
        if failed or read.digests[key_a] != read.digests[key_b]:
            continue
        found.append(
            Difference(
                Kind.SECRET_SHARED,
                service,
                f"env.{va.name}",
                f"{va.name}: {ctx.a.name}'s {va.secret} and {ctx.b.name}'s {vb.secret} hold the "
                "same value (compared in memory, not shown)",
                va.shown,
                vb.shown,
            )
        )
    return found, unread


# -- heuristics ----------------------------------------------------------------------------

_BACKEND_NAME = re.compile(
    r"HOST|ADDR|SERVER|ENDPOINT|DSN|DATABASE|(^|_)DB(_|$)|REDIS|POSTGRES|(^|_)PG|MYSQL|MONGO"
    r"|MEMCACHE|CACHE|QUEUE|BROKER|AMQP|KAFKA|ELASTIC|BUCKET|CONNECTION|(^|_)SQL",
    re.IGNORECASE,
)
_BACKEND_SCHEME = re.compile(
    r"^(postgres(ql)?|mysql|redis|rediss|mongodb(\+srv)?|amqps?|kafka|memcached?|jdbc:[a-z]+)://",
    re.IGNORECASE,
)
_IPV4 = re.compile(r"(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d.])")
_HOST = re.compile(
    r"^(?:[a-z][a-z0-9+.-]*://)?(?:[^/@\s]*@)?([a-z0-9-]+(?:\.[a-z0-9-]+)+)(?::\d+)?(?:/.*)?$",
    re.IGNORECASE,
)
_LOOPBACK = ("127.", "0.0.0.0")


def _points_at_backend(name: str, value: str) -> bool:
    """An equal value that most likely addresses one stateful backend (not a public API)."""
    if _BACKEND_SCHEME.match(value):
        return True
    for match in _IPV4.finditer(value):
        if not match.group(0).startswith(_LOOPBACK):
            return True
    return bool(_BACKEND_NAME.search(name) and _HOST.match(value.strip()))


def _mentions(text: str, marker: str) -> bool:
    """`marker` appears in `text` as a whole token (not inside a longer name)."""
    if len(marker) < 3:
        return False
    return bool(re.search(rf"(?<![A-Za-z0-9]){re.escape(marker)}(?![A-Za-z0-9])", text, re.I))


def _without(text: str, marker: str) -> str:
    if len(marker) < 3:
        return text
    return re.sub(rf"(?<![A-Za-z0-9]){re.escape(marker)}(?![A-Za-z0-9])", " ", text, flags=re.I)


def _other(side: Side) -> Side:
    return "b" if side == "a" else "a"


def _conflict(a: Shape, b: Shape) -> bool:
    if a is b:
        return False
    if Shape.FORBIDDEN in (a, b):
        return True
    return {a, b} == {Shape.PLAIN, Shape.SECRET}


def _text(value: SettingValue | None) -> str | None:
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    return str(value)


def _sorted(differences: Iterable[Difference]) -> list[Difference]:
    return sorted(
        differences, key=lambda d: (d.service or "", _KIND_ORDER[d.kind], d.target, d.side or "")
    )
