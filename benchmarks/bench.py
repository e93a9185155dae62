"""`make bench`: `drift check perf --format json` as a user times it (whole processes, median of
5) on generated sandboxes of 200 and 1,000 services × 30 variables at 50 ms per call, its
phases, its API calls against the lower bound, and a sequential reader on the same sandbox;
then `drift --version`, long revision histories (`benchmarks.history`), large secrets
(`benchmarks.secrets`) and a year of journal (`benchmarks.journal`). The targets live
here and there, never in timed tests."""

from __future__ import annotations

import argparse
import math
import statistics
import sys
import time
from collections.abc import Sequence

from benchmarks import history, journal, secrets, workers
from benchmarks.bound import Bound, lower_bound
from benchmarks.measure import LATENCY_MS, RUNS, SEQUENTIAL_SAMPLE, Process, Size
from benchmarks.world import ENVIRONMENT, SECRET_REFS, SECRETS, VALUE_RULES, VARS, write_profile

__all__ = ["ENVIRONMENT", "Bound", "lower_bound", "main", "write_profile"]

SIZES = (200, 1000)
METHODS = (
    "ListServices",
    "GetService",
    "GetRevision",
    "ListSecrets",
    "GetSecretVersion",
    "GetIamPolicy",
    "AccessSecretVersion",
)
PHASES = (*workers.PHASES, "exit")
# Targets (here, in the benchmark's output; never in timed tests).
SMALL_WALL = 1.0
SPEEDUP = 20.0
LARGE_WALL = 3.0
LARGE_PEAK_MB = 300.0
LINEAR = 1.0  # growth exponent of the whole process (1: linear; fixed costs make it less)
PHASE_LINEAR = 1.15  # of each phase that grows with services (1 + room for noise)
VERSION_SECONDS = 0.15
SILENT_SECONDS = 10.0  # half gRPC's own connect timeout; drift's: 5 s, then `answers`' 2 s


def _median(values: Sequence[float]) -> float:
    return statistics.median(values)


def _ms(seconds: float) -> str:
    return f"{seconds * 1000:,.0f} ms"


def _verdict(ok: bool) -> str:
    return "PASS" if ok else "MISS"


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


def _growth(small: float, large: float, ratio: float) -> float:
    """The exponent k of cost ∝ services^k between two sizes."""
    return math.log(large / small) / math.log(ratio) if small > 0 and large > 0 else 0.0


class Figures:
    """What the report needs from one size, derived once."""

    def __init__(self, size: Size) -> None:
        self.size = size
        self.wall = _median([p.wall for p in size.cli])
        self.cpu = _median([p.cpu for p in size.cli])
        self.peak = max(p.peak_mb for p in size.cli)
        self.phases = {ph: _median([run.get(ph, 0.0) for run in size.phases]) for ph in PHASES}
        seq = size.sequential
        self.per_call = seq["wall"] / sum(seq["calls"].values())
        self.seq_wall = self.per_call * size.bound.sequential.total()
        self.speedup = self.seq_wall / self.wall
        calls = [p.calls for p in size.cli]
        self.calls = calls[0]
        self.same_calls = all(c == calls[0] for c in calls)
        self.at_bound = self.same_calls and self.calls == size.bound.calls


