"""The fault matrix of `drift check`: every read method drift calls, under every fault the
reliability issue names (UNAVAILABLE transient and permanent, DEADLINE_EXCEEDED,
RESOURCE_EXHAUSTED with and without RetryInfo, PERMISSION_DENIED, NOT_FOUND, INTERNAL, a 3 s
latency spike). The check always completes, names what it could not verify, exits with the
right code (never 0 when incomplete), retries only what is transient and within its bounds,
and, as a real process, prints no traceback.

The cases of one method run side by side, each in its own copy of the world (a project per
case, the fault scoped to it, a run and event loop of its own), so the matrix costs the time of
its slowest case per method."""

from __future__ import annotations

import asyncio
import json
import subprocess
from collections import Counter
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass

import pytest

from drift.errors import ExitCode
from drift.format import OutputFormat, formatter_for
from drift.live.calls import MAX_ATTEMPTS
from drift.report import Report
from drift.sandbox import Call, Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.conftest import FAST, PROFILES, calls_in, check_rel, project, scope


@dataclass(frozen=True)
class Kind:
    """One kind of fault, made permanent (every call) or transient (the first call only)."""

    name: str
    code: str | None
    transient: bool = False
    latency_ms: float = 0.0
    retry_delay_ms: int | None = None

    def fault(self, method: str, match: str) -> Fault:
        return Fault(
            method,
            self.code,
            first_n=1 if self.transient else None,
            latency_ms=self.latency_ms,
            retry_delay_ms=self.retry_delay_ms,
            match=match,
        )

    @property
    def retried(self) -> bool:
        return self.code in (None, "UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED")


KINDS = [
    Kind("unavailable-transient", "UNAVAILABLE", transient=True),
    Kind("unavailable-permanent", "UNAVAILABLE"),
    Kind("deadline-exceeded", "DEADLINE_EXCEEDED"),
    Kind("resource-exhausted", "RESOURCE_EXHAUSTED", retry_delay_ms=100),
    Kind("resource-exhausted-transient", "RESOURCE_EXHAUSTED", transient=True, retry_delay_ms=300),
    Kind("permission-denied", "PERMISSION_DENIED"),
    Kind("not-found", "NOT_FOUND"),
    Kind("internal", "INTERNAL"),
    Kind("latency-spike-3s", None, transient=True, latency_ms=3000),
]
# Every read method, and the services to check so that drift calls it (one service is read
# with GetService; several are listed).
READS: dict[str, list[str] | None] = {
    "ListServices": None,
    "GetService": ["api"],
    "GetRevision": None,
    "ListSecrets": None,
    "GetSecretVersion": None,
    "GetIamPolicy": None,
    "AccessSecretVersion": None,
}
SECRETS = {("api", "secret.jwt"), ("auth", "secret.jwt"), ("api", "secret.key")}
# What stays unverified when a method fails for good: (service, target or target prefix)
UNVERIFIED = {
    "ListServices": {("api", "service"), ("auth", "service"), ("split", "service")},
    "GetService": {("api", "service")},
    "GetRevision": {("split", "revision.split-")},
    "GetSecretVersion": SECRETS,
    "GetIamPolicy": SECRETS,
    "AccessSecretVersion": {("api", "secret.key")},
}
# A list that fails falls back to the item reads: the check is complete without it. ListServices
# only when it is denied (no run.services.list): after any other failure (a quota, an outage)
# one GetService per service would meet the same quota; its services are unverified.
FALLBACK = {"ListServices": "GetService", "ListSecrets": "GetSecretVersion"}
FALLBACK_ONLY_ON = {"ListServices": "PERMISSION_DENIED"}
# NOT_FOUND is an answer, not a failure, where it means "does not exist".
NOT_FOUND_IS_DRIFT = {
    "GetService": {("service.missing", "api", "service")},
    "GetSecretVersion": {
        ("secret.missing", "api", "secret.jwt"),
        ("secret.missing", "auth", "secret.jwt"),
    },
}
# ... but a version whose value was read all the same (a rule compares key's) exists: its state
# is read again once and, NOT_FOUND still, neither is judged (helper-650 F3)
NOT_FOUND_DISPROVED = {"GetSecretVersion": {("api", "secret.key")}}
BASELINE_CALLS = {
    "ListServices": 1,
    "GetService": 1,
    "GetRevision": 1,  # the split's older revision (its newer one is the template)
    "ListSecrets": 1,
    "GetSecretVersion": 2,
    "GetIamPolicy": 2,
    # key's (its min_length), and jwt's: auth's same_as side, read to mask a copy of it
    # (helper-835 F1), never required
    "AccessSecretVersion": 2,
}
CASES = [pytest.param(m, k, id=f"{m}-{k.name}") for m in READS for k in KINDS]


