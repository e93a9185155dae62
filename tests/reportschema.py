"""The machine contract of drift.report/v1 (tests/data/report.schema.json), for tests that
validate a report drift wrote."""

from __future__ import annotations

import json
from typing import Any

import jsonschema

from tests.cliutil import REPO

SCHEMA: dict[str, Any] = json.loads((REPO / "tests" / "data" / "report.schema.json").read_text())


def schema_errors(document: dict[str, Any]) -> list[str]:
    """Every way `document` breaks the schema, in words (empty: it is valid)."""
    validator = jsonschema.Draft202012Validator(SCHEMA)
    return sorted(f"{list(e.absolute_path)}: {e.message}" for e in validator.iter_errors(document))
