"""The forms a secret value takes in text (`drift.redact` masks them all): as an output format
escapes it, as an application echoes it back encoded (JSON, percent-encoding, HTML, base64), bare
of the newline or byte order mark its payload was saved with; and the payloads of the versions
drift read, by version, in each form a plain copy may hold one (`Versions`, `payload_form`: what
the journal records instead of such a copy, `drift.fix.withheld`)."""

from __future__ import annotations

import base64
import html
import json
import re
import threading
from collections.abc import Callable
from urllib.parse import quote, quote_plus

from drift.textsafe import github_data, github_property, json_inert, md_text, visible

SEARCH_MIN = 8
"""Shorter values are never searched for in text."""


def searchable(value: str) -> bool:
    """Whether drift looks for `value` inside text (long enough to tell from other words)."""
    return len(value) >= SEARCH_MIN


def escaped_forms(value: str) -> set[str]:
    """How `value` looks once an output format has escaped it."""
    shown = visible(value)
    return {
        value,
        shown,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        json_inert(json.dumps(value)[1:-1]),  # as drift.rendering.json_text writes it
        json_inert(json.dumps(value, ensure_ascii=False)[1:-1]),
        md_text(value),
        shown.replace("|", "\\|"),
        github_data(value),
        github_data(shown),
        github_property(shown),
    }


_HEX_ESCAPE = re.compile(r"%[0-9A-F]{2}|\\u[0-9a-f]{4}")


def _other_case(match: re.Match[str]) -> str:
    text = match.group()
    return text.lower() if text.startswith("%") else text[:2] + text[2:].upper()


def echoed_forms(value: str) -> set[str]:
    """How an application may quote back a value it was sent (a probe's header or
    subprotocol): as is, JSON-escaped (`\\uXXXX` in either case, with `/` as `\\/` as PHP's
    `json_encode` writes it, with `<`, `>` and `&` as `\\u003c`… as Go's `encoding/json` does),
    percent-encoded (hex in either case, `/` kept or not, a space as `+` or `%20`),
    HTML-escaped, or base64-encoded whole. Only a value that is searched for at all
    (`searchable`) gets its other forms: a short one is no easier to tell apart encoded."""
    if not searchable(value.strip()):
        return {value}
    jsons = {json.dumps(value)[1:-1], json.dumps(value, ensure_ascii=False)[1:-1]}
    jsons |= {form.replace("/", "\\/") for form in jsons}
    jsons |= {
        form.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")
        for form in jsons
    }
    urls = {
        encode(value, safe=safe) for encode in (quote, quote_plus) for safe in ("", "/", "!'()*")
    }
    entities = {html.escape(value), html.escape(value, quote=False)}
    entities |= {form.replace("&#x27;", "&#39;") for form in entities}
    raw = value.encode()
    packed = {base64.b64encode(raw).decode(), base64.urlsafe_b64encode(raw).decode()}
    packed |= {form.rstrip("=") for form in packed}
    forms = {value} | jsons | urls | entities | packed
    return forms | {_HEX_ESCAPE.sub(_other_case, form) for form in jsons | urls}


_BOM = "\ufeff"


def bare_forms(value: str) -> set[str]:
    """`value` without its outer whitespace (CR and LF among it), and also without a leading
    byte order mark (U+FEFF, which `str.strip` keeps: it is not white space): a payload saved
    by Windows Notepad (`\\ufeffVALUE\\r\\n`) is read by an app, and copied by a person, as
    its bare `VALUE` (revencoding 1). Both forms are searched for: the mask covers the text as
    printed, with or without the mark."""
    stripped = value.strip()
    return {stripped, stripped.lstrip(_BOM).strip()}


_SHAPES: dict[str, Callable[[str], str]] = {
    "whole": lambda text: text,
    "strip": str.strip,
    "bare": lambda text: text.strip().lstrip(_BOM).strip(),
}
"""How a plain copy may hold a version's payload (its text): whole, or as `bare_forms` (a
payload stored with a trailing newline, or saved with a byte order mark, is copied bare)."""
_ENCODINGS: dict[str, Callable[[bytes], bytes]] = {
    "base64": base64.b64encode,
    "base64url": base64.urlsafe_b64encode,
    "base64-unpadded": lambda raw: base64.b64encode(raw).rstrip(b"="),
    "base64url-unpadded": lambda raw: base64.urlsafe_b64encode(raw).rstrip(b"="),
}
"""The encodings of `echoed_forms` a copy may hold a payload in, by name, that decode back to
it exactly (`payload_form`)."""


class Versions:
    """The payloads of the secret versions drift read, by their version (`register_payload`):
    each text a plain copy may hold one as, whole or encoded (`_SHAPES`, `_ENCODINGS`), ->
    `(version, form)`."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: dict[str, tuple[str, str]] = {}
        self._pattern: re.Pattern[str] | None = None

    def add(self, data: bytes, version: str) -> None:
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:
            return
        with self._lock:
            for name, shape in reversed(_SHAPES.items()):  # `whole` wins where forms coincide
                if not (shaped := shape(text)):
                    continue
                self._forms[shaped] = (version, name)
                if searchable(shaped):
                    for encoding, encode in _ENCODINGS.items():
                        encoded = encode(shaped.encode()).decode()
                        self._forms[encoded] = (version, f"{name}/{encoding}")
            self._pattern = None

    def pieces(self, value: str) -> list[str | tuple[str, str]] | None:
        """`secret_pieces`."""
        whole = self._forms.get(value)
        if whole is not None:
            return [whole]
        with self._lock:
            if self._pattern is None:
                long = sorted((f for f in self._forms if searchable(f)), key=len, reverse=True)
                if long:
                    self._pattern = re.compile("(" + "|".join(map(re.escape, long)) + ")")
            pattern = self._pattern
        if pattern is None or not pattern.search(value):
            return None
        cut = pattern.split(value)  # the text, then each payload and the text after it
        return [self._forms[p] if i % 2 else p for i, p in enumerate(cut) if p or i % 2]


def payload_form(data: bytes, form: str) -> str | None:
    """A version's payload `data` in the `form` `secret_pieces` gave (None: not UTF-8, or a
    form this drift does not know)."""
    name, _, encoding = form.partition("/")
    shape, encode = _SHAPES.get(name), _ENCODINGS.get(encoding) if encoding else None
    if shape is None or (encoding and encode is None):
        return None
    try:
        shaped = shape(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return encode(shaped.encode()).decode() if encode is not None else shaped
