"""The formats `drift plan` can print (kept apart so the CLI imports nothing heavy)."""

from __future__ import annotations

from enum import StrEnum


class PlanFormat(StrEnum):
    TABLE = "table"
    JSON = "json"
    GCLOUD = "gcloud"
    YAML = "yaml"
