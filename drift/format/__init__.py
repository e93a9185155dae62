"""Report formats: one small class per format behind `Formatter`, chosen by `OutputFormat`.
The classes are imported when a format is asked for: the command line only needs the enum."""

from __future__ import annotations

from enum import StrEnum
from typing import TYPE_CHECKING, assert_never

if TYPE_CHECKING:
    from drift.format.interface import Formatter

__all__ = ["OutputFormat", "formatter_for"]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    MARKDOWN = "markdown"


def formatter_for(
    fmt: OutputFormat, *, color: bool = False, width: int | None = None, summary: bool = False
) -> Formatter:
    """The formatter for `fmt`; `color` and `width` only matter to the table, `summary` (the
    step summary is written beside it) to github's."""
    if fmt is OutputFormat.TABLE:
        from drift.format.table import TableFormat

        return TableFormat(color=color, width=width)
    if fmt is OutputFormat.JSON:
        from drift.format.json import JsonFormat

        return JsonFormat()
    if fmt is OutputFormat.GITHUB:
        from drift.format.github import GitHubFormat

        return GitHubFormat(summary=summary)
    if fmt is OutputFormat.SARIF:
        from drift.format.sarif import SarifFormat

        return SarifFormat()
    if fmt is OutputFormat.MARKDOWN:
        from drift.format.markdown import MarkdownFormat

        return MarkdownFormat()
    assert_never(fmt)
