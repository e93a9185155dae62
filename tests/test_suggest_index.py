""" "Did you mean" for many names at once (`suggest.Names`): each missing service beside the
region's others (`diff.engine._missing_service`), each manifest workload beside the profile's
(`manifest.scope.near_misses`). Asked name by name against every candidate it compared every
pair: 500 missing beside 500 listed took seconds (helper-681). The index compares only the
pairs a bound lets through, and answers as the pair-by-pair search did."""

from __future__ import annotations

import datetime as dt
import difflib
import random
import string
from collections.abc import Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest

from drift.diff import diff
from drift.diff.suggest import CUTOFF, Names
from drift.kinds import Kind
from drift.live.state import LiveState
from drift.manifest.scope import near_misses
from drift.profiles.loader import load_profile
from drift.textsafe import skeleton

MANY = 500


def key(name: str) -> str:
    return skeleton(name).casefold()


def keyed(candidates: list[str]) -> list[tuple[str, str]]:
    """Each candidate once, in order, with its key: what the search below starts from,
    worked out once for all the names asked of the same candidates."""
    return [(candidate, key(candidate)) for candidate in sorted(set(candidates))]


def closest_by_every_pair(name: str, candidates: list[tuple[str, str]]) -> str | None:
    """`closest` as it was: difflib over every candidate (`keyed`)."""
    by_key: dict[str, str] = {}
    for candidate, its_key in candidates:
        if candidate != name:
            by_key.setdefault(its_key, candidate)
    found = difflib.get_close_matches(key(name), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[found[0]] if found else None


def near_miss_by_every_pair(name: str, typo: str | None, candidates: list[str]) -> str | None:
    """`near_miss` as it was, given `closest_by_every_pair`'s answer `typo`."""
    if typo is not None:
        return typo
    affixed = sorted(
        c
        for c in set(candidates)
        if c != name
        and (
            name.startswith(f"{c}-")
            or name.endswith(f"-{c}")
            or c.startswith(f"{name}-")
            or c.endswith(f"-{name}")
        )
    )
    return affixed[0] if len(affixed) == 1 else None


def _edited(rng: random.Random, name: str) -> str:
    chars = list(name)
    for _ in range(rng.randint(0, 3)):
        at = rng.randrange(len(chars) + 1)
        if rng.random() < 0.3 and chars:
            del chars[min(at, len(chars) - 1)]
        elif rng.random() < 0.6:
            chars.insert(at, rng.choice("ab-xАé "))
        elif chars:
            chars[min(at, len(chars) - 1)] = rng.choice("ab-")
    return "".join(chars)


def test_the_same_answers_as_comparing_every_pair() -> None:
    """Alphabets of two letters to all of them, shared prefixes, look-alikes, hyphenated
    parts added at either end, the name itself among the candidates."""
    rng = random.Random(681)
    suggested = 0
    for _ in range(120):
        letters = rng.choice(["ab-", "abc-", string.ascii_lowercase + "-", "svc-" + "xyz"])
        prefix = rng.choice(["", "svc-", "acme-prod-"])
        base = [
            prefix + "".join(rng.choices(letters, k=rng.randint(0, 24)))
            for _ in range(rng.randint(1, 60))
        ]
        candidates = [*base, *(_edited(rng, b) for b in base), f"{base[0]}-x", f"p-{base[-1]}"]
        names = Names(candidates)
        each = keyed(candidates)
        for name in [*candidates[:15], *(_edited(rng, c) for c in candidates[:15])]:
            typo = closest_by_every_pair(name, each)
            expected = near_miss_by_every_pair(name, typo, candidates)
            assert names.near_miss(name) == expected, (name, candidates)
            assert names.closest(name) == typo, name
            suggested += expected is not None
    assert suggested > 1000  # most are asked of a name with a close one


def service_names(rng: random.Random, count: int) -> list[str]:
    return [
        "-".join(rng.choices(["api", "web", "auth", "jobs"]))
        + "-"
        + "".join(rng.choices(string.ascii_lowercase, k=8))
        for _ in range(count)
    ]


@pytest.fixture
def compared(monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """How many pairs difflib was asked to compare (each starts with `real_quick_ratio`)."""
    calls = [0]
    real = difflib.SequenceMatcher.real_quick_ratio

    def counted(self: difflib.SequenceMatcher[str]) -> float:
        calls[0] += 1
        return real(self)

    monkeypatch.setattr(difflib.SequenceMatcher, "real_quick_ratio", counted)
    yield calls


def many(tmp_path: Path) -> tuple[Any, list[str], list[str]]:
    """A profile of MANY services, and MANY other names of the region, all unalike but for
    one typo of the profile's first service."""
    rng = random.Random(5)
    profiled, others = service_names(rng, MANY), service_names(rng, MANY)
    others[7] = profiled[0][:-1]  # a letter left out
    folder = tmp_path / "profiles"
    folder.mkdir()
    services = "".join(f"  {n}:\n    env: {{A: x}}\n" for n in profiled)
    (folder / "p.yaml").write_text(f"project: p\nregion: us-central1\nservices:\n{services}")
    return load_profile(folder, "p"), profiled, others


def test_many_missing_services_compare_few_pairs(tmp_path: Path, compared: list[int]) -> None:
    profile, profiled, others = many(tmp_path)
    state = LiveState(missing=set(profiled), listed=set(others))
    found = diff(profile, profiled, state, dt.date(2026, 12, 6))
    hinted = [f.message for f in found if "did you mean" in f.message]
    assert hinted == [
        f"service {profiled[0]} does not exist in p/us-central1; did you mean {others[7]}?"
    ]
    assert compared[0] < MANY * MANY // 20, compared[0]  # every pair: 250,000; indexed: 86


def test_many_manifest_workloads_compare_few_pairs(tmp_path: Path, compared: list[int]) -> None:
    profile, profiled, others = many(tmp_path)
    workloads = [
        SimpleNamespace(kind=Kind.SERVICE, name=n, where=f"m.yaml:{i}")
        for i, n in enumerate(others)
    ]
    manifests: Any = [SimpleNamespace(workloads=workloads)]
    problems = near_misses(manifests, profile, profiled, held=set())
    assert [p.split(" (")[0] for p in problems] == [f"service {others[7]}"]
    assert f"did you mean {profiled[0]}?" in problems[0]
    assert compared[0] < MANY * MANY // 20, compared[0]
