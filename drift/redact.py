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
  masked too: servers echo credentials cut short.
- The final pass over rendered output leaves out values that are a single word or a number
  (`ignored`, `12345678`): they can be the output's own structure, and they were masked on
  the data already."""

from __future__ import annotations

import functools
import json
import logging
import re
import threading
import unicodedata
from typing import Any

from drift.textsafe import github_data, github_property, json_inert, md_text, visible

MASK = "***"
CHANGED = "*** (changed)"
SEARCH_MIN = 8
"""Shorter values are never searched for in text."""
FRAGMENT_MIN = 8
"""A secret's prefix at least this long is masked in text a server sent back."""
CUT_MIN = 4
"""A secret's prefix at least this long is masked where a server's text was cut."""
_WORD_OR_NUMBER = re.compile(r"[A-Za-z_-]+|[+-]?[0-9]+(?:\.[0-9]+)?")
_CUT_MARKS = "…. \t\ufffd"

_LAST = (
    r"(?:_(?:PROD|PRODUCTION|STAGING|STAGE|STG|DEV|TEST|QA|UAT|LIVE|OLD|NEW|PREV|PREVIOUS|NEXT"
    r"|CURRENT|PRIMARY|SECONDARY|BACKUP|V?[0-9]+))*$"
)
"""The end of a name, after words that only say which one of several it is (`DB_PASS_PROD`,
`SMTP_PASS_OLD`, `SIGNING_KEY_V2`, `WEBHOOK_HMAC_2`): a "last word" rule looks past them."""
_CREDENTIAL_NAME = re.compile(
    r"(SECRET|PASSWORD|PASSWD|PWD|TOKEN|API_?KEY|PRIVATE_?KEY|ACCESS_?KEY|CREDENTIAL|AUTH_KEY"
    rf"|SIGNING_KEY|ENCRYPTION_KEY|FERNET|DSN|CONNECTION_STRING|DATABASE_URL|_KEY{_LAST}"
    rf"|PASSPHRASE|(?<![A-Z0-9])PASS_?[0-9]*{_LAST}|(?<![A-Z0-9])PW(?![A-Z])"
    rf"|(?<![A-Z0-9])AUTH{_LAST}|(?<![A-Z0-9])(?:SALT|HMAC)[0-9]*{_LAST})",
    re.IGNORECASE,
)
"""Names that say a variable holds a secret, when its value is long and opaque enough
(`looks_like_credential`). `PASS` only as the last word of the name (`DB_PASS`, `SMTP_PASS`,
`PASS_2`, `DB_PASS_PROD`; not `PASS_THROUGH`, `DB_PASS_FILE`, `MIN_PASS_SCORE`, `PASSENGER_COUNT`,
`BYPASS_CACHE`), `PW` only as a word (`DB_PW`), `AUTH` only as the last word (`BASIC_AUTH`;
not `AUTHOR`, `OAUTH_CLIENT_ID`), `SALT` and `HMAC` only as the last word (`SESSION_SALT`,
`WEBHOOK_HMAC`; not `SALT_MASTER`, `HMAC_ALGORITHM`)."""
_STRONG_NAME = re.compile(
    rf"(SECRET|PASSWORD|PASSWD|PASSPHRASE|(?<![A-Z0-9])(?:PASS|PW)_?[0-9]*{_LAST})", re.IGNORECASE
)
"""Names that say a variable holds a password or a secret, whatever its value's length
(`ADMIN_PASSWORD=hunter2`, `DB_PASS`, `DB_PW`): `credential_named`. The broad names of
`_CREDENTIAL_NAME` (`CACHE_KEY=v2`, `TOKEN_TTL=1h`, `PWD=/app`) need a long value."""
_CREDENTIAL_VALUE = (
    r"(-----BEGIN [A-Z ]*PRIVATE KEY-----|AKIA[0-9A-Z]{16}|AIza[0-9A-Za-z_-]{35}"
    r"|gh[pousr]_[0-9A-Za-z]{36}|xox[abpr]-[0-9A-Za-z-]{10,}|sk_(live|test)_[0-9A-Za-z]{16,}"
    r"|eyJ[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}\.[0-9A-Za-z_-]{8,}"
    r"|(?i:bearer)[ \t]+[^\s]{16,}"
    r"|[a-z][a-z0-9+.-]*://[^/\s:@?#]*:(?P<password>[^/\s@?#]+)@)"
)
"""`Bearer` and a token of 16 characters or more is an HTTP Authorization header's value
(RFC 6750 section 2.1), whatever the variable's name. The last form: a URL with a password,
its user possibly empty (`redis://:PASSWORD@host`, the AUTH form of redis-py and
Memorystore). The user and password end where RFC 3986 ends userinfo (`?` and `#` begin the
query and the fragment: `https://h:8443?to=ops@example.com` has none), and a password that
is only `$(VAR)` references holds no credential: Cloud Run puts the referenced variables'
values there (run v2 `EnvVar.value`), a secret-backed one being how a DSN is built around a
secret."""
_ONLY_REFERENCES = re.compile(r"(?:\$\([A-Za-z_][A-Za-z0-9_]*\))+")
_REFERENCE = re.compile(r"\$\([A-Za-z_][A-Za-z0-9_]*\)")
_OPAQUE = re.compile(r"(?=[A-Za-z0-9]*[0-9])(?=[A-Za-z0-9]*[A-Za-z])[A-Za-z0-9]{16,}")
"""A token: 16 letters and digits or more, both kinds in it (`AbCdEf0123456789XyZ`,
`Sup3rS3cretPw0rd`); not a host, a path word or `sslmode=require`."""
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
        json_inert(json.dumps(value)[1:-1]),  # as drift.rendering.json_text writes it
        json_inert(json.dumps(value, ensure_ascii=False)[1:-1]),
        md_text(value),
        shown.replace("|", "\\|"),
        github_data(value),
        github_data(shown),
        github_property(shown),
    }


