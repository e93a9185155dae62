"""A bench world (`benchmarks.world`: N services × 30 variables) in a sandbox that answers
every call after 50 ms, and drift run against it as a whole process: what a command costs is
judged by its calls and its ROUNDS — sequential round trips the user waits for: the longest
chain of calls each sent after the one before it was answered (`rounds`) — never by wall time
(the machine is shared)."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Iterator
from pathlib import Path
from typing import Any

from benchmarks.world import scenario, write_profile
from tests.cliutil import python_module

REPO = Path(__file__).resolve().parents[1]
LATENCY_MS = 50.0


def rounds(calls: list[Any]) -> int:
    """The sequential round trips: the longest chain of calls each of which arrived after the
    one before it in the chain was answered (`Call.ended`). Calls sent together are one round
    however a loaded machine spreads their sending, as long as none of them waited for
    another's answer."""
    ordered = sorted(calls, key=lambda c: c.at)
    depth: list[int] = []
    for i, call in enumerate(ordered):
        after = [depth[j] for j in range(i) if (e := ordered[j].ended) is not None and e <= call.at]
        depth.append(1 + max(after, default=0))
    return max(depth, default=0)


def short(calls: list[Any]) -> Counter[str]:
    return Counter(c.short for c in calls)


class World:
    def __init__(self, sandbox: Any, where: Path) -> None:
        self.sandbox, self.where = sandbox, where
        self.profiles = where / "profiles"
        self.env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
        self.env.update(sandbox.environ(), NO_COLOR="1", PYTHONPATH=str(REPO))

    def drift(self, *args: str) -> tuple[int, str, list[Any]]:
        """`drift ARGS`, a process of its own forked from the worker's zygote (the calls and
        rounds are the command's own: what it imported before it started costs none)."""
        self.sandbox.clear_calls()
        done = python_module("drift", *args, env=self.env, cwd=self.where, stdin="", timeout=600)
        return done.returncode, done.stdout + done.stderr, list(self.sandbox.calls)


def bench_world(services: int, tmp_path: Path) -> Iterator[World]:
    """`profiles/bench.yaml` as live is, and `profiles/drifted.yaml`: one plain variable
    differs on every service."""
    from drift.sandbox import Sandbox

    generated = scenario(services)
    with Sandbox(generated, latency_ms=LATENCY_MS) as sandbox:
        world = World(sandbox, tmp_path)
        world.profiles.mkdir()
        clean = write_profile(generated, world.profiles)
        drifted = re.sub(r'(PLAIN_VAR_29: )"([^"]*)"', r'\1"\2-new"', clean.read_text())
        (world.profiles / "drifted.yaml").write_text(drifted)
        yield world
