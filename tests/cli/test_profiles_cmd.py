"""`drift profiles validate` and `drift profiles schema` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import drift


def test_validate_shipped_profiles() -> None:
    done = drift("profiles", "validate", "profiles")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 profiles valid: base, e2e, staging"


def test_validate_reports_every_problem_with_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {secert: x}\n"
    )
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "profiles/staging.yaml:6: unknown key 'secert' (did you mean 'secret'?) "
        "in services.api.env.A"
    )
    assert "Traceback" not in done.stderr


def test_validate_missing_directory(tmp_path: Path) -> None:
    done = drift("profiles", "validate", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    first, hint = done.stderr.strip().splitlines()
    assert first == "drift: error: profiles directory not found: nowhere"
    assert "drift init ENV --from-live" in hint and "--profiles DIR" in hint


def test_schema_is_json_schema() -> None:
    done = drift("profiles", "schema")
    schema = json.loads(done.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "services" in schema["properties"]
