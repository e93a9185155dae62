"""Review revown31 (failed on main before its fix 312f130): drift/credentials.py exempts a
`secret NAME:VERSION` from the key:value rule when it is the WHOLE text (`_WHOLE_REFERENCE`) or
follows `references|mounts|instead of|a reference to|not` (`_QUOTED_REFERENCE`) — for every
text, including a live PLAIN env value (`conceal`, `drift.live.remember`), where drift wrote
nothing. The exemption is only needed where drift renders a SecretRef (a finding's
expected/actual, its message — drift.baseline `_REFERENCES` already knows those fields)."""

from __future__ import annotations

import pytest

from drift.credentials import conceal, credential_pieces

PASSWORD = "Hunter2Hunter2"


@pytest.mark.parametrize(
    "value",
    [
        f"secret password:{PASSWORD}",  # the whole value
        f"--basic-auth not secret password:{PASSWORD}",  # `not` before it, in free text
    ],
)
def test_a_plain_value_that_only_looks_like_drifts_rendering_is_still_a_credential(
    value: str,
) -> None:
    # 'password:Hunter2Hunter2' alone is masked ('password:***'); with 'secret ' or
    # 'not secret ' before it, it is shown whole and never registered
    assert PASSWORD in credential_pieces(value), credential_pieces(value)
    assert PASSWORD not in conceal("APP_ARGS", value), conceal("APP_ARGS", value)
