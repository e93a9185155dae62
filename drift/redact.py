"""The first safety invariant, on the data: every secret value drift reads is registered here
and masked in any text before it becomes part of a result or an error; what is finally
printed or written is searched again, in every escaped form, as defence in depth.

The rule for which values are searched (the README's "What drift never shows"):

- A value shorter than `SEARCH_MIN` characters (`true`, `42`, `abc`) is never searched for in
  text: it cannot be told from ordinary words and numbers. Findings about a secret never show
  its value at all (`***`); that is what hides such a value.
- Every other known value is masked wherever it appears in text that enters a result (a
  message, an unverified reason, a probe's answer, an error). In text a server sent back, a
  prefix of the value of `FRAGMENT_MIN` characters, or of `CUT_MIN` where the text ends, is
  masked too: servers echo credentials cut short (counted past a URL's scheme, which every
  link starts with: `public_head`); so is a suffix of `FRAGMENT_MIN`. Which words a server
  wrote is not known where a line is printed, so every line a person reads gets this; but a
  piece that only repeats names drift prints anyway (`register_public`: the project, the
  region, a workload's, a revision's, a service account's; `fragments.PublicNames`) is no
  secret's own and is shown (helper-618 F5).
- The final pass over rendered output leaves out values that are a single word or a number
  (`ignored`, `12345678`): they can be the output's own structure, and they were masked on
  the data already."""

from __future__ import annotations

import logging
import re
import threading
import unicodedata

from drift.fragments import MASK as MASK  # the mask, as every module names it: `redact.MASK`
from drift.fragments import PublicNames, common_prefix, public_head
from drift.fragments import mask_spans as mask_spans
from drift.literals import Literals
from drift.payload_pieces import payload_pieces
from drift.public_ends import Ends
from drift.secretforms import (
    Versions,
    bare_forms,
    bytes_forms,
    echoed_forms,
    escaped_forms,
    other_forms,
    payload_shapes,
    piece_forms,
    pieces_forms,
    searchable,
)
from drift.textsafe import visible
from drift.wrapped import across_lines

CHANGED = "*** (changed)"
FRAGMENT_MIN = 8
"""A secret's prefix at least this long is masked in text a server sent back."""
CUT_MIN = 4
"""A secret's prefix at least this long is masked where a server's text was cut."""
_WORD_OR_NUMBER = re.compile(r"[A-Za-z_-]+|[+-]?[0-9]+(?:\.[0-9]+)?")
_CUT_MARKS = "…. \t\ufffd"


