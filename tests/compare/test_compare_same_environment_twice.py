"""revcmp89 F1 (failed before its fix): `drift compare staging staging` (a typo for `staging
prod` in a CI step) compared one profile with itself and said "staging and staging are
equivalent", exit 0. One environment named twice is bad input: one clear message, exit 2
(SPEC: 2 is "usage, profile or authentication error: nothing was checked"), before anything
is read."""

from __future__ import annotations

import asyncio

import pytest

from drift.compare.run import compare_live, compare_profiles
from drift.errors import UsageError
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.cliutil import drift
from tests.compare.conftest import TWO_ENV_PROFILES


@pytest.mark.parametrize("live", [[], ["--live"]])
def test_comparing_an_environment_with_itself_is_refused(live: list[str]) -> None:
    done = drift("compare", "staging", "staging", *live, "--profiles", str(TWO_ENV_PROFILES))
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stdout == ""
    assert done.stderr.count("\n") == 1, done.stderr
    assert "environment staging was named twice" in done.stderr, done.stderr


@pytest.mark.parametrize("live", [False, True])
def test_compare_functions_refuse_one_environment_twice(live: bool) -> None:
    staging = load_profile(TWO_ENV_PROFILES, "staging")
    with pytest.raises(UsageError, match="named twice"):
        if live:  # refused before anything is read: no emulator, no credentials needed
            asyncio.run(compare_live(staging, staging, load_settings()))
        else:
            compare_profiles(staging, staging)
