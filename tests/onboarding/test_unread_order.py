"""helper-647 O1: init's "could not read the value of A, B, C and N more" named the first three
in the order the reads ended, so two runs of one scenario named different secrets. They are
named in the references' order."""

from __future__ import annotations

from drift.errors import ApiError
from drift.onboarding.withheld import unread_values
from drift.refs import SecretRef


def test_the_three_named_are_the_same_whatever_order_the_reads_ended_in() -> None:
    refs = [SecretRef(name, "2") for name in ("delta", "alpha", "echo", "charlie", "bravo")]
    why = {
        ref: ApiError("AccessSecretVersion", ref.secret, "PERMISSION_DENIED", "denied")
        for ref in refs
    }
    said = [
        unread_values(dict(order), {}, "drift init")
        for order in (why.items(), reversed(why.items()))
    ]
    assert said[0] == said[1], said
    text = " ".join(said[0][0])
    assert "secret alpha:2" in text and "secret charlie:2" in text and "and 2 more" in text, text
