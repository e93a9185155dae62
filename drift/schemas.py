"""The documents drift writes name their schema and its version (`drift.report/v1`,
`drift.plan/v2`, `drift.journal/v1`). One written by another version of drift is refused, and
said to be so in one wording for the three (`other_version`)."""

from __future__ import annotations

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