@dataclass
class Outcome:
    report: Report
    calls: list[Call]


class Matrix:
    """Runs the cases of one method together, the first time one of them is asked for."""

    def __init__(self, sandbox: Sandbox) -> None:
        self.sandbox = sandbox
        self.done: dict[str, dict[str, Outcome]] = {}

    def outcome(self, method: str, kind: Kind) -> Outcome:
        if method not in self.done:
            self.done[method] = self._run(method)
        return self.done[method][kind.name]

    def _run(self, method: str) -> dict[str, Outcome]:
        self.sandbox.clear_faults()
        self.sandbox.clear_calls()
        for i, kind in enumerate(KINDS):
            self.sandbox.inject(kind.fault(method, scope(i)))

        def alone(i: int) -> Report:
            # each case is a drift run of its own: its own event loop, so its own per-run quota
            # pauses and budgets (`drift.live.rates.per_run`), as two processes would have
            return asyncio.run(check_rel(i, READS[method])).report

        with ThreadPoolExecutor(len(KINDS)) as pool:
            reports = list(pool.map(alone, range(len(KINDS))))
        self.sandbox.clear_faults()
        return {
            kind.name: Outcome(reports[i], calls_in(self.sandbox, i))
            for i, kind in enumerate(KINDS)
        }


@pytest.fixture(scope="module")
def matrix(rel_sandbox: Sandbox) -> Iterator[Matrix]:
    with pytest.MonkeyPatch.context() as patch:
        for key, value in rel_sandbox.environ().items():
            patch.setenv(key, value)
        yield Matrix(rel_sandbox)


def falls_back(method: str, kind: Kind) -> bool:
    return method in FALLBACK and FALLBACK_ONLY_ON.get(method, kind.code) == kind.code


def unverified(report: Report) -> set[tuple[str, str]]:
    return {(u.service, u.target) for u in report.unverified}


def matches(found: set[tuple[str, str]], expected: set[tuple[str, str]]) -> bool:
    """Every item found is expected (targets by prefix), and every expectation is met."""
    covered = {e for e in expected for f in found if f[0] == e[0] and f[1].startswith(e[1])}
    return covered == expected and all(
        any(f[0] == e[0] and f[1].startswith(e[1]) for e in expected) for f in found
    )


def test_the_baseline_is_clean_and_calls_every_method(rel: Sandbox) -> None:
    counts: dict[tuple[str, ...], Counter[str]] = {}  # one check per set of services
    for method, services in READS.items():
        key = tuple(services or ())
        if key not in counts:
            rel.clear_calls()
            report = asyncio.run(check_rel(0, services)).report
            assert report.exit_code is ExitCode.OK and not report.findings
            assert not report.unverified
            counts[key] = rel.call_counts()
        assert counts[key][method] == BASELINE_CALLS[method], method


