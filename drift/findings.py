"""The vocabulary every layer shares: severities, profile locations, findings, probe results
and what could not be verified. Plain frozen data, no behaviour beyond ordering."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from drift.kinds import Kind, label, split_key, workload_key


class Severity(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    INFO = "info"

    @property
    def rank(self) -> int:
        """Higher is more severe."""
        return {"error": 3, "warning": 2, "info": 1}[self.value]


class FailOn(StrEnum):
    ERROR = "error"
    WARNING = "warning"
    NEVER = "never"

    def counts(self, severity: Severity) -> bool:
        """Whether a finding of this severity fails the run."""
        if self is FailOn.NEVER:
            return False
        return severity.rank >= Severity(self.value).rank


class BaselineState(StrEnum):
    """How a finding or an unverified item compares with a baseline report (`--baseline`):
    SARIF 2.1.0 `result.baselineState` names (`absent` is a resolved finding)."""

    NEW = "new"
    UNCHANGED = "unchanged"
    UPDATED = "updated"
    ABSENT = "absent"

    @property
    def alerts(self) -> bool:
        """New or updated: what `--fail-on-new` gates on and an alert is about."""
        return self in (BaselineState.NEW, BaselineState.UPDATED)


@dataclass(frozen=True)
class Scope:
    """The environment a profile, a check, a plan, a history or a draft is about: the
    profile's name and the project and region it reads (every such result opens with them,
    `drift.rendering.document_head`)."""

    environment: str
    project: str
    region: str

    @property
    def where(self) -> str:
        """`PROJECT/REGION`, as messages name where the environment's workloads are."""
        return f"{self.project}/{self.region}"


@dataclass(frozen=True)
class Location:
    """Where in a profile an expectation was set (file relative to the working directory)."""

    file: str
    line: int
    """0: the file, no line known (a finding carried from a baseline whose place in today's
    profile was not found)."""


def finding_id(environment: str, service: str, rule: str, target: str) -> str:
    """Stable fingerprint: the same drift gets the same id across runs. `service` is the
    workload's key (`drift.kinds.workload_key`): a service's name, so services keep their ids;
    the kind enters only for jobs and worker pools."""
    key = "\x1f".join((environment, service, rule, target)).encode()
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class Since:
    """Where a drift began: the oldest revision of the unbroken run (up to the one checked)
    that has the same drift, who created it and with which client, and the revision before
    it (None when the drift is as old as the oldest revision still listed). A drift of a
    secret's own state has no revision: only the time the API gives for the change (a
    version's `destroy_time`)."""

    revision: str | None
    create_time: dt.datetime | None
    creator: str
    client: str | None
    last_good: str | None
    note: str = ""
    """What the run's ends leave open, in words: the revision before it had another drift on
    the same target (then no `last_good`); revisions not listed right before it (the drift
    may be older still: `earlier`) or within it (`drift.diff.since.unlisted`); the revision
    right before it could not be judged (`unjudged`)."""
    earlier: bool = False
    """The drift may be older than `revision`: revisions not listed lie right before it, or the
    one that served right before it could not be judged (`unjudged`)."""
    unjudged: str | None = None
    """The revision that served right before `revision`, where whether it had the drift is not
    known (`drift.diff.unjudged`): `revision` is the earliest the drift is known on, and may
    not be where it began (then `earlier`, and no `last_good`)."""


class OfWorkload:
    """What a finding and an unverified item say of the workload they concern."""

    service: str
    kind: Kind

    @property
    def key(self) -> str:
        return workload_key(self.kind, self.service)

    @property
    def workload(self) -> str:
        """The workload as a person reads it (`api`, `job migrate-db`)."""
        return label(self.kind, self.service)


