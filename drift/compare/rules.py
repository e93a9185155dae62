"""The comparison rules: what differs between two environments' views, and why it matters."""

from __future__ import annotations

import re

from drift.compare.model import (
    SIDES,
    Difference,
    Kind,
    Mode,
    ServiceView,
    Shape,
    Side,
    VarView,
    sort_differences,
)
from drift.credentials import looks_like_credential
from drift.diff.describe import mask_plain
from drift.fields import SettingValue, is_default_account
from drift.findings import Scope
from drift.redact import MASK
from drift.refs import SecretRef


def _shown(a: VarView | None, b: VarView | None, *, hide: bool) -> tuple[str | None, str | None]:
    """What each side shows; with `hide` (live), a plain value whose counterpart is a secret
    reference is most likely that secret's value in plain text, and is not shown (as `check`
    shows a plain value where a secret is expected)."""
    if hide and a is not None and b is not None and (a.secret is None) != (b.secret is None):
        hidden = f"{MASK} (plain value)"
        return (hidden, b.shown) if a.secret is None else (a.shown, hidden)
    return (a.shown if a else None, b.shown if b else None)


class Context:
    """The rules, applied to one pair of environments; `compare` returns what differs.

    Both sides become the same view: per service, each variable's shape (a plain value, a secret
    reference, constraints only, or forbidden), whether it must be present, and the settings.
    Live variables are plain values or secret references, always present. Then, per service:

    - `service.only_in`: a service one side has and the other does not.
    - `container.only_in` (live): a sidecar one side runs and the other does not, even one with
      no variables or mounts (a Cloud SQL proxy).
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

    def __init__(self, mode: Mode, a: Scope, b: Scope) -> None:
        self.mode = mode
        self.a = a
        self.b = b
        self.same_deployment = (a.project, a.region) == (b.project, b.region)
        self.absent: dict[Side, dict[str, str]] = {"a": {}, "b": {}}
        self.out: list[Difference] = []

    def env(self, side: Side) -> Scope:
        return self.a if side == "a" else self.b

    def notes(self) -> tuple[str, ...]:
        if self.same_deployment:
            return (
                f"{self.a.environment} and {self.b.environment} both read {self.a.where}: the "
                "same services, so shared values are expected and not looked for",
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
                f"{self.a.environment} and {self.b.environment} share project {self.a.project} "
                "(its secrets, IAM and quotas)",
                (self.a.project, self.b.project),
            )
        for name in names:
            sa, sb = a.get(name), b.get(name)
            if sa is None and sb is None:
                continue
            if sa is None or sb is None:
                side: Side = "a" if sa is not None else "b"
                other: Side = "b" if side == "a" else "a"
                why = self.absent[other].get(name, f"not in {self.env(other).environment}")
                here = f"in {self.env(side).where}"
                self.add(
                    Kind.SERVICE_ONLY_IN,
                    name,
                    "service",
                    f"{name} is only in {self.env(side).environment} "
                    f"({self.env(other).environment}: {why})",
                    (here, why) if side == "a" else (why, here),
                    side,
                )
                continue
            self._service(sa, sb)
        return tuple(sort_differences(self.out))

    def _service(self, a: ServiceView, b: ServiceView) -> None:
        for key in dict.fromkeys([*a.env, *b.env]):
            va, vb = a.env.get(key), b.env.get(key)
            self._variable(a.name, va.name if va else b.env[key].name, va, vb)
        for container in dict.fromkeys([*a.sidecars, *b.sidecars]):
            if (container in a.sidecars) != (container in b.sidecars):
                side: Side = "a" if container in a.sidecars else "b"
                image = (a if side == "a" else b).sidecars[container]
                self.add(
                    Kind.CONTAINER_ONLY_IN,
                    a.name,
                    f"container.{container}",
                    f"container {container} runs only in {self.env(side).environment}",
                    (image, None) if side == "a" else (None, image),
                    side,
                )
        if not self.same_deployment:
            self._settings(a, b)

    def _variable(self, service: str, name: str, a: VarView | None, b: VarView | None) -> None:
        shown = _shown(a, b, hide=self.mode == "live")
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
                    f"{name} in {self.env(side).environment} {what} {named}",
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
                f"{self.env(side).environment} requires {name} on {service}; "
                f"{self.env(_other(side)).environment} {lacks}",
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
                f"{name} is only in {self.env(side).environment}",
                shown,
                side,
            )
            return True
        if _conflict(a.shape, b.shape):
            self.add(
                Kind.ENV_SHAPE,
                service,
                target,
                f"{name} is {a.shape.value} in {self.a.environment}, "
                f"{b.shape.value} in {self.b.environment}",
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
            why = self._why_shared(a.name, a.value, hidden=a.hidden or b.hidden)
            if why:
                self.add(
                    Kind.VALUE_SHARED,
                    service,
                    target,
                    f"{a.name} {why} in both {self.a.environment} and {self.b.environment}",
                    shown,
                )
                return True
        if a.secret is not None and b.secret is not None and self.same_secret(a.secret, b.secret):
            self.add(
                Kind.SECRET_SHARED,
                service,
                target,
                f"{a.name} references the same secret {a.secret.secret} of project "
                f"{a.secret.project or self.a.project} in {self.a.environment} and "
                f"{self.b.environment}",
                shown,
            )
            return True
        return False

    def same_secret(self, a: SecretRef, b: SecretRef) -> bool:
        """The very same secret (a reference names its project, or is in its side's)."""
        return (a.project or self.a.project, a.secret) == (b.project or self.b.project, b.secret)

    def _settings(self, a: ServiceView, b: ServiceView) -> None:
        account_a = a.settings.get("service_account")
        account_b = b.settings.get("service_account")
        if account_a == account_b and not is_default_account(str(account_a or "")):
            self.add(
                Kind.VALUE_SHARED,
                a.name,
                "setting.service_account",
                f"{a.name} runs as {account_a} in both {self.a.environment} and "
                f"{self.b.environment}",
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
                        f"{key} of {a.name} in {self.env(side).environment} names {named}",
                        (_text(a.settings.get(key)), _text(b.settings.get(key))),
                        side,
                    )

    def _why_shared(self, name: str, value: str, *, hidden: bool) -> str | None:
        if looks_like_credential(name, value):
            return "holds the same credential"
        for env in (self.a, self.b):
            for marker in (env.project, env.environment):
                if _mentions(value, marker):
                    return f"names {marker}"
        if _points_at_backend(name, value):
            return f"points at the same backend ({mask_plain(name, value, secret=hidden)})"
        return None

    def _foreign(self, side: Side, text: str) -> str | None:
        """The other side's environment or project, when `text` (from `side`) names it."""
        mine = self.env(side)
        other = self.env(_other(side))
        for marker in (mine.project, mine.environment):
            text = _without(text, marker)
        for marker in (other.project, other.environment):
            if marker not in (mine.project, mine.environment) and _mentions(text, marker):
                return (
                    f"{other.environment}'s project {marker}" if marker == other.project else marker
                )
        return None


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