def _flexible(value: str) -> str:
    """A pattern for `value` in which every run of whitespace matches any run of whitespace:
    drift flattens what servers say to one line, and a secret must still be found in it.
    (Values are registered without their outer whitespace: `Secrets.add`.)"""
    return r"\s+".join(re.escape(chunk) for chunk in re.split(r"\s+", value))


def _alternation(values: set[str]) -> re.Pattern[str] | None:
    ordered = sorted(values, key=len, reverse=True)
    return re.compile("|".join(_flexible(v) for v in ordered)) if ordered else None


class Secrets:
    """A set of secret values and the masks that keep them out of text."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._values: set[str] = set()
        self._pieces: dict[str, list[str]] = {}
        """The secrets by their first `FRAGMENT_MIN` characters."""
        self._patterns: tuple[re.Pattern[str] | None, re.Pattern[str] | None] | None = None

    def add(self, value: str) -> None:
        """Remember `value` (values shorter than `SEARCH_MIN` are not searched for), without
        its outer whitespace: a secret stored with a trailing newline (`echo … | gcloud
        secrets create --data-file=-`) is the same secret wherever its content appears, and
        the text around the mask keeps its own line breaks."""
        value = value.strip()
        if not searchable(value) or value in self._values:
            return
        # The same text in another Unicode normal form (`é` as one code point, NFC, or as `e`
        # and a combining accent, NFD, as macOS file names and some clients send it) is the
        # same secret: each form is searched for as it is, so that the mask covers the text
        # exactly as it is printed.
        for form in {value, *(unicodedata.normalize(f, value) for f in ("NFC", "NFD"))}:
            self._add(form)

    def _add(self, value: str) -> None:
        with self._lock:
            if value in self._values:
                return
            start = value[:FRAGMENT_MIN]
            if len(set(start)) >= 3:  # a run like `xxxxxxxx` is nobody's secret
                self._pieces.setdefault(start, []).append(value)
            self._values.add(value)
            self._patterns = None  # compiled again when next used

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

    def mask(self, text: str, *, echo: bool = False, cut: bool = False) -> str:
        """`text` with every known value masked; with `echo` (text a server sent back), every
        prefix of `FRAGMENT_MIN` characters, and one of `CUT_MIN` that ends the text, too;
        with `cut` only the latter (see `mask_cut`)."""
        if not self._values or not text:
            return text
        whole, _ = self._compiled()
        if whole is not None:
            text = whole.sub(MASK, text)
        if echo:
            return self._mask_pieces(text)
        return _replace(text, self._cut_spans(text)) if cut else text

    def scrub(self, text: str) -> str:
        """Defence in depth over rendered output: every value that is not a single word or a
        number, in every escaped form a format writes (JSON, Markdown, GitHub, visible)."""
        if not self._values or not text:
            return text
        _, rendered = self._compiled()
        return text if rendered is None else rendered.sub(MASK, text)

    def _mask_pieces(self, text: str) -> str:
        """A server that echoes a value cuts its end: mask every prefix of a known value of
        `FRAGMENT_MIN` characters or more, and one of `CUT_MIN` or more that ends the text.
        (Pieces from the middle of a value are left alone: `-staging` or `://` would match
        names that are not secret at all.)"""
        spans: list[tuple[int, int]] = []
        i = 0
        while i <= len(text) - FRAGMENT_MIN:
            reach = i + 1
            for secret in self._pieces.get(text[i : i + FRAGMENT_MIN], ()):
                stop = i + _common_prefix(text, i, secret)
                spans.append((i, stop))
                reach = max(reach, stop)
            i = reach
        return _replace(text, spans + self._cut_spans(text))

    def _cut_spans(self, text: str) -> list[tuple[int, int]]:
        """Where `text` ends in a known value's prefix of `CUT_MIN` to `FRAGMENT_MIN - 1`
        characters (a longer one is a fragment)."""
        end = len(text.rstrip(_CUT_MARKS))
        spans = []
        for secret in list(self._values):
            for size in range(min(len(secret) - 1, end, FRAGMENT_MIN - 1), CUT_MIN - 1, -1):
                if text.endswith(secret[:size], 0, end):
                    spans.append((end - size, end))
                    break
        return spans


def _common_prefix(text: str, at: int, secret: str) -> int:
    """How many characters of `text` from `at` repeat the start of `secret` (a run of
    whitespace matching any run of whitespace, as in `_flexible`)."""
    i, j = at, 0
    while i < len(text) and j < len(secret):
        if text[i].isspace() and secret[j].isspace():
            while i < len(text) and text[i].isspace():
                i += 1
            while j < len(secret) and secret[j].isspace():
                j += 1
        elif text[i] == secret[j]:
            i, j = i + 1, j + 1
        else:
            break
    return i - at


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


@functools.cache
def _credential_value() -> Any:
    # RE2, linear in the value: with backtracking, the URL alternative made a long live value
    # (Cloud Run allows 32 KiB) cost quadratic time, every time it was looked at.
    import re2

    return re2.compile(_CREDENTIAL_VALUE)


_CREDENTIAL_HINT = re.compile(
    r"-----BEGIN |AKIA|AIza|gh[pousr]_|xox[abpr]-|sk_(?:live|test)_|eyJ|(?i:bearer)|://"
)
"""Text that every credential-shaped value holds (each alternative of `_CREDENTIAL_VALUE`
begins with one of these): a value without any is not searched with the whole pattern. Every
plain value read is looked at (`drift.live.remember`), 30,000 of them in a large project."""


@functools.lru_cache(maxsize=4096)
def _credential_name(name: str) -> bool:
    """Whether a variable's name says it holds a secret (names repeat across services)."""
    return _CREDENTIAL_NAME.search(name) is not None


