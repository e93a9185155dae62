"""A secret inside a document whose base64 is wrapped in lines (helper-656 MEDIUM-4): `base64
config.json` prints lines of 76, `openssl base64` 64, a Windows tool ends them CRLF, a YAML
block indents them; the secret's `base64-inN` form is cut by the breaks wherever the lines
fall. It is masked, and the journal withholds the copy (`secret_pieces`) by its form and where
the breaks stood, and gives the exact text back (`payload_form`). And what helper-656 LOW-1
left: a piece's own encodings, and two pieces under one name."""

from __future__ import annotations

import base64
import json
from collections.abc import Callable

import pytest

from drift import redact
from drift.echoes import inner_base64
from drift.payload_pieces import payload_pieces
from drift.secretforms import payload_form
from drift.wrapped import across_lines, respelled

VERSION = "projects/5/secrets/s/versions/1"
SECRET = "Zq8Lm3Vt6Nw1Rb4Kc7-secret-token-value-0123456789abcdef"
LINES = {"76": (76, "\n"), "64": (64, "\n"), "76-crlf": (76, "\r\n"), "60-yaml": (60, "\n    ")}
LINES |= {"8": (8, "\n"), "8-crlf": (8, "\r\n"), "12-yaml": (12, "\n    "), "4-json": (4, "\\n")}
LINES |= {"76-json-twice": (76, "\\\\n"), "76-u000a": (76, "\\u000a"), "64-u000D": (64, "\\u000D")}
LINES |= {"76-url": (76, "%0A"), "76-url-crlf": (76, "%0d%0a"), "76-br": (76, "<br>")}
LINES |= {"64-br": (64, "<br />\n")}  # helper-686 M3: shown whole


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


@pytest.mark.parametrize("width", [4, 8, 15])
def test_a_secrets_base64_in_short_lines_after_a_name_is_masked_and_withheld(width: int) -> None:
    """`KEY_B64=$(base64 -w 8 key)` in a dotenv file: the first line glued to the name, the
    lines shorter than 16 (helper-679 F6: no run, shown whole)."""
    redact.register_payload(SECRET.encode(), VERSION)
    b64 = base64.b64encode(SECRET.encode()).decode()
    lines = "\n".join(b64[i : i + width] for i in range(0, len(b64), width))
    text = f"MODE=x\nKEY_B64={lines}\nOTHER=y\n"
    assert redact.mask(text) == f"MODE=x\nKEY_B64={redact.MASK}\nOTHER=y\n"
    pieces = redact.secret_pieces(text)
    assert pieces is not None and _put_back(pieces, SECRET.encode()) == text
    assert [p for p in pieces if isinstance(p, str)] == ["MODE=x\nKEY_B64=", "\nOTHER=y\n"]


def test_what_is_masked_of_a_wrapped_document_is_the_secrets_span() -> None:
    """The lines before and after the secret are kept as they are; only its span is masked."""
    redact.register_payload(SECRET.encode(), VERSION)
    text = _document(1, 76, "\n")
    masked = redact.mask(text)
    assert masked.count(redact.MASK) == 1, masked
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
    assert respelled("abcdef", "2:Qp,4:c") == "ab%0D%0acd<br/>ef"  # each break's exact text
    assert respelled("abcdef", "2:jU,4:dk") == "ab\\\\n\\u000Acd<br />\\\\ref"
    assert payload_form(data, "whole@5:n#3") == SECRET[3:5] + "\n" + SECRET[5:]
    deep = "[" * 100_000 + "]" * 100_000  # and a journal edited by hand (helper-679)
    for form in ("whole#0", f"whole#{len(SECRET)}", "whole#" + "9" * 5000, "whole#-1",
                 "whole@" + "9" * 5000 + ":n"):  # fmt: skip
        assert payload_form(data, form) is None, form
    for form in (f"piece-of/{deep}", 'piece-of/["x"]', 'piece-of/[".a", "NFX", ""]'):
        assert payload_form(b'{"password": "Hq7Zr2Kc9dPm4W"}', form) is None, form[:20]
    assert payload_form(b'{"password": "Hq7Zr2Kc9dPm4W"}', 'piece-of/[".password", "", ""]')


