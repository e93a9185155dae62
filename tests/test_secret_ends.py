"""Which start or end of a payload is a piece of the secret (`drift.secret_ends`): the masker
(`redact.is_piece`) and the journal (`secret_pieces(…, cut=True)`, `Versions.cut`) answer
alike (helper-746 F3: the journal withheld a value shown everywhere else, and public names
too), and of a structured payload only what reaches into its secret part counts (F1)."""

from __future__ import annotations

import pytest

from drift import redact

DSN = "postgres://app:Hj4kL9pQ@10.0.0.3:5432/acme-chat-production"
TOKEN = "sK9-quartz/fjord+vexing-bawdy-42"
VERSION = "projects/p/secrets/{}/versions/1"
PIECES = {  # value -> what the journal records instead, None: no piece (shown, kept)
    DSN[:19]: ("dsn", "whole~19"),  # into the password, 8 characters past the scheme
    DSN[19:]: ("dsn", "whole#19"),
    DSN[:14]: None,  # `postgres://app`: the user
    DSN[23:]: None,  # the host, port and database after the password
    "acme-chat-production": None,  # a public name, and after the password anyway
    TOKEN[:8]: ("token", "whole~8"),
    TOKEN[-9:]: ("token", "whole#23"),
    TOKEN[:7]: None,  # shorter than FRAGMENT_MIN
}


@pytest.mark.parametrize("value", list(PIECES))
def test_the_masker_and_the_journal_agree_on_each_start_and_end(value: str) -> None:
    redact.register_public("acme-chat-production", "fix-lab")
    redact.register_payload(DSN.encode(), VERSION.format("dsn"))
    redact.register_payload(TOKEN.encode(), VERSION.format("token"))
    expected = PIECES[value]
    cut = redact.secret_pieces(value, cut=True)
    assert cut == (None if expected is None else [(VERSION.format(expected[0]), expected[1])])
    assert redact.is_piece(value) is (expected is not None)


def test_a_public_name_that_ends_an_opaque_secret_is_neither_masked_nor_cut() -> None:
    secret = "Q7x9-zK2m-fix-lab-production"
    redact.register_public("fix-lab-production")
    redact.register_payload(secret.encode(), VERSION.format("s"))
    assert not redact.is_piece("fix-lab-production")
    assert redact.secret_pieces("fix-lab-production", cut=True) is None
    assert redact.is_piece(secret[:12]) and redact.secret_pieces(secret[:12], cut=True)
