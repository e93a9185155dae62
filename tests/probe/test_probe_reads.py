"""`drift probe` reads what a probe needs — the services, the revisions they reach and their
tags — and no secret: no secret's metadata, IAM policy nor value (revperf finding 5: it read
everything `check` reads, AccessSecretVersion included, audit-logged as a secret read by a
command that compares no value). `check --probe` reads secrets as before."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from benchmarks.world import ENVIRONMENT
from tests.rounds import World, bench_world, short

SERVICES = 10


@pytest.fixture
def world(tmp_path: Path) -> Iterator[World]:
    yield from bench_world(SERVICES, tmp_path)


def _secret_calls(calls: list[Any]) -> dict[str, int]:
    counts = short(calls)
    return {m: n for m, n in counts.items() if "Secret" in m or m == "GetIamPolicy"}


def test_probe_reads_no_secret(world: World) -> None:
    code, out, calls = world.drift("probe", ENVIRONMENT, "--profiles", "profiles")
    assert _secret_calls(calls) == {}, f"probe made {short(calls)}"
    # no service of the bench profile has a probe block: none is read (revcalls66 F1; what
    # a probed service's read asks for: tests/probe/test_probe_tag.py), and the run, which
    # probed nothing, is a profile error (task 833: tests/probe/test_nothing_to_probe.py)
    assert calls == [], short(calls)
    assert code == 2 and "drift probe has nothing to probe" in out, out


def test_check_with_probes_still_reads_the_secrets(world: World) -> None:
    code, out, calls = world.drift("check", ENVIRONMENT, "--profiles", "profiles", "--probe")
    assert code == 0, out
    assert short(calls)["AccessSecretVersion"] > 0, short(calls)
    assert short(calls)["GetIamPolicy"] > 0, short(calls)