def test_a_pieces_encodings_are_secrets_too() -> None:
    """helper-656 LOW-1: a database URL's password or a key's `private_key_id` copied as its
    base64 (a `…_B64` variable, a Basic `Authorization` header: `user:password`'s base64),
    or percent-encoded, was neither masked nor withheld (only the piece as it stands was)."""
    password = "Hq7#Zr2Kc9dPm4W!"
    url = f"postgresql://app:{password.replace('#', '%23')}@10.0.0.5:5432/app"
    redact.register_payload(url.encode(), VERSION)
    copies = {
        "base64": base64.b64encode(password.encode()).decode(),
        "basic": "Basic " + base64.b64encode(f"app:{password}".encode()).decode(),
        "percent": "pw=Hq7%23Zr2Kc9dPm4W%21",
    }
    for name, copy in copies.items():
        assert redact.mask(copy) != copy, name
        pieces = redact.secret_pieces(copy)
        assert pieces is not None, name
        assert _put_back(pieces, url.encode()) == copy, name
    named = [p[1] for p in redact.secret_pieces(copies["base64"]) or () if isinstance(p, tuple)]
    assert named == ["piece/.url0.password-decoded/base64"], named


def test_a_pem_lines_encodings_are_not_searched() -> None:
    """A PEM body's line is a cut of a key's base64 nobody encodes alone: its encodings would
    be some thirty more alternatives of the search for every key (`encoded_too`)."""
    line = "3Kd7Fh2Gp9Nc5Xv1Bm6Qw8Er4Ty0Ui3Op7As2Df5Gh8Jk1Lz4Xc7Vb0Nm3Qw6Er9T"
    pem = f"-----BEGIN PRIVATE KEY-----\n{line}\nQ==\n-----END PRIVATE KEY-----\n"
    redact.register_payload(json.dumps({"pem": pem}).encode(), VERSION)
    assert redact.mask(line) == redact.MASK
    encoded = base64.b64encode(line.encode()).decode()
    assert redact.mask(encoded) == encoded


def test_two_pieces_under_one_name_are_both_pieces() -> None:
    """helper-656 LOW-1: YAML's `password:` under two parents, a query's `token` twice: the
    second was dropped silently (`setdefault` on the same name), so shown and journaled."""
    yaml = "database:\n  password: Aaaa1111Bbbb\nredis:\n  password: Cccc2222Dddd\n"
    assert payload_pieces(yaml) == {".password": "Aaaa1111Bbbb", ".password~2": "Cccc2222Dddd"}
    url = "https://h.example.com/x?token=Aaaa1111Bbbb&token=Cccc2222Dddd&token=Aaaa1111Bbbb"
    assert payload_pieces(url) == {
        ".url0.query.token": "Aaaa1111Bbbb",
        ".url0.query.token~2": "Cccc2222Dddd",
    }
    redact.register_payload(yaml.encode(), VERSION)
    assert redact.mask("REDIS=Cccc2222Dddd") == f"REDIS={redact.MASK}"
    pieces = redact.secret_pieces("Cccc2222Dddd")
    assert pieces == [(VERSION, "piece/.password~2")]
    assert payload_form(yaml.encode(), "piece/.password~2") == "Cccc2222Dddd"


def test_a_dotenv_or_yaml_credentials_value_alone_is_a_secret() -> None:
    """helper-656 LOW-1 (fixed before this change; kept): the value of `DB_PASSWORD=…` and of
    `password: …`, copied alone, is masked and withheld."""
    for payload in (
        "DB_USER=app\nDB_PASSWORD=Zq8Lm3Vt6Nw1Rb4Kc7\n",
        "db:\n  password: Zq8Lm3Vt6Nw1Rb4Kc7\n",
    ):
        redact.register_payload(payload.encode(), VERSION)
        assert redact.mask("X=Zq8Lm3Vt6Nw1Rb4Kc7") == f"X={redact.MASK}"
        assert redact.secret_pieces("Zq8Lm3Vt6Nw1Rb4Kc7") is not None


