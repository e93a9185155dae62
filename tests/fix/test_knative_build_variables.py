"""A service's build variables (`build_config.environment_variables`, written as gcloud's
`run.googleapis.com/build-environment-variables` annotation) are plain values like a
container's: a credential among them is masked by the same rule and the document is then not
appliable, unless `--reveal` (revown55 F1: they were printed whole)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from google.cloud import run_v2

from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import shapes
from tests.fix.test_knative import NOT_APPLIABLE, render
from tests.fix.test_knative_function import function_plan

SECRET_SHORT = "hunter2"  # DB_PASSWORD=hunter2: masked by its name, however short
TOKEN = "ghp_" + "A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"  # a GitHub token's shape


def test_a_build_variable_named_like_a_credential_is_masked_as_a_container_variable_is() -> None:
    live = shapes.cloud_sql()
    live.build_config = run_v2.BuildConfig(
        source_location="gs://b/s.zip",
        environment_variables={"DB_PASSWORD": SECRET_SHORT, "GITHUB_TOKEN": TOKEN},
    )
    text, doc = render(live)
    assert TOKEN not in text
    assert SECRET_SHORT not in text
    why = str(doc[NOT_APPLIABLE])
    assert "build/DB_PASSWORD" in why and "build/GITHUB_TOKEN" in why, why
    shown, doc = render(live, reveal=True)  # --reveal: the file replaces the service exactly
    assert TOKEN in shown and SECRET_SHORT in shown
    assert NOT_APPLIABLE not in doc, doc.get(NOT_APPLIABLE)


def test_a_plain_build_variable_is_written_as_it_is() -> None:
    live = shapes.cloud_sql()
    live.build_config = run_v2.BuildConfig(environment_variables={"NODE_ENV": "production"})
    text, doc = render(live)
    held = doc["metadata"]["annotations"]["run.googleapis.com/build-environment-variables"]
    assert json.loads(held) == {"NODE_ENV": "production"}, text
    assert NOT_APPLIABLE not in doc, doc.get(NOT_APPLIABLE)


def test_drift_plan_yaml_in_the_sandbox_prints_no_build_credential(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    variables = {"DB_PASSWORD": SECRET_SHORT, "GITHUB_TOKEN": TOKEN}
    out = function_plan(
        make_sandbox, clients_for, monkeypatch, tmp_path, environment_variables=variables
    )
    assert TOKEN not in out.stdout + out.stderr
    assert SECRET_SHORT not in out.stdout + out.stderr
