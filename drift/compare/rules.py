"""The comparison rules: what differs between two environments' views, and why it matters."""

from __future__ import annotations

from typing import Any

from drift.compare import deployment, resources
from drift.compare.files import mode_difference
from drift.compare.markers import mentions, points_at_backend
from drift.compare.model import (
    SIDES,
    Difference,
    EnvKey,
    Kind,
    Mode,
    ServiceView,
    Shape,
    Side,
    VarView,
    sort_differences,
)
from drift.compare.sides import Sides, other_side
from drift.credentials import hidden_plain
from drift.diff.describe import mask_plain
from drift.fields import FIELDS, SettingValue, is_default_account
from drift.findings import Scope
from drift.redact import MASK

NAMES_PROJECT = tuple(n for n, field in FIELDS.items() if field.names_project)
"""The settings whose value can name a project (`Field.names_project`)."""
_CREDENTIAL = "holds the same credential"


def _shown(a: VarView | None, b: VarView | None, *, hide: bool) -> tuple[str | None, str | None]:
    """What each side shows; with `hide` (live), a plain value whose counterpart is a secret
    reference is most likely that secret's value in plain text, and is not shown (as `check`
    shows a plain value where a secret is expected)."""
    if hide and a is not None and b is not None and (a.secret is None) != (b.secret is None):
        hidden = f"{MASK} (plain value)"
        return (hidden, b.shown) if a.secret is None else (a.shown, hidden)
    return (a.shown if a else None, b.shown if b else None)


