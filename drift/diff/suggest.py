""" "Did you mean": the one close name among those that exist, for a name that does not."""

from __future__ import annotations

import bisect
import difflib
import math
from collections.abc import Iterable
from itertools import accumulate

from drift.textsafe import LOOK_ALIKE_NAMES, alike_escaped, look_alike, skeleton

CUTOFF = 0.85
"""How alike two names must be (difflib's ratio, ignoring case): a letter left out, added or
swapped in a name of six or more (QUEUE_NAM / QUEUE_NAME, notifer / notifier), not two
names that share a prefix (REDIS_HOST / REDIS_PORT is 0.8). Names are compared as a screen
shows them (`textsafe.skeleton`): a look-alike (NFC and NFD `CAFÉ`, a Cyrillic `А`, a
trailing space) is the closest of all."""


def _key(name: str) -> str:
    return skeleton(name).casefold()


def closest(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate most like `name`, if one is close enough to be a typo of it."""
    by_key: dict[str, str] = {}
    for candidate in sorted(set(candidates)):
        if candidate != name:
            by_key.setdefault(_key(candidate), candidate)
    found = difflib.get_close_matches(_key(name), list(by_key), n=1, cutoff=CUTOFF)
    return by_key[found[0]] if found else None


def near_miss(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` may stand for: a typo of it (`closest`), else the one candidate
    that is `name` with a hyphenated part added or left out at either end (web / web-servce,
    api / prod-api: a rename that one side did not follow), when only one is."""
    typo = closest(name, candidates)
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


def pairs(missing: Iterable[str], extra: Iterable[str]) -> dict[str, str]:
    """Names expected but absent paired with a close name present but not expected, each
    used once (closest first), in both directions: {missing: extra, extra: missing}.

    Only names of lengths close enough for `CUTOFF` are compared, each name's key made once,
    and difflib's bounds (`real_quick_ratio`, `quick_ratio`, as `get_close_matches` uses
    them) tried before its ratio: the same pairs as scoring every one. Past `PAIRING_WORK`
    none is said (`pairing_work`): the hint is for a typo, and hundreds of names missing
    beside hundreds unexpected are not one (scoring them all took minutes, helper-662 F3);
    which findings there are never depends on it, only their "did you mean"."""
    keys = {name: _key(name) for name in {*missing, *extra}}
    absent, present = _by_length(set(missing), keys), _by_length(set(extra), keys)
    if pairing_work(absent, present, keys) > PAIRING_WORK:
        return {}
    lengths = [len(keys[m]) for m in absent]
    matcher = difflib.SequenceMatcher(None)
    scored = []
    for e in present:
        matcher.set_seq2(keys[e])  # difflib keeps what it learns of the second text
        low, high = _window(len(keys[e]), lengths)
        for m in absent[low:high]:
            if m == e:
                continue
            matcher.set_seq1(keys[m])
            if (
                matcher.real_quick_ratio() >= CUTOFF
                and matcher.quick_ratio() >= CUTOFF
                and (ratio := matcher.ratio()) >= CUTOFF
            ):
                scored.append((-ratio, m, e))
    out: dict[str, str] = {}
    for _, m, e in sorted(scored):
        if m not in out and e not in out:
            out[m], out[e] = e, m
    return out


PAIRING_WORK = 1_000_000
"""The most characters `pairs` compares, counted as `pairing_work` does: 25,000 pairs of
names of 20 characters (25 missing beside 1,000 unexpected), a second or less however alike
they are made (two anagrams of 20 characters, which pass difflib's bounds and fail its
ratio, cost under a microsecond a character)."""


def pairing_work(absent: list[str], present: list[str], keys: dict[str, str]) -> int:
    """The characters of the pairs `pairs` would compare (both names of each pair of close
    enough lengths), counted before any is: `absent` and `present` sorted by key length."""
    lengths = [len(keys[m]) for m in absent]
    sums = [0, *accumulate(lengths)]
    work = 0
    for e in present:
        size = len(keys[e])
        low, high = _window(size, lengths)
        work += (high - low) * size + sums[high] - sums[low]
    return work


def _by_length(names: set[str], keys: dict[str, str]) -> list[str]:
    return sorted(names, key=lambda name: (len(keys[name]), name))


def _window(size: int, lengths: list[int]) -> tuple[int, int]:
    """The slice of `lengths` (sorted) that a text of `size` characters may be `CUTOFF`
    alike: difflib's ratio is at most 2 * min(a, b) / (a + b) (`real_quick_ratio`); a
    character wider either way, rounding is left to that bound."""
    least = math.floor(size * CUTOFF / (2 - CUTOFF))
    most = math.ceil(size * (2 - CUTOFF) / CUTOFF)
    return bisect.bisect_left(lengths, least), bisect.bisect_right(lengths, most)


def told_apart(name: str, typo: str | None) -> tuple[str, str | None, str]:
    """`name` and its "did you mean" as a message shows them, and what to add after the
    suggestion: a look-alike pair (`textsafe.look_alike`) is two different variables (Cloud
    Run passes the bytes as written) a screen shows the same, so both are shown with the
    characters that look alike escaped (`\\u0410`, `\\u0301`, `\\x20`), and said so."""
    if typo is None or not look_alike(name, typo):
        return name, typo, ""
    return alike_escaped(name), alike_escaped(typo), f"; {LOOK_ALIKE_NAMES}"
