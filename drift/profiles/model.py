"""A loaded profile as plain typed objects: what each service is expected to run with, and
where in which file each expectation was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from drift.errors import UsageError
from drift.fields import SettingValue
from drift.findings import Finding, Location, Severity

UnexpectedEnv = Literal["ignore", "warn", "error"]


@dataclass(frozen=True)
class VarRule:
    """Expectations for one variable. Naming a variable means it must be present, unless
    `optional` (or `forbidden`)."""

    name: str
    location: Location
    value: str | None = None
    secret: str | None = None
    version: str = "latest"
    optional: bool = False
    forbidden: bool = False
    pattern: str | None = None
    not_values: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    min_length: int | None = None
    same_as: tuple[str, str] | None = None
    severity: Severity = Severity.ERROR

    @property
    def must_exist(self) -> bool:
        return not (self.optional or self.forbidden)

    @property
    def needs_value(self) -> bool:
        """Whether checking this rule needs the variable's value (secret values are read)."""
        return bool(
            self.pattern is not None
            or self.not_values
            or self.one_of
            or self.min_length is not None
            or self.same_as is not None
        )

    @property
    def expects_secret(self) -> bool:
        return self.secret is not None


@dataclass(frozen=True)
class Setting:
    name: str
    value: SettingValue
    location: Location


@dataclass(frozen=True)
class Probe:
    path: str
    location: Location
    subprotocols: tuple[str, ...] = ()
    headers: tuple[tuple[str, str], ...] = ()
    auth: Literal["none", "google-id-token"] = "none"
    hold: float = 2.0
    timeout: float = 10.0
    send: str | None = None
    expect: str | None = None


@dataclass(frozen=True)
class ServiceProfile:
    name: str
    location: Location
    env: dict[str, VarRule] = field(default_factory=dict)
    settings: dict[str, Setting] = field(default_factory=dict)
    unexpected_env: UnexpectedEnv = "ignore"
    probe: Probe | None = None
    container: str | None = None


@dataclass(frozen=True)
class Ignore:
    reason: str
    location: Location
    service: str | None = None
    target: str | None = None
    rule: str | None = None
    until: dt.date | None = None

    def matches(self, finding: Finding) -> bool:
        if self.service is not None and self.service != finding.service:
            return False
        if self.rule is not None and self.rule != finding.rule:
            return False
        return self.target is None or self.target == finding.target

    def expired(self, today: dt.date) -> bool:
        return self.until is not None and today > self.until


@dataclass(frozen=True)
class Profile:
    environment: str
    project: str
    region: str
    location: Location
    services: dict[str, ServiceProfile] = field(default_factory=dict)
    ignores: tuple[Ignore, ...] = ()
    files: tuple[str, ...] = ()

    def select(self, wanted: Sequence[str] | None) -> list[str]:
        """The services a command works on: the named ones (each once), else all."""
        if not wanted:
            return list(self.services)
        unknown = [s for s in wanted if s not in self.services]
        if unknown:
            known = ", ".join(self.services) or "none"
            raise UsageError(
                f"unknown service {', '.join(unknown)} in profile {self.environment} "
                f"(services: {known})"
            )
        return list(dict.fromkeys(wanted))
