"""The forms a secret value takes in text (`drift.redact` masks them all): as an output format
escapes it, as an application echoes it back encoded (JSON, percent-encoding, HTML, base64,
hex), bare of the newline or byte order mark its payload was saved with; and the payloads of
the versions drift read, by version, in each form a plain copy may hold one (`Versions`,
`payload_form`: what the journal records instead of such a copy, `drift.fix.withheld`)."""

from __future__ import annotations

import base64
import json
import re
import threading
from collections.abc import Callable, Mapping
from typing import Literal
from unicodedata import normalize

from drift.echoes import ECHOES, JSON_BASE64, LINE_ENDS, PERCENT_BASE64, WRAPS, encodings, wrapped
from drift.literals import Literals, uncovered
from drift.payload_pieces import encoded_too, payload_pieces
from drift.public_ends import Ends
from drift.respaced import respaced, respaced_parts, respacing
from drift.textsafe import github_data, github_property, json_inert, md_text, sarif_plain, visible
from drift.wrapped import across_lines, respelled, spelled

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
        json_inert(json.dumps(sarif_plain(value))[1:-1]),  # in a SARIF message
        md_text(value),
        shown.replace("|", "\\|"),
        github_data(value),
        github_data(shown),
        github_property(shown),
    }


def echoed_forms(value: str) -> set[str]:
    """How an application may quote back a value it was sent (a probe's header or
    subprotocol): as is, JSON-escaped (`\\uXXXX` in either case, with `/` as `\\/` as PHP's
    `json_encode` writes it, with `<`, `>` and `&` as `\\u003c`… as Go's `encoding/json` does),
    percent-encoded (hex in either case, `/` kept or not, a space as `+` or `%20`), HTML-escaped, or
    base64- or hex-encoded whole (`ECHOES`; helper-618 F8). Only a value that is searched for at all
    (`searchable`) gets its other forms: a short one is no easier to tell apart encoded."""
    forms = encodings(value) if searchable(value.strip()) else []
    return {value} | {form for _, form in forms if searchable(form)}


PIECE_ECHOES = (
    *("base64", "base64url", "base64-unpadded", "base64url-unpadded"),
    *("base64-in0", "base64-in1", "base64-in2", "base64+slash", "base64+u002B", "base64+pct"),
    *("quote", "quote+/", "quote+!'()*", "quote_plus", "json"),
)
"""The encodings of a payload's piece searched for too (helper-656 LOW-1): its base64 (a `…_B64`
variable; a Basic `Authorization` header's or a document's base64, `base64-inN`; in a URL's query,
`base64+pct`: helper-715), percent-encoded (Python's `quote`, JavaScript's `encodeURIComponent`,
Go's `QueryEscape`), JSON-escaped. Not all of `ECHOES`: each form is one more alternative of the
masker's search (20 service account keys, thirty pieces each: first mask ~20 s, against ~7 s)."""


def piece_forms(name: str, piece: str) -> dict[str, str]:
    """A payload piece's encodings (`PIECE_ECHOES`) by name, those searched for at all and
    other than the piece; none of a PEM body's line (`payload_pieces.encoded_too`)."""
    if not searchable(piece) or not encoded_too(name):
        return {}
    forms = {encoding: ECHOES[encoding](piece) for encoding in PIECE_ECHOES}
    return {n: form for n, form in forms.items() if searchable(form) and form != piece}


def pieces_forms(pieces: Mapping[str, str]) -> dict[str, dict[str, str]]:
    """`piece_forms` of each of a payload's pieces, by its name, however many (a list of
    thousands of keys: `drift.literals` finds them through an index, at no cost a value; a cap
    of 64 made a 65th piece cost every piece its encodings, helper-669 L2)."""
    return {name: found for name, piece in pieces.items() if (found := piece_forms(name, piece))}


_BOM = "\ufeff"


