"""`make bench`: `drift check` on a generated 200-service sandbox, against its lower bounds and a
sequential reader, with cold start and peak memory."""

from __future__ import annotations

import argparse
import json
import math
import os
import subprocess
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from drift.profiles.model import Profile
    from drift.sandbox import Sandbox, Scenario

ENVIRONMENT = "bench"
SERVICES = 200
VARS = 30
SECRET_REFS = 10
SECRETS = 100
LATENCY_MS = 50.0
VALUE_RULES = 20  # services whose first secret reference carries a min_length rule
SEQUENTIAL_SAMPLE = 10  # services the sequential reader reads (it is linear: extrapolated)
CHECK_RUNS = 3
COLD_RUNS = 5
METHODS = (
    "ListServices",
    "GetService",
    "GetRevision",
    "ListSecrets",
    "GetSecretVersion",
    "GetIamPolicy",
    "AccessSecretVersion",
)
# Targets (here, in the benchmark's output; never in timed tests).
CHAIN_FACTOR = 4
WALL_CEILING = 1.0
SPEEDUP = 20.0
VERSION_SECONDS = 0.2
PEAK_MB = 200.0


# -- the scenario and its profile -------------------------------------------------------------


def write_profile(scenario: Scenario, directory: Path, value_rules: int = VALUE_RULES) -> Path:
    """One service block per generated service with every variable it runs with (plain values
    exactly, secret references by name), its service account, and `min_length` on the first
    secret reference of the first `value_rules` services (so values are read and counted)."""
    from drift.sandbox.scenario import SecretRef

    ((project, spec),) = scenario.projects.items()
    lines = [f"project: {project}", f"region: {spec.region}", "services:"]
    for index, (name, service) in enumerate(spec.services.items()):
        template = service.template
        lines += [f"  {name}:", "    unexpected_env: error"]
        if template.service_account:
            lines += ["    settings:", f"      service_account: {template.service_account}"]
        lines.append("    env:")
        first_secret = True
        for var, value in (template.env or {}).items():
            if isinstance(value, SecretRef):
                rule = f"secret: {value.secret}, version: {json.dumps(value.version)}"
                if first_secret and index < value_rules:
                    rule += ", min_length: 16"
                first_secret = False
                lines.append(f"      {var}: {{{rule}}}")
            elif value is not None:
                lines.append(f"      {var}: {json.dumps(value)}")
    path = directory / f"{ENVIRONMENT}.yaml"
    path.write_text("\n".join(lines) + "\n")
    return path


@dataclass(frozen=True)
class Bound:
    """The least any reader must do: distinct items per method, and the round trips on the
    dependency chain (list -> revision -> secret version/value). `sequential` is what a
    one-call-after-another reader makes for the same check (no dedupe, nothing skipped)."""

    calls: Counter[str]
    chain: int
    chain_text: str
    sequential: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.calls.values())


