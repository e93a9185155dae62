"""`compare --live` reads the values of two secrets to tell whether they are equal: a value
that is not UTF-8 is remembered as every readable run in it too (`redact.register_payload`,
the same registration as `check`'s), so that a server quoting its text is masked (revleak 1)."""

from __future__ import annotations

import asyncio

from drift import redact
from drift.compare.run import compare_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.compare.conftest import TWO_ENV_PROFILES
from tests.reliability.test_quoted_secret_parts import BINARY, LABEL, TEXT_PART, add_version


def test_a_binary_value_compared_live_is_masked_by_its_readable_runs(two_envs: Sandbox) -> None:
    add_version(two_envs, "projects/shop-prod/secrets/db-password-prod", BINARY)
    assert TEXT_PART in redact.mask(f"x {TEXT_PART} y")  # unknown until read
    a, b = (load_profile(TWO_ENV_PROFILES, name) for name in ("staging", "prod"))
    asyncio.run(compare_live(a, b, load_settings(), secret_values=True))
    # the binary value was read, each version once (smtp-password-prod too: task 777)
    assert two_envs.call_counts()["AccessSecretVersion"] == 5
    quoted = f"denied: {TEXT_PART} ({LABEL}); was {TEXT_PART[:12]}…"
    assert redact.mask(quoted, echo=True) == "denied: *** (***); was ***…"