@pytest.mark.parametrize(("method", "kind"), CASES)
def test_check_under_fault(matrix: Matrix, method: str, kind: Kind) -> None:
    outcome = matrix.outcome(method, kind)
    report = outcome.report
    calls = [c for c in outcome.calls if c.short == method]
    codes = Counter(c.code for c in calls)

    if kind.transient or falls_back(method, kind):
        # complete: retried, or read another way
        assert report.exit_code is ExitCode.OK, report.unverified
        assert not report.findings and not report.unverified
        if falls_back(method, kind) and not kind.transient:
            fallback = [c for c in outcome.calls if c.short == FALLBACK[method]]
            assert len(fallback) >= BASELINE_CALLS[FALLBACK[method]]
    elif kind.code == "NOT_FOUND" and method in NOT_FOUND_IS_DRIFT:
        assert report.exit_code is ExitCode.DRIFT
        found = {(f.rule, f.service, f.target) for f in report.findings}
        assert found == NOT_FOUND_IS_DRIFT[method]
        assert unverified(report) == NOT_FOUND_DISPROVED.get(method, set())
        assert all("changed while drift read it" in u.reason for u in report.unverified)
    else:
        # incomplete: never 0, never "no drift", and every unread item is named with the
        # call and the status that failed
        assert report.exit_code is ExitCode.INCOMPLETE
        assert report.status.value == "incomplete"
        assert matches(unverified(report), UNVERIFIED[method]), unverified(report)
        for item in report.unverified:
            assert item.reason.startswith(f"{method} "), item.reason
            assert f": {kind.code}: " in item.reason, item.reason
        for fmt in OutputFormat:
            text = formatter_for(fmt).render(report)
            assert "no drift" not in text.lower(), fmt
            for _, target in unverified(report):
                assert target in text, (fmt, target)

    # retries: transient codes only, bounded in attempts; never a retry of the others
    baseline = BASELINE_CALLS[method]
    if kind.transient:
        assert len(calls) == baseline + 1, codes
        assert codes["OK"] == baseline
    elif kind.retried:
        assert baseline < len(calls) <= MAX_ATTEMPTS * baseline, codes
    elif kind.code == "NOT_FOUND" and method == "GetSecretVersion":
        # each version said missing read again, once, to confirm it (the profile names it,
        # so its state was asked for before its workload was read: drift.live.held_still)
        assert len(calls) == 2 * baseline, codes
    else:
        again = kind.code == "NOT_FOUND" and method in NOT_FOUND_DISPROVED
        assert len(calls) == baseline + again, codes


def test_retry_info_is_honoured(rel: Sandbox) -> None:
    rel.inject(Fault("ListServices", "RESOURCE_EXHAUSTED", first_n=1, retry_delay_ms=300))
    assert asyncio.run(check_rel(0, real_time=True)).report.exit_code is ExitCode.OK
    failed, retried = [c for c in rel.calls if c.short == "ListServices"]
    assert (failed.code, retried.code) == ("RESOURCE_EXHAUSTED", "OK")
    assert retried.at - failed.at >= 0.3  # not before the server said


def test_everything_down_is_incomplete_naming_every_service(rel: Sandbox) -> None:
    rel.inject(Fault("*", "UNAVAILABLE"))
    report = asyncio.run(check_rel(0)).report
    assert report.exit_code is ExitCode.INCOMPLETE and not report.findings
    assert {("api", "service"), ("auth", "service"), ("split", "service")} <= unverified(report)


