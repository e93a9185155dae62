"""helper-715: a payload in forms the masker did not recognise (notes 60 and 61) — its base64
percent-encoded in a URL, its base64 in short lines joined by escaped breaks, a YAML folded
block's lines, a short payload wrapped in two lines, `fold -w 3` — each masked where it stands
and withheld by its form (`secret_pieces`, given back exactly by `payload_form`); the text
around it, a payload shorter than `SEARCH_MIN`, and words that spell one across a space, not."""

from __future__ import annotations

import base64
import json
from urllib.parse import quote

import pytest

from drift import redact
from drift.literals import Literals
from drift.wrapped import across_lines
from tests.format.test_wrapped_document import VERSION, _put_back

TOKEN = "k/+?>Zq8Lm3Vt6Nw1Rb4Kc7>>??token"
B64 = base64.b64encode(TOKEN.encode()).decode()
SHORT = "Xk9!pQ2@vL7#"


def _fold(text: str, width: int, end: str = "\n") -> str:
    return end.join(text[i : i + width] for i in range(0, len(text), width))


FORMS = {  # (the payload, its copy)
    "url": (TOKEN, f"https://hooks.example.com/cb?t={quote(B64, safe='')}&next=home"),
    "url-quote": (TOKEN, f"?t={quote(B64)}&n=1"),
    "url-lower": (TOKEN, "?t=" + quote(B64, safe="").replace("%2F", "%2f").replace("%2B", "%2b")),
    "url-lines": (TOKEN, "b=" + quote(base64.encodebytes(TOKEN.encode() * 3).decode(), safe="")),
    "json-in-json": (TOKEN, json.dumps(json.dumps({"key": _fold(B64, 8)}))),
    "u000a": (TOKEN, json.dumps({"key": _fold(B64, 6)}).replace("\\n", "\\u000a")),
    "url-short-lines": (TOKEN, "key=" + _fold(B64, 8, "%0A") + "&x=1"),
    "br": (TOKEN, "<p>" + _fold(B64, 8, "<br>") + "</p>"),
    "yaml-folded": (TOKEN, "token: >\n  " + _fold(TOKEN, 10, "\n  ") + "\nmode: prod\n"),
    "two-lines": (SHORT, f"pw={SHORT[:5]}\n{SHORT[5:]}"),
    "two-lines-crlf": (SHORT, f"pw={SHORT[:7]}  \r\n    {SHORT[7:]}"),
    "two-lines-json": (SHORT, json.dumps({"pw": f"{SHORT[:4]}\n{SHORT[4:]}"})),
    "fold-3": (SHORT, "mode=x\n" + _fold(SHORT, 3) + "\nnext=y"),
    "fold-3-base64": (TOKEN, _fold(B64, 3)),
}


@pytest.mark.parametrize("form", FORMS)
def test_a_payload_in_each_form_is_masked_and_withheld(form: str) -> None:
    payload, copy = FORMS[form]
    redact.register_payload(payload.encode(), VERSION)
    masked = redact.mask(copy)
    assert redact.MASK in masked, masked
    pieces = redact.secret_pieces(copy)
    assert pieces is not None and any(isinstance(p, tuple) for p in pieces), pieces
    assert _put_back(pieces, payload.encode()) == copy
    for piece in pieces:  # the text around it as it is: its own words readable
        if isinstance(piece, str):
            assert redact.mask(piece) == piece and piece in copy


def test_only_the_payloads_span_is_masked() -> None:
    redact.register_payload(SHORT.encode(), VERSION)
    text = "mode=x\nnote: keep me\n" + _fold(SHORT, 3) + "\nnext=y"
    assert redact.mask(text) == f"mode=x\nnote: keep me\n{redact.MASK}\nnext=y"
    url = f"https://a.example.com/x?t={quote(B64, safe='')}&next=home"
    redact.register_payload(TOKEN.encode(), VERSION)
    assert redact.mask(url) == f"https://a.example.com/x?t={redact.MASK}&next=home"


def test_a_short_payload_and_words_across_a_space_stay_readable() -> None:
    """A payload of fewer than `SEARCH_MIN` characters is never searched for, cut by line
    breaks or not (`abc` must not mask every `abc`); a payload's letters spelt across a space
    are words of a sentence (`test_wrapped_document`), but across a line break a copy."""
    for short in ("abc", "abc1234"):
        redact.register_payload(short.encode(), VERSION)
        for text in (f"{short} and {short}", _fold(short, 3), f"x {short[:2]}\n{short[2:]} y"):
            assert redact.mask(text) == text and redact.secret_pieces(text) is None, text
    redact.register_payload(SHORT.encode(), VERSION)
    spaced = f"say {SHORT[:6]} {SHORT[6:]} now"
    assert redact.mask(spaced) == spaced and redact.secret_pieces(spaced) is None
    assert redact.mask(f"say {SHORT[:6]}\n{SHORT[6:]} now") == f"say {redact.MASK} now"


def test_a_run_of_lines_starts_at_a_line_never_inside_an_escape() -> None:
    """`\\u002B` is one character of base64 (`wrapped._ESCAPE`, counted once): a line of it and
    12 more is 13, under `LINE_MIN`, so the word after it is prose, no run; a run started at
    its `u` counted five (helper-722 F2: such starts, one per escape, made `\\/` repeated cost
    its length squared). After a break's escape (`\\u000a`), a run starts at its letter."""
    value = Literals(["A" * 12 + "BBBB"], flexible=False)
    assert across_lines("\\u002B" + "A" * 12 + " BBBB", value) == []
    after_break = "k\\u000a" + "A" * 16 + " BBBB"
    value = Literals(["A" * 16 + "BBBB"], flexible=False)
    assert [b.value for b in across_lines(after_break, value)] == ["A" * 16 + "BBBB"]
