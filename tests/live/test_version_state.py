"""A secret version whose state drift does not know — STATE_UNSPECIFIED ("not specified",
secretmanager v1 resources.proto) or a value newer than the installed client — is unverified,
naming the state, never reported as DISABLED (a false finding) nor as ENABLED (clean)."""

from __future__ import annotations

import asyncio

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO

SECRET = "jwt-secret-staging"


def answer_state(sandbox: Sandbox, state: int) -> None:
    """The sandbox's Secret Manager answers `state` for every version of SECRET (a server
    newer than the client, or one that leaves the state unset)."""

    def change() -> None:
        for key, rec in sandbox._core.world.secrets.items():
            if key.secret == SECRET:
                for version in rec.versions:
                    version.pb.state = state  # type: ignore[assignment]

    sandbox._run(change)


@pytest.mark.usefixtures("sandbox_env")
@pytest.mark.parametrize(("state", "said"), [(0, "STATE_UNSPECIFIED"), (7, "number 7")])
def test_an_unknown_version_state_is_unverified(sandbox: Sandbox, state: int, said: str) -> None:
    answer_state(sandbox, state)
    profile = load_profile(REPO / "profiles", "e2e")
    report = asyncio.run(run_check(profile, load_settings(call_timeout=5.0))).report
    about = [f for f in report.findings if SECRET in f.message]
    assert not [f for f in about if f.rule == "secret.disabled"], about
    reasons = [u.reason for u in report.unverified if u.target == f"secret.{SECRET}"]
    assert reasons and all(f"state is {said}" in r for r in reasons), report.unverified
    assert report.exit_code in (ExitCode.DRIFT, ExitCode.INCOMPLETE)