def lower_bound(sandbox: Sandbox, profile: Profile, page_size: int) -> Bound:
    """Computed from the sandbox's world (read directly, not through the API) and the profile,
    independently of the reader. Values: the references of rules that compare a value
    (`same_as` is not modelled: the bench profile has none)."""
    calls: Counter[str] = Counter()
    names = list(profile.services)
    world = sandbox.scenario.projects[profile.project]
    if len(names) > 1:
        calls["ListServices"] = max(1, math.ceil(len(world.services) / page_size))
    else:
        calls["GetService"] = len(names)
    calls["ListSecrets"] = 1
    refs = {(r.secret, r.version) for p in profile.services.values() for r in p.env.values()}
    refs = {(s, v) for s, v in refs if s is not None}
    expected = set(refs)
    live: dict[str, dict[str, set[tuple[str, str]]]] = {}
    for name in names:
        svc = sandbox.service(profile.project, name, region=profile.region)
        split = [t for t in svc.traffic_statuses if t.percent > 0]
        described = (
            len(split) == 1
            and svc.latest_ready_revision == svc.latest_created_revision
            and split[0].revision == svc.latest_ready_revision.rsplit("/", 1)[-1]
            and svc.observed_generation == svc.generation
            and not svc.reconciling
        )
        sources = [svc.template]
        if not described:
            calls["GetRevision"] += len(split)
            sources = [
                sandbox.revision(profile.project, name, t.revision, region=profile.region)
                for t in split
            ]
        env: dict[str, set[tuple[str, str]]] = {}
        for source in sources:
            for var in source.containers[0].env:
                key = var.value_source.secret_key_ref
                mine = env.setdefault(var.name, set())
                if key.secret:
                    mine.add((key.secret.rsplit("/", 1)[-1], key.version or "latest"))
        live[name] = env
        refs |= {ref for mine in env.values() for ref in mine}
    calls["GetSecretVersion"] = len(refs)
    calls["GetIamPolicy"] = len({s for s, _ in refs if s in world.secrets})
    values = {
        ref
        for p in profile.services.values()
        for rule in p.env.values()
        if rule.needs_value and rule.same_as is None
        for ref in live.get(p.name, {}).get(rule.name, ())
    }
    calls["AccessSecretVersion"] = len(values)
    sequential: Counter[str] = Counter(GetService=len(live), GetRevision=len(live))
    for name, env in live.items():
        rules = profile.services[name].env
        for var_name, mine in env.items():
            rule = rules.get(var_name)
            for _ in mine:  # one reference per serving revision: read each time, no dedupe
                sequential["GetSecretVersion"] += 1
                sequential["GetIamPolicy"] += 1
                if rule is not None and rule.needs_value:
                    sequential["AccessSecretVersion"] += 1
    steps = ["ListServices ∥ ListSecrets ∥ the profile's secrets"]
    if calls["GetRevision"]:
        steps.append("GetRevision")
    if values or refs - expected:
        steps.append("AccessSecretVersion" if values else "GetSecretVersion")
    return Bound(+calls, len(steps), " → ".join(steps), sequential)


# -- workers (run in their own process, so the sandbox does not share their GIL) --------------


def worker_check(profiles: Path, runs: int) -> dict[str, Any]:
    """Time `run_check` with warm imports; the API call counts come from the runner."""
    import asyncio

    import google.cloud.run_v2  # noqa: F401  (imports are cold start, measured elsewhere)
    import google.cloud.secretmanager_v1  # noqa: F401

    from drift.check import run_check
    from drift.live.calls import CallRunner
    from drift.profiles import load_profile
    from drift.settings import load_settings

    settings = load_settings(profiles_dir=profiles)
    loading = time.perf_counter()
    profile = load_profile(profiles, ENVIRONMENT)
    loaded = time.perf_counter() - loading
    out: list[dict[str, Any]] = []
    for _ in range(runs):
        runner = CallRunner(settings.access().limits)
        wall, cpu = time.perf_counter(), time.process_time()
        result = asyncio.run(run_check(profile, settings, runner=runner))
        out.append(
            {
                "wall": time.perf_counter() - wall,
                "cpu": time.process_time() - cpu,
                "calls": dict(runner.counts),
                "retries": sum(runner.retries.values()),
                "limiter_wait": sum(lim.waited for lim in runner.limiters.values()),
                "status": result.report.status.value,
                "findings": len(result.report.findings),
                "unverified": len(result.report.unverified),
            }
        )
    return {
        "runs": out,
        "profile_load": loaded,
        "concurrency": settings.concurrency,
        "rpm": {"run": settings.run_rpm, "secrets": settings.secrets_rpm},
    }