def report(
    sizes: Sequence[Size],
    version: list[Process],
    took: float,
    silent: Sequence[Process] = (),
    histories: dict[str, float] | None = None,
    large_secrets: float | None = None,
    journals: journal.Measured | None = None,
) -> list[str]:
    from drift.settings import Settings

    concurrency = Settings().concurrency
    small, large = (Figures(s) for s in sizes)
    names = [f"{f.size.services:,} × {VARS}" for f in (small, large)]
    ratio = large.size.services / small.size.services
    out = [
        f"drift bench: `drift check {ENVIRONMENT} --format json`, whole processes spawned as a "
        f"user runs them, median of {len(small.size.cli)}, sandbox at {LATENCY_MS:g} ms per call",
        f"world: services × {VARS} variables ({SECRET_REFS} of them secret references to "
        f"{SECRETS} distinct secrets; min_length on the first reference of {VALUE_RULES} "
        "services, so values are read)",
        "load averages (1, 5, 15 min) at the start of each size: "
        + "; ".join(f"{n}: {f.size.started}" for n, f in zip(names, (small, large), strict=True)),
        "",
    ]
    rows = [["", *names, "growth k (cost ∝ services^k)"]]
    rows.append(
        [
            "whole process (wall)",
            *(_ms(f.wall) for f in (small, large)),
            f"{_growth(small.wall, large.wall, ratio):.2f}",
        ]
    )
    rows.append(
        ["  runs", *(", ".join(f"{p.wall:.2f}" for p in f.size.cli) for f in (small, large)), ""]
    )
    rows.append(
        [
            "  CPU (user + system)",
            *(_ms(f.cpu) for f in (small, large)),
            f"{_growth(small.cpu, large.cpu, ratio):.2f}",
        ]
    )
    rows.append(["  peak RSS", *(f"{f.peak:.0f} MB" for f in (small, large)), ""])
    rows.append(["phases (same command, clock per phase)", "", "", ""])
    for phase in PHASES:
        a, b = small.phases[phase], large.phases[phase]
        rows.append([f"  {phase}", _ms(a), _ms(b), f"{_growth(a, b, ratio):.2f}"])
    rows.append(["  sum", *(_ms(sum(f.phases.values())) for f in (small, large)), ""])
    rows.append(["sequential reader", *(f"{f.seq_wall:.1f} s" for f in (small, large)), ""])
    rows.append(["  faster than it", *(f"{f.speedup:.0f}×" for f in (small, large)), ""])
    out += _table(rows, right=(1, 2, 3))
    out += [
        "",
        "  start-up: interpreter and the CLI's modules; imports: what the command imports "
        "(client libraries included); profile ‖ imports: settings, YAML, merge and validation in a "
        "child process while the check and the client libraries are imported "
        "(drift.cli.overlap); API: reading "
        "live state (revision checks made while reading included); diff: rules, since, report; "
        "repairs: the repair commands the report carries; render: JSON and writing it; exit: "
        "interpreter teardown.",
    ]
    for f, name in zip((small, large), names, strict=True):
        bound, seq = f.size.bound, f.size.sequential
        out += ["", f"API calls per method, {name} (every run alike: {f.same_calls}):"]
        rows = [["method", "drift check", "lower bound", "sequential reader"]]
        rows += [
            [m, str(f.calls[m]), str(bound.calls[m]), str(bound.sequential[m])]
            for m in METHODS
            if f.calls[m] or bound.calls[m] or bound.sequential[m]
        ]
        rows.append(
            ["total", str(f.calls.total()), str(bound.total), str(bound.sequential.total())]
        )
        out += _table(rows, right=(1, 2, 3))
        rounds = math.ceil(bound.total / concurrency)
        out.append(
            f"  latency chain: {bound.chain_text} = {bound.chain} round trips × "
            f"{LATENCY_MS:g} ms = {_ms(bound.chain * LATENCY_MS / 1000)}; concurrency floor: "
            f"{bound.total} calls / {concurrency} in flight (DRIFT_CONCURRENCY's default) = "
            f"{rounds} rounds × {LATENCY_MS:g} ms = {_ms(rounds * LATENCY_MS / 1000)}"
        )
        out.append(
            "  sequential reader "
            f"measured on {seq['services']} services ({sum(seq['calls'].values())} calls in "
            f"{seq['wall']:.2f} s = {f.per_call * 1000:.1f} ms per call) × "
            f"{bound.sequential.total()} calls = {f.seq_wall:.1f} s"
        )
    version_wall = _median([p.wall for p in version])
    growing = [
        p for p in ("profile ‖ imports", "diff", "repairs", "render") if small.phases[p] > 0.02
    ]
    worst = max(growing, key=lambda p: _growth(small.phases[p], large.phases[p], ratio))
    worst_k = _growth(small.phases[worst], large.phases[worst], ratio)
    whole_k = _growth(small.wall, large.wall, ratio)
    targets = [
        ["target", "measured", "goal", "result"],
        [
            f"{names[0]}: whole process",
            _ms(small.wall),
            f"≤ {_ms(SMALL_WALL)}",
            _verdict(small.wall <= SMALL_WALL),
        ],
        [
            f"{names[0]}: faster than the sequential reader",
            f"{small.speedup:.0f}×",
            f"≥ {SPEEDUP:g}×",
            _verdict(small.speedup >= SPEEDUP),
        ],
        [
            f"{names[1]}: whole process",
            _ms(large.wall),
            f"≤ {_ms(LARGE_WALL)}",
            _verdict(large.wall <= LARGE_WALL),
        ],
        [
            f"{names[1]}: peak RSS",
            f"{large.peak:.0f} MB",
            f"≤ {LARGE_PEAK_MB:g} MB",
            _verdict(large.peak <= LARGE_PEAK_MB),
        ],
        [
            "cost linear in services: whole process",
            f"k = {whole_k:.2f}",
            f"≤ {LINEAR:g}",
            _verdict(whole_k <= LINEAR),
        ],
        [
            f"  and each growing phase (worst: {worst})",
            f"k = {worst_k:.2f}",
            f"≤ {PHASE_LINEAR:g}",
            _verdict(worst_k <= PHASE_LINEAR),
        ],
        [
            "`drift --version`",
            _ms(version_wall),
            f"≤ {_ms(VERSION_SECONDS)} (median of "
            f"{len(version)}: {', '.join(f'{p.wall:.3f}' for p in version)})",
            _verdict(version_wall <= VERSION_SECONDS),
        ],
    ]
    if silent:
        silent_wall = _median([p.wall for p in silent])
        targets.append(
            [
                "an emulator port that never answers: to the message",
                _ms(silent_wall),
                f"≤ {_ms(SILENT_SECONDS)} (gRPC's own connect timeout alone: 20 s)",
                _verdict(silent_wall <= SILENT_SECONDS),
            ]
        )
    for f, name in zip((small, large), names, strict=True):
        targets.append(
            [
                f"{name}: API calls",
                str(f.calls.total()),
                f"= lower bound {f.size.bound.total}, method by method, every run",
                _verdict(f.at_bound),
            ]
        )
    if histories:
        targets += history.rows(histories)
    if large_secrets is not None:
        targets += secrets.rows(large_secrets)
    if journals:
        targets += journal.rows(journals)
    out += ["", *_table(targets)]
    out += ["", f"(bench took {took:.0f} s: python -m benchmarks.bench)"]
    return out