def test_a_secrets_hex_in_lines_is_masked_and_withheld() -> None:
    """The same search holds for any form of base64 characters: `xxd -p` prints a key's hex
    in lines of 60, which the one-line `hex` form did not match."""
    redact.register_payload(SECRET.encode(), VERSION)
    hexed = SECRET.encode().hex()
    text = "\n".join(hexed[i : i + 60] for i in range(0, len(hexed), 60))
    assert redact.mask(text) == redact.MASK
    pieces = redact.secret_pieces(text)
    assert pieces == [(VERSION, "whole/hex@60:n")]
    assert _put_back(pieces, SECRET.encode()) == text


def test_a_payload_of_very_many_pieces_has_every_piece_encoded_searched() -> None:
    """A list of thousands of keys, one a line: each key's encodings are searched and withheld,
    the 65th as the first (a cap of 64 took them from every piece, helper-669 L2)."""
    keys = [f"key{i:04d}Zq8Lm3Vt6Nw1" for i in range(2000)]
    redact.register_payload("\n".join(keys).encode(), VERSION)
    for k in (7, 64, 1999):
        encoded = base64.b64encode(keys[k].encode()).decode()
        assert redact.mask(keys[k]) == redact.MASK and redact.mask(encoded) == redact.MASK
        assert redact.secret_pieces(encoded) == [(VERSION, f"piece/.line{k}/base64")]


@pytest.mark.parametrize(
    ("encoder", "escape"),
    [("php", lambda t: t.replace("/", "\\/")), (".net", lambda t: t.replace("+", "\\u002B"))],
)
def test_base64_in_json_as_php_or_dotnet_escape_it_is_masked_and_withheld(
    encoder: str, escape: Callable[[str], str]
) -> None:
    """PHP's json_encode writes `/` as `\\/`, .NET's encoder `+` as `\\u002B` (RFC 8259 §7
    allows both): the base64 of a secret, or of a document holding one, in such a JSON string
    is masked and withheld, and given back exactly (helper-673 N6)."""
    payload = "k/+?>" * 20  # its base64 holds both `/` and `+`
    redact.register_payload(payload.encode(), VERSION)
    whole = base64.b64encode(payload.encode()).decode()
    doc = base64.b64encode(json.dumps({"n": "x", "token": payload}).encode()).decode()
    for b64 in (whole, doc):
        assert "/" in b64 and "+" in b64
        value = escape(json.dumps({"k": b64}))
        assert value != json.dumps({"k": b64})
        masked = redact.mask(value)
        assert "***" in masked and escape(b64[12:36]) not in masked, (encoder, masked)
        pieces = redact.secret_pieces(value)
        assert pieces is not None
        assert _put_back(pieces, payload.encode()) == value


def test_a_piece_or_a_binary_payload_in_base64_as_php_or_dotnet_escape_it_is_withheld() -> None:
    """The base64 of a payload's piece (a JSON secret's password), and of a binary payload, in
    a JSON string as PHP (`\\/`) or .NET (`\\u002B`) write it: masked and withheld, given back
    exactly (helper-675 F3: only a text payload's whole forms had those escapes)."""
    password = "k/+?>k/+?>k/+?>k/+?>"
    secret = json.dumps({"user": "u", "password": password}).encode()
    redact.register_payload(secret, VERSION)
    binary = bytes(range(256))[::-1] * 2
    other = "projects/5/secrets/bin/versions/1"
    redact.register_payload(binary, other)
    for data, version, b64 in (  # the piece, then the binary payload
        (secret, VERSION, base64.b64encode(password.encode()).decode()),
        (binary, other, base64.b64encode(binary).decode()),
    ):
        assert "/" in b64 and "+" in b64
        for escaped in (b64.replace("/", "\\/"), b64.replace("+", "\\u002B")):
            value = json.dumps({"k": "x"})[:-2] + escaped + '"}'
            assert redact.mask(value).count("***") == 1 and escaped not in redact.mask(value)
            pieces = redact.secret_pieces(value)
            assert pieces is not None and any(isinstance(p, tuple) for p in pieces), value
            (held,) = [p for p in pieces if isinstance(p, tuple)]
            assert held[0] == version and payload_form(data, held[1]) == escaped
