"""A secret inside a document whose base64 is wrapped in lines (helper-656 MEDIUM-4): `base64
config.json` prints lines of 76, `openssl base64` 64, a Windows tool ends them CRLF, a YAML
block indents them; the secret's `base64-inN` form is cut by the breaks wherever the lines
fall. It is masked, and the journal withholds the copy (`secret_pieces`) by its form and where
the breaks stood, and gives the exact text back (`payload_form`). And what helper-656 LOW-1
left: a piece's own encodings, and two pieces under one name."""

from __future__ import annotations

import base64
import json

import pytest

from drift import redact
from drift.secretforms import inner_base64, payload_form
from drift.wrapped import across_lines, respelled

VERSION = "projects/5/secrets/s/versions/1"
SECRET = "Zq8Lm3Vt6Nw1Rb4Kc7-secret-token-value-0123456789abcdef"
LINES = {"76": (76, "\n"), "64": (64, "\n"), "76-crlf": (76, "\r\n"), "60-yaml": (60, "\n    ")}


def _document(offset: int, width: int, end: str, secret: str = SECRET) -> str:
    """The base64 of a config document holding `secret` at byte `offset`, in lines."""
    doc = json.dumps({"name": "x" * (60 + offset), "token": secret, "tail": "y" * 100})
    text = base64.b64encode(doc.encode()).decode()
    return end.join(text[i : i + width] for i in range(0, len(text), width))


def _put_back(pieces: list[str | tuple[str, str]], data: bytes) -> str:
    out = []
    for piece in pieces:
        if isinstance(piece, str):
            out.append(piece)
        else:
            assert piece[0] == VERSION
            value = payload_form(data, piece[1])
            assert value is not None, piece
            out.append(value)
    return "".join(out)


@pytest.mark.parametrize("lines", LINES)
@pytest.mark.parametrize("offset", range(3))
def test_a_secret_in_a_wrapped_documents_base64_is_masked_and_withheld(
    offset: int, lines: str
) -> None:
    redact.register_payload(SECRET.encode(), VERSION)
    text = _document(offset, *LINES[lines])
    hidden = text.replace(LINES[lines][1], "")
    assert SECRET in base64.b64decode(hidden).decode()  # the document holds it, cut by a break:
    assert not any(inner_base64(SECRET.encode(), n) in text for n in range(3))
    masked = redact.mask(f"CONFIG_B64={text}")
    assert redact.MASK in masked
    flat = masked.replace(LINES[lines][1], "")  # no 16 characters of the secret's base64 left
    assert not any(inner_base64(SECRET.encode(), n)[4:20] in flat for n in range(3)), masked
    pieces = redact.secret_pieces(text)
    assert pieces is not None and any(isinstance(p, tuple) for p in pieces), pieces
    assert _put_back(pieces, SECRET.encode()) == text
    for piece in pieces:  # the copy's text around the secret holds no more than its edges
        if isinstance(piece, str):
            assert redact.mask(piece) == piece


def test_what_is_masked_of_a_wrapped_document_is_the_secrets_span() -> None:
    """The lines before and after the secret are kept as they are; only its span is masked."""
    redact.register_payload(SECRET.encode(), VERSION)
    text = _document(1, 76, "\n")
    masked = redact.mask(text)
    head, _, tail = masked.partition(redact.MASK)
    assert text.startswith(head) and text.endswith(tail)
    shown = head.replace("\n", "") + tail.replace("\n", "")
    assert len(text.replace("\n", "")) - len(shown) <= len(base64.b64encode(SECRET.encode())) + 8


def test_ordinary_words_and_one_long_word_make_no_run() -> None:
    """A run is base64-like lines of 16 characters or more (but its last): the words of a
    sentence that spell a secret across a space are not joined; a word alone is no run."""
    redact.register_payload(b"hunter22hunter22", VERSION)
    assert redact.mask("hunter22 hunter22") == "hunter22 hunter22"
    assert across_lines("a" * 40, redact._known._compiled()[0]) == []
    run = "xxxxxxxxxxxxxxxxhunter22\nhunter22"  # a line of 16 or more, then the last
    assert redact.mask(run) == f"xxxxxxxxxxxxxxxx{redact.MASK}"
    assert redact.secret_pieces(run) == ["xxxxxxxxxxxxxxxx", (VERSION, "whole@8:n")]


def test_a_journal_spelling_that_does_not_fit_gives_nothing() -> None:
    data = SECRET.encode()
    assert payload_form(data, "whole@5:n") == SECRET[:5] + "\n" + SECRET[5:]
    for form in ("whole@0:n", f"whole@{len(SECRET)}:n", "whole@9:n,5:n", "whole@5:x", "whole@"):
        assert payload_form(data, form) is None, form
    assert respelled("abcdef", "2:rn,4:s") == "ab\r\ncd ef"
