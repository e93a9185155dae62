"""The pieces of a secret's payload that a plain value may hold on their own (helper-646 F2): a
payload is often a structure — a database URL with a password, a service account's JSON key, a
PEM block — and a team copies one part of it into a plain variable (the URL's password decoded,
the key's `private_key_id`, a line of the private key). Each such piece is a secret too:
`drift.redact` masks it wherever it stands, and a journal records a plain copy of one by its
name (`drift.secretforms.payload_form`), never the text.

Only pieces that look like no ordinary word: a URL's password (as written and decoded), and
token-like text of `PIECE_MIN` characters or more (no white space, a letter and a digit, not an
e-mail address or a URL) — a query parameter's value, a JSON string field, a line of a
multi-line payload (PEM armour lines are public). A service account's `client_email`, a
`project_id`, `https://oauth2.googleapis.com/token` are names drift prints anyway, never
masked for appearing in a key."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from itertools import chain
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

PIECE_MIN = 12
"""The shortest token-like piece taken for a secret's own (a URL's password: `SEARCH_MIN`)."""
_URL = re.compile(r"[A-Za-z][A-Za-z0-9+.-]*://[^\s\"'<>]+")
_TOKEN = re.compile(r"(?=[^\s]*[A-Za-z])(?=[^\s]*[0-9])[^\s@]+")


def _token(text: str) -> bool:
    """Whether `text` is token-like: long enough, one run of no white space, a letter and a
    digit, not an e-mail address and not a URL."""
    return (
        len(text) >= PIECE_MIN
        and _TOKEN.fullmatch(text) is not None
        and "://" not in text
        and not text.startswith("-----")
    )


def _in_url(url: str) -> Iterator[tuple[str, str]]:
    """A URL's password (as written, and decoded) and its token-like query values."""
    try:
        parts = urlsplit(url)
        password = parts.password
    except ValueError:  # not a URL after all (`http://[`)
        return
    if password:
        yield "password", password
        yield "password-decoded", unquote(password)
    for key, value in parse_qsl(parts.query, keep_blank_values=False):
        if _token(value):
            yield f"query.{key}", value


def _json_strings(doc: Any, path: str) -> Iterator[tuple[str, str]]:
    if isinstance(doc, dict):
        for key, value in doc.items():
            yield from _json_strings(value, f"{path}.{key}")
    elif isinstance(doc, list):
        for i, value in enumerate(doc):
            yield from _json_strings(value, f"{path}.{i}")
    elif isinstance(doc, str):
        yield from _of_text(doc, path)


def _of_text(text: str, path: str) -> Iterator[tuple[str, str]]:
    if _token(text.strip()):
        yield path, text.strip()
    for i, url in enumerate(_URL.findall(text)):
        for name, piece in _in_url(url):
            yield f"{path}.url{i}.{name}", piece
    lines = text.splitlines()
    if len(lines) > 1:
        for i, line in enumerate(lines):
            if _token(line.strip()):
                yield f"{path}.line{i}", line.strip()


_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")


def _decoded(text: str) -> str:
    """The text a payload stored base64-encoded holds (helper-646 F4: a token kept encoded,
    copied decoded into a plain value), "" when it is no such thing: base64 of 16 characters or
    more, decoding to UTF-8 text with no control character but white space."""
    if len(text) < 16 or not _BASE64.fullmatch(text):
        return ""
    try:
        data = base64.b64decode(text.replace("-", "+").replace("_", "/") + "==", validate=False)
        decoded = data.decode("utf-8")
    except ValueError:
        return ""
    if any(ord(c) < 32 and c not in "\t\r\n" for c in decoded):
        return ""
    return decoded.strip() if len(decoded.strip()) >= 8 else ""


def payload_pieces(text: str) -> dict[str, str]:
    """Each piece of a payload's `text` a plain value may hold alone, by a name that finds it
    again in the same payload (`drift.secretforms.payload_form`): `.password`,
    `.query.KEY`, `.line3`, `.private_key_id` (a JSON object's field), `.private_key.line2`…;
    the payload itself is not one of them."""
    stripped = text.strip()
    try:
        doc = json.loads(stripped) if stripped[:1] in "{[" and stripped else None
    except ValueError:
        doc = None
    found = _json_strings(doc, "") if isinstance(doc, dict | list) else _of_text(text, "")
    out: dict[str, str] = {}
    if decoded := _decoded(stripped):
        out[".decoded"] = decoded
        found = chain(found, ((f".decoded{n}", p) for n, p in payload_pieces(decoded).items()))
    for name, piece in found:
        if piece and piece != stripped:
            out.setdefault(name or ".", piece)
    return out
