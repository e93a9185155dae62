"""A loaded profile as plain typed objects: what each workload (service, job, worker pool) is
expected to run with, and where in which file each expectation was written."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from functools import cached_property, lru_cache
from typing import Any, Literal

from drift.errors import UsageError
from drift.fields import FIELDS, SettingValue
from drift.findings import Finding, Location, Scope, Severity
from drift.kinds import Kind, label, workload_key
from drift.refs import SecretRef, one_ref
from drift.rules import rule_info

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
    secret_project: str = ""
    """The project holding the secret when it is not the service's own."""
    optional: bool = False
    forbidden: bool = False
    pattern: str | None = None
    not_values: tuple[str, ...] = ()
    one_of: tuple[str, ...] = ()
    min_length: int | None = None
    same_as: tuple[str, str] | None = None
    severity: Severity = Severity.ERROR

    @classmethod
    def made(cls, **fields: Any) -> VarRule:
        """`VarRule(**fields)` with every field named, at a third of its cost: a frozen
        dataclass's `__init__` sets each of the 14 fields through `object.__setattr__`, and a
        profile of 1,000 services × 30 variables builds 30,000 rules while the check waits
        for it (`drift.cli.overlap`). No field has a factory and nothing runs after
        `__init__`, so the rule is the same one (`==`, hash, pickling, `vars`)."""
        rule = object.__new__(cls)
        rule.__dict__.update(fields)
        return rule

    @property
    def must_exist(self) -> bool:
        return not (self.optional or self.forbidden)

    @property
    def constrained(self) -> bool:
        """Whether a constraint (pattern, not, one_of, min_length) tests the value."""
        return bool(
            self.pattern is not None
            or self.not_values
            or self.one_of
            or self.min_length is not None
        )

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

    @cached_property
    def ref(self) -> SecretRef | None:
        """The reference the variable must hold, when it must hold one (made once: every
        check of the variable asks for it)."""
        if self.secret is None:
            return None
        return one_ref(self.secret, self.version, self.secret_project)


@dataclass(frozen=True)
class MountRule:
    """A secret a container must see mounted at `path` (a file, or a directory of files)."""

    path: str
    location: Location
    ref: SecretRef
    optional: bool = False
    severity: Severity = Severity.ERROR
    mode: int | None = None
    """The permission bits its files must have (`refs.file_mode`: less Cloud Run's umask)."""


@dataclass(frozen=True)
class ContainerRules:
    """What one container (the one `env` describes, or a sidecar by name) must run with."""

    name: str | None
    """None: the container the service's `container:` names, else the ingress one."""
    location: Location
    env: dict[str, VarRule] = field(default_factory=dict)
    mounts: dict[str, MountRule] = field(default_factory=dict)
    unexpected_env: UnexpectedEnv = "ignore"
    removed_env: Mapping[str, Location] = field(default_factory=dict)
    """The variables whose rule a `null` removed (an inherited one, or the defaults'), by
    name: where that `null` is."""
    settings: dict[str, Setting] = field(default_factory=dict)
    """A sidecar's own settings (`CONTAINER_SETTINGS`: image, cpu, memory); the container
    `env` describes has the workload's (`ServiceProfile.settings`)."""


@dataclass(frozen=True)
class Setting:
    name: str
    value: SettingValue
    location: Location
    pattern: str | None = None
    """An RE2 pattern the value must match, instead of `value`."""

    def satisfied_by(self, actual: SettingValue | None, where: tuple[str, str] = ("", "")) -> bool:
        """Whether the value Cloud Run applies (in the catalogue's normal form) is what the
        profile states, or matches its pattern; `where`: the profile's project and region."""
        if self.pattern is not None:
            return actual is not None and re2_search(self.pattern, str(actual))
        return FIELDS[self.name].same(self.value, actual, where)


def re2_search(pattern: str, text: str) -> bool:
    """Whether the RE2 `pattern` (a profile's, checked as it was read) matches in `text`,
    each pattern compiled once (`re2.search` makes its options again on every call: 25 µs,
    task 859)."""
    return _re2(pattern).search(text) is not None


@lru_cache(maxsize=256)
def _re2(pattern: str) -> Any:
    import re2

    return re2.compile(pattern)