class Secrets:
    """A set of secret values and the masks that keep them out of text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._added: set[str] = set()
        """Every value `add` was given: given again, it has nothing to add."""
        self._escaped: dict[str, list[str]] = {}
        """The escaped forms of each value searched for in rendered output (`_escaped_search`)."""
        self._whole: set[str] = set()
        """Every registered value, however short: what `is_secret` answers from."""
        self.payloads: set[str] = set()
        """Every payload drift read, however short (`is_payload`); no plain credential."""
        self.ends = Ends()
        """The text payloads' forms, as the journal's (`Versions.cut`): `is_piece`."""
        self._pieces: dict[str, list[str]] = {}
        """The secrets by their first `FRAGMENT_MIN` characters."""
        self._tails: dict[str, list[str]] = {}
        """The secrets by their last `FRAGMENT_MIN` characters."""
        self._cuts: dict[int, dict[str, list[str]]] = {}
        """The secrets by the length of their scheme (`public_head`), then by their first
        characters, up to `CUT_MIN` past it: where a text's end may hold a cut one."""
        self._value_pattern: Literals | None = None
        self._escaped_pattern: Literals | None = None
        self.versions = Versions()
        """The payloads drift read, by their version (`secret_pieces`)."""
        self.public = PublicNames()
        """The names no fragment of a secret is masked in (`register_public`)."""

    def add(self, value: str) -> None:
        """Remember `value` (values shorter than `SEARCH_MIN` are not searched for), without
        its outer whitespace: a secret stored with a trailing newline (`echo … | gcloud
        secrets create --data-file=-`) is the same secret wherever its content appears, and
        the text around the mask keeps its own line breaks."""
        if value in self._added:  # a probe's header, registered for each revision it checks
            return
        for bare in bare_forms(value):
            if bare:
                with self._lock:
                    self._whole.add(bare)
            if not searchable(bare) or bare in self._values:
                continue
            # The same text in another Unicode normal form (`é` as one code point, NFC, or as
            # `e` and a combining accent, NFD, as macOS file names and some clients send it) is
            # the same secret: each form is searched for as it is, so that the mask covers the
            # text exactly as it is printed.
            for form in {bare, *(unicodedata.normalize(f, bare) for f in ("NFC", "NFD"))}:
                self._add(form)
        self._added.add(value)

    def is_secret(self, value: str) -> bool:
        """Whether `value`, without its outer whitespace, is a registered value (any length)."""
        return any(bare in self._whole for bare in bare_forms(value) if bare)

    def is_piece(self, value: str) -> bool:
        """Whether `value`, without its outer whitespace, is the start or the end of a payload
        drift read (not a plain credential: `https://hooks.slack.com/…` without its token is
        shown), `FRAGMENT_MIN` characters or more past its scheme, more than public names and
        than the public parts of its form (`drift.public_ends`, as the journal's
        `Versions.cut`), all of it or not: a secret pasted as two variables shows neither."""
        bare, ends = value.strip(), self.ends  # as the journal's (F4), white space any (W2)
        if len(bare) < FRAGMENT_MIN or not ends.piece(bare):  # or its middle (helper-805)
            return False
        return bool(self.public.fragments(bare, [(0, len(bare))]))

    def add_echoed(self, value: str) -> None:
        """Remember `value` as a piece of a secret that only a server's text is searched for
        (`mask(..., echo=True)`): the readable runs of a binary value, where a keystore's or a
        certificate's public names (a host, an issuer) must not hide the same name in a plain
        value elsewhere."""
        with self._lock:
            for bare in bare_forms(value):
                if not searchable(bare):
                    continue
                for form in {bare, *(unicodedata.normalize(f, bare) for f in ("NFC", "NFD"))}:
                    pieces = self._pieces.setdefault(form[:FRAGMENT_MIN], [])
                    if form not in pieces and len(set(form[:FRAGMENT_MIN])) >= 3:
                        pieces.append(form)

    def _add(self, value: str) -> None:
        with self._lock:
            if value in self._values:
                return
            start, end = value[:FRAGMENT_MIN], value[-FRAGMENT_MIN:]
            if len(set(start)) >= 3:  # a run like `xxxxxxxx` is nobody's secret
                self._pieces.setdefault(start, []).append(value)
            if len(set(end)) >= 3:
                self._tails.setdefault(end, []).append(value)
            head = public_head(value)
            if len(value) - 1 >= head + CUT_MIN:
                cuts = self._cuts.setdefault(head, {})
                cuts.setdefault(value[: head + CUT_MIN], []).append(value)
            self._values.add(value)
            self._value_pattern = self._escaped_pattern = None  # compiled again when next used

    def _compiled(self) -> tuple[Literals, Literals]:
        """The pattern of the values, and of their escaped forms (words and numbers left out
        of the second: they can be an output's own structure), each compiled when first used
        (a probe's masker never scrubs)."""
        return self._value_search(), self._escaped_search()

    def _value_search(self) -> Literals:
        pattern = self._value_pattern
        if pattern is None:
            with self._lock:
                pattern = self._value_pattern = Literals(set(self._values), flexible=True)
        return pattern

    def _escaped_search(self) -> Literals:
        pattern = self._escaped_pattern
        if pattern is None:
            with self._lock:
                values = set(self._values)
                for secret in values - self._escaped.keys():  # each value's once
                    self._escaped[secret] = (
                        []
                        if _WORD_OR_NUMBER.fullmatch(secret)
                        else [form for form in escaped_forms(secret) if searchable(form)]
                    )
                rendered = {form for secret in values for form in self._escaped[secret]}
                pattern = self._escaped_pattern = Literals(rendered, flexible=True)
        return pattern

    def mask(self, text: str, *, echo: bool = False, cut: bool = False) -> str:
        """`text` with every known value masked; with `echo` (text a server sent back), every
        prefix of `FRAGMENT_MIN` characters, and one of `CUT_MIN` that ends the text, too;
        with `cut` only the latter (see `mask_cut`)."""
        if not self._values or not text:
            return text
        whole = self._value_search()
        # and base64 in lines, searched with its line breaks removed (helper-656 MEDIUM-4), in
        # the text as it is: a mask put first would cut the lines' run (helper-669 F5)
        spans = [(f.start, f.stop) for f in whole.find(text)]
        spans += [(b.start, b.stop) for b in across_lines(text, whole)]
        text = mask_spans(text, spans) if spans else text
        if echo:
            return self._mask_pieces(text)
        return mask_spans(text, self.public.fragments(text, self._cut_spans(text))) if cut else text

    def scrub(self, text: str) -> str:
        """Defence in depth over rendered output: every value that is not a single word or a
        number, in every escaped form a format writes (JSON, Markdown, GitHub, visible)."""
        if not self._values or not text:
            return text
        return self._escaped_search().masked(text)

    def _mask_pieces(self, text: str) -> str:
        """A server that echoes a value cuts its end: mask every prefix of a known value of
        `FRAGMENT_MIN` characters or more, and one of `CUT_MIN` or more that ends the text.
        One that shortens it from the left (`…` and its last 40 characters, as a log line
        cut to fit shows it) leaves a suffix: masked from `FRAGMENT_MIN` characters too.
        (Pieces from the middle of a value are left alone: `-staging` or `://` would match
        names that are not secret at all.)"""
        # each index looked up once a run of the text's characters is a key: most texts hold none
        grams = {text[i : i + FRAGMENT_MIN] for i in range(len(text) - FRAGMENT_MIN + 1)}
        spans = [] if self._tails.keys().isdisjoint(grams) else self._tail_spans(text)
        i = 0 if not self._pieces.keys().isdisjoint(grams) else len(text)
        while i <= len(text) - FRAGMENT_MIN:
            reach = i + 1
            for secret in self._pieces.get(text[i : i + FRAGMENT_MIN], ()):
                stop = i + common_prefix(text, i, secret)
                if stop - i - public_head(secret) >= FRAGMENT_MIN:
                    spans.append((i, stop))
                    reach = max(reach, stop)
            i = reach
        return mask_spans(text, self.public.fragments(text, spans + self._cut_spans(text)))

    def _tail_spans(self, text: str) -> list[tuple[int, int]]:
        """Where `text` holds the end of a known value, `FRAGMENT_MIN` characters or more of
        it (the whole value is masked already)."""
        spans = []
        for end in range(FRAGMENT_MIN, len(text) + 1):
            for secret in self._tails.get(text[end - FRAGMENT_MIN : end], ()):
                size = FRAGMENT_MIN
                while size < min(len(secret), end) and text[end - size - 1] == secret[-size - 1]:
                    size += 1
                spans.append((end - size, end))
        return spans

    def _cut_spans(self, text: str) -> list[tuple[int, int]]:
        """Where `text` ends in a known value's prefix of `CUT_MIN` to `FRAGMENT_MIN - 1`
        characters (a longer one is a fragment), past its scheme (`public_head`)."""
        end = len(text.rstrip(_CUT_MARKS))
        spans = []
        with self._lock:
            cuts = list(self._cuts.items())  # each index only looked up (GIL-atomic)
        for head, index in cuts:
            found: set[str] = set()  # the longest cut of each secret, as its own span
            for size in range(min(end, head + FRAGMENT_MIN - 1), head + CUT_MIN - 1, -1):
                start = end - size
                for secret in index.get(text[start : start + head + CUT_MIN], ()):
                    if secret not in found and size < len(secret):
                        if text.startswith(secret[:size], start):
                            found.add(secret)
                            spans.append((start, end))
        return spans


