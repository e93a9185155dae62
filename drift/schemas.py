"""The documents drift writes name their schema and its version (`drift.report/v1`,
`drift.plan/v2`, `drift.journal/v1`). One written by another version of drift is refused, and
said to be so in one wording for the three (`other_version`); which of two drift versions is
the later one (`newer`: a saved plan says which drift made it)."""

from __future__ import annotations

import re

from drift import __version__

# The two wordings, read back by `drift rollback --list` (drift.fix.rollback_view) to say why
# an entry is refused: changing one here changes it there too.
NEWER = "written by a newer drift"
OLDER = "written by an older drift"


def other_version(theirs: object, ours: str, again: str = "") -> str:
    """Why a document of schema `theirs`, another version of `ours`, is not read: written by
    a newer drift (upgrade drift, or write it again with this one: `again`, the command that
    does), or by an older one (write it again). "" when `theirs` is `ours`, or no version of
    it (not a document of that kind at all: the caller says what it is)."""
    family, _, version = ours.rpartition("/")
    their_family, _, their_version = (theirs if isinstance(theirs, str) else "").rpartition("/")
    if their_family != family or theirs == ours or not _number(their_version):
        return ""
    said = f"{{}} ({theirs}; this drift reads {ours})"
    again = f"write it again with this one (`{again}`)" if again else ""
    if _number(their_version) > _number(version):
        return said.format(NEWER) + ": upgrade drift" + (f" or {again}" if again else "")
    return said.format(OLDER) + (f": {again}" if again else "")


def _number(version: str) -> int:
    """`v2` → 2 (0: not a version drift writes)."""
    digits = version[1:] if version.startswith("v") else ""
    return int(digits) if digits.isdigit() and digits.isascii() else 0


def newer(version: str, than: str = __version__) -> bool:
    """Whether drift `version` (a saved plan's `drift_version`) is later than `than` (this
    drift), in PEP 440's order as far as drift's versions go: the release numbers, then
    `.devN` < `aN` < `bN` < `rcN` < the release < `.postN`, each stage by its number. False
    when either is not a version of that form (ASCII digits, at most 64 characters), or both
    are the same."""
    theirs, ours = _release(version), _release(than)
    return theirs is not None and ours is not None and theirs > ours


_STAGES = {"dev": 0, "a": 1, "b": 2, "rc": 3, None: 4, "post": 5}
_VERSION = re.compile(r"v?([0-9]{1,9}(?:\.[0-9]{1,9})*)(?:[.-]?(dev|a|b|rc|post)([0-9]{0,9}))?")


def _release(version: str) -> tuple[tuple[int, ...], int, int] | None:
    """The sort key of a version (None: not one; a 5,000-digit "version" is not one either)."""
    match = _VERSION.fullmatch(version.strip()) if len(version) <= 64 else None
    if not match:
        return None
    numbers = [int(n) for n in match[1].split(".")]
    while len(numbers) > 1 and numbers[-1] == 0:  # 1.0 is 1.0.0
        numbers.pop()
    return tuple(numbers), _STAGES[match[2]], int(match[3] or 0)
