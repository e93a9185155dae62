"""Report formats: one small class per format behind `Formatter`, chosen by `OutputFormat`."""

from __future__ import annotations

from enum import StrEnum
from typing import assert_never

from drift.format.github import GitHubFormat
from drift.format.interface import Formatter
from drift.format.json import JsonFormat
from drift.format.markdown import MarkdownFormat
from drift.format.sarif import SarifFormat
from drift.format.table import TableFormat

__all__ = ["Formatter", "OutputFormat", "formatter_for"]


class OutputFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    GITHUB = "github"
    SARIF = "sarif"
    MARKDOWN = "markdown"


def formatter_for(fmt: OutputFormat, *, color: bool = False, width: int | None = None) -> Formatter:
    """The formatter for `fmt`; `color` and `width` only matter to the table."""
    if fmt is OutputFormat.TABLE:
        return TableFormat(color=color, width=width)
    if fmt is OutputFormat.JSON:
        return JsonFormat()
    if fmt is OutputFormat.GITHUB:
        return GitHubFormat()
    if fmt is OutputFormat.SARIF:
        return SarifFormat()
    if fmt is OutputFormat.MARKDOWN:
        return MarkdownFormat()
    assert_never(fmt)
