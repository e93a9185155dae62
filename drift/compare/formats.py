"""The formats `drift compare` can print (kept apart so the CLI imports nothing heavy)."""

from __future__ import annotations

from enum import StrEnum


class CompareFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
