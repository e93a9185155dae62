"""A `$(X)` whose name is set nowhere stays as text on both sides (Cloud Run leaves a reference
it cannot resolve "unchanged"): `runs_as` holds, and `drift check` and `plan` say nothing of
it (helper-571: b6869b79 counted it unknown, env.value and a plan rewriting the variable for
nothing). `reference_order` orders as it did before it was sped up (a property test against
the earlier implementation)."""

from __future__ import annotations

import json
import random
from collections.abc import Callable, Sequence
from pathlib import Path
from types import SimpleNamespace as NS

import pytest

from drift.expansion import reference_order, references
from drift.live.model import EnvVar
from drift.sandbox import Sandbox
from tests.check.test_expansion_check_plan import _profile, _run, _world


# --- (1) reference_order: the parent commit's implementation, copied --------------------------
def _old_set_after(order: Sequence[str], name: str, text: str | None) -> list[str]:
    if not text or "$(" not in text:
        return []
    at = {n: i for i, n in enumerate(order)}
    return [n for n in dict.fromkeys(references(text)) if at.get(n, -1) > at.get(name, -1)]


def _old_reference_order(
    env: Sequence[tuple[str, str | None]], movable: Callable[[str], bool]
) -> tuple[list[str], set[str]]:
    names = [n for n, _ in env]
    values = dict(env)
    moved: set[str] = set()
    for _ in range(len(names)):
        before = len(moved), list(names)
        for name in [n for n in names if movable(n)]:
            late = _old_set_after(names, name, values[name])
            if late:
                names.remove(name)
                names.insert(max(names.index(n) for n in late) + 1, name)
                moved.add(name)
        if names == before[1]:
            break
    return names, moved


def _random_env(rng: random.Random) -> list[tuple[str, str | None]]:
    pool = [f"V{i}" for i in range(rng.randint(1, 8))]
    n = rng.randint(0, 8)
    # duplicates allowed now and then, as a container may hold
    names = rng.sample(pool, min(n, len(pool))) if rng.random() < 0.8 else rng.choices(pool, k=n)
    env: list[tuple[str, str | None]] = []
    for name in names:
        if rng.random() < 0.1:
            env.append((name, None))
            continue
        parts = []
        for _ in range(rng.randint(0, 4)):
            r = rng.random()
            ref = rng.choice(pool + ["NOPE", "PORT"])
            parts.append(f"$({ref})" if r < 0.6 else f"$$({ref})" if r < 0.7 else "x$")
        env.append((name, "".join(parts)))
    return env


def test_reference_order_same_as_parent() -> None:
    rng = random.Random(571)
    for _ in range(30000):
        env = _random_env(rng)
        names = {n for n, _ in env}
        movable_set = {n for n in names if rng.random() < 0.6}
        new = reference_order(list(env), movable_set.__contains__)
        old = _old_reference_order(list(env), movable_set.__contains__)
        assert new == old, (env, movable_set, new, old)


# --- (2) runs_as: a reference that resolves nowhere ---------------------------------------------
def _rule(v: str) -> NS:
    return NS(value=v, ref=None, forbidden=False)


@pytest.mark.parametrize("missing", ["NOPE", "PORT", "K_SERVICE"])
def test_runs_as_a_name_set_nowhere_left_as_text_on_both_sides(missing: str) -> None:
    """Profile URL `$(HOST)-$(X)`, HOST stated `db`; the revision sets HOST=db before URL and
    writes URL `db-$(X)`. X is set nowhere in the container (NOPE), or is one Cloud Run sets
    itself and drift leaves out of `stated` (PORT, K_SERVICE: no template may hold it): Cloud
    Run leaves `$(X)` as text in both, so both run `db-$(X)`. b6869b79^: True; HEAD: False."""
    from drift.expansion import runs_as

    env = {"HOST": EnvVar("HOST", value="db"), "URL": EnvVar("URL", value=f"db-$({missing})")}
    assert runs_as(env, "URL", f"$(HOST)-$({missing})", {"HOST": _rule("db")})


def test_check_reports_no_drift_for_a_name_set_nowhere(tmp_path: Path) -> None:
    """End to end: `drift check` on b6869b79^ says nothing; on HEAD env.URL 'differs from the
    profile', and `drift plan` rewrites URL (a canary deploy for nothing)."""
    profile = _profile("db", "$(HOST)-$(NOPE)")
    with Sandbox(_world({"HOST": "db", "URL": "db-$(NOPE)"})) as sb:
        checked = _run(sb, tmp_path, profile, "check", "--no-history", "-f", "json")
        planned = _run(sb, tmp_path, profile, "plan", "-f", "json")
    found = {f["target"] for f in json.loads(checked.stdout)["findings"]}
    changed = {f"env.{c['name']}" for s in json.loads(planned.stdout)["services"] for c in s["env"]}
    assert found == set() and changed == set(), (found, changed, checked.stdout[-1500:])
