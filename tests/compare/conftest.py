"""Fixtures for compare: a sandbox with two environments of one app in two projects."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

DATA = REPO / "tests" / "data" / "compare"
TWO_ENV_SCENARIO = DATA / "scenario.yaml"
TWO_ENV_PROFILES = DATA / "profiles"


STAGING_API = "project: acme-staging\nregion: us-central1\nservices:\n  api: {}\n"
E2E_API = "project: acme-e2e\nregion: europe-west1\nservices:\n  api: {}\n"


def compare_api(sandbox: Sandbox, folder: Path) -> dict[str, Any]:
    """`drift compare staging e2e --live -f json` against `sandbox`, both profiles (STAGING_API,
    E2E_API) written in `folder`: its JSON document, with its `exit_code`."""
    (folder / "staging.yaml").write_text(STAGING_API)
    (folder / "e2e.yaml").write_text(E2E_API)
    done = drift(
        "compare", "staging", "e2e", "--live", "--profiles", str(folder), "-f", "json",
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    document["exit_code"] = done.returncode
    return document


@pytest.fixture(scope="module")
def two_envs_session() -> Iterator[Sandbox]:
    with Sandbox(TWO_ENV_SCENARIO) as sandbox:
        yield sandbox


@pytest.fixture
def two_envs(two_envs_session: Sandbox, monkeypatch: pytest.MonkeyPatch) -> Sandbox:
    """shop staging and prod, reset, with the emulator variables set for this test."""
    two_envs_session.reset()
    for key, value in two_envs_session.environ().items():
        monkeypatch.setenv(key, value)
    return two_envs_session