def bare_forms(value: str) -> set[str]:
    """`value` without its outer whitespace (CR and LF among it), and also without a leading
    byte order mark (U+FEFF, which `str.strip` keeps: it is not white space): a payload saved
    by Windows Notepad (`\\ufeffVALUE\\r\\n`) is read by an app, and copied by a person, as its
    bare `VALUE` (revencoding 1). Both are searched for: the mask covers the text as printed."""
    return {value.strip(), _bare(value)}


_NORMAL_FORMS: tuple[Literal["NFC", "NFD"], ...] = ("NFC", "NFD")
"""Unicode's composed and decomposed forms, in which one text may be copied."""


def _bare(text: str) -> str:
    return text.strip().lstrip(_BOM).strip()


_SHAPES: dict[str, Callable[[str], str]] = {
    "whole": lambda text: text,
    "strip": str.strip,
    "bare": _bare,
    "whole-nfc": lambda text: normalize("NFC", text),
    "whole-nfd": lambda text: normalize("NFD", text),
    "bare-nfc": lambda text: normalize("NFC", _bare(text)),
    "bare-nfd": lambda text: normalize("NFD", _bare(text)),
}
"""How a plain copy may hold a version's payload (its text): whole, or as `bare_forms` (a
payload stored with a trailing newline or a byte order mark is copied bare); in either Unicode
normal form too, as the masker searches it (`Secrets.add`; helper-669 F7)."""


def payload_shapes(text: str) -> dict[str, str]:
    """A text payload's `_SHAPES` forms by name, those `searchable` (`public_ends.Ends` holds)."""
    shaped = {name: shape(text) for name, shape in _SHAPES.items()}
    return {name: form for name, form in shaped.items() if searchable(form.strip())}