_known = Secrets()


def register(value: str) -> None:
    """Remember a secret value so that no output can carry it."""
    _known.add(value)


def register_public(*names: str | None) -> None:
    """Remember identifiers drift names resources by (a project id, a region, a workload's,
    a revision's or a service account's name): a cut piece of a secret that only repeats them
    is not masked (`fragments.PublicNames`); a secret's whole value still is."""
    _known.public.add(*names)


def is_secret(value: str) -> bool:
    """Whether `value` is, as a whole, a value registered as a secret, however short: a value
    shown whole (a variable's value in a plan line or a rollback's diff) is masked then, even
    below `SEARCH_MIN`, which only limits what is searched for inside text."""
    return _known.is_secret(value)


def is_piece(value: str) -> bool:
    """Whether `value` is, as a whole, a read payload's start or end (`Secrets.is_piece`)."""
    return _known.is_piece(value)


def register_payload(data: bytes, version: str = "") -> None:
    """Remember a secret version's payload as text wherever something may show it: the whole
    of it decoded as UTF-8 (with U+FFFD for bytes that are not), and, when it holds bytes that
    are not readable text (not UTF-8, or control characters: a keystore, DER, a binary key
    with a name in it), every readable run between them of `FRAGMENT_MIN` characters or more,
    searched for in what servers send back only (`Secrets.add_echoed`). A server or a tool that
    quotes such a value quotes its readable part, never the bytes around it; a shorter run is
    not searched for anyway (`SEARCH_MIN`), and `FRAGMENT_MIN` is the length from which the
    masker already takes a piece of a value for a secret's own (`Secrets._mask_pieces`): a run
    is a piece of the value that a server may echo alone. Elsewhere a run is not masked: the
    readable runs of a keystore or a certificate are public names (a host, an issuer), which a
    plain value may hold too (revown27).
    Its common encodings (`echoed_forms`: base64, percent-encoding…) are searched for too: a
    plain value holding a secret's base64 is that secret (revleak60 F4). `version`: the
    version it is the payload of, numbered (`secret_pieces`).
    (Not the latin-1 decoding: every byte from 0xA0 up is a letter in it, so random bytes
    would give thousands of runs, and servers speak UTF-8.)"""
    try:
        text, binary = data.decode("utf-8"), False
    except UnicodeDecodeError:
        text, binary = data.decode("utf-8", errors="replace"), True
    if not binary:  # text a plain value may hold, as it is or encoded
        _known.add(text)
        _known.payloads.update(bare for bare in bare_forms(text) if bare)
        for name, form in payload_shapes(text).items():
            _known.ends.add(form, ("", name))
        shapes = bare_forms(text) | {text}  # and in its other normal form (helper-679 F4)
        for form in shapes | {o for s in shapes for o in other_forms(s).values()}:
            for encoded in echoed_forms(form):  # its base64, percent-encoded… (revleak60 F4)
                _known.add(encoded)
    # not UTF-8 (a keystore): its U+FFFD decoding's escaped forms made 11.7 M characters of 64
    # KiB (the first mask ~94 s, helper-656): its bytes' base64, hex and readable runs (below)
    # a URL's password, a JSON key's private_key_id, a PEM line: secrets of their own
    # (helper-646 F2), but for one that only repeats names drift prints anyway; of a payload
    # that is text only (the journal finds a piece again in the text: helper-656 MEDIUM-1)
    pieces = {
        name: piece
        for name, piece in (payload_pieces(text) if not binary else {}).items()
        if searchable(piece) and _known.public.fragments(piece, [(0, len(piece))])
    }
    _known.ends.add_pieces(pieces, lambda name: ("", name))  # any part of one (helper-819 L1)
    encodings = pieces_forms(pieces)  # and its encodings (helper-656 LOW-1), in its other normal
    for name, piece in pieces.items():  # form too (helper-679 F4)
        others = [piece_forms(name, other) for other in other_forms(piece).values()]
        for form in {piece, *(f for fs in (encodings.get(name, {}), *others) for f in fs.values())}:
            _known.add(form)
    if version:
        _known.versions.add(data, version, pieces)
    if binary:  # its bytes' base64 is how a variable holds it (helper-541)
        for encoded in bytes_forms(data).values():
            _known.add(encoded)
    runs = _UNREADABLE.split(text)
    for run in runs if len(runs) > 1 else []:
        if len(run.strip()) >= FRAGMENT_MIN:
            _known.add_echoed(run)


