"""The report of a check: findings, probe results and what could not be verified, with the
status and exit code they add up to."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from enum import StrEnum
from functools import cached_property

from drift.errors import ExitCode
from drift.findings import (
    FailOn,
    Finding,
    ProbeResult,
    Scope,
    Severity,
    Unverified,
    sort_findings,
)
from drift.kinds import Kind, split_key
from drift.profiles.model import Profile
from drift.textsafe import plural

REPORT_SCHEMA = "drift.report/v1"


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
    new: int | None = None
    """New and updated findings that count, when compared with a baseline."""
    resolved: int | None = None
    """Findings of the baseline that are gone, when compared with one."""
    jobs: int = 0
    worker_pools: int = 0

    @property
    def workloads(self) -> str:
        """`3 services`, `2 services, 1 job and 1 worker pool`: what the run covered."""
        counts = [(self.services, Kind.SERVICE), (self.jobs, Kind.JOB)]
        counts.append((self.worker_pools, Kind.WORKER_POOL))
        parts = [plural(n, kind.noun) for n, kind in counts if n]
        if len(parts) <= 1:
            return parts[0] if parts else plural(0, "service")
        return f"{', '.join(parts[:-1])} and {parts[-1]}"


@dataclass(frozen=True)
class Unchecked:
    """A finding of the baseline this run could not look at again (its service not checked
    or not read, its target not verified, its service not probed), and why: neither resolved
    nor new, it still stands as far as anyone knows."""

    finding: Finding
    reason: str


@dataclass(frozen=True)
class Proof:
    """`drift fix`'s proof on one service, taken before any traffic moved: the revision that
    served then (`before`, through the service URL) and the canary (through its tag URL),
    probed side by side; `confirmed` when the first failed and the second passed (SPEC)."""

    before: ProbeResult
    canary: ProbeResult
    note: str = ""
    """Why the two probes confirm nothing (`confirmed` None): e.g. the profile probes a tag
    that points to another revision than the one the canary replaces."""

    @property
    def service(self) -> str:
        return self.canary.service

    @property
    def confirmed(self) -> bool | None:
        return self.canary.confirmed


@dataclass(frozen=True)
class Outcome:
    """What a command that prints a report exits with when it is not the report's verdict
    (`Report.outcome`), and the words that frame the report with it: `dry run accepted`."""

    code: ExitCode
    said: str


@dataclass(frozen=True)
class Report(Scope):
    services: tuple[str, ...]
    """The keys of the workloads the run covered (`drift.kinds.workload_key`)."""
    findings: tuple[Finding, ...] = ()
    probes: tuple[ProbeResult, ...] = ()
    unverified: tuple[Unverified, ...] = ()
    fail_on: FailOn = FailOn.ERROR
    notes: tuple[str, ...] = field(default=())
    fix_commands: tuple[str, ...] = ()
    """`gcloud` commands from `drift plan` that would repair the drift (for summaries)."""
    compared: bool = True
    """Whether configuration was compared; `drift probe` only probes, so it never says
    "no drift"."""
    baseline: str | None = None
    """The baseline report this run was compared with (`--baseline`): then every finding and
    unverified item carries its `baseline` state and `resolved` lists what is gone."""
    resolved: tuple[Finding, ...] = ()
    """Findings of the baseline that this run no longer finds, as the baseline had them."""
    fail_on_new: bool = False
    """Only new and updated findings make the exit code 1 (`--fail-on-new`)."""
    unchecked: tuple[Unchecked, ...] = ()
    """Findings of the baseline this run could not check again (as the baseline had them),
    each with why: SARIF carries them forward so that their alerts stay open."""
    proofs: tuple[Proof, ...] = ()
    """The canary's proofs of the `drift fix` this report re-checks, taken before the fix
    moved any traffic: never among `probes`, which are this run's own."""
    project_refused: str | None = None
    region_empty: str | None = None
    """Every workload read in the profile's region was found missing, in a project that
    answered: where the region was set (`Profile.region_from`, "" when not known), for the
    hint that asks whether it is the right one; None otherwise."""
    """Every read in the profile's project was refused, as for a project that does not
    exist: where the project was set (`Profile.project_from`), for the hint that says so;
    None when anything in it was read."""
    scope: tuple[str, ...] = ()
    """What the run covered when it was not the live configuration of every workload of the
    profile, in words stable across runs of the same scope: `manifest` (files about to be
    deployed), `probe` (`drift probe`: only probes), `service=api,job/migrate` (only those).
    A SARIF log's category says it (drift.format.sarif)."""
    outcome: Outcome | None = None
    """The command's own outcome when it is not this report's verdict: `fix --dry-run`
    prints the report of the check its plan repairs, but exits with the server's validation
    (SPEC "Exit codes": 0 accepted, 3 not validated). Then `exit_code` is the outcome's (SPEC
    "JSON report": the run's exit code), so every format says the code the process exits
    with; the findings stay, as the drift they are."""
    lost: int = 0
    """Outputs of this run that could not be written before this one (a full disk: `check
    --sarif FILE --json FILE`, SARIF first): the run then exits 3 unless it found drift
    (`drift.cli.destinations.delivered_code`), and every output written after says so, its
    exit code and status, never "clean … (exit 0)" of a run exiting 3 (helper-810 F1)."""
    profiles_dir: str = ""
    """The profiles directory read, when it is not `./profiles` of the working directory
    (`Profile.read_from`): the report's head names it, so that a clean report of other
    profiles than the ones beside the reader says so."""

    @classmethod
    def of(
        cls,
        profile: Profile,
        services: Iterable[str],
        fail_on: FailOn,
        *,
        findings: Iterable[Finding] = (),
        probes: Iterable[ProbeResult] = (),
        unverified: Iterable[Unverified] = (),
        compared: bool = True,
        source: str = "",
    ) -> Report:
        """The report of a run over `services` of a profile's environment; `source`: what
        was read when not the live configuration (`manifest`, `probe`)."""
        services = tuple(services)
        scope = [source] if source else []
        if set(services) != set(profile.services):
            scope.append(f"service={','.join(sorted(services))}")
        return cls(
            environment=profile.environment,
            project=profile.project,
            region=profile.region,
            services=services,
            findings=tuple(findings),
            probes=tuple(probes),
            unverified=tuple(unverified),
            fail_on=fail_on,
            compared=compared,
            scope=tuple(scope),
            profiles_dir=profile.read_from,
        )

    @cached_property
    def active(self) -> tuple[Finding, ...]:
        """Findings that count (not silenced by `ignore`), most severe first (sorted once: a
        report is never changed, and a renderer of a large fleet reads this many times)."""
        return sort_findings(f for f in self.findings if f.counted)

    @property
    def gating(self) -> tuple[Finding, ...]:
        """The findings the exit code counts: every active one, or with `--fail-on-new` the
        new and updated ones."""
        if not self.fail_on_new:
            return self.active
        return tuple(f for f in self.active if f.baseline is not None and f.baseline.alerts)

    @property
    def exit_code(self) -> ExitCode:
        if self.outcome is not None:
            code = self.outcome.code
        elif any(self.fail_on.counts(f.severity) for f in self.gating):
            return ExitCode.DRIFT
        else:
            code = ExitCode.INCOMPLETE if self.unverified else ExitCode.OK
        if self.lost and code is not ExitCode.DRIFT:  # as `delivered_code` (drift found: 1)
            return ExitCode.INCOMPLETE
        return code

    @property
    def status(self) -> Status:
        code = self.exit_code
        if code is ExitCode.DRIFT:
            return Status.DRIFT
        if code is ExitCode.INCOMPLETE and self.unverified:  # else a command's own outcome
            return Status.INCOMPLETE
        if any(f.severity is not Severity.INFO for f in self.active):
            return Status.DRIFT
        # a clean check with an output not written: never "clean" (README, action outputs)
        return Status.INCOMPLETE if self.lost else Status.CLEAN

    @property
    def summary(self) -> Summary:
        active = self.active
        kinds = [split_key(key)[0] for key in self.services]
        return Summary(
            services=kinds.count(Kind.SERVICE),
            jobs=kinds.count(Kind.JOB),
            worker_pools=kinds.count(Kind.WORKER_POOL),
            errors=sum(f.severity is Severity.ERROR for f in active),
            warnings=sum(f.severity is Severity.WARNING for f in active),
            infos=sum(f.severity is Severity.INFO for f in active),
            unverified=len(self.unverified),
            ignored=sum(f.ignored for f in self.findings),
            new=None
            if self.baseline is None
            else sum(f.baseline is not None and f.baseline.alerts for f in active),
            resolved=None if self.baseline is None else len(self.resolved),
        )
