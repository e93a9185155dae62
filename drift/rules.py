"""The rule catalogue: one row per rule id, holding everything any layer knows about a rule
(title, help, default severity, how likely it explains a failed handshake, whether a patch
can repair it, SARIF security severity). Adding a rule is adding a row here."""

from __future__ import annotations

from dataclasses import dataclass

from drift.findings import Severity


@dataclass(frozen=True)
class RuleInfo:
    id: str
    title: str
    help: str
    severity: Severity = Severity.ERROR
    """The severity of its findings unless a profile says otherwise."""
    security_severity: float | None = None
    cause_rank: int | None = None
    """How likely drift of this rule explains a failed WebSocket handshake (0 most likely);
    None: it cannot explain one."""
    fixable: bool = False
    """A patch to the service (env or settings) repairs it."""
    history: bool = False
    """A revision's configuration can begin it: its `since` is looked for among the older
    revisions (not so for a secret's own state, a rollout, a probe: no revision began those).
    `env.inconsistent` too: each revision's value, compared with its own other variable
    within one workload, else with what the other workload's variable holds today
    (`since.note` says so)."""

    @property
    def family(self) -> str:
        return self.id.split(".", 1)[0]

    @property
    def ignored_by_name_only(self) -> bool:
        """An `ignore` silences it only when it names this rule (`rule:`): the rules the
        catalogue marks security-relevant (a `security_severity`: a credential in plain text,
        a shared secret that differs, a secret the service cannot read; SARIF tags them
        `security`). An entry written for another problem of the same variable or secret
        (`{service: api, env: DATABASE_URL}` for a short DSN) must not silence the DSN pasted
        in clear later (revbaseline 3)."""
        return self.security_severity is not None


_RULES = (
    RuleInfo(
        "env.missing",
        "Variable missing",
        "A required, valued or secret variable is absent.",
        cause_rank=0,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "env.value",
        "Value differs",
        "A plain variable has another value than the profile.",
        cause_rank=5,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "env.constraint",
        "Constraint failed",
        "A variable fails its pattern, not, one_of or min_length constraint.",
        cause_rank=5,
        history=True,
    ),
    RuleInfo(
        "env.forbidden",
        "Forbidden variable",
        "A variable the profile forbids is set.",
        cause_rank=6,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "env.unexpected",
        "Unexpected variable",
        "A live variable the profile does not name.",
        severity=Severity.WARNING,
        history=True,
    ),
    RuleInfo(
        "env.plaintext_secret",
        "Secret in plain text",
        "A variable expected to be a Secret Manager reference (or that looks like a credential) "
        "is set as a plain value, readable by anyone who can view the service.",
        security_severity=8.0,
        cause_rank=4,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "env.secret_ref",
        "Wrong secret reference",
        "A variable references another secret or version than the profile expects.",
        cause_rank=3,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "env.inconsistent",
        "Values not the same",
        "Two variables that must hold the same value (same_as) differ; compared by value, "
        "never shown.",
        security_severity=5.0,
        cause_rank=2,
        history=True,
    ),
    RuleInfo(
        "secret.missing",
        "Secret missing",
        "A referenced secret or version does not exist.",
        cause_rank=1,
    ),
    RuleInfo(
        "secret.disabled",
        "Secret version disabled",
        "A referenced version is DISABLED.",
        cause_rank=1,
    ),
    RuleInfo(
        "secret.destroyed",
        "Secret version destroyed",
        "A referenced version is DESTROYED.",
        cause_rank=1,
    ),
    RuleInfo(
        "secret.no_access",
        "Secret not accessible",
        "The revision's service account is not granted access to a referenced secret.",
        security_severity=6.0,
        cause_rank=1,
    ),
    RuleInfo(
        "secret.expiring",
        "Secret expiring",
        "A referenced secret expires, or the referenced version is scheduled for destruction, "
        "within the profile's expiry_warning (30 days by default).",
        severity=Severity.WARNING,
    ),
    RuleInfo(
        "container.missing",
        "Container missing",
        "The revision has no container of the name the profile describes (a sidecar, or "
        "`container:`): none of its rules could be checked there.",
        cause_rank=1,
        history=True,
    ),
    RuleInfo(
        "mount.missing",
        "Mounted secret missing",
        "No secret is mounted at a path where the profile expects one.",
        cause_rank=1,
        history=True,
    ),
    RuleInfo(
        "mount.secret_ref",
        "Wrong mounted secret",
        "A path mounts another secret or version than the profile expects.",
        cause_rank=3,
        history=True,
    ),
    RuleInfo(
        "mount.mode",
        "Secret file mode",
        "A mounted secret's file has other permission bits than the profile's `mode` (as Cloud "
        "Run creates it: the item's mode, else the volume's default, else 0444, less the umask "
        "0222).",
        history=True,
    ),
    RuleInfo(
        "setting.value",
        "Setting differs",
        "A service setting differs from the profile.",
        cause_rank=7,
        fixable=True,
        history=True,
    ),
    RuleInfo(
        "service.missing",
        "Service missing",
        "The service (or job, or worker pool) does not exist.",
    ),
    RuleInfo(
        "revision.rollout",
        "Rollout incomplete",
        "The latest created revision is not ready, or the serving revisions differ from the "
        "template, or a manifest's template keeps the name of an existing revision with another "
        "configuration (Cloud Run refuses the deploy).",
        cause_rank=6,
    ),
    RuleInfo(
        "revision.pinned",
        "Traffic pinned by a canary",
        "Traffic is pinned to named revisions while a canary drift left exists: a new deploy "
        "would get no traffic until the canary is promoted or rolled back; or such a canary, "
        "still tagged, serves because someone else routed traffic to it.",
        severity=Severity.WARNING,
    ),
    RuleInfo(
        "job.failed",
        "Job's latest execution failed",
        "The latest execution of a job failed (the reason is its failed condition's message).",
        severity=Severity.WARNING,
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
FIXABLE: tuple[str, ...] = tuple(r.id for r in _RULES if r.fixable)
HISTORY: frozenset[str] = frozenset(r.id for r in _RULES if r.history)


def rule_info(rule: str) -> RuleInfo:
    """The catalogue row of a rule id (a generic row for an id the catalogue lacks)."""
    return RULES.get(rule) or RuleInfo(rule, rule, rule)
