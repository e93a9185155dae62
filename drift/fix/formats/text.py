"""Text a person reads or a shell runs, made safe: control characters shown visibly, values
quoted for bash so that nothing in them (quotes, `$()`, backticks, newlines, escapes) is
interpreted, and gcloud's list syntax with a delimiter that no value contains."""

from __future__ import annotations

from collections.abc import Sequence
from typing import overload

from drift.blanks import Arg, plain, word
from drift.blanks import shell_line as shell_line  # the printed commands import it here
from drift.delimiters import delimiter_candidates as _candidates  # noqa: F401 (tests)
from drift.delimiters import first_free, free_delimiter, held_from
from drift.textsafe import shell_quote, visible


def command_line(argv: Sequence[str]) -> str:
    """A command to run as is: every word quoted."""
    return " ".join(shell_quote(a) for a in argv)


class GcloudItems(list[str]):
    """One of gcloud's lists as it is made, with the characters its items hold: an item
    joins it only while a delimiter is left for them all (each addition costs its own
    length, not the list's)."""

    def __init__(self) -> None:
        super().__init__()
        self.used: set[str] = set()
        self.held = 0
        """How many delimiter candidates, from the first, `used` holds: none of them can
        delimit the list whatever joins it (`used` only grows), so none is looked at again
        (a list of long values that holds most of them looked at them all for each item)."""

    def fits(self, item: str) -> bool:
        return first_free(self.used, set(item), skip=self.held) is not None

    def add(self, item: str) -> bool:
        """`item` added, or False (nothing added) when no delimiter would be left."""
        if not self.fits(item):
            return False
        self.used.update(item)
        self.held += held_from(self.used, self.held)
        self.append(item)
        return True


@overload
def gcloud_list(flag: str, items: Sequence[str]) -> str: ...
@overload
def gcloud_list(flag: str, items: Sequence[Arg]) -> Arg: ...
def gcloud_list(flag: str, items: Sequence[Arg]) -> Arg:
    """`--FLAG=a,b` as one argv element, switching the delimiter when an item has a comma
    (an item with blanks to fill in: a `Template`)."""
    texts = [plain(i) for i in items]
    delim = free_delimiter(texts)
    if delim is None:  # `GcloudItems` keeps such a list from being made
        raise ValueError(f"{flag}: no delimiter is left for these {len(texts)} items")
    prefix = "" if delim == "," and not delim.join(texts).startswith("^") else f"^{delim}^"
    pieces: list[Arg] = [f"{flag}={prefix}"]
    for index, item in enumerate(items):
        pieces += [delim, item] if index else [item]
    return word(*pieces)


def comment(text: str) -> list[str]:
    """`text` as shell comment lines (hidden characters escaped, so none ends the comment)."""
    return [f"# {visible(line)}".rstrip() for line in text.split("\n")]