class Context(Sides):
    """The rules, applied to one pair of environments; `compare` returns what differs.

    Both sides become the same view: per service, each variable's shape (a plain value, a secret
    reference, constraints only, or forbidden), whether it must be present, and the settings.
    Live variables are plain values or secret references, always present. Then, per service:

    - `service.only_in`: a service one side has and the other does not.
    - `container.only_in`: a sidecar one side runs (profiles: names) and the other does not,
      even one with no variables or mounts (a Cloud SQL proxy).
    - `env.unsatisfied` (profiles): a variable one side requires and the other does not (absent,
      optional or forbidden): `compare staging e2e` lists what E2E needs that staging does not.
    - `env.only_in`: a variable (not required) named on one side only.
    - `env.shape`: a plain value on one side, a secret reference on the other (or forbidden vs
      allowed). Constraint-only rules fit either shape.
    - `mount.mode`: a secret file both have, created with other permissions (profiles: a `mode`
      one sets and the other does not); not the version it pins (`files.mode_difference`).

    Values that should differ are only looked for between different deployments: when both sides
    read the same project and region, they describe the very same services and sharing is
    expected (e2e is a view of staging). Between different deployments:

    - `value.shared`: an equal plain value that points at a backend (a value with an IP address, a
      database/cache/queue URL scheme, or a host in a variable named like HOST, DATABASE, REDIS,
      DSN, BUCKET...), that names either environment or project (`ENVIRONMENT=staging` in both;
      not `NODE_ENV=production`, a framework's mode: `markers.mentions`), or that is a credential
      (looks like one, or a profile expects a secret there; masked); the same service account;
      the same project; a Cloud SQL instance, bucket or NFS share both use (`resources`).
    - `value.foreign`: a value on one side that names the other side's environment or project
      (`https://api.staging.shop.dev` in production): a plain value, a service account (by the
      other project's id, or its number: its default compute account), a secret reference
      whose project is the other side's (by id, or by a number either read learned) or whose
      name names it; a Cloud SQL instance, bucket or share of the other's (`resources`).
    - `secret.shared`: both reference the same secret (same project, by id or number, same
      name), or, live, two references whose values are equal (read in memory, kept as
      digests, never shown).

    Plain values are shown masked when they look like credentials; secret values never are.
    The profiles' `ignore:` entries do not apply (SPEC says nothing of them for compare): an
    entry silences `check`'s findings of one environment against its own profile, by `check`'s
    rule ids and targets, and no entry of one profile speaks for how two environments relate."""

    def __init__(self, mode: Mode, a: Scope, b: Scope, *, built_on: bool = False) -> None:
        """`built_on`: one profile extends the other (e2e, built on staging), so that both
        reading one project and region is what they mean."""
        self.mode = mode
        super().__init__(a, b, read=mode == "live")
        self.same_deployment = (a.project, a.region) == (b.project, b.region)
        self.built_on = built_on
        self.absent: dict[Side, dict[str, str]] = {"a": {}, "b": {}}
        self.out: list[Difference] = []
        self.nowhere: list[str] = []
        """The services `compare` found on neither side (live: named, but in neither
        environment): not compared (`deployment.nowhere_notes`, `nowhere_unread`)."""

    def notes(self) -> tuple[str, ...]:
        return deployment.notes(self)

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
        self.nowhere = []
        self.out += deployment.shared_project(self)
        for name in names:
            sa, sb = a.get(name), b.get(name)
            if sa is None and sb is None:
                self.nowhere.append(name)
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
            self._variable(a.name, key, va.name if va else b.env[key].name, va, vb)
        for container in dict.fromkeys([*a.sidecars, *b.sidecars]):
            if (container in a.sidecars) != (container in b.sidecars):
                side: Side = "a" if container in a.sidecars else "b"
                image = (a if side == "a" else b).sidecars[container]
                where = self.env(side).environment
                said = (
                    f"container {container} runs only in {where}"
                    if self.mode == "live"
                    else f"container {container} is named only in {where}'s profile "
                    f"({self.env(other_side(side)).environment} does not name it)"
                )
                self.add(
                    Kind.CONTAINER_ONLY_IN,
                    a.name,
                    f"container.{container}",
                    said,
                    (image, None) if side == "a" else (None, image),
                    side,
                )
        if not self.same_deployment:
            self._settings(a, b)

    def _variable(
        self, service: str, key: EnvKey, name: str, a: VarView | None, b: VarView | None
    ) -> None:
        shown = _shown(a, b, hide=self.mode == "live")
        apart = self._parity(service, name, a, b, shown)
        if found := mode_difference(self, self.mode, service, name, a, b):
            self.out.append(found)
        if self.same_deployment:
            return
        variable = key[2] if key[1] == "env" else ""
        if not apart and a is not None and b is not None:
            if self._shared(service, variable, a, b, shown):
                return
        for side, view in zip(SIDES, (a, b), strict=True):
            why = None if view is None else self._why_foreign(side, view, variable)
            if why:
                self.add(
                    Kind.VALUE_FOREIGN,
                    service,
                    f"env.{name}",
                    f"{name} in {self.env(side).environment} {why}",
                    shown,
                    side,
                )

    def _why_foreign(self, side: Side, view: VarView, variable: str) -> str | None:
        """Why a variable or mount of `side` belongs to the other side (None: it does not)."""
        if view.secret is not None:
            return self._foreign_secret(side, view.secret)
        named = self._foreign(side, view.value or "", variable)
        return f"names {named}" if named else None

    def foreign_elsewhere(
        self, side: Side, main: ServiceView, other: ServiceView, reach: str
    ) -> None:
        """`value.foreign` in another revision `side` serves or tags (`reach`: which, and how
        it is reached): what it names of the other environment needs no counterpart to be
        found (a 10 % split reading the other project's secret), and is said once, where the
        compared revision (`main`) does not already hold the same."""
        if self.same_deployment:
            return
        service, where = main.name, f"{self.env(side).environment}'s revision {reach}"
        for key, view in other.env.items():
            seen = main.env.get(key)
            if seen is not None and (seen.secret, seen.value) == (view.secret, view.value):
                continue
            why = self._why_foreign(side, view, key[2] if key[1] == "env" else "")
            if why:
                shown = (view.shown, None) if side == "a" else (None, view.shown)
                self.add(
                    Kind.VALUE_FOREIGN,
                    service,
                    f"env.{view.name}",
                    f"{view.name} in {where} {why}",
                    shown,
                    side,
                )
        for setting in NAMES_PROJECT:
            value = other.settings.get(setting)
            if isinstance(value, str) and value != main.settings.get(setting):
                shown = (value, None) if side == "a" else (None, value)
                self._foreign_setting(side, service, setting, value, where, shown)
        self.out += resources.elsewhere(self, side, main, other, where)

    def _foreign_setting(
        self, side: Side, service: str, key: str, value: Any, where: str, shown: tuple[Any, Any]
    ) -> None:
        """`value.foreign` for a setting of `side` (in `where`) whose value names the other."""
        named = self._foreign(side, value) if isinstance(value, str) else None
        if named:
            self.add(
                Kind.VALUE_FOREIGN,
                service,
                f"setting.{key}",
                f"{key} of {service} in {where} names {named}",
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
                f"{self.env(other_side(side)).environment} {lacks}",
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
        self,
        service: str,
        variable: str,
        a: VarView,
        b: VarView,
        shown: tuple[str | None, str | None],
    ) -> bool:
        """An equal value or the same secret where two deployments should differ."""
        target = f"env.{a.name}"
        if a.value is not None and a.value == b.value:
            why = self._why_shared(a.name, variable, a.value, hidden=a.hidden or b.hidden)
            if why == _CREDENTIAL:  # never shown beside the word, a profile's own neither
                shown = (MASK, MASK)
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
                f"{self.project_of(a.secret.project, 'a')} in {self.a.environment} and "
                f"{self.b.environment}",
                shown,
            )
            return True
        return False

    def _settings(self, a: ServiceView, b: ServiceView) -> None:
        account_a = a.settings.get("service_account")
        account_b = b.settings.get("service_account")
        said: set[str] = set()
        if account_a == account_b and not is_default_account(str(account_a or "")):
            self.add(
                Kind.VALUE_SHARED,
                a.name,
                "setting.service_account",
                f"{a.name} runs as {account_a} in both {self.a.environment} and "
                f"{self.b.environment}",
                (_text(account_a), _text(account_b)),
            )
            said.add("service_account")  # one finding for the row; the others are still read
        # every row whose value can name a project (Field.names_project: a connector, a
        # Direct VPC network or subnet, a CMEK key, a Binary Authorization policy), whatever
        # the service account row said (revown49 F1); a Shared VPC host that is neither
        # environment's project is no side's marker, so naming it in both is not flagged
        for key in (n for n in NAMES_PROJECT if n not in said):
            shown = (_text(a.settings.get(key)), _text(b.settings.get(key)))
            for side, view in zip(SIDES, (a, b), strict=True):
                where = self.env(side).environment
                self._foreign_setting(side, a.name, key, view.settings.get(key), where, shown)
        self.out += resources.compared(self, a, b)  # a database, bucket, share: both, theirs

    def _why_shared(self, name: str, variable: str, value: str, *, hidden: bool) -> str | None:
        """Why an equal plain value should differ. A credential in plain text: a side's profile
        expects a secret there (`hidden`: `PARTNER_CODE=bluefin-77`, revcmp89 F2), or drift
        never shows it (`hidden_plain`: `DB_PASSWORD=Tr0ub4d`, however short, revcmp93 F2)."""
        if hidden or hidden_plain(name, value):
            return _CREDENTIAL
        every = [*self.markers("a"), *self.markers("b")]
        for side in SIDES:
            for marker in self.markers(side):
                if mentions(value, marker, variable, longer=every):
                    return f"names {marker}"
        if points_at_backend(name, value):
            return f"points at the same backend ({mask_plain(name, value, secret=hidden)})"
        return None


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
