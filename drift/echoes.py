"""How an application may quote back a value it was sent, each encoding by a name (`ECHOES`):
JSON-escaped (as Python, PHP, Go and .NET write it), percent-encoded, HTML-escaped, base64 (whole,
in lines, or what the base64 of a document holding it holds of it), hex. Each gives the value
back when decoded, so the journal records a copy by its name (`drift.secretforms`)."""

from __future__ import annotations

import base64
import functools
import html
import json
import re
from collections.abc import Callable
from typing import Any, ParamSpec, TypeVar
from urllib.parse import quote, quote_plus

_HEX_ESCAPE = re.compile(r"%[0-9A-F]{2}|\\u[0-9a-f]{4}")


def _other_case(match: re.Match[str]) -> str:
    text = match.group()
    return text.lower() if text.startswith("%") else text[:2] + text[2:].upper()


def _json(ascii_only: bool) -> Callable[[str], str]:
    return lambda value: json.dumps(value, ensure_ascii=ascii_only)[1:-1]


def _then(first: Callable[[str], str], then: Callable[[str], str]) -> Callable[[str], str]:
    return lambda value: then(first(value))


def _go_json(form: str) -> str:
    return form.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026")


def _percent(encode: Callable[..., str], safe: str) -> Callable[[str], str]:
    return lambda value: encode(value, safe=safe)


def _other_case_of(form: str) -> str:
    return _HEX_ESCAPE.sub(_other_case, form)


def _base64(encode: Callable[[bytes], bytes], *, padded: bool) -> Callable[[str], str]:
    def encoded(value: str) -> str:
        text = encode(value.encode()).decode()
        return text if padded else text.rstrip("=")

    return encoded


WRAPS = (76, 64)
"""The widths base64 is printed in lines of: GNU `base64` (76, its default) and `openssl
base64` or a PEM body (64), which is how a file's base64 is pasted into a variable
(`KEY_B64=$(base64 key.json)`: helper-646 F1); drift masks any white space between them
(`drift.redact` matches a run of white space with any run)."""


LINE_ENDS = {"": "\n", "-crlf": "\r\n"}
"""The line ends base64 in lines is kept with (a file passed through a Windows editor, or
`certutil`, ends them CRLF: helper-656 HIGH-3), each a form of its own: the journal withholds a
copy by its exact form, where the masker takes any run of white space for any other."""


def wrapped(text: str, width: int, end: str = "\n") -> str:
    """`text` (base64) in lines of `width` joined by `end`, as `base64` prints it."""
    return end.join(text[i : i + width] for i in range(0, len(text), width))


def _base64_wrapped(width: int, end: str) -> Callable[[str], str]:
    return lambda value: wrapped(base64.b64encode(value.encode()).decode(), width, end)


def inner_base64(data: bytes, offset: int) -> str:
    """What any base64 of a document holding `data` at a byte `offset` (mod 3) holds of it,
    whatever surrounds it (helper-646 F3: a config blob's base64 with a secret inside): its
    base64 but the 4-character groups that share bits with the bytes around it."""
    text = base64.b64encode(bytes(offset) + data).decode()
    start = 4 if offset else 0
    stop = len(text) - (4 if (offset + len(data)) % 3 else 0)
    return text[start:stop] if stop > start else ""


def _base64_inside(offset: int) -> Callable[[str], str]:
    return lambda value: inner_base64(value.encode(), offset)


JSON_BASE64: dict[str, Callable[[str], str]] = {
    "+slash": lambda t: t.replace("/", "\\/"),
    "+u002B": lambda t: t.replace("+", "\\u002B"),
}
"""Base64 in a JSON string as encoders other than Python's write it (helper-673 N6; RFC 8259
§7 allows either escape)."""


def _percent_base64(safe: str, *, lower: bool = False) -> Callable[[str], str]:
    """Base64's `+`, `/` and `=` (but `safe`) percent-encoded, as `quote(text, safe=safe)` does
    to base64 (its other characters are unreserved), by `str.replace`: `quote` takes a 64 KiB
    payload's base64 a character at a time, for each of its shapes."""
    codes = {c: f"%{ord(c):02X}" for c in "+/=" if c not in safe}

    def encoded(text: str) -> str:
        for c, code in codes.items():
            text = text.replace(c, code.lower() if lower else code)
        return text

    return encoded


