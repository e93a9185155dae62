"""Defence in depth for the first safety invariant: every secret value drift reads is
registered here, and everything drift prints, writes or logs is scrubbed of them."""

from __future__ import annotations

import functools
import logging
import re
import threading
from typing import Any

MASK = "***"
CHANGED = "*** (changed)"
_MIN_SCRUB_LENGTH = 4

_lock = threading.Lock()
_values: set[str] = set()
_pattern: re.Pattern[str] | None = None

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


def register(value: str) -> None:
    """Remember a secret value so that no output can carry it (the pattern that finds them
    all is compiled when next needed: once, not once per value read)."""
    global _pattern
    if len(value) < _MIN_SCRUB_LENGTH:
        return
    with _lock:
        if value in _values:
            return
        _values.add(value)
        _pattern = None


def scrub(text: str) -> str:
    """Replace every registered secret value in `text` with the mask."""
    if not text:
        return text
    pattern = _compiled()
    if pattern is None:
        return text
    return pattern.sub(MASK, text)


def _compiled() -> re.Pattern[str] | None:
    global _pattern
    with _lock:
        if _pattern is None and _values:
            ordered = sorted(_values, key=len, reverse=True)
            _pattern = re.compile("|".join(re.escape(v) for v in ordered))
        return _pattern


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
    """A logging filter that scrubs messages (installed on drift's handlers)."""

    def filter(self, record: logging.LogRecord) -> bool:
        record.msg = scrub(record.getMessage())
        record.args = None
        return True
