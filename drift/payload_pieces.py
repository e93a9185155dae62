"""The pieces of a secret's payload that a plain value may hold on their own (helper-646 F2): a
payload is often a structure — a database URL with a password, a service account's JSON key, a
PEM block, a dotenv file — and a team copies one part of it into a plain variable (the URL's
password decoded, the key's `private_key_id`, a line of the private key). Each such piece is a
secret too: `drift.redact` masks it wherever it stands, and a journal records a plain copy of
one by its name (`drift.secretforms.payload_form`), never the text.

Only what the structure says is secret (helper-656 HIGH-1: a JSON config's `"env":
"production-2024"` or `"image": …` is no secret, and was masked everywhere): a URL's password
(as written and decoded) and a query parameter a credential's name holds; a JSON field whose key
is a credential's name (`private_key_id`, `client_secret`, `api_key`: the variable-name test of
`drift.credentials`); a `KEY=value` or `key: value` line whose key is one; each line of a PEM
block's body; and a payload kept in base64, decoded. A piece is named by where it stands (a
JSON path, a key, a URL's and a PEM block's place), never by its rank among others (but a
name that stands twice, by its turn among those: `.password~2`), so a journal written by one
drift finds the same piece with another; shorter than `SEARCH_MIN`, it
is no piece (a password `pw` would make every text holding those letters a copy)."""

from __future__ import annotations

import base64
import json
import re
from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qsl, unquote, urlsplit

from drift.credentialforms import credential_name

SEARCH_MIN = 8
"""As `drift.secretforms.SEARCH_MIN`: a shorter piece is not told from an ordinary word."""
PEM_LINE_MIN = 16
"""A PEM body line shorter than this (its last) is too little of the key to take alone."""
LONE_MAX = 1024
"""The longest payload taken as one secret, any part of it (`lone_secret`)."""
DEPTH_MAX = 64
"""How deep a JSON payload is looked into (a hostile one nests 5,000 deep: helper-656 HIGH-2)."""
_BOM = "\ufeff"
_URL = re.compile(r"(?<![A-Za-z0-9+.-])[A-Za-z][A-Za-z0-9+.-]{0,31}://[^\s\"'<>]+")
"""A URL: its scheme begins where no scheme character stands before it, and is 32 characters
at most, so a long run of letters is not scanned again from each of them (helper-657 LOW-1)."""
_PEM = re.compile(r"-----BEGIN [A-Z0-9 ]+-----(.*?)-----END [A-Z0-9 ]+-----", re.DOTALL)
_ASSIGNED = re.compile(r"[ \t]*(?:export[ \t]+)?([A-Za-z_][A-Za-z0-9_.-]*)[ \t]*[=:]")
"""A line's `KEY=` or `key:` (matched at the line's start; its value is the rest of the line,
taken without a regex: a lazy one was quadratic in a long run of blanks, helper-657 MEDIUM-1)."""
_WORD = re.compile(r"[A-Za-z_][A-Za-z0-9_-]*|[0-9]+")
_BASE64 = re.compile(r"[A-Za-z0-9+/]+={0,2}|[A-Za-z0-9_-]+={0,2}")


_PEM_LINE = re.compile(r"\.pem[0-9]+\.line[0-9]+\Z")


def encoded_too(name: str) -> bool:
    """Whether a piece's encodings are searched for too (`drift.secretforms.piece_forms`): not
    a PEM body's line's, itself a cut of a key's base64 that nobody encodes alone (some thirty
    of them to a key: each form is one more alternative of the masker's search)."""
    return not _PEM_LINE.search(name)


def _unquoted(value: str) -> str:
    if len(value) >= 2 and value[0] == value[-1] and value[0] in "\"'":
        return value[1:-1]
    return value


def _in_url(url: str, where: str) -> Iterator[tuple[str, str]]:
    """A URL's password (as written, and decoded) and its query values a credential's name
    holds (`?token=…`)."""
    try:
        parts = urlsplit(url)
        password = parts.password
        query = parse_qsl(parts.query)
    except ValueError:  # not a URL after all (`http://[`)
        return
    if password:
        yield f"{where}.password", password
        yield f"{where}.password-decoded", unquote(password)
    for key, value in query:
        if credential_name(key):
            yield f"{where}.query.{key}", value