def worker_sequential(profiles: Path, sample: int) -> dict[str, Any]:
    """What a loop over `gcloud run services describe`, `gcloud run revisions describe` and
    `gcloud secrets versions describe` / `get-iam-policy` / `versions access` does: the sync
    official clients, one call after another, no dedupe. Reads `sample` services spread
    evenly over the profile."""
    import grpc
    from google.cloud import run_v2, secretmanager_v1
    from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport
    from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )
    from google.iam.v1 import iam_policy_pb2

    from drift.live.clients import RUN_EMULATOR, SECRETS_EMULATOR
    from drift.profiles import load_profile

    profile = load_profile(profiles, ENVIRONMENT)
    run_channel = grpc.insecure_channel(os.environ[RUN_EMULATOR])
    secrets_channel = grpc.insecure_channel(os.environ[SECRETS_EMULATOR])
    services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=run_channel))
    revisions = run_v2.RevisionsClient(transport=RevisionsGrpcTransport(channel=run_channel))
    secrets = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=secrets_channel)
    )
    parent = f"projects/{profile.project}/locations/{profile.region}"
    calls: Counter[str] = Counter()
    every = list(profile.services)
    names = [every[i * len(every) // sample] for i in range(sample)]
    started = time.perf_counter()
    for name in names:
        svc = services.get_service(name=f"{parent}/services/{name}")
        calls["GetService"] += 1
        revision = revisions.get_revision(name=svc.latest_ready_revision)
        calls["GetRevision"] += 1
        rules = profile.services[name].env
        for var in revision.containers[0].env:
            key = var.value_source.secret_key_ref
            if not key.secret:
                continue
            secret = f"projects/{profile.project}/secrets/{key.secret}"
            version = f"{secret}/versions/{key.version or 'latest'}"
            secrets.get_secret_version(name=version)
            calls["GetSecretVersion"] += 1
            secrets.get_iam_policy(request=iam_policy_pb2.GetIamPolicyRequest(resource=secret))
            calls["GetIamPolicy"] += 1
            rule = rules.get(var.name)
            if rule is not None and rule.needs_value:
                secrets.access_secret_version(name=version)
                calls["AccessSecretVersion"] += 1
    wall = time.perf_counter() - started
    run_channel.close()
    secrets_channel.close()
    return {"wall": wall, "services": len(names), "calls": dict(calls)}


def _worker(args: argparse.Namespace) -> int:
    if args.worker == "check":
        result = worker_check(args.profiles, args.runs)
    else:
        result = worker_sequential(args.profiles, args.sample)
    print(json.dumps(result))
    return 0


# -- measurements from the outside --------------------------------------------------------------


def _spawn_json(argv: Sequence[str], env: dict[str, str]) -> dict[str, Any]:
    done = subprocess.run(argv, env=env, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SystemExit(f"bench worker failed ({done.returncode}):\n{done.stderr}")
    parsed: dict[str, Any] = json.loads(done.stdout.strip().splitlines()[-1])
    return parsed


@dataclass(frozen=True)
class Process:
    wall: float
    cpu: float
    first_call: float | None
    peak_mb: float
    exit_code: int


def _timed_process(argv: Sequence[str], env: dict[str, str], sandbox: Sandbox | None) -> Process:
    """Run a process: its wall time, the delay from its start to the first RPC the sandbox
    received, and its peak resident memory (wait4's ru_maxrss, KiB on Linux)."""
    if sandbox is not None:
        sandbox.clear_calls()
    with tempfile.TemporaryFile() as sink:
        started = time.monotonic()
        proc = subprocess.Popen(argv, env=env, stdout=sink, stderr=sink)
        _, status, usage = os.wait4(proc.pid, 0)
        wall = time.monotonic() - started
        proc.returncode = os.waitstatus_to_exitcode(status)
        if proc.returncode not in (0, 1):
            sink.seek(0)
            output = sink.read().decode(errors="replace")
            raise SystemExit(f"{' '.join(argv)} exited {proc.returncode}:\n{output}")
    first = None
    if sandbox is not None:
        arrivals = [call.at for call in sandbox.calls]
        first = min(arrivals) - started if arrivals else None
    cpu = usage.ru_utime + usage.ru_stime
    return Process(wall, cpu, first, usage.ru_maxrss / 1024, proc.returncode)


# -- report -------------------------------------------------------------------------------------


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:.0f} ms"


def _table(rows: Sequence[Sequence[str]], right: Sequence[int] = ()) -> list[str]:
    widths = [max(len(r[i]) for r in rows) for i in range(len(rows[0]))]
    out = []
    for row in rows:
        cells = [
            cell.rjust(widths[i]) if i in right else cell.ljust(widths[i])
            for i, cell in enumerate(row)
        ]
        out.append("  " + "  ".join(cells).rstrip())
    return out


@dataclass(frozen=True)
class Measured:
    checks: list[dict[str, Any]]
    profile_load: float
    concurrency: int
    rpm: dict[str, int]
    server_calls: Counter[str]
    cli: list[Process]
    version: list[Process]
    sequential: dict[str, Any]
    bound: Bound


def measure(sample: int) -> Measured:
    from drift.live.api import LIST_PAGE_SIZE
    from drift.profiles import load_profile
    from drift.sandbox import Sandbox, generate

    scenario = generate(services=SERVICES, vars=VARS, secret_refs=SECRET_REFS, secrets=SECRETS)
    python = sys.executable
    with (
        tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp,
        Sandbox(scenario, latency_ms=LATENCY_MS) as sandbox,
    ):
        profiles = Path(tmp)
        write_profile(scenario, profiles)
        bound = lower_bound(sandbox, load_profile(profiles, ENVIRONMENT), LIST_PAGE_SIZE)
        # The children run as a user's would: bytecode caches allowed, emulator hosts set.
        env = {**os.environ, **sandbox.environ(), "NO_COLOR": "1"}
        env.pop("PYTHONDONTWRITEBYTECODE", None)
        worker = [python, "-m", "benchmarks.bench", "--profiles", str(profiles)]

        sandbox.clear_calls()
        checked = _spawn_json([*worker, "--worker", "check", "--runs", str(CHECK_RUNS)], env)
        server_calls = sandbox.call_counts()

        cli = [python, "-m", "drift", "check", ENVIRONMENT, "--profiles", str(profiles)]
        cli += ["--format", "json", "--output", os.devnull]
        cli_runs = [_timed_process(cli, env, sandbox) for _ in range(CHECK_RUNS)]
        version = [
            _timed_process([python, "-m", "drift", "--version"], env, None)
            for _ in range(COLD_RUNS)
        ]
        sequential = _spawn_json([*worker, "--worker", "sequential", "--sample", str(sample)], env)
    return Measured(
        checks=checked["runs"],
        profile_load=checked["profile_load"],
        concurrency=checked["concurrency"],
        rpm=checked["rpm"],
        server_calls=server_calls,
        cli=cli_runs,
        version=version,
        sequential=sequential,
        bound=bound,
    )


def report(m: Measured) -> list[str]:
    from drift.live.calls import Limits

    bound, runs = m.bound, m.checks
    best = min(runs, key=lambda r: r["wall"])
    calls = Counter(best["calls"])
    same_every_run = all(Counter(r["calls"]) == calls for r in runs)
    server_agrees = m.server_calls == Counter({k: n * len(runs) for k, n in calls.items()})
    latency = LATENCY_MS / 1000
    chain = bound.chain * latency
    rounds = math.ceil(bound.total / m.concurrency)
    wall, cpu = best["wall"], best["cpu"]
    wall_goal = CHAIN_FACTOR * chain + cpu
    seq = m.sequential
    seq_calls_sampled = sum(seq["calls"].values())
    per_call = seq["wall"] / seq_calls_sampled
    seq_total = bound.sequential.total()
    seq_wall = per_call * seq_total
    speedup = seq_wall / wall
    version = min(p.wall for p in m.version)
    first_calls = [p.first_call for p in m.cli if p.first_call is not None]
    peak = max(p.peak_mb for p in m.cli)
    process = min(m.cli, key=lambda p: p.wall)
    process_goal = CHAIN_FACTOR * chain + process.cpu
    access_budget = Limits().access_rpm

    out = [
        f"drift bench: {SERVICES} services × {VARS} variables ({SECRET_REFS} of them secret "
        f"references to {SECRETS} distinct secrets; min_length on the first reference of "
        f"{VALUE_RULES} services)",
        f"sandbox latency {LATENCY_MS:g} ms per call; DRIFT_CONCURRENCY={m.concurrency}; "
        f"`drift check` timed in its own process with warm imports, best of {len(runs)} "
        f"(all: {', '.join(_ms(r['wall']) for r in runs)}); result: {best['status']}, "
        f"{best['findings']} findings, {best['unverified']} unverified, "
        f"{best['retries']} retries",
        "",
        "API calls per method:",
    ]
    rows = [["method", "drift check", "lower bound", "sequential reader"]]
    rows += [
        [method, str(calls[method]), str(bound.calls[method]), str(bound.sequential[method])]
        for method in METHODS
        if calls[method] or bound.calls[method] or bound.sequential[method]
    ]
    rows.append(["total", str(calls.total()), str(bound.total), str(seq_total)])
    out += _table(rows, right=(1, 2, 3))
    out += [
        "",
        "Lower bounds and the sequential reader:",
        f"  latency chain: {bound.chain_text} = {bound.chain} round trips × {LATENCY_MS:g} ms "
        f"= {_ms(chain)}",
        f"  concurrency floor: {bound.total} calls / {m.concurrency} in flight = {rounds} "
        f"rounds × {LATENCY_MS:g} ms = {_ms(rounds * latency)}",
        f"  CPU of the check (its process, best run): {_ms(cpu)}",
        f"  sequential reader: measured on {seq['services']} services spread over the "
        f"{SERVICES} ({seq_calls_sampled} calls in {seq['wall']:.2f} s = "
        f"{per_call * 1000:.1f} ms per call) × {seq_total} calls = {seq_wall:.1f} s",
        "",
    ]
    targets = [
        ["target", "measured", "goal", "result"],
        [
            "drift check wall time",
            _ms(wall),
            f"≤ {CHAIN_FACTOR} × chain {_ms(chain)} + CPU {_ms(cpu)} = {_ms(wall_goal)}",
            _verdict(wall <= wall_goal),
        ],
        [
            "drift check wall time",
            _ms(wall),
            f"< {_ms(WALL_CEILING)}",
            _verdict(wall < WALL_CEILING),
        ],
        [
            "faster than the sequential reader",
            f"{speedup:.0f}×",
            f"≥ {SPEEDUP:g}× ({seq_wall:.1f} s / {_ms(wall)})",
            _verdict(speedup >= SPEEDUP),
        ],
        [
            "API calls",
            str(calls.total()) + ("" if same_every_run and server_agrees else " (varied!)"),
            f"= lower bound {bound.total}, method by method",
            _verdict(same_every_run and server_agrees and calls == bound.calls),
        ],
        [
            "`python -m drift --version`",
            _ms(version),
            f"< {_ms(VERSION_SECONDS)} (best of {len(m.version)})",
            _verdict(version < VERSION_SECONDS),
        ],
        [
            "`drift check` start to first API call",
            _ms(min(first_calls)) if first_calls else "n/a",
            f"(no target; best of {len(m.cli)}; loading the {SERVICES}-service profile "
            f"alone takes {_ms(m.profile_load)})",
            "-",
        ],
        [
            "`drift check` process, start to exit",
            _ms(process.wall),
            f"≤ {CHAIN_FACTOR} × chain {_ms(chain)} + its CPU {_ms(process.cpu)} = "
            f"{_ms(process_goal)}",
            _verdict(process.wall <= process_goal),
        ],
        [
            "`drift check` process peak memory",
            f"{peak:.0f} MB",
            f"< {PEAK_MB:g} MB (ru_maxrss)",
            _verdict(peak < PEAK_MB),
        ],
    ]
    out += _table(targets)
    reads = sum(calls[k] for k in ("ListSecrets", "GetSecretVersion", "GetIamPolicy"))
    out += [
        "",
        "Rate limits (client side, at most N calls in any 60 s per API; the budget is the burst):",
        f"  Cloud Run Admin {m.rpm['run']}/min (quota 1000 reads/min/region), Secret Manager "
        f"reads {m.rpm['secrets']}/min (quota 600/min/project), Secret Manager accesses "
        f"{access_budget}/min (quota 90000/min/project).",
        f"  This check: Cloud Run {calls['ListServices'] + calls['GetRevision']}, Secret "
        f"Manager reads {reads}, accesses {calls['AccessSecretVersion']} — all within "
        f"the budgets, so the limiter waited {best['limiter_wait']:.1f} s. A check needing "
        f"more than {m.rpm['secrets']} reads sends {m.rpm['secrets']} at once and the rest "
        f"as the 60 s window slides: never over the quota in any minute, counted by a sliding "
        f"or a calendar minute.",
    ]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__)
    parser.add_argument(
        "--sample",
        type=int,
        default=SEQUENTIAL_SAMPLE,
        help="services the sequential reader reads; its time per call is extrapolated to "
        f"all its calls (default %(default)s, {SERVICES} for all: about 4 minutes)",
    )
    parser.add_argument("--worker", choices=("check", "sequential"), help=argparse.SUPPRESS)
    parser.add_argument("--profiles", type=Path, help=argparse.SUPPRESS)
    parser.add_argument("--runs", type=int, default=CHECK_RUNS, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)
    if args.worker:
        return _worker(args)
    started = time.perf_counter()
    measured = measure(max(1, min(args.sample, SERVICES)))
    print("\n".join(report(measured)))
    print(f"\n(bench took {time.perf_counter() - started:.0f} s: python -m benchmarks.bench)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
