""" "Did you mean": the one close name among those that exist, for a name that does not."""

from __future__ import annotations

import difflib
from collections.abc import Iterable

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
    used once (closest first), in both directions: {missing: extra, extra: missing}."""
    extra = sorted(set(extra))
    scored = sorted(
        (-difflib.SequenceMatcher(None, _key(m), _key(e)).ratio(), m, e)
        for m in sorted(set(missing))
        for e in extra
        if m != e
    )
    out: dict[str, str] = {}
    for score, m, e in scored:
        if -score < CUTOFF:
            break
        if m not in out and e not in out:
            out[m], out[e] = e, m
    return out


def told_apart(name: str, typo: str | None) -> tuple[str, str | None, str]:
    """`name` and its "did you mean" as a message shows them, and what to add after the
    suggestion: a look-alike pair (`textsafe.look_alike`) is two different variables (Cloud
    Run passes the bytes as written) a screen shows the same, so both are shown with the
    characters that look alike escaped (`\\u0410`, `\\u0301`, `\\x20`), and said so."""
    if typo is None or not look_alike(name, typo):
        return name, typo, ""
    return alike_escaped(name), alike_escaped(typo), f"; {LOOK_ALIKE_NAMES}"
