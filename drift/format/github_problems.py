"""`drift profiles validate --format github`, and the problems of a bad input under any
command's `--format github` (`drift.cli.output.annotate`; any other error: `error_line`,
`drift.cli.output.error`): each problem as a GitHub Actions
annotation at its file and line, with the escaping and limits of `drift check --format github`
(drift.format.github). One rule for both: at most `ANNOTATIONS_PER_LEVEL` a level, each
message cut within the runner's limit, no line for a problem a JSON path places."""

from __future__ import annotations

from collections.abc import Callable, Sequence

from drift.errors import Problem
from drift.format.github import ANNOTATIONS_PER_LEVEL, MESSAGE_UNITS, command
from drift.format.summary import annotated, cut
from drift.textsafe import plural, visible

TITLE = "drift profile"


def problem_lines(
    problems: Sequence[Problem],
    notes: Sequence[Problem] = (),
    *,
    title: str = TITLE,
    show: Callable[[str], str] = visible,
    listed: str = "`drift profiles validate` lists them all",
) -> list[str]:
    """An `::error` per problem and a `::notice` per note, at `file`/`line`; past
    `ANNOTATIONS_PER_LEVEL` of a level (all GitHub shows of it), one plain line counts what is
    not annotated and says where they are all `listed`. `show`: how a message is made one
    safe line (masked too, for an input that may quote a secret's value)."""
    lines: list[str] = []
    dropped = 0
    for level, items in (("error", problems), ("notice", notes)):
        lines += [
            command(level, _message(p, show), **_where(p), title=title)
            for p in items[:ANNOTATIONS_PER_LEVEL]
        ]
        dropped += max(len(items) - ANNOTATIONS_PER_LEVEL, 0)
    if dropped:
        lines.append(
            f"drift: {plural(dropped, 'more problem')} not annotated (GitHub shows "
            f"{ANNOTATIONS_PER_LEVEL} per level); {listed}"
        )
    return lines


def _where(problem: Problem) -> dict[str, str | int]:
    return annotated(problem.file, 0 if problem.path else problem.line)


def error_line(message: str, *, show: Callable[[str], str] = visible) -> str:
    """A command's error that no input's line places (an API refusal, a baseline refused, a
    setting that is not set…) as one `::error` titled drift, its message as the
    `drift: error:` line says it, cut as a problem's is."""
    return command("error", _text(message, show), title="drift")


def _message(problem: Problem, show: Callable[[str], str]) -> str:
    # one line, as the problem's `file:line:` line says it: a line break in a value it
    # quotes is `\n` (`visible`), under any command (`show` keeps an error's own lines)
    said = f"{problem.path}: {problem.message}" if problem.path else problem.message
    return _text(visible(said), show)


def _text(said: str, show: Callable[[str], str]) -> str:
    # a message quotes the profile's keys and values: one visible line, cut within the
    # runner's limit (MESSAGE_UNITS counts UTF-16 units: at most two per character)
    return cut(show(said), MESSAGE_UNITS // 2 - 80)
