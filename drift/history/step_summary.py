"""The Markdown history within the room GitHub's step summary has left (`drift history
--format markdown` into `$GITHUB_STEP_SUMMARY`): whole when it fits; else the newest rows of
every service and job, whole rows only, and a line saying what was left out and how to see
it all. GitHub shows none of a step's summary past 1 MiB (`drift.format.markdown`)."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable

from drift.history.model import HistoryResult
from drift.history.render import MarkdownPart, markdown_parts
from drift.textsafe import md_code, plural, visible


def history_within(result: HistoryResult, room: int) -> tuple[str, str]:
    """The history in Markdown within `room` UTF-8 bytes, and what was left out ("" when it
    is whole). Cut, it keeps the head, the tail (what could not be read, the notes, the
    summary line) and the `k` newest rows of every part, `k` as large as fits; when not even
    one row each fits, the parts in order, one row each, as many as fit. The text is empty
    when not even the head, the tail and the line saying what was left out fit."""
    head, parts, tail = markdown_parts(result)
    cut = _Cut(result, head, parts, tail, room)
    most = max((len(p.rows) for p in parts), default=0)
    if _fits(whole := cut.text(most, len(parts)), room):
        return whole, ""
    kept, shown = _largest(lambda k: _fits(cut.text(k, len(parts)), room), most), len(parts)
    if kept == 0:  # not one row of each: the first parts, one row each
        kept, shown = 1, _largest(lambda m: _fits(cut.text(1, m), room), len(parts))
    text = cut.text(kept, shown)
    return (text, cut.left(kept, shown)) if _fits(text, room) else ("", "the history")


class _Cut:
    """The history with each part's `k` newest rows and the first `m` parts, and the line
    that says what that leaves out."""

    def __init__(
        self,
        result: HistoryResult,
        head: list[str],
        parts: list[MarkdownPart],
        tail: list[str],
        room: int,
    ) -> None:
        self.result, self.head, self.parts, self.tail, self.room = result, head, parts, tail, room

    def left(self, k: int, m: int) -> str:
        """What keeping the `k` newest rows of the first `m` parts leaves out, as the cut's
        last line says it: "12 revisions, 3 configurations left out, the oldest of each"
        (empty: nothing)."""
        rows = Counter[str]()
        for i, part in enumerate(self.parts):
            rows[part.unit] += len(part.rows) - (min(k, len(part.rows)) if i < m else 0)
        counts = ", ".join(plural(n, unit) for unit, n in rows.items() if n)
        if m == len(self.parts):
            return f"{counts} left out, the oldest of each" if counts else ""
        hidden = plural(len(self.parts) - m, "service or job", "services and jobs")
        why = f"the newest row of the first {m} shown, the {hidden} after them not at all"
        return f"{counts or 'no row'} left out: {why if m else f'{hidden} not shown at all'}"

    def text(self, k: int, m: int) -> str:
        kept = [line for p in self.parts[:m] for line in (*p.above, *p.rows[:k])]
        lines = [*self.head, *kept, *self.tail]
        if left := self.left(k, m):
            command = f"drift history {self.result.environment} --format json --output FILE"
            lines += [
                "",
                f"> drift: this history is cut to fit the room left in GitHub's step summary "
                f"({self.room} bytes): {left}. The same command "
                f"with `--output` naming a file of its own ({md_code(visible(command))}, kept "
                "as an artifact) has them all.",
            ]
        return "\n".join(lines) + "\n"


def _fits(text: str, room: int) -> bool:
    return len(text.encode()) <= room


def _largest(fits: Callable[[int], bool], most: int) -> int:
    """The largest n in 1..most for which `fits(n)` (which then holds for every smaller n),
    0 when none does (`fits(0)` is never asked)."""
    low, high = 0, most
    while low < high:
        middle = (low + high + 1) // 2
        if fits(middle):
            low = middle
        else:
            high = middle - 1
    return low