@dataclass(frozen=True)
class Finding(OfWorkload):
    id: str
    rule: str
    severity: Severity
    service: str
    revision: str | None
    target: str
    message: str
    expected: str | None
    actual: str | None
    location: Location | None
    ignored: bool = False
    ignore_reason: str | None = None
    container: str | None = None
    """The container, when the revision runs more than one."""
    scope: str | None = None
    """The sidecar whose rules found it (None: the main container's, or the workload's),
    whether or not the revision has it: a sidecar's `env.missing` on a revision without
    that sidecar is still the sidecar's (`container` names none there). Not reported: its
    id holds it."""
    tag: str | None = None
    """The traffic tag, when the revision is reached only through it (0 % of traffic)."""
    tags: tuple[str, ...] = ()
    """Every tag the profile's `check_tags` selects that reaches that revision, `tag` first
    (its message names them all). Not reported: what an ignore entry's `tag` may name, any of
    them, whichever order the traffic lists them in (helper-739 F3)."""
    since: Since | None = None
    baseline: BaselineState | None = None
    """How it compares with the baseline report, when the run was given one."""
    kind: Kind = Kind.SERVICE
    """What `service` names: a service, a job or a worker pool."""
    also_on: tuple[str, ...] = ()
    """The other revisions with the same drift, merged into this finding (its message names
    them)."""
    failed: tuple[str, ...] = ()
    """What fails, each in words stable across runs (never a revision's name, a percentage or
    a value), where a rule can fail in ways `expected` and `actual` do not tell apart: each
    constraint a variable fails, each part of a configuration that differs. A baseline
    compares it (`drift.baseline`): a new failure of a known finding is `updated`."""
    generation: str | None = None
    """A job's `UID/GENERATION` when read (run v2 Job.uid, "Server assigned unique
    identifier"; Job.generation, "A number that monotonically increases every time the user
    modifies the desired state"): a job has no revision, and this tells a baseline whether the
    template its finding was read from is the one of before — a job deleted and created again
    starts at generation 1 with another uid (helper-613 H1)."""

    @property
    def counted(self) -> bool:
        return not self.ignored

    @property
    def of_container(self) -> str | None:
        """The container whose rules found it, where it names one: `container`, else the
        sidecar of `scope` (on a revision of one container a sidecar's finding names none)."""
        return self.container if self.container is not None else self.scope

    @property
    def revisions(self) -> tuple[str, ...]:
        """The revisions it is on, by name: `revision`, then `also_on`."""
        return tuple(r for r in (self.revision, *self.also_on) if r)

    def on(self, revision: str | None) -> bool:
        """Whether the drift is on `revision` (None: any; a finding on no revision, such as a
        missing service, is on every one)."""
        return (
            revision is None
            or self.revision is None
            or revision
            in (
                self.revision,
                *self.also_on,
            )
        )


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Most severe first, then by service and target, so every format lists alike."""
    return tuple(
        sorted(findings, key=lambda f: (-f.severity.rank, f.service, f.kind, f.rule, f.target))
    )


class ProbeOutcome(StrEnum):
    OK = "ok"
    CLOSE_1011 = "close_1011"
    ABNORMAL = "abnormal"
    REJECTED = "rejected"
    UNREACHABLE = "unreachable"
    UNEXPECTED = "unexpected"

    @property
    def rule(self) -> str | None:
        return None if self is ProbeOutcome.OK else f"probe.{self.value}"


@dataclass(frozen=True)
class ProbeResult:
    service: str
    revision: str | None
    url: str
    outcome: ProbeOutcome
    elapsed_ms: int
    http_status: int | None = None
    close_code: int | None = None
    close_reason: str | None = None
    detail: str = ""
    suspected_causes: tuple[str, ...] = ()
    confirmed: bool | None = None
    tag: str | None = None
    """The traffic tag whose own URL was probed (None: the service URL)."""
    handshake_hung: bool = False
    """An unreachable probe whose connection to the service was made (TCP, TLS, a proxy's
    tunnel) but whose handshake got no answer in time: the service's silence, not the
    network's."""
    not_http: bool = False
    """An unreachable probe answered with something that is not HTTP (websockets'
    `InvalidMessage` after bytes came): not Cloud Run's front end, which answers HTTP. A field
    of its own, so that it holds whatever the detail says (e.g. once the server's text in it
    is withheld, `drift.probe.echoed`)."""

    @property
    def ok(self) -> bool:
        return self.outcome is ProbeOutcome.OK

    @property
    def container_may_cause(self) -> bool:
        """Whether the service (its container's code and configuration, or its settings) can
        have caused this failure, so that drift on it may explain it: what a socket it opened
        did (1011, a drop, another close or message, a 101 a browser refuses), any HTTP status
        instead of the 101 (SPEC `probe.rejected`, "e.g. 403, 500, 503": the app refusing a
        socket it cannot serve, a 5xx, or Cloud Run's own 403/404/429 that a drifted
        `invoker_iam_disabled`, `ingress` or `max_instances` causes), a handshake it left
        unanswered (a hung or starting app). Never a failure before the request reached it
        (DNS, TCP, TLS, a proxy, a connection not made in time; an answer that is not HTTP,
        which Cloud Run's front end never gives)."""
        if self.outcome in (
            ProbeOutcome.CLOSE_1011,
            ProbeOutcome.ABNORMAL,
            ProbeOutcome.UNEXPECTED,
        ):
            return True
        if self.outcome is ProbeOutcome.REJECTED:
            return self.http_status is not None
        return self.outcome is ProbeOutcome.UNREACHABLE and self.handshake_hung

    @property
    def reached(self) -> bool:
        """Whether the probe reached the service (anything but a failure on the way: DNS, TCP,
        TLS, a proxy, an answer that is not HTTP, a connection not made in time)."""
        return self.outcome is not ProbeOutcome.UNREACHABLE or self.handshake_hung


@dataclass(frozen=True)
class Unverified(OfWorkload):
    """An item that could not be read: the check is incomplete, never clean."""

    service: str
    target: str
    reason: str
    kind: Kind = Kind.SERVICE
    baseline: BaselineState | None = None
    """`new` when the baseline could read it, `unchanged` when it could not either."""
    location: Location | None = field(default=None, compare=False)
    """The workload's entry in the profile (where an annotation points), when it has one."""

    @classmethod
    def at(cls, key: str, target: str, reason: str) -> Unverified:
        """For the workload of that key (`drift.kinds.workload_key`)."""
        kind, name = split_key(key)
        return cls(name, target, reason, kind)
