""" "Did you mean": the one close name among those that exist, for a name that does not."""

from __future__ import annotations

import bisect
import difflib
import functools
import math
from collections import Counter
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
    """The candidate most like `name`, if one is close enough to be a typo of it (`Names`:
    to ask of many names, index the candidates once)."""
    return Names(candidates).closest(name)


def near_miss(name: str, candidates: Iterable[str]) -> str | None:
    """The candidate `name` may stand for: a typo of it (`closest`), else the one candidate
    that is `name` with a hyphenated part added or left out at either end (web / web-servce,
    api / prod-api: a rename that one side did not follow), when only one is."""
    return Names(candidates).near_miss(name)


class Names:
    """Candidates indexed once, for the "did you mean" of many names (each missing service
    beside those a region lists, each manifest's workload beside the profile's): asked of
    every name against every candidate, the question took seconds for 500 beside 500
    (helper-681). The answers are `closest`'s and `near_miss`'s as they were: difflib's
    (`get_close_matches`, the best ratio, the greater key on a tie) over the candidates a
    bound lets through, never one it would keep out.

    The bound: difflib's ratio is 2M/T (M the characters of its matching blocks, T both
    lengths), its blocks are common substrings, and two of them with no unmatched character
    between them are one (`get_matching_blocks`), so there are at most D + 1 of them for
    D = T - 2M unmatched characters, and the names share at least M - D - 1 bigrams
    (counted with their repeats). At the cutoff that is T * (1.5 * CUTOFF - 1) - 1: an
    index of bigrams finds the candidates sharing that many. A bigram most candidates hold
    (the `svc-` of `svc-a`, `svc-b`) is not looked up, and the bound is lowered by as many:
    a candidate short enough that nothing is then required is compared whatever it holds."""

    def __init__(self, candidates: Iterable[str]) -> None:
        self._all = set(candidates)
        by_key: dict[str, list[str]] = {}
        for candidate in sorted(self._all):
            by_key.setdefault(_key(candidate), []).append(candidate)
        self._named = by_key
        self._keys = sorted(by_key, key=len)
        self._lengths = [len(k) for k in self._keys]
        self._postings: dict[str, list[tuple[int, int]]] = {}
        for index, key in enumerate(self._keys):
            for gram, count in Counter(_bigrams(key)).items():
                self._postings.setdefault(gram, []).append((index, count))
        self._common = max(16, 2 * math.isqrt(len(self._keys)))
        self._affixed: dict[str, set[str]] = {}  # `web` -> {`web-a`, `prod-web`}
        for candidate in self._all:
            for at in _hyphens(candidate):
                self._affixed.setdefault(candidate[:at], set()).add(candidate)
                self._affixed.setdefault(candidate[at + 1 :], set()).add(candidate)

    def closest(self, name: str) -> str | None:
        word = _key(name)
        matcher = difflib.SequenceMatcher(None)
        matcher.set_seq2(word)
        bounded: list[tuple[float, str]] = []
        for key in self._within(word):
            if not any(c != name for c in self._named[key]):
                continue  # only `name` itself has this key
            matcher.set_seq1(key)
            if matcher.real_quick_ratio() >= CUTOFF and (bound := matcher.quick_ratio()) >= CUTOFF:
                bounded.append((bound, key))
        # the ratio is at most `quick_ratio` (difflib: "an upper bound on ratio()"), so once
        # the bound is below the best ratio found no key left can be closer (nor tie it)
        best: tuple[float, str] | None = None
        for bound, key in sorted(bounded, reverse=True):
            if best is not None and bound < best[0]:
                break
            matcher.set_seq1(key)
            if (ratio := matcher.ratio()) >= CUTOFF and (best is None or (ratio, key) > best):
                best = (ratio, key)
        if best is None:
            return None
        return next(c for c in self._named[best[1]] if c != name)

    def near_miss(self, name: str) -> str | None:
        typo = self.closest(name)
        if typo is not None:
            return typo
        affixed = set(self._affixed.get(name, ()))  # `name-…`, `…-name`
        for at in _hyphens(name):  # `name` is a candidate's with a part added
            affixed |= {part for part in (name[:at], name[at + 1 :]) if part in self._all}
        affixed.discard(name)
        return affixed.pop() if len(affixed) == 1 else None

    def _within(self, word: str) -> list[str]:
        """The keys that may be `CUTOFF` alike `word`: of a length within reach, sharing
        enough bigrams (the class's bound), in no particular order."""
        low, high = _window(len(word), self._lengths)
        counts = Counter(_bigrams(word))
        shared: Counter[int] = Counter()
        unlooked = 0
        for gram, count in counts.items():
            posting = self._postings.get(gram, ())
            if len(posting) > self._common:
                unlooked += count
                continue
            for index, held in posting:
                if low <= index < high:
                    shared[index] += min(count, held)
        # the longest candidate of which no bigram looked up is then required, and every
        # shorter one in reach, are compared whatever they hold (`_required` is not monotonic)
        shortest, longest = (self._lengths[low], self._lengths[high - 1]) if high > low else (0, -1)
        while longest >= shortest and _required(len(word) + longest) > unlooked:
            longest -= 1
        scanned = min(max(bisect.bisect_right(self._lengths, longest), low), high)
        out = self._keys[low:scanned]
        for index, count in shared.items():
            if index >= scanned and count + unlooked >= _required(len(word) + self._lengths[index]):
                out.append(self._keys[index])
        return out


@functools.cache
def _required(total: int) -> int:
    """The bigrams two names of `total` characters in all share at least when difflib finds
    them `CUTOFF` alike (`Names`): 3M - T - 1 for the fewest matching characters M whose
    ratio, as difflib computes it (2.0 * M / T), reaches the cutoff."""
    matched = math.floor(total * CUTOFF / 2)
    while matched > 0 and 2.0 * (matched - 1) / max(total, 1) >= CUTOFF:
        matched -= 1
    while total and 2.0 * matched / total < CUTOFF:
        matched += 1
    return 3 * matched - total - 1


def _bigrams(key: str) -> list[str]:
    return [key[i : i + 2] for i in range(len(key) - 1)]


def _hyphens(name: str) -> list[int]:
    return [at for at, char in enumerate(name) if char == "-"]


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
