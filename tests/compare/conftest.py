"""Fixtures for compare: a sandbox with two environments of one app in two projects."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO

DATA = REPO / "tests" / "data" / "compare"
TWO_ENV_SCENARIO = DATA / "scenario.yaml"
TWO_ENV_PROFILES = DATA / "profiles"


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
