"""The first safety invariant, on the data: every secret value drift reads is registered here
and masked in any text before it becomes part of a result or an error; what is finally
printed or written is searched again, in every escaped form, as defence in depth.

The rule for which values are searched (the README's "What drift never shows"):

- A value shorter than `SEARCH_MIN` characters (`true`, `42`, `abc`) is never searched for in
  text: it cannot be told from ordinary words and numbers. Findings about a secret never show
  its value at all (`***`); that is what hides such a value.
- Every other known value is masked wherever it appears in text that enters a result (a
  message, an unverified reason, a probe's answer, an error). In text a server sent back, a
  fragment of `FRAGMENT_MIN` characters, or a prefix of `CUT_MIN` where the text was cut,
  is masked too: servers echo credentials truncated.
- The final pass over rendered output leaves out values that are a single word or a number
  (`ignored`, `12345678`): they can be the output's own structure, and they were masked on
  the data already."""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
from typing import Any

from drift.textsafe import github_data, github_property, md_text, visible

MASK = "***"
CHANGED = "*** (changed)"
SEARCH_MIN = 8
"""Shorter values are never searched for in text."""
FRAGMENT_MIN = 8
"""A piece of a secret at least this long is masked in text a server sent back."""
CUT_MIN = 4
"""A secret's prefix at least this long is masked where a server's text was cut."""
_WORD_OR_NUMBER = re.compile(r"[A-Za-z_-]+|[+-]?[0-9]+(?:\.[0-9]+)?")
_CUT_MARKS = "…. \t\ufffd"

_CREDENTIAL_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_KEY"
    r"|SIGNING_KEY|ENCRYPTION_KEY|FERNET|DSN|CONNECTION_STRING|DATABASE_URL|_KEY$)",
    re.IGNORECASE,
)
_CREDENTIAL_VALUE = (
    r"(-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}"
    r"|gh[pousr]_[0-9A-Za-z]{36}|xox[abpr]-[0-9A-Za-z-]{10,}|sk_(live|test)_[0-9A-Za-z]{16,}"
    r"|eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"
    r"|[a-z][a-z0-9+.-]*://[^/\s:@]+:[^/\s@]+@)"
)
_HARMLESS = re.compile(r"^(true|false|yes|no|on|off|none|null|[0-9]{1,6}|https?://[^@]*)$", re.I)


def searchable(value: str) -> bool:
    """Whether drift looks for `value` inside text (long enough to tell from other words)."""
    return len(value) >= SEARCH_MIN


def _escaped_forms(value: str) -> set[str]:
    """How `value` looks once an output format has escaped it."""
    shown = visible(value)
    return {
        value,
        shown,
        json.dumps(value)[1:-1],
        json.dumps(value, ensure_ascii=False)[1:-1],
        md_text(value),
        shown.replace("|", "\\|"),
        github_data(value),
        github_data(shown),
        github_property(shown),
    }


def _alternation(values: set[str]) -> re.Pattern[str] | None:
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(re.escape(v) for v in ordered)) if ordered else None


