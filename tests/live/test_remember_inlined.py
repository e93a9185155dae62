"""`drift.live.remember.inlined`, the one rule `drift check` and `drift history` apply to a plain
value whose variable is a secret reference in another configuration read: that secret's value
pasted in, very likely, never shown. Tested on its own: in a whole run `Context.inlined` and
`hide_inlined` mask the same findings, so losing this layer passed every end-to-end test."""

from __future__ import annotations

from drift import redact
from drift.live.remember import inlined, remember_inlined
from tests.livestate import config, plain, ref

PASTED = "lic-pasted-over-reference-62"


def test_the_plain_values_of_a_name_another_configuration_references() -> None:
    """Every configuration's plain value of a referenced name (either way round, any one-shot
    iterable), none of another name nor an empty one; `remember_inlined` registers them."""
    configs = [
        config([plain("LICENSE_CODE", PASTED), plain("MODE", "live-mode-value")]),
        config([ref("LICENSE_CODE", "lic"), plain("TOKEN", "")]),
        config([plain("LICENSE_CODE", "k7781ab"), ref("TOKEN", "tok")]),
    ]
    assert list(inlined(iter(configs))) == [PASTED, "k7781ab"]
    assert list(inlined(configs[:1])) == []  # no reference to it: an ordinary plain value
    remember_inlined(configs)
    assert redact.mask(f"{PASTED} live-mode-value") == "*** live-mode-value"