def credential_shaped(value: str) -> bool:
    """A value whose shape alone says it is a credential (a private key, a provider's token, a
    URL with a password), wherever it stands."""
    return bool(credential_pieces(value))


def credential_pieces(text: str) -> list[str]:
    """The pieces of `text` shaped like a credential (`credential_shaped`), as they stand in
    it: what to mask in a sentence that quotes one."""
    if _CREDENTIAL_HINT.search(text) is None:
        return []
    pieces: list[str] = []
    for match in _credential_value().finditer(text):
        password = match.group("password")
        if password is None or not _ONLY_REFERENCES.fullmatch(password):
            pieces.append(match.group(0))
    return pieces


@functools.lru_cache(maxsize=4096)
def _strong_name(name: str) -> bool:
    return _STRONG_NAME.search(name) is not None


def credential_named(name: str, value: str) -> bool:
    """A value, of any length, in a variable whose name says it holds a password or a secret
    (`ADMIN_PASSWORD=hunter2`, `DB_PASS`, `DB_PW`: `_STRONG_NAME`), unless it is empty or one of
    the harmless words and numbers (`true`, `8080`): what `drift init` does not copy into a
    profile, and what a finding does not show. The broad names (`CACHE_KEY=v2`,
    `TOKEN_TTL=1h`) are judged by `looks_like_credential` alone."""
    stripped = value.strip()
    return _strong_name(name) and bool(stripped) and not _HARMLESS.match(stripped)


def hidden_plain(name: str, value: str) -> bool:
    """Whether a plain value is never shown: it looks like a credential, or its variable's
    name says it is a password or a secret however short (`mask_plain`, `plan --format yaml`)."""
    if _held_elsewhere(value):
        return False
    return looks_like_credential(name, value) or credential_named(name, value)


def looks_like_credential(name: str, value: str) -> bool:
    """A plain value that should not be shown: a credential-shaped value, or a long opaque
    value in a variable whose name says it is a secret (but for a value whose credential
    is only `$(VAR)` references, `_held_elsewhere`)."""
    if credential_shaped(value):
        return True
    if not _credential_name(name) or _HARMLESS.match(value.strip()) or _held_elsewhere(value):
        return False
    return len(value) >= 8


def _held_elsewhere(value: str) -> bool:
    """A value whose only credential is `$(VAR)` references: nothing but references, or a URL
    whose password is only references (`postgres://app:$(DB_PASS)@10.0.0.3/db`, a DSN built
    around a secret): the rule of `_CREDENTIAL_VALUE`, for the name-based tests too."""
    if "$(" not in value:
        return False
    if _ONLY_REFERENCES.fullmatch(value.strip()):
        return True
    if "://" not in value:
        return False
    passwords = [m.group("password") for m in _credential_value().finditer(value)]
    if not passwords or not all(p and _ONLY_REFERENCES.fullmatch(p) for p in passwords):
        return False
    # what is left holds no token of its own (`?key=AbCd…89`, a webhook's path, `password=…`)
    return _OPAQUE.search(_REFERENCE.sub("", value)) is None


class ScrubFilter(logging.Filter):
    """A logging filter that masks messages (installed on drift's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(mask(record.getMessage(), echo=True))
        record.args = None
        return True
