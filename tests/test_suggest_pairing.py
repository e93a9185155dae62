""" "Did you mean" pairing of missing and unexpected variables (`suggest.pairs`): the same pairs
as scoring every one on ordinary inputs, and none past its limit of work (helper-662 F3: a
service with 1,000 unnamed variables against 1,000 missing took minutes), which never changes
which findings there are, only their hint."""

from __future__ import annotations

import datetime as dt
import difflib
import random
import textwrap
from pathlib import Path

import pytest

from drift.diff import diff
from drift.diff.suggest import CUTOFF, pairs
from drift.profiles.loader import load_profile
from drift.textsafe import skeleton
from tests.livestate import plain, state
from tests.profilecopy import P_API_ENV


def scored_every_pair(missing: list[str], extra: list[str]) -> dict[str, str]:
    """The pairing as it was: every (missing, extra) pair's ratio, closest first. A pair
    difflib's own upper bounds (`real_quick_ratio`, `quick_ratio`: "an upper bound on
    ratio()") put below the cutoff is never paired, so its ratio is not worked out; nor is
    each name's key, nor difflib's index of a text, more than once (the same ratios: a
    third of the CPU of scoring each pair from scratch)."""
    keys = {name: skeleton(name).casefold() for name in {*missing, *extra}}
    matcher = difflib.SequenceMatcher(None)
    scored = []
    for e in sorted(set(extra)):
        matcher.set_seq2(keys[e])
        for m in sorted(set(missing)):
            matcher.set_seq1(keys[m])
            if m != e and matcher.real_quick_ratio() >= CUTOFF and matcher.quick_ratio() >= CUTOFF:
                scored.append((-matcher.ratio(), m, e))
    scored.sort()
    out: dict[str, str] = {}
    for score, m, e in scored:
        if -score < CUTOFF:
            break
        if m not in out and e not in out:
            out[m], out[e] = e, m
    return out


NAMES = [
    "QUEUE_NAME",
    "REDIS_HOST",
    "REDIS_PORT",
    "DB_PORT",
    "DATABASE_URL",
    "API_KEY",
    "LOG_LEVEL",
    "notifier",
    "CAFÉ",
    "CAFE\u0301",
    "\u0410PI_KEY",  # a Cyrillic А
    "x",
    "FEATURE_FLAG_1",
    "FEATURE_FLAG_12",
]


def _typo(rng: random.Random, name: str) -> str:
    chars = list(name)
    for _ in range(rng.randint(0, 2)):
        at = rng.randrange(len(chars) + 1)
        move = rng.randrange(3)
        if move == 0:
            chars.insert(at, rng.choice("AEIOU_S19 "))
        elif chars and at < len(chars):
            if move == 1:
                del chars[at]
            else:
                chars[at] = rng.choice("AEIOU_S19")
    return "".join(chars)


def test_the_same_pairs_as_scoring_every_one() -> None:
    rng = random.Random(662)
    found = 0
    for _ in range(1500):
        missing = [_typo(rng, rng.choice(NAMES)) for _ in range(rng.randint(1, 8))]
        extra = [_typo(rng, rng.choice(NAMES)) for _ in range(rng.randint(1, 40))]
        expected = scored_every_pair(missing, extra)
        assert pairs(missing, extra) == expected, (missing, extra)
        found += bool(expected)
    assert found > 500  # the inputs do hold typos


@pytest.mark.parametrize(
    ("missing", "extra", "expected"),
    [
        (["QUEUE_NAM"], ["QUEUE_NAME", "LOG_LEVEL"], {"QUEUE_NAM": "QUEUE_NAME"}),
        (["REDIS_HOST"], ["REDIS_PORT"], {}),  # a shared prefix is not a typo
        (["CAFÉ"], ["CAFE\u0301"], {"CAFÉ": "CAFE\u0301"}),  # NFC and NFD: the closest
        (["API_KEY"], ["\u0410PI_KEY", "API_KEYS"], {"API_KEY": "\u0410PI_KEY"}),
        (["A" * 40], ["A" * 39 + "B", "A" * 60], {"A" * 40: "A" * 39 + "B"}),  # lengths apart
    ],
)
def test_ordinary_pairs(missing: list[str], extra: list[str], expected: dict[str, str]) -> None:
    both = {**expected, **{e: m for m, e in expected.items()}}
    assert pairs(missing, extra) == both == scored_every_pair(missing, extra)


def _names(seed: int, count: int) -> list[str]:
    """`count` names of 40 characters, none a typo of another."""
    rng = random.Random(seed)
    return [
        "".join(rng.choice("ABCDEFGHIJKLMNOPQRSTUVWXYZ_") for _ in range(40)) for _ in range(count)
    ]


def test_past_the_limit_no_pair_is_said() -> None:
    """150 missing beside 150 unexpected names of 40 characters (1,800,000 characters to
    compare): not one typo among them is said, though `QUEUE_NAM` beside `QUEUE_NAME` is
    (and is, with fewer names around it)."""
    missing, extra = _names(1, 150), _names(2, 150)
    typo = {"QUEUE_NAM_AND_SOME_MORE_LETTERS": "QUEUE_NAME_AND_SOME_MORE_LETTERS"}
    few = pairs([*missing[:10], *typo], [*extra[:10], *typo.values()])
    assert few == {**typo, **{e: m for m, e in typo.items()}}
    assert pairs([*missing, *typo], [*extra, *typo.values()]) == {}


PROFILE = (
    P_API_ENV
    + """\
{env}
    unexpected_env: warn
"""
)


def test_past_the_limit_the_findings_stay_only_the_hint_goes(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    missing, extra = _names(1, 150), _names(2, 150)
    env = "\n".join(f"      {m}: {{required: true}}" for m in [*missing, "QUEUE_NAM"])
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(textwrap.dedent(PROFILE).format(env=env))
    profile = load_profile(Path("profiles"), "staging")
    live = state([plain(e, "v") for e in [*extra, "QUEUE_NAME"]])
    findings = diff(profile, ["api"], live, dt.date(2026, 12, 6))
    env_found = [f for f in findings if f.target.startswith("env.")]
    assert {(f.rule, f.target) for f in env_found} == {
        *(("env.missing", f"env.{m}") for m in [*missing, "QUEUE_NAM"]),
        *(("env.unexpected", f"env.{e}") for e in [*extra, "QUEUE_NAME"]),
    }
    assert not [f for f in env_found if "did you mean" in f.message]
    # the finding of the typo is the one it is with its hint: only the words differ
    alone = state([plain("QUEUE_NAME", "v")])
    hinted = {f.target: f for f in diff(profile, ["api"], alone, dt.date(2026, 12, 6))}
    assert "did you mean QUEUE_NAME?" in hinted["env.QUEUE_NAM"].message
    (unhinted,) = [f for f in env_found if f.target == "env.QUEUE_NAM"]
    assert unhinted.id == hinted["env.QUEUE_NAM"].id