def _of_text(text: str, path: str) -> Iterator[tuple[str, str]]:
    """The pieces of a text: its URLs', its PEM blocks' lines, its credential assignments."""
    for i, url in enumerate(_URL.findall(text)):
        yield from _in_url(url, f"{path}.url{i}")
    for b, block in enumerate(_PEM.findall(text)):
        for n, line in enumerate(block.strip().splitlines()):
            if len(line.strip()) >= PEM_LINE_MIN:
                yield f"{path}.pem{b}.line{n}", line.strip()
    lines = text.splitlines()
    for line in lines:
        if (found := _ASSIGNED.match(line)) and credential_name(found[1]):
            yield f"{path}.{found[1]}", _unquoted(line[found.end() :].strip())
    # a list of keys, one a line (a rotation pair, a key per provider): each line is one
    # (helper-657 HIGH-1), where every line is one token and none assigns
    tokens = [line.strip() for line in lines if line.strip()]
    if len(tokens) > 1 and all(_token(t) and not _ASSIGNED.match(t) for t in tokens):
        for n, token in enumerate(tokens):
            yield f"{path}.line{n}", token


def _token(text: str) -> bool:
    """One word: no blank in it, and no link."""
    return bool(text) and not any(c.isspace() for c in text) and not _URL.match(text)


def _listed(doc: list[Any]) -> Iterator[tuple[str, str]]:
    """A payload that is a JSON list of keys (`["k1", "k2"]`): each one (helper-657 HIGH-1)."""
    if doc and all(isinstance(item, str) and _token(item.strip()) for item in doc):
        for i, item in enumerate(doc):
            yield f".{i}", item.strip()


def _of_json(doc: Any, path: str, depth: int = 0) -> Iterator[tuple[str, str]]:
    if depth > DEPTH_MAX:
        return
    items = (
        doc.items() if isinstance(doc, dict) else enumerate(doc) if isinstance(doc, list) else ()
    )
    for key, value in items:
        # a key that is no plain word is quoted: `{"a.b": …}` and `{"a": {"b": …}}` are two
        where = f"{path}.{key}" if _WORD.fullmatch(str(key)) else f"{path}[{json.dumps(key)}]"
        if isinstance(value, str):
            # a credential's key holding a link (`token_uri`) holds no secret but its password
            if isinstance(key, str) and credential_name(key) and not _URL.match(value.strip()):
                yield where, value.strip()
            yield from _of_text(value, where)
        else:
            yield from _of_json(value, where, depth + 1)


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
    return decoded.strip()


def all_secret(name: str, piece: str) -> bool:
    """Whether every part of a piece is a secret (`drift.secret_middles`, helper-819 L1): a URL's
    password, a credential's value, a PEM body's line, a key of a list; not the payload decoded
    (`.decoded`: a config's JSON kept in base64), nor a value holding a PEM block's armour or a
    URL (`DATABASE_URL=postgres://…@db7.acme.internal`: its host is public, its password a
    piece of its own)."""
    return name != ".decoded" and "-----BEGIN" not in piece and not _URL.search(piece)


def lone_secret(text: str) -> bool:
    """Whether a payload is one secret with no structure this module knows (helper-819 L2: a
    bare token, a UUID key, a passphrase): one line, no outer white space, `LONE_MAX`
    characters at most, no URL, no `KEY=` or `key:`, no JSON; any part of it is a secret."""
    return (
        SEARCH_MIN <= len(text) <= LONE_MAX
        and text == text.strip()
        and not any(c in text for c in "\r\n\x00")
        and not _URL.search(text)
        and not _ASSIGNED.match(text)
        and text[:1] not in ("{", "[", _BOM)
    )


def payload_pieces(text: str) -> dict[str, str]:
    """Each piece of a payload's `text` a plain value may hold alone, by a name that finds it
    again in the same payload (`drift.secretforms.payload_form`): `.url0.password`,
    `.private_key_id` (a JSON object's field), `.private_key.pem0.line2`, `.DB_PASSWORD`,
    `.decoded`…, a name found again `.password~2`; the payload itself is not one of them."""
    stripped = text.strip().lstrip(_BOM).strip()
    out: dict[str, str] = {}
    found: list[Iterator[tuple[str, str]]] = []
    if decoded := _decoded(stripped):
        found.append(iter([(".decoded", decoded)]))
        found.append(iter([(f".decoded{n}", p) for n, p in payload_pieces(decoded).items()]))
    try:
        doc = json.loads(stripped) if stripped[:1] in ("{", "[") else None
    except (ValueError, RecursionError):  # not JSON, or nested past the parser's reach
        doc = None
    if isinstance(doc, list):
        found.append(_listed(doc))
    found.append(_of_json(doc, "") if isinstance(doc, dict | list) else _of_text(text, ""))
    named: dict[str, set[str]] = {}  # the pieces found under each name
    for pieces in found:
        for name, piece in pieces:
            held = named.setdefault(name, set())
            if len(piece) >= SEARCH_MIN and piece != stripped and piece not in held:
                # a name stands twice (YAML's `password:` under two parents, `?token=a&token=b`):
                # the later ones by their turn among those (helper-656 LOW-1: dropped silently)
                held.add(piece)
                out.setdefault(name if len(held) == 1 else f"{name}~{len(held)}", piece)
    return out
