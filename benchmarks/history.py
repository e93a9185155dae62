"""`make bench`, long histories: services that keep hundreds of revisions (Cloud Run keeps up
to 1,000 a service), each revision with a drift the profile finds, so that `since` walks back
the whole history to the first revision. `drift check` with and without its history, and
`drift history`, as a user times them (whole processes, median of RUNS)."""

from __future__ import annotations

import statistics
import tempfile
from pathlib import Path
from typing import Any

from benchmarks.measure import LATENCY_MS, child_env, drift_command, timed

SERVICES = 20
OLDER = 300
"""Older revisions of each service (each changes one variable)."""
VARS = 30
RUNS = 3
PROJECT, REGION = "bench-history", "us-central1"
# Targets (here, in the benchmark's output; never in timed tests).
HISTORY_COST = 2.5
"""Seconds the histories may add to `drift check` (against `--no-history`) when `since` walks
every revision back (the worst case: a drift as old as the service, each revision normalised
and judged): about 1.8 s here, as when every listed revision was normalised up front; where
the drift is younger than the history, only the revisions it spans are."""
HISTORY_WALL = 2.0
"""Seconds for `drift history` (its default limit: the newest 20 of each service)."""


def world() -> dict[str, Any]:
    """SERVICES services of VARS plain variables and DRIFTED, which the profile expects
    otherwise: every revision has the drift, each older one a variable of its own."""
    services = {}
    for s in range(SERVICES):
        env = {f"VAR_{k:02d}": f"value-{s}-{k}" for k in range(VARS)} | {"DRIFTED": "live"}
        history = [{"env": {f"VAR_{h % VARS:02d}": f"old-{s}-{h}"}} for h in range(OLDER)]
        template = {"image": f"us-docker.pkg.dev/{PROJECT}/app/s{s}:1", "port": 8080, "env": env}
        services[f"s{s:02d}"] = {"template": template, "history": history}
    return {"projects": {PROJECT: {"number": 700000000042, "region": REGION, "services": services}}}


def _profile(world: dict[str, Any], directory: Path) -> None:
    lines = [f"project: {PROJECT}", f"region: {REGION}", "services:"]
    for name, service in world["projects"][PROJECT]["services"].items():
        lines += [f"  {name}:", "    env:"]
        env = {**service["template"]["env"], "DRIFTED": "expected"}
        lines += [f"      {k}: {v}" for k, v in env.items()]
    (directory / "hist.yaml").write_text("\n".join(lines) + "\n")


def measure_history(runs: int = RUNS) -> dict[str, float]:
    """Median walls: `check` with and without the history, and `history`."""
    from drift.sandbox import Sandbox

    scenario = world()
    commands = {
        "check --no-history": ["check", "hist", "--format", "json", "--no-history"],
        "check": ["check", "hist", "--format", "json"],
        "history": ["history", "hist", "--format", "json"],
    }
    walls: dict[str, list[float]] = {name: [] for name in commands}
    with (
        tempfile.TemporaryDirectory(prefix="drift-bench-") as tmp,
        Sandbox(scenario, latency_ms=LATENCY_MS) as sandbox,
    ):
        where = Path(tmp)
        (where / "profiles").mkdir()
        _profile(scenario, where / "profiles")
        env = child_env(sandbox.environ())
        argv = {
            n: [*drift_command(), *a, "--profiles", str(where / "profiles")]
            for n, a in commands.items()
        }
        for one in argv.values():
            timed(one, env, where)  # warm-up
        for _ in range(runs):  # interleaved, so that a busy moment hits all alike
            for name, one in argv.items():
                walls[name].append(timed(one, env, where).wall)
    return {name: statistics.median(w) for name, w in walls.items()}


def rows(walls: dict[str, float]) -> list[list[str]]:
    """The targets' rows of the report."""
    cost = walls["check"] - walls["check --no-history"]
    revisions = f"{SERVICES} services × {OLDER + 1} revisions"
    return [
        [
            f"{revisions}: what `since` adds to check",
            f"{cost * 1000:,.0f} ms",
            f"≤ {HISTORY_COST * 1000:,.0f} ms (check {walls['check'] * 1000:,.0f} ms)",
            "PASS" if cost <= HISTORY_COST else "MISS",
        ],
        [
            f"{revisions}: `drift history`",
            f"{walls['history'] * 1000:,.0f} ms",
            f"≤ {HISTORY_WALL * 1000:,.0f} ms",
            "PASS" if walls["history"] <= HISTORY_WALL else "MISS",
        ],
    ]


if __name__ == "__main__":
    import time

    started = time.perf_counter()
    print(measure_history())
    print(f"took {time.perf_counter() - started:.0f} s")
