"""A bench world (`benchmarks.world`: N services × 30 variables) in a sandbox that answers
every call after 50 ms, and drift run against it as a whole process: what a command costs is
judged by its calls and its ROUNDS — clusters of call arrivals less than 40 ms apart, each one
sequential round trip the user waits for — never by wall time (the machine is shared)."""

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
    ats = sorted(c.at for c in calls)
    n, start = (1, ats[0]) if ats else (0, 0.0)
    for at in ats[1:]:
        if at - start >= 0.040:
            n, start = n + 1, at
    return n


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
