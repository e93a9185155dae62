"""What `drift compare` works with: the two environments, their views, and what differs."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Literal

from drift.errors import ExitCode
from drift.fields import SettingValue
from drift.findings import FailOn, Scope
from drift.refs import SecretRef

Side = Literal["a", "b"]
Mode = Literal["profiles", "live"]
SIDES: tuple[Side, Side] = ("a", "b")


class Kind(StrEnum):
    SERVICE_ONLY_IN = "service.only_in"
    CONTAINER_ONLY_IN = "container.only_in"
    ENV_UNSATISFIED = "env.unsatisfied"
    ENV_ONLY_IN = "env.only_in"
    ENV_SHAPE = "env.shape"
    MOUNT_MODE = "mount.mode"
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
    """The comparison's `status` in JSON, and its exit code."""

    EQUIVALENT = "equivalent"
    """Everything was read and nothing differs (exit 0)."""
    DIFFERENT = "different"
    """At least one difference (exit 1), even when something else could not be read."""
    INCOMPLETE = "incomplete"
    """Nothing differs in what was read, but something could not be (exit 3): never
    equivalent."""


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
    a: Scope
    b: Scope
    services: tuple[str, ...]
    """Every service named (by either profile, or by `--service`)."""
    differences: tuple[Difference, ...] = ()
    unverified: tuple[Unread, ...] = ()
    notes: tuple[str, ...] = field(default=())
    compared: tuple[str, ...] | None = None
    """The services really compared (None: all of `services`): not one a side could not
    read, nor one that exists in neither environment."""
    fail_on: FailOn = FailOn.ERROR
    """`--fail-on`: differences carry no severity, so only `never` changes the exit code
    (differences still said, exit 0; 3 when something could not be read)."""

    @property
    def compared_services(self) -> tuple[str, ...]:
        return self.services if self.compared is None else self.compared

    @property
    def status(self) -> CompareStatus:
        if self.differences:
            return CompareStatus.DIFFERENT
        if self.unverified:
            return CompareStatus.INCOMPLETE
        return CompareStatus.EQUIVALENT

    @property
    def exit_code(self) -> ExitCode:
        if self.differences and self.fail_on is not FailOn.NEVER:
            return ExitCode.DRIFT
        return ExitCode.INCOMPLETE if self.unverified else ExitCode.OK

    def side(self, side: Side) -> Scope:
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
    hidden: bool = False  # a plain value never shown (the profile expects a secret there)
    mode: int | None = None
    """A mount's file permissions as Cloud Run creates them (`SecretMount.mode`, umask applied);
    a profile's `mode`, None where it sets none (any passes). None for a variable."""


EnvKey = tuple[str, str, str]
"""A variable or mount in a view: (container, "" for the main one; `env` or `mount`; the
variable's name or the mount path). Never its shown name: a main-container variable named
`otel:TOKEN` and the sidecar otel's `TOKEN` are two."""


@dataclass(frozen=True)
class ServiceView:
    name: str
    env: dict[EnvKey, VarView]
    settings: dict[str, SettingValue]
    sidecars: dict[str, str] = field(default_factory=dict)
    """Live: the containers, by name, with their image; once `paired` with the other side's,
    all but the pair of main ones (keyed "" in `env`). A profile: the containers it names
    (`containers: {NAME: …}`), each with how it is described."""
    primary: str = ""
    """Live: the name of the main container (the ingress one, else the first)."""


def sort_differences(differences: Iterable[Difference]) -> list[Difference]:
    """By service, then kind (in `Kind` order), target and side."""
    return sorted(
        differences, key=lambda d: (d.service or "", _KIND_ORDER[d.kind], d.target, d.side or "")
    )