def is_payload(value: str) -> bool:
    """`value` is a payload drift read, whole (however short) or inside (`secret_pieces`)."""
    with _known._lock:
        whole = any(bare in _known.payloads for bare in bare_forms(value))
    return whole or secret_pieces(value) is not None


def secret_pieces(value: str, *, cut: bool = False) -> list[str | tuple[str, str]] | None:
    """`value` cut around each payload of a secret version drift read (`register_payload`
    with its version) that it holds, whole or encoded: the text between them as it is, each
    payload as `(version, form)` (`projects/P/secrets/S/versions/N`, the form `payload_form`
    gives it back in); None when it holds none. A payload shorter than `SEARCH_MIN` never
    (`true` is not told from an ordinary value: the text is not searched for it either). What
    the journal records instead of a copy of a secret, or with `cut` of its start or end."""
    return _known.versions.pieces(value, cut=cut)


_UNREADABLE = re.compile(r"[\ufffd\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]+")
"""What splits a payload into readable runs (`register_payload`): bytes that are not UTF-8
(decoded as U+FFFD) and control characters other than tab and line breaks, which text keeps."""


def mask(text: str, *, echo: bool = False) -> str:
    """Mask every registered secret in `text` before it becomes part of a result or an error
    (`echo`: text a server sent back, where cut-off prefixes of a secret are masked too)."""
    return _known.mask(text, echo=echo)


def mask_cut(text: str) -> str:
    """A server's text that drift quotes inside a sentence of its own, where the end of the
    server's text is no longer the end of what is printed: every registered secret, and a
    secret's prefix of `CUT_MIN` characters or more where the server's text ends (cut short).
    Longer fragments are masked when the sentence is (`mask(..., echo=True)`), once every
    secret is known: masked now, a fragment could be the start of a secret learned later
    whose rest would then not be found."""
    return _known.mask(text, cut=True)


def mask_optional(text: str | None, *, echo: bool = False) -> str | None:
    return None if text is None else _known.mask(text, echo=echo)


def scrub(text: str) -> str:
    """The final pass over what is printed or written (see `Secrets.scrub`)."""
    return _known.scrub(text)


class ScrubFilter(logging.Filter):
    """A logging filter installed on drift's handlers: each record's message masked, then
    made visible (`textsafe.visible`). A record's arguments are data (a plan's value, a
    server's header, a resource name): a line break in one would start a log line of its own,
    which a CI runner runs when it starts with `::`, and an escape sequence would act on the
    terminal. A record is one line of the log."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = visible(scrub(mask(record.getMessage(), echo=True)))
        record.args = None
        return True
