"""A probe's `${VAR}` not set says how to get it where drift knows (helper-683 L2): against
the sandbox (its emulator variables set), `eval "$(drift sandbox token)"`; in `drift fix`,
that `--no-verify` fixes without the probe. The real CLI, the shipped profiles (base.yaml's
probe sends ${ACME_TEST_JWT})."""

from __future__ import annotations

import pytest

from tests.cliutil import drift

SET_IT = (
    "  hint: set ACME_TEST_JWT in the environment that runs drift (in GitHub Actions, map the "
    "secret into the step's env:)"
)
SANDBOX = (
    '; against `drift sandbox`, eval "$(drift sandbox token)" exports the test token of each '
    "backend that checks one (with its --scenario, if it has one)"
)
NO_VERIFY = "; or fix without proving it: --no-verify skips the canary's probe"


@pytest.fixture(autouse=True)
def no_token(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("ACME_TEST_JWT", raising=False)


def _said(*args: str, env: dict[str, str] | None = None) -> list[str]:
    done = drift(*args, env=env, stdin="")
    assert done.returncode == 2, done.stdout + done.stderr
    return done.stderr.splitlines()


def test_fix_against_the_sandbox_names_the_token_and_no_verify(
    sandbox_env: dict[str, str],
) -> None:
    lines = _said("fix", "staging", "--no-history", env=sandbox_env)
    assert lines[-1] == SET_IT + SANDBOX + NO_VERIFY, lines


def test_check_against_the_sandbox_names_the_token_only(sandbox_env: dict[str, str]) -> None:
    lines = _said("check", "staging", "--probe", "--no-history", env=sandbox_env)
    assert lines[-1] == SET_IT + SANDBOX, lines


def test_check_against_the_real_apis_keeps_its_hint() -> None:
    lines = _said("check", "staging", "--probe", "--no-history")
    assert lines[-1] == SET_IT, lines
