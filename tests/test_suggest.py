""" "Did you mean" in findings: a required variable missing beside a close unexpected one, a
missing service beside a close one of the region (listed once, only when needed), and close
names only, never names that merely share a prefix."""

from __future__ import annotations

import asyncio
import datetime as dt
import textwrap
from pathlib import Path

import pytest

from drift.check import run_check
from drift.diff import diff
from drift.diff.suggest import closest, near_miss, pairs
from drift.errors import ProfileError
from drift.findings import Finding
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.livestate import plain, state, with_env
from tests.profilecopy import P_API_ENV

TODAY = dt.date(2026, 11, 24)


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        ("QUEUE_NAM", ["QUEUE_NAME", "LOG_LEVEL"], "QUEUE_NAME"),
        ("notifer", ["notifier", "api", "web"], "notifier"),
        ("queue_name", ["QUEUE_NAME"], "QUEUE_NAME"),  # names are case-sensitive: a typo
        ("REDIS_HOST", ["REDIS_PORT"], None),  # a shared prefix is not a typo
        ("DB_HOST", ["DB_PORT"], None),
        ("api", ["app", "web"], None),
        ("api", ["api"], None),  # the name itself is never a suggestion
    ],
)
def test_closest(name: str, candidates: list[str], expected: str | None) -> None:
    assert closest(name, candidates) == expected


@pytest.mark.parametrize(
    ("name", "candidates", "expected"),
    [
        ("web-servce", ["web", "api"], "web"),  # a part added: a rename not followed
        ("web", ["web-service", "api"], "web-service"),
        ("prod-api", ["api", "web"], "api"),
        ("notifer", ["notifier"], "notifier"),  # a typo, as `closest`
        ("chat", ["web"], None),  # another name: a new service
        ("webhook", ["web"], None),  # a shared prefix alone is no near miss
        ("web-api", ["web", "api"], None),  # two would fit: none is said
    ],
)
def test_near_miss(name: str, candidates: list[str], expected: str | None) -> None:
    assert near_miss(name, candidates) == expected


def test_pairs_use_each_name_once_closest_first() -> None:
    found = pairs(["QUEUE_NAM", "QUEUE_NAMES_"], ["QUEUE_NAME"])
    assert found == {"QUEUE_NAM": "QUEUE_NAME", "QUEUE_NAME": "QUEUE_NAM"}


PROFILE = (
    P_API_ENV
    + """\
      QUEUE_NAM: {required: true}
      REDIS_HOST: {required: true}
    unexpected_env: warn
"""
)


def staging(directory: Path, text: str) -> Profile:
    """`text` as profiles/staging.yaml under `directory` (the working directory), loaded."""
    (directory / "profiles").mkdir()
    (directory / "profiles" / "staging.yaml").write_text(textwrap.dedent(text))
    return load_profile(Path("profiles"), "staging")


@pytest.fixture
def profile(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Profile:
    monkeypatch.chdir(tmp_path)
    return staging(tmp_path, PROFILE)


def by_target(findings: list[Finding]) -> dict[str, Finding]:
    return {f.target: f for f in findings}


def test_missing_variable_points_at_the_close_unexpected_one(profile: Profile) -> None:
    live = state(
        with_env(QUEUE_NAME=plain("QUEUE_NAME", "jobs"), REDIS_PORT=plain("REDIS_PORT", "6379"))
    )
    found = by_target(diff(profile, ["api"], live, TODAY))
    assert found["env.QUEUE_NAM"].rule == "env.missing"
    assert found["env.QUEUE_NAM"].message.endswith(
        "; did you mean QUEUE_NAME? (it is set, and the profile does not name it)"
    )
    assert found["env.QUEUE_NAME"].rule == "env.unexpected"
    assert found["env.QUEUE_NAME"].message.endswith(
        "; did you mean QUEUE_NAM? (the profile expects it, and it is not set)"
    )
    # REDIS_HOST is missing too, but REDIS_PORT is another variable, not a typo of it
    assert "did you mean" not in found["env.REDIS_HOST"].message
    assert "did you mean" not in found["env.REDIS_PORT"].message


def test_the_suggestion_keeps_the_finding_id(profile: Profile) -> None:
    """A finding's id is its identity across runs: the hint changes the words only."""
    with_typo = state(with_env(QUEUE_NAME=plain("QUEUE_NAME", "jobs")))
    without = state(with_env())
    ids = {f.target: f.id for f in diff(profile, ["api"], without, TODAY)}
    assert (
        by_target(diff(profile, ["api"], with_typo, TODAY))["env.QUEUE_NAM"].id
        == (ids["env.QUEUE_NAM"])
    )


def test_unknown_setting_is_a_profile_error_with_a_suggestion(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(tmp_path)
    with pytest.raises(ProfileError) as caught:
        staging(
            tmp_path,
            "project: p\nregion: us-central1\n"
            "services:\n  api:\n    settings:\n      timout: 10s\n",
        )
    (problem,) = caught.value.problems
    assert (problem.line, "did you mean 'timeout'?" in problem.message) == (6, True)


SANDBOX_PROFILE = """
project: acme-chat-staging
region: us-central1
services:
  api: {}
  aut: {}
"""


@pytest.mark.parametrize("only", [None, "aut"], ids=["listed-anyway", "listed-when-missing"])
def test_missing_service_suggests_a_close_one(
    only: str | None, sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """With several services drift lists the region anyway; with one, a second call lists
    it only because the service is missing. Either way the missing one is asked for with its
    GetService: a List's silence proves nothing (AIP-158), only the Get's NOT_FOUND does."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profile = staging(tmp_path, SANDBOX_PROFILE)
    services = [only] if only else None
    result = asyncio.run(run_check(profile, load_settings(), services=services, today=TODAY))
    (missing,) = [f for f in result.report.findings if f.rule == "service.missing"]
    assert missing.message == (
        "service aut does not exist in acme-chat-staging/us-central1; did you mean auth?"
    )
    counts = sandbox.call_counts()
    assert counts["ListServices"] == 1
    assert counts["GetService"] == 1