def stated_values(settings: Mapping[str, Setting]) -> dict[str, SettingValue]:
    """The values a profile states, by name (patterns left out: no value)."""
    return {n: s.value for n, s in settings.items() if s.pattern is None}


NO_HOLD_WATCH = 1.0
"""Seconds a socket is watched after its handshake when the profile holds it for none
(`hold: 0s`, at most the probe's timeout): an app that accepts and then fails on its first
Redis or database call closes with 1011 a few ms after its 101 — the SPEC's main failure,
which a probe that ended at the 101 passed (revprobe60 F3)."""


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
    tag: str | None = None
    """Probe the revision this traffic tag points to, at its own URL."""

    @property
    def watched(self) -> float:
        """How long a passing probe keeps the socket open: the hold, or `NO_HOLD_WATCH`."""
        return self.hold or min(NO_HOLD_WATCH, self.timeout)


CheckTags = tuple[str, ...] | Literal["all", "none"]


@dataclass(frozen=True)
class ServiceProfile:
    """What one workload must run with: a service, or (`kind`) a job or a worker pool, which
    have no probe and no tags."""

    name: str
    location: Location
    env: dict[str, VarRule] = field(default_factory=dict)
    settings: dict[str, Setting] = field(default_factory=dict)
    unexpected_env: UnexpectedEnv = "ignore"
    probe: Probe | None = None
    container: str | None = None
    mounts: dict[str, MountRule] = field(default_factory=dict)
    sidecars: dict[str, ContainerRules] = field(default_factory=dict)
    """Rules for the other containers (`containers:` in the profile), by name."""
    check_tags: CheckTags = "all"
    expiry_warning: int = 30
    """Days before a secret's expiry (or a version's destruction) that `secret.expiring` warns."""
    kind: Kind = Kind.SERVICE
    removed_env: Mapping[str, Location] = field(default_factory=dict)
    """`ContainerRules.removed_env` of the container `env` describes."""

    @property
    def key(self) -> str:
        """How `Profile.services` and what is read know it (`drift.kinds.workload_key`)."""
        return workload_key(self.kind, self.name)

    @property
    def label(self) -> str:
        """As a person reads it: `api`, `job migrate-db`."""
        return label(self.kind, self.name)

    @cached_property
    def main(self) -> ContainerRules:
        """The rules of the container `env` describes (made once: a check asks for them some
        twenty-five times a workload)."""
        return ContainerRules(
            self.container,
            self.location,
            self.env,
            self.mounts,
            self.unexpected_env,
            self.removed_env,
        )

    @property
    def containers(self) -> tuple[ContainerRules, ...]:
        """Every container's rules: the main one first, then the sidecars."""
        return (self.main, *self.sidecars.values())

    def where(self, target: str, container: str | None = None) -> Location:
        """Where the profile says what `target` (of `container`) is about today: its
        variable, mount or setting rule; else, for a variable, the `X: null` that removed its
        rule (SPEC's `TESTING: null`: what an `env.unexpected` of it says to change); else
        the container's or the workload's entry. A finding is said there whether it was
        found this run or carried from an earlier report (never at the line it had then,
        which may now be another service's)."""
        rules = self.sidecars.get(container, self.main) if container else self.main
        if (at := self.rule_at(target, container)) is not None:
            return at
        kind, _, name = target.partition(".")
        if kind == "env" and (null := rules.removed_env.get(name)) is not None:
            return null
        return rules.location if kind in ("env", "mount") else self.location

    def rule_at(self, target: str, container: str | None = None) -> Location | None:
        """Where the variable, mount or setting rule `target` (of `container`) is stated
        (None: the profile states none)."""
        rules = self.sidecars.get(container, self.main) if container else self.main
        kind, _, name = target.partition(".")
        found: VarRule | MountRule | Setting | None = None
        if kind == "setting":
            found = rules.settings.get(name) or self.settings.get(name)
        elif kind in ("env", "mount"):
            found = (rules.env if kind == "env" else rules.mounts).get(name)
        return found.location if found is not None else None

    def checks_tag(self, tag: str) -> bool:
        if self.check_tags == "all":
            return True
        if self.check_tags == "none":
            return False
        return tag in self.check_tags


