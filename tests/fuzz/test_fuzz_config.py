"""revfuzz property 1 (configuration and baseline): any `[tool.drift]` table and any damaged
baseline report give settings/a baseline or drift's own UsageError — nothing else escapes.

BUG-FINDING tests (failed on main before its fix if any): see /work/notes/reports/revfuzz.md."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from drift.baseline import parse_baseline
from drift.errors import DriftError
from drift.settings import load_settings
from tests.fuzz.budget import examples

KEYS = [
    "profiles_dir", "project", "region", "fail_on", "concurrency", "impersonate_service_account",
    "journal_dir", "run_rpm", "secrets_rpm", "call_timeout", "history", "wait", "retry_budget",
    "format", "color",
]  # fmt: skip
toml_scalars = st.one_of(
    st.booleans(),
    st.integers(min_value=-(2**63), max_value=2**63 - 1),
    st.floats(),
    st.text(st.characters(exclude_categories=("Cs",), exclude_characters='"\\'), max_size=12),
)


def toml_value(value: Any) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float):
        return (
            "nan"
            if value != value
            else (
                "inf"
                if value == float("inf")
                else "-inf"
                if value == float("-inf")
                else repr(value)
            )
        )
    if isinstance(value, int):
        return str(value)
    return json.dumps(value)


@settings(
    max_examples=examples(25),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture],
)
@given(table=st.dictionaries(st.sampled_from(KEYS), toml_scalars, max_size=4))
def test_any_tool_drift_table(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, table: dict[str, Any]
) -> None:
    monkeypatch.chdir(tmp_path)
    for name in [n for n in os.environ if n.startswith("DRIFT_")]:
        monkeypatch.delenv(name)
    body = "\n".join(f"{k} = {toml_value(v)}" for k, v in table.items())
    (tmp_path / "pyproject.toml").write_text(f"[tool.drift]\n{body}\n")
    try:
        load_settings()
    except DriftError as exc:
        assert exc.message and "Traceback" not in exc.message


VALID = {
    "schema": "drift.report/v1", "environment": "prod", "project": "p", "region": "us-central1",
    "services": ["api"], "findings": [], "unverified": [], "probes": [],
}  # fmt: skip
json_values = st.recursive(
    st.one_of(
        st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=10)
    ),
    lambda inner: st.one_of(
        st.lists(inner, max_size=3), st.dictionaries(st.text(max_size=8), inner, max_size=3)
    ),
    max_leaves=10,
)


@settings(max_examples=examples(25), deadline=None)
@given(key=st.sampled_from(sorted(VALID)), value=json_values, raw=st.binary(max_size=40))
def test_any_baseline_bytes(key: str, value: Any, raw: bytes) -> None:
    for data in (json.dumps({**VALID, key: value}).encode(), raw):
        try:
            parse_baseline("b.json", data)
        except DriftError as exc:
            assert exc.message