def main(argv: Sequence[str] | None = None) -> int:
    from benchmarks.measure import load, measure_silent_port, measure_size, measure_version

    parser = argparse.ArgumentParser(prog="python -m benchmarks.bench", description=__doc__)
    parser.add_argument("--runs", type=int, default=RUNS, help="runs per size (median)")
    parser.add_argument(
        "--sample",
        type=int,
        default=SEQUENTIAL_SAMPLE,
        help="services the sequential reader reads; its time per call is extrapolated to all "
        "its calls (default %(default)s)",
    )
    parser.add_argument("--sizes", type=int, nargs=2, default=SIZES, metavar=("SMALL", "LARGE"))
    args = parser.parse_args(argv)
    started = time.perf_counter()
    sizes = [measure_size(n, runs=args.runs, sample=args.sample) for n in args.sizes]
    version = measure_version(args.runs)
    silent = measure_silent_port(min(args.runs, 3))
    histories = history.measure_history(min(args.runs, history.RUNS))
    large_secrets = secrets.measure_secrets(min(args.runs, secrets.RUNS))
    journals = journal.measure_journal(min(args.runs, journal.RUNS))
    took = time.perf_counter() - started
    print("\n".join(report(sizes, version, took, silent, histories, large_secrets, journals)))
    print(f"load averages at the end: {load()}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