@dataclass(frozen=True)
class Ignore:
    reason: str
    location: Location
    service: str | None = None
    target: str | None = None
    rule: str | None = None
    until: dt.date | None = None
    container: str | None = None
    tag: str | None = None
    kind: Kind | None = None
    """The kind of workload `service` names (None: any workload)."""
    newer: tuple[str, ...] = ()
    """The files of the profiles extending the one the entry is written in: a rule one of
    them states is newer intent than the entry, which it does not silence
    (`drift.diff.ignores`)."""

    def fits(self, finding: Finding, named: Callable[[str], str] = str) -> bool:
        """Whether everything it names is the finding's; `named`: a target (the entry's and
        the finding's alike) as drift names it, a secret however the profile spells it
        (`drift.diff.ignores.named_target`). Its `tag` may be any that reaches the finding's
        revision (`Finding.tags`), not only the one the finding carries (helper-739 F3)."""
        wanted = (
            (self.kind, finding.kind),
            (self.service, finding.service),
            (self.rule, finding.rule),
            (self.target and named(self.target), named(finding.target)),
            (self.container, finding.of_container),
            (self.tag, self.tag if self.tag in finding.tags else finding.tag),
        )
        return all(mine is None or mine == theirs for mine, theirs in wanted)

    def needs_rule(self, finding: Finding) -> bool:
        """Whether it names no rule where `finding`'s rule is silenced only by an ignore
        that names it."""
        return self.rule is None and rule_info(finding.rule).ignored_by_name_only

    @property
    def where(self) -> str:
        return f"{self.location.file}:{self.location.line}"

    def expired(self, today: dt.date) -> bool:
        """Whether `today` (`utc_today()`) is past `until`: it silences through that day."""
        return self.until is not None and today > self.until


def utc_today() -> dt.date:
    """The date an `ignore: until:` is judged on: UTC's, as every time drift prints is, so a CI
    runner and a laptop in other zones agree at the same instant."""
    return dt.datetime.now(dt.UTC).date()


@dataclass(frozen=True)
class Profile(Scope):
    location: Location
    services: dict[str, ServiceProfile] = field(default_factory=dict)
    """Every workload the profile describes, by key (`ServiceProfile.key`): the services
    first, then the jobs, then the worker pools."""
    ignores: tuple[Ignore, ...] = ()
    files: tuple[str, ...] = ()
    chain: tuple[str, ...] = ()
    """The files its `extends` chain merges, the first base first and its own last (`files`
    holds only those that gave it a value)."""
    project_from: str = ""
    """Where `project` was set, as a message names it: the `FILE:LINE` of `project:`, or the
    option, variable or `[tool.drift]` that gives it instead ("" when not known)."""
    region_from: str = ""
    """Where `region` was set, as `project_from` says where `project` was."""
    notes: tuple[str, ...] = ()
    """What merging left out (`Merged.notes`), as `FILE:LINE: message`: said by a check."""
    read_from: str = ""
    """The profiles directory it was read from when that is not `./profiles` of the working
    directory (`[tool.drift] profiles_dir`, a parent project's, `--profiles`), as a path is
    shown: a report says which profiles it checked. "" for `./profiles`."""

    def public_names(self) -> tuple[str, ...]:
        """The names every report of it prints: its project, its region and its workloads'
        (`redact.register_public`; a plan's marks never hide them: helper-618 F5, 794 B1)."""
        return (self.project, self.region, *(p.name for p in self.services.values()))

    def select(self, wanted: Sequence[str] | None) -> list[str]:
        """The keys of the workloads a command works on: the named ones (each once; a name
        is every workload of that name, `job/NAME` one of a kind), else all."""
        if not wanted:
            return list(self.services)
        chosen: list[str] = []
        unknown: list[str] = []
        for name in wanted:
            keys = [k for k, p in self.services.items() if name in (k, p.name)]
            chosen += keys
            if not keys:
                unknown.append(name)
        if unknown:
            known = ", ".join(p.label for p in self.services.values()) or "none"
            raise UsageError(
                f"unknown service {', '.join(map(repr, unknown))} in profile {self.environment} "
                f"(services: {known})"
            )
        return list(dict.fromkeys(chosen))

    def of_kind(self, kind: Kind) -> dict[str, ServiceProfile]:
        """The workloads of one kind, by name."""
        return {p.name: p for p in self.services.values() if p.kind is kind}