class Versions:
    """The payloads of the secret versions drift read, by their version (`register_payload`):
    each text a plain copy may hold one as, whole or encoded (`_SHAPES`, `ECHOES`), ->
    `(version, form)`. Only what is searched for at all (`searchable`): a short payload
    (`true`) is not told from an ordinary value, as `drift.redact` does not mask it in text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._forms: dict[str, tuple[str, str]] = {}
        self._ends = Ends()  # its `_SHAPES` forms alone (`cut`)
        self._pattern: tuple[Literals, Literals] | None = None  # as they are, as the masker
        self._shortest, self.added = SEARCH_MIN, 0  # shortest form (`pieces`); adds (`withheld`)

    def add(self, data: bytes, version: str, pieces: Mapping[str, str] | None = None) -> None:
        """`pieces`: the payload's pieces that are secrets of their own (`payload_pieces`,
        by name), each a form of it (`piece/NAME`)."""
        try:
            text = data.decode("utf-8")
        except UnicodeDecodeError:  # a keystore, a DER key: copied as its bytes' base64
            packed = {f"bytes/{n}": form for n, form in bytes_forms(data).items()}
            with self._lock:
                for name, form in packed.items():
                    self._forms.setdefault(form, (version, name))
                self._shortest = min([self._shortest, *map(len, packed.values())])
                self._pattern, self.added = None, self.added + 1
            return
        shaped = payload_shapes(text)
        forms: dict[str, tuple[str, str]] = {}  # as is wins where forms coincide, `whole` first
        for name, form in shaped.items():
            forms.setdefault(form, (version, name))
        done: set[str] = set()  # a shape that repeats one before it (an ASCII payload's NFC)
        for name, form in shaped.items():  # has its encodings, set by the first one's name
            if form in done:
                continue
            done.add(form)
            for encoding, encoded in encodings(form):
                if searchable(encoded):
                    forms.setdefault(encoded, (version, f"{name}/{encoding}"))
        named = _PieceNames(pieces or {})
        for name, piece in (pieces or {}).items():
            if searchable(piece):  # as every other form (helper-656 MEDIUM-2)
                forms.setdefault(piece, (version, named(name)))
                for nf in _NORMAL_FORMS:  # in its other normal form too (helper-673 N1)
                    forms.setdefault(normalize(nf, piece), (version, named(name, nf)))
        for name, its in pieces_forms(pieces or {}).items():  # its base64… (LOW-1)
            for encoding, form in its.items():
                forms.setdefault(form, (version, named(name, "", encoding)))
        for name, piece in (pieces or {}).items():  # and those of its other normal form
            for normal, other in other_forms(piece).items():
                for encoding, form in piece_forms(name, other).items():
                    forms.setdefault(form, (version, named(name, normal, encoding)))
        for form in shaped.values():
            self._ends.add(form, forms[form])
        self._ends.add_pieces(pieces or {}, lambda name: (version, named(name)))
        with self._lock:
            self._forms.update(forms)
            self._shortest = min([self._shortest, *map(len, forms)])
            self._pattern, self.added = None, self.added + 1

    def pieces(self, value: str, *, cut: bool = False) -> list[str | tuple[str, str]] | None:
        """`secret_pieces`: a form as it stands, or cut by base64's line breaks (`FORM@44:n`); with
        `cut`, first all of it as a start or end, whatever pieces it holds (a token before them)."""
        if (whole := self._forms.get(value)) is not None:
            return [whole]
        if cut and (ends := self.cut(value)) is not None:
            return ends
        if len(value) < self._shortest:  # a label's name, `env`: no form fits in it
            return None
        with self._lock:
            if self._pattern is None and self._forms:  # the masker's: white space any (W1)
                loose = Literals({f.strip() for f in self._forms} - {""}, flexible=True)
                self._pattern = (Literals(self._forms, flexible=False), loose)
            patterns = self._pattern
        if patterns is None:
            return None
        pattern, loose = patterns
        found = [(f.start, f.stop, self._forms[f.text]) for f in pattern.find(value)]
        for line in across_lines(value, pattern):  # helper-656 MEDIUM-4
            version, form = self._forms[line.value]
            found.append((line.start, line.stop, (version, f"{form}@{spelled(line.breaks)}")))
        if uncovered(loose.find(value), [(f[0], f[1]) for f in found]):  # as the masker finds
            return []  # (any run of white space for another, CRLF for LF): no form (helper-784 W1)
        if not found:
            return None
        out: list[str | tuple[str, str]] = []
        done = 0  # the text between the payloads as it is; of two that overlap, the first
        for start, stop, (version, form) in sorted(found, key=lambda f: (f[0], -f[1])):
            if stop <= done:  # inside one withheld already
                continue
            if start < done:  # and the rest of the second (helper-679 F5: kept in clear)
                form, start = f"{form}#{done - start}", done
            out += [value[done:start], (version, form)] if start > done else [(version, form)]
            done = stop
        return out + [value[done:]] if done < len(value) else out

    def cut(self, value: str) -> list[str | tuple[str, str]] | None:
        """`value` as a text payload's start (`FORM~N`: first N characters) or end (`FORM#N`),
        not all public (`public_ends`, as `is_piece`): a secret pasted as two plain variables,
        recorded as a copy is; outer whitespace kept as text, as `is_piece` strips it (F4)."""
        if (found := self._ends.find(bare := value.strip()) or self._ends.middle(bare)) is None:
            near = self._ends.respaced(bare)  # its white space changed (not a whole form)
            if not (spelling := near and near[2] not in self._forms and respacing(bare, near[2])):
                return [] if self._ends.loose(bare) else None  # as the masker: no form
            found = near[0], f"{near[1]}%{spelling}"  # (`drift.respaced`; helper-790 R1)
        lead, trail = value[: len(value) - len(value.lstrip())], value[len(value.rstrip()) :]
        return [p for p in (lead, (found[0][0], found[0][1] + found[1]), trail) if p]


_PACKED_BYTES = {
    "base64": (base64.b64encode, True),
    "base64url": (base64.urlsafe_b64encode, True),
    "base64-unpadded": (base64.b64encode, False),
    "base64url-unpadded": (base64.urlsafe_b64encode, False),
}


def bytes_forms(data: bytes) -> dict[str, str]:
    """A payload that is not UTF-8 text (a keystore, a DER key, 32 random bytes) as a plain value
    holds it: its bytes' base64 (`KEYSTORE_B64=…`, the usual way), or their hex in either case
    (`KEY_HEX=…`: helper-618 F8), by `ECHOES`' names; only forms `searchable`, hex only of
    `SEARCH_MIN` bytes or more (`echoed_forms`: `deadbeef` is told from no ordinary value)."""
    out = {}
    for name, (encode, padded) in _PACKED_BYTES.items():
        text = encode(data).decode()
        out[name] = text if padded else text.rstrip("=")
    out |= {
        f"base64-wrap{width}{name}": wrapped(out["base64"], width, end)
        for width in WRAPS
        for name, end in LINE_ENDS.items()
    }
    out |= {  # in a JSON string as PHP or .NET escape it (helper-675 F3)
        f"{n}{name}": escape(out[n])
        for n in ("base64", "base64-unpadded")
        for name, escape in JSON_BASE64.items()
    }
    out |= {  # in a URL, percent-encoded (helper-715)
        f"{n}{name}": percent(out[n])
        for n in ("base64", "base64-unpadded")
        for name, percent in PERCENT_BASE64.items()
    }
    if len(data) >= SEARCH_MIN:
        out |= {"hex": data.hex(), "hex-upper": data.hex().upper()}
    return {n: f for n, f in out.items() if searchable(f)}


def payload_form(data: bytes, form: str) -> str | None:
    """A version's payload `data` in the `form` `secret_pieces` gave (None: not UTF-8, or a form
    this drift does not know). `FORM@44:n`: that form cut by line breaks where they stood
    (`drift.wrapped.spelled`); `FORM#N`: its text from its character N on (the rest of a copy
    another overlaps, `Versions.pieces`; or its end, `Versions.cut`); `FORM~N`: its start;
    either, `%…`, with its white space changed (`drift.respaced`)."""
    if (parts := respaced_parts(form)) is not None:  # `FORM~N%…`: `drift.respaced`
        return None if (cut := payload_form(data, parts[0])) is None else respaced(cut, parts[1])
    value = _spelled_form(data, form)
    if value is None and "#" in form:  # a piece's name may hold `#` itself: tried whole first
        whole, _, start = form.rpartition("#")  # `FORM#A`, or `FORM~B#A` (helper-819 J3: once)
        if _NUMBER.fullmatch(start) and (value := _started(data, whole)) is not None:
            return value[int(start) :] if int(start) < len(value) else None
    return value if value is not None or "~" not in form else _started(data, form)


def _started(data: bytes, form: str) -> str | None:
    value = _spelled_form(data, form)  # `FORM`, or its start `FORM~B`: no cut of a cut
    if value is None and "~" in form:
        whole, _, stop = form.rpartition("~")
        if _NUMBER.fullmatch(stop) and (value := _spelled_form(data, whole)) is not None:
            return value[: int(stop)] if int(stop) < len(value) else None
    return value


_NUMBER = re.compile(r"[1-9][0-9]{0,8}")  # as drift writes a cut: no sign, no leading 0, not 0


def _spelled_form(data: bytes, form: str) -> str | None:
    value = _payload_form(data, form)
    if value is None and "@" in form:  # a piece's name may hold `@` itself: tried whole first
        form, _, spelling = form.rpartition("@")
        value = _payload_form(data, form)
        return None if value is None else respelled(value, spelling)
    return value


def _payload_form(data: bytes, form: str) -> str | None:
    name, _, encoding = form.partition("/")
    if name == "bytes":
        return bytes_forms(data).get(encoding)
    if name in ("piece", _PIECE_OF):
        try:
            pieces = payload_pieces(data.decode("utf-8"))
        except UnicodeDecodeError:
            return None
        parts = _piece_parts(pieces, encoding) if name == "piece" else _spelled_parts(encoding)
        return None if parts is None else _piece_value(pieces, *parts)
    shape, encode = _SHAPES.get(name), ECHOES.get(encoding) if encoding else None
    if shape is None or (encoding and encode is None):
        return None
    try:
        shaped = shape(data.decode("utf-8"))
    except UnicodeDecodeError:
        return None
    return encode(shaped) if encode is not None else shaped


def other_forms(text: str) -> dict[str, str]:
    """`text` in each Unicode normal form it is not in, by the form's name (none of an ASCII
    text, the same in every form)."""
    if text.isascii():
        return {}
    return {nf: other for nf in _NORMAL_FORMS if (other := normalize(nf, text)) != text}


_PIECE_OF = "piece-of"
"""A piece's form named unambiguously, `piece-of/["NAME", "NFD", "base64"]`: where `piece/NAME/
NFD/base64` could be read as another piece's name (a query's `token` and `token/base64`)."""
_MARKS = re.compile("[/@#~]")


class _PieceNames:
    """The name of each form of a payload's pieces (`piece/NAME`, `piece/NAME/NFD`,
    `piece/NAME/base64`, `piece/NAME/NFD/base64`): as `_piece_parts` reads it back, or, where it
    would read another piece (a name that is another's followed by `/`, `@`, `#` or `~`, which
    a form's name or a copy's breaks and cuts follow), `piece-of/` and the parts in JSON."""

    def __init__(self, pieces: Mapping[str, str]) -> None:
        self._pieces = pieces
        self._risky = {name[: m.start()] for name in pieces for m in _MARKS.finditer(name)}

    def __call__(self, name: str, nf: str = "", encoding: str = "") -> str:
        plain = "/".join(part for part in (name, nf, encoding) if part)
        if name not in self._risky and _piece_parts(self._pieces, plain) == (name, nf, encoding):
            return f"piece/{plain}"
        return f"{_PIECE_OF}/{json.dumps([name, nf, encoding])}"


def _spelled_parts(text: str) -> tuple[str, str, str] | None:
    """The parts `_PieceNames` wrote in JSON (None: no such thing)."""
    try:
        parts = json.loads(text)
    except (ValueError, RecursionError):  # a journal edited by hand
        return None
    ok = isinstance(parts, list) and len(parts) == 3 and all(isinstance(p, str) for p in parts)
    return (parts[0], parts[1], parts[2]) if ok else None


def _piece_parts(pieces: Mapping[str, str], form: str) -> tuple[str, str, str] | None:
    """A piece's form read as (its name, a normal form or "", one of `PIECE_ECHOES` or ""):
    `.private_key_id`, `.password/NFD`, `.private_key_id/base64`, `.password/NFD/base64` (a
    name, then an encoding, whose names may hold `/` themselves)."""
    if form in pieces:
        return form, "", ""
    for nf in _NORMAL_FORMS:
        if (name := form.removesuffix(f"/{nf}")) != form and name in pieces:
            return name, nf, ""
    for encoding in PIECE_ECHOES:
        if (rest := form.removesuffix(f"/{encoding}")) == form:
            continue
        if rest in pieces:
            return rest, "", encoding
        for nf in _NORMAL_FORMS:
            if (name := rest.removesuffix(f"/{nf}")) != rest and name in pieces:
                return name, nf, encoding
    return None


def _piece_value(pieces: Mapping[str, str], name: str, nf: str, encoding: str) -> str | None:
    """A piece (`_piece_parts`) in its normal form `nf`, then encoded."""
    if name not in pieces or (nf and nf not in _NORMAL_FORMS):
        return None
    piece = normalize(nf, pieces[name]) if nf else pieces[name]
    return piece_forms(name, piece).get(encoding) if encoding else piece
