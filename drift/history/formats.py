"""The formats `drift history` can print (kept apart so the CLI imports nothing heavy)."""

from __future__ import annotations

from enum import StrEnum


class HistoryFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    MARKDOWN = "markdown"