# The same faults through real processes (side by side, one project each): the exit code, a
# report that parses, and no traceback.
PROCESS_CASES = {
    "GetIamPolicy-UNAVAILABLE": (Fault("GetIamPolicy", "UNAVAILABLE"), 3),
    "GetRevision-DEADLINE_EXCEEDED": (Fault("GetRevision", "DEADLINE_EXCEEDED"), 3),
    "Access-RESOURCE_EXHAUSTED": (Fault("AccessSecretVersion", "RESOURCE_EXHAUSTED"), 3),
    "GetSecretVersion-PERMISSION_DENIED": (Fault("GetSecretVersion", "PERMISSION_DENIED"), 3),
    "Access-NOT_FOUND": (Fault("AccessSecretVersion", "NOT_FOUND"), 3),
    "ListServices-INTERNAL": (Fault("ListServices", "INTERNAL"), 3),
    "ListServices-PERMISSION_DENIED": (Fault("ListServices", "PERMISSION_DENIED"), 0),
    "GetService-latency": (Fault("GetService", None, latency_ms=3000), 3),
    "all-UNAVAILABLE": (Fault("*", "UNAVAILABLE"), 3),
}


@pytest.fixture(scope="module")
def processes(rel_sandbox: Sandbox) -> dict[str, subprocess.CompletedProcess[str]]:
    rel_sandbox.clear_faults()
    jobs = {}
    for offset, (name, (fault, _)) in enumerate(PROCESS_CASES.items()):
        index = len(KINDS) + offset
        rel_sandbox.inject(Fault(**{**fault.__dict__, "match": scope(index)}))
        args = ["check", "rel", "--profiles", str(PROFILES), "--project", project(index)]
        args += ["--format", "json"]
        if fault.method == "GetService":
            args += ["--service", "api"]
        jobs[name] = args
    env = {**rel_sandbox.environ(), **FAST}
    with ThreadPoolExecutor(len(jobs)) as pool:
        done = dict(zip(jobs, pool.map(lambda a: drift(*a, env=env), jobs.values()), strict=True))
    rel_sandbox.clear_faults()
    return done


@pytest.mark.parametrize("case", list(PROCESS_CASES))
def test_check_process_under_fault(
    processes: dict[str, subprocess.CompletedProcess[str]], case: str
) -> None:
    done = processes[case]
    exit_code = PROCESS_CASES[case][1]
    assert done.returncode == exit_code, done.stderr
    assert "Traceback" not in done.stderr and "Traceback" not in done.stdout
    report = json.loads(done.stdout)
    assert report["exit_code"] == exit_code
    assert report["status"] == ("clean" if exit_code == 0 else "incomplete")
    assert bool(report["unverified"]) == (exit_code == 3)


def test_probe_and_plan_with_the_cloud_down(sandbox: Sandbox) -> None:
    """`drift probe` and `drift plan` read the same way: incomplete is exit 3, never clean."""
    from drift.sandbox import mint_test_jwt

    token = mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))
    sandbox.inject(Fault("*", "UNAVAILABLE"))
    env = {**sandbox.environ(), **FAST, "ACME_TEST_JWT": token}
    commands = [("probe", "e2e"), ("probe", "e2e", "--service", "api"), ("plan", "e2e")]
    with ThreadPoolExecutor(len(commands)) as pool:
        runs = list(pool.map(lambda c: drift(*c, "--profiles", "profiles", env=env), commands))
    for command, done in zip(commands, runs, strict=True):
        assert done.returncode == 3, (command, done.stderr)
        assert "Traceback" not in done.stderr and "no drift" not in done.stdout
        assert "could not be" in done.stdout, (command, done.stdout)


@pytest.mark.parametrize("slow", ["AccessSecretVersion", "GetIamPolicy"])
def test_two_failures_on_one_secret_read_the_same_whichever_answers_first(
    rel: Sandbox, slow: str
) -> None:
    """Same input, same report: the reason names both failures in a fixed order (issue 21,
    item 17: it used to be whichever answer came first)."""
    for method in ("AccessSecretVersion", "GetIamPolicy"):
        latency = 300 if method == slow else 0
        rel.inject(Fault(method, "PERMISSION_DENIED", match="/key", latency_ms=latency))
    reasons = {u.target: u.reason for u in asyncio.run(check_rel(0)).report.unverified}
    reason = reasons["secret.key"]
    assert reason.index("AccessSecretVersion") < reason.index("GetIamPolicy"), reason