PERCENT_BASE64: dict[str, Callable[[str], str]] = {
    "+pct": _percent_base64(""),
    "+pct/": _percent_base64("/"),
    "+pct-lower": _percent_base64("", lower=True),
}
"""Base64 in a URL's query or a form's body, its `+`, `/` and `=` percent-encoded (helper-715:
JavaScript's `encodeURIComponent`, Go's `QueryEscape`, Java's `URLEncoder`, Python's
`quote_plus` write `%2B`, `%2F`, `%3D`; Python's `quote` keeps `/`; RFC 3986 §2.1 lets the hex
be lower case)."""


def _echoes() -> dict[str, Callable[[str], str]]:
    """`echoed_forms`' encodings, each by a name (`Versions`, `payload_form`)."""
    jsons = {"json": _json(True), "json-utf8": _json(False)}
    jsons |= {f"{n}+slash": _then(f, lambda t: t.replace("/", "\\/")) for n, f in jsons.items()}
    jsons |= {f"{n}+go": _then(f, _go_json) for n, f in jsons.items()}
    urls = {
        f"{encode.__name__}{'+' + safe if safe else ''}": _percent(encode, safe)
        for encode in (quote, quote_plus)
        for safe in ("", "/", "!'()*")
    }
    entities = {
        "html": html.escape,
        "html-unquoted": lambda value: html.escape(value, quote=False),
    }
    entities |= {
        f"{n}+39": _then(f, lambda t: t.replace("&#x27;", "&#39;")) for n, f in entities.items()
    }
    packed = {
        "base64": _base64(base64.b64encode, padded=True),
        "base64url": _base64(base64.urlsafe_b64encode, padded=True),
        "base64-unpadded": _base64(base64.b64encode, padded=False),
        "base64url-unpadded": _base64(base64.urlsafe_b64encode, padded=False),
    }
    packed |= {
        f"base64-wrap{width}{name}": _base64_wrapped(width, end)
        for width in WRAPS
        for name, end in LINE_ENDS.items()
    }
    packed |= {f"base64-in{offset}": _base64_inside(offset) for offset in range(3)}
    packed |= {  # in a JSON string by PHP's json_encode (`\/`) or .NET's encoder (`\u002B`)
        f"{n}{name}": _then(packed[n], escape)
        for n in ("base64", "base64-unpadded", "base64-in0", "base64-in1", "base64-in2")
        for name, escape in JSON_BASE64.items()
    }
    packed |= {  # percent-encoded in a URL (helper-715)
        f"{n}{name}": _then(packed[n], percent)
        for n in ("base64", "base64-unpadded", "base64url", *(f"base64-in{i}" for i in range(3)))
        for name, percent in PERCENT_BASE64.items()
    }
    packed |= {  # a key's bytes as hex (`bytes.hex`, `xxd -p`, `openssl rand -hex`), either case
        "hex": lambda value: value.encode().hex(),
        "hex-upper": lambda value: value.encode().hex().upper(),
    }
    cased = {f"{n}+case": _then(f, _other_case_of) for n, f in (jsons | urls).items()}
    return jsons | urls | entities | packed | cased


ECHOES = _echoes()
"""How an application may quote back a value it was sent, by name (`echoed_forms`): each
gives the exact value back when decoded, so a journal records a copy by its name instead
(`payload_form`)."""


T = TypeVar("T")
P = ParamSpec("P")
REMEMBERED_MAX = 1024
"""The longest text, in characters, whose answers `remembered_when_short` keeps (a payload of
64 KiB has megabytes of encodings; a credential, a token, a header's value is far shorter)."""


def remembered_when_short(
    maxsize: int, length: Callable[..., int]
) -> Callable[[Callable[P, T]], Callable[P, T]]:
    """A pure function's answers remembered by its arguments (lru, `maxsize`) where their
    `length` (given them, positional) is `REMEMBERED_MAX` characters or fewer; longer ones
    worked out each time."""

    def remember(function: Callable[P, T]) -> Callable[P, T]:
        remembered: Any = functools.lru_cache(maxsize=maxsize)(function)

        @functools.wraps(function)
        def call(*args: P.args, **kwargs: P.kwargs) -> T:
            short = length(*args) <= REMEMBERED_MAX
            return remembered(*args, **kwargs) if short else function(*args, **kwargs)

        return call

    return remember


@remembered_when_short(256, len)
def encodings(value: str) -> tuple[tuple[str, str], ...]:
    """`value` in each encoding of `ECHOES`, by name, in its order; remembered by the value
    (`remembered_when_short`): a probe sends the same header for each revision it checks, each
    registered again, and a payload's text is encoded for the masker (`echoed_forms`) and for
    the journal (`Versions`) alike."""
    return tuple((name, encode(value)) for name, encode in ECHOES.items())
