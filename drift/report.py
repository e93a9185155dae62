"""The results of a check: findings, probe results, what could not be verified, and the report."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum

from drift.errors import ExitCode

REPORT_SCHEMA = "drift.report/v1"


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


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    help: str
    security_severity: float | None = None


_RULES = (
    RuleInfo("env.missing", "Variable missing", "A required, valued or secret variable is absent."),
    RuleInfo("env.value", "Value differs", "A plain variable has another value than the profile."),
    RuleInfo(
        "env.constraint",
        "Constraint failed",
        "A variable fails its pattern, not, one_of or min_length constraint.",
    ),
    RuleInfo("env.forbidden", "Forbidden variable", "A variable the profile forbids is set."),
    RuleInfo("env.unexpected", "Unexpected variable", "A live variable the profile does not name."),
    RuleInfo(
        "env.plaintext_secret",
        "Secret in plain text",
        "A variable expected to be a Secret Manager reference (or that looks like a credential) "
        "is set as a plain value, readable by anyone who can view the service.",
        8.0,
    ),
    RuleInfo(
        "env.secret_ref",
        "Wrong secret reference",
        "A variable references another secret or version than the profile expects.",
    ),
    RuleInfo(
        "env.inconsistent",
        "Values not the same",
        "Two variables that must hold the same value (same_as) differ; compared by value, "
        "never shown.",
        5.0,
    ),
    RuleInfo("secret.missing", "Secret missing", "A referenced secret or version does not exist."),
    RuleInfo("secret.disabled", "Secret version disabled", "A referenced version is DISABLED."),
    RuleInfo("secret.destroyed", "Secret version destroyed", "A referenced version is DESTROYED."),
    RuleInfo(
        "secret.no_access",
        "Secret not accessible",
        "The revision's service account is not granted access to a referenced secret.",
        6.0,
    ),
    RuleInfo("setting.value", "Setting differs", "A service setting differs from the profile."),
    RuleInfo("service.missing", "Service missing", "The service does not exist."),
    RuleInfo(
        "revision.rollout",
        "Rollout incomplete",
        "The latest created revision is not ready, or the serving revisions differ from the "
        "template.",
    ),
    RuleInfo(
        "probe.close_1011",
        "WebSocket closed 1011",
        "The handshake succeeded and the server closed with 1011 (internal error).",
    ),
    RuleInfo(
        "probe.abnormal",
        "WebSocket dropped",
        "The connection dropped without a close frame (1006).",
    ),
    RuleInfo(
        "probe.rejected", "WebSocket rejected", "The server answered an HTTP status instead of 101."
    ),
    RuleInfo("probe.unreachable", "Service unreachable", "DNS, TCP or TLS failure, or a timeout."),
    RuleInfo(
        "probe.unexpected",
        "WebSocket misbehaved",
        "The socket opened but the expected message did not arrive, or it closed early with "
        "another code.",
    ),
)
RULES: dict[str, RuleInfo] = {r.id: r for r in _RULES}


@dataclass(frozen=True)
class Location:
    """Where in a profile an expectation was set (file relative to the working directory)."""

    file: str
    line: int


def finding_id(environment: str, service: str, rule: str, target: str) -> str:
    """Stable fingerprint: the same drift gets the same id across runs."""
    key = "\x1f".join((environment, service, rule, target)).encode()
    return hashlib.sha256(key).hexdigest()[:16]


@dataclass(frozen=True)
class Finding:
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

    @property
    def counted(self) -> bool:
        return not self.ignored


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

    @property
    def ok(self) -> bool:
        return self.outcome is ProbeOutcome.OK


@dataclass(frozen=True)
class Unverified:
    """An item that could not be read: the check is incomplete, never clean."""

    service: str
    target: str
    reason: str


class Status(StrEnum):
    DRIFT = "drift"
    CLEAN = "clean"
    INCOMPLETE = "incomplete"


@dataclass(frozen=True)
class Summary:
    services: int
    errors: int
    warnings: int
    infos: int
    unverified: int
    ignored: int


@dataclass(frozen=True)
class Report:
    environment: str
    project: str
    region: str
    services: tuple[str, ...]
    findings: tuple[Finding, ...] = ()
    probes: tuple[ProbeResult, ...] = ()
    unverified: tuple[Unverified, ...] = ()
    fail_on: FailOn = FailOn.ERROR
    notes: tuple[str, ...] = field(default=())
    fix_commands: tuple[str, ...] = ()
    """`gcloud` commands from `drift plan` that would repair the drift (for summaries)."""

    @property
    def active(self) -> tuple[Finding, ...]:
        """Findings that count (not silenced by `ignore`), most severe first."""
        return sort_findings(f for f in self.findings if f.counted)

    @property
    def exit_code(self) -> ExitCode:
        if any(self.fail_on.counts(f.severity) for f in self.active):
            return ExitCode.DRIFT
        if self.unverified:
            return ExitCode.INCOMPLETE
        return ExitCode.OK

    @property
    def status(self) -> Status:
        code = self.exit_code
        if code is ExitCode.DRIFT:
            return Status.DRIFT
        if code is ExitCode.INCOMPLETE:
            return Status.INCOMPLETE
        if any(f.severity is not Severity.INFO for f in self.active):
            return Status.DRIFT
        return Status.CLEAN

    @property
    def summary(self) -> Summary:
        active = self.active
        return Summary(
            services=len(self.services),
            errors=sum(f.severity is Severity.ERROR for f in active),
            warnings=sum(f.severity is Severity.WARNING for f in active),
            infos=sum(f.severity is Severity.INFO for f in active),
            unverified=len(self.unverified),
            ignored=sum(f.ignored for f in self.findings),
        )


def sort_findings(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Most severe first, then by service and target, so every format lists alike."""
    return tuple(sorted(findings, key=lambda f: (-f.severity.rank, f.service, f.rule, f.target)))
