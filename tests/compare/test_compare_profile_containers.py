"""`compare` of two profiles: a container one profile names (a sidecar: `containers: {NAME:
…}`) is one `check` requires (`container.missing` where the revision has none), so one
profile naming it and the other not is a difference, `container.only_in`, as live, even when
its rules are empty (a Cloud SQL proxy) or all optional. main: "equivalent", exit 0."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from drift.compare.render import comparison_document
from drift.compare.run import compare_profiles
from drift.profiles.loader import load_profile
from tests.cliutil import drift
from tests.compare.conftest import DATA

SCHEMA = json.loads((DATA / "compare.schema.json").read_text())
STAGING = "project: acme-staging\nregion: us-central1\nservices:\n  api:\n"
PROD = "project: acme-prod\nregion: europe-west1\nservices:\n  api:\n"


def _write(tmp_path: Path, staging: str, prod: str) -> None:
    (tmp_path / "staging.yaml").write_text(STAGING + staging)
    (tmp_path / "prod.yaml").write_text(PROD + prod)


def test_a_sidecar_one_profile_names_is_only_in_it(tmp_path: Path) -> None:
    _write(tmp_path, "    containers:\n      cloudsql-proxy: {}\n", "    settings: {}\n")
    a, b = load_profile(tmp_path, "staging"), load_profile(tmp_path, "prod")
    comparison = compare_profiles(a, b)
    [only] = comparison.differences
    assert (only.kind.value, only.service, only.target, only.side) == (
        "container.only_in", "api", "container.cloudsql-proxy", "a"
    )  # fmt: skip
    assert only.message == (
        "container cloudsql-proxy is named only in staging's profile (prod does not name it)"
    )
    assert (only.a, only.b) == ("a container named cloudsql-proxy", None)
    jsonschema.validate(comparison_document(comparison), SCHEMA)
    reverse = compare_profiles(b, a)
    assert [(d.target, d.side) for d in reverse.differences] == [("container.cloudsql-proxy", "b")]
    done = drift("compare", "staging", "prod", "--profiles", str(tmp_path))
    assert done.returncode == 1, done.stdout + done.stderr


def test_a_sidecar_of_optional_variables_is_said_once_per_variable_and_container(
    tmp_path: Path,
) -> None:
    """Its optional variables are each `env.only_in` (as before); the container itself too."""
    sidecar = "    containers:\n      otel:\n        env:\n          OTEL_LEVEL: {optional: true}\n"
    _write(tmp_path, sidecar, "    settings: {}\n")
    comparison = compare_profiles(load_profile(tmp_path, "staging"), load_profile(tmp_path, "prod"))
    found = {(d.kind.value, d.target, d.side) for d in comparison.differences}
    assert found == {
        ("container.only_in", "container.otel", "a"),
        ("env.only_in", "env.otel:OTEL_LEVEL", "a"),
    }


def test_the_same_sidecar_in_both_profiles_is_no_difference(tmp_path: Path) -> None:
    both = "    containers:\n      cloudsql-proxy: {}\n"
    _write(tmp_path, both, both)
    comparison = compare_profiles(load_profile(tmp_path, "staging"), load_profile(tmp_path, "prod"))
    assert comparison.differences == () and comparison.exit_code == 0