class Secrets:
    """A set of secret values and the masks that keep them out of text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pieces: dict[str, list[tuple[str, int]]] = {}
        self._patterns: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def add(self, value: str) -> None:
        """Remember `value` (values shorter than `SEARCH_MIN` are not searched for)."""
        if not searchable(value) or value in self._values:
            return
        with self._lock:
            for start in range(len(value) - FRAGMENT_MIN + 1):
                piece = value[start : start + FRAGMENT_MIN]
                if len(set(piece)) >= 3:  # a run like `xxxxxxxx` is nobody's secret
                    self._pieces.setdefault(piece, []).append((value, start))
            self._values.add(value)
            self._patterns = None  # compiled again when next used

    def __contains__(self, value: object) -> bool:
        return value in self._values

    def _compiled(self) -> tuple[re.Pattern[str] | None, re.Pattern[str] | None]:
        """The pattern of the values, and of their escaped forms (words and numbers left out
        of the second: they can be an output's own structure)."""
        patterns = self._patterns
        if patterns is None:
            with self._lock:
                values = set(self._values)
                rendered = {
                    form
                    for secret in values
                    if not _WORD_OR_NUMBER.fullmatch(secret)
                    for form in _escaped_forms(secret)
                    if searchable(form)
                }
                patterns = self._patterns = (_alternation(values), _alternation(rendered))
        return patterns

    def mask(self, text: str, *, echo: bool = False) -> str:
        """`text` with every known value masked; with `echo` (text a server sent back), every
        fragment of `FRAGMENT_MIN` characters and a cut-off prefix of `CUT_MIN` too."""
        if not self._values or not text:
            return text
        whole, _ = self._compiled()
        if whole is not None:
            text = whole.sub(MASK, text)
        return self._mask_pieces(text) if echo else text

    def scrub(self, text: str) -> str:
        """Defence in depth over rendered output: every value that is not a single word or a
        number, in every escaped form a format writes (JSON, Markdown, GitHub, visible)."""
        if not self._values or not text:
            return text
        _, rendered = self._compiled()
        return text if rendered is None else rendered.sub(MASK, text)

    def _mask_pieces(self, text: str) -> str:
        pieces = self._pieces
        spans: list[tuple[int, int]] = []
        i = 0
        while i <= len(text) - FRAGMENT_MIN:
            reach = i + 1
            for secret, start in pieces.get(text[i : i + FRAGMENT_MIN], ()):
                span = _extend(text, i, secret, start)
                spans.append(span)
                # a longer match that starts later still shows its last piece past `reach`
                reach = max(reach, span[1] - FRAGMENT_MIN + 1)
            i = reach
        end = len(text.rstrip(_CUT_MARKS))
        for secret in list(self._values):
            for size in range(min(len(secret) - 1, end, FRAGMENT_MIN - 1), CUT_MIN - 1, -1):
                if text.endswith(secret[:size], 0, end):
                    spans.append((end - size, end))
                    break
        return _replace(text, spans)


def _extend(text: str, at: int, secret: str, start: int) -> tuple[int, int]:
    """The widest span around `text[at:at + FRAGMENT_MIN]` (which is `secret[start:…]`) that
    is still a piece of `secret`."""
    left, right = at, at + FRAGMENT_MIN
    s_left, s_right = start, start + FRAGMENT_MIN
    while left > 0 and s_left > 0 and text[left - 1] == secret[s_left - 1]:
        left, s_left = left - 1, s_left - 1
    while right < len(text) and s_right < len(secret) and text[right] == secret[s_right]:
        right, s_right = right + 1, s_right + 1
    return left, right


def _replace(text: str, spans: list[tuple[int, int]]) -> str:
    """`text` with the spans (merged where they overlap or touch) replaced by the mask."""
    merged: list[tuple[int, int]] = []
    for start, stop in sorted(spans):
        if merged and start <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], stop))
        else:
            merged.append((start, stop))
    out: list[str] = []
    position = 0
    for start, stop in merged:
        out += [text[position:start], MASK]
        position = stop
    out.append(text[position:])
    return "".join(out)


_known = Secrets()


def register(value: str) -> None:
    """Remember a secret value so that no output can carry it."""
    _known.add(value)


def mask(text: str, *, echo: bool = False) -> str:
    """Mask every registered secret in `text` before it becomes part of a result or an error
    (`echo`: text a server sent back, where fragments and cut-off prefixes are masked too)."""
    return _known.mask(text, echo=echo)


def mask_optional(text: str | None, *, echo: bool = False) -> str | None:
    return None if text is None else _known.mask(text, echo=echo)


def scrub(text: str) -> str:
    """The final pass over what is printed or written (see `Secrets.scrub`)."""
    return _known.scrub(text)


@functools.cache
def _credential_value() -> Any:
    # RE2, linear in the value: with backtracking, the URL alternative made a long live value
    # (Cloud Run allows 32 KiB) cost quadratic time, every time it was looked at.
    import re2

    return re2.compile(_CREDENTIAL_VALUE)


def looks_like_credential(name: str, value: str) -> bool:
    """A plain value that should not be shown: a credential-shaped value, or a long opaque
    value in a variable whose name says it is a secret."""
    if _credential_value().search(value):
        return True
    if not _CREDENTIAL_NAME.search(name) or _HARMLESS.match(value.strip()):
        return False
    return len(value) >= 8


class ScrubFilter(logging.Filter):
    """A logging filter that masks messages (installed on drift's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(mask(record.getMessage(), echo=True))
        record.args = None
        return True
