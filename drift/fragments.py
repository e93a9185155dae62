"""Pieces of a secret in text (`drift.redact`): where a text repeats a secret's start, and the
names that are no piece of any secret (`PublicNames`): the identifiers drift names resources by
(a project id, a region, a workload's, a revision's, a service account's name), which drift
prints in its own sentences whatever a secret's value begins or ends with."""

from __future__ import annotations

import re
import threading

MASK = "***"
_SCHEME = re.compile(r"([a-z][a-z0-9+.-]{0,15})://")
"""A URL's scheme (RFC 3986 section 3.1) and `//`: how every link starts, no piece of a
secret (`public_head`), when it is one of `URL_SCHEMES`."""
URL_SCHEMES = frozenset(
    {
        *("http", "https", "ws", "wss", "ftp", "ftps", "sftp", "ssh", "grpc", "grpcs"),
        *("postgres", "postgresql", "mysql", "mariadb", "sqlserver", "mssql", "cockroachdb"),
        *("redis", "rediss", "mongodb", "mongodb+srv", "memcached", "clickhouse", "cassandra"),
        *("amqp", "amqps", "nats", "mqtt", "mqtts", "kafka", "ldap", "ldaps", "smtp", "smtps"),
    }
)
"""The schemes of URLs, written in lower case, that are public: the start of every link
(`public_head`), and with its host and port, of one without userinfo (`drift.public_ends`)."""
PUBLIC_MIN = 4
"""A shorter name is not taken for public (`PublicNames.add`): `api` or `a` would spare the
same letters wherever a fragment of a secret holds them."""


def public_head(secret: str) -> int:
    """How many of `secret`'s first characters are a URL's scheme (`https://`): public, the
    start of every link a server's text holds. A prefix of a secret is counted past them (a
    hook's `https://` is no piece of it, `https://hooks.sl` is). Only a scheme of
    `URL_SCHEMES`: a token before `://` is no scheme (`NwmZ7zqfXF8QbggxZtPW6://svc…` showed
    21 characters of its token in every start of it, helper-769 LOW), nor is `HTTPS://`."""
    scheme = _SCHEME.match(secret)
    return scheme.end() if scheme and scheme.group(1) in URL_SCHEMES else 0


def common_prefix(text: str, at: int, secret: str) -> int:
    """How many characters of `text` from `at` repeat the start of `secret` (a run of
    whitespace matching any run of whitespace, as `drift.redact` searches for a value)."""
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


def mask_spans(text: str, spans: list[tuple[int, int]]) -> str:
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


class PublicNames:
    """The identifiers drift names resources by (helper-618 F5): a fragment of a secret found
    in a text (`drift.redact`: its first or last `FRAGMENT_MIN` characters or more, or a cut
    prefix) that only repeats such names where they occur in that text, a separator or two
    between or around them, is spared (`fragments`). `postgres://app:pw@10.0.0.3:5432/acme-
    staging` ends with the project's id: drift's `from acme-staging/us-central1` and a
    server's `projects/acme-staging` keep it, since the id is no secret and drift shows it in
    every report anyway; a fragment with a character of its own (`2/acme-staging`,
    `acme-staging-pw`, `acme-staging!#`) is masked whole, as before. A secret's whole value is
    masked wherever it stands, even one that is a name."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._names: set[str] = set()

    def add(self, *names: str | None) -> None:
        """Take `names` for public (`PUBLIC_MIN` characters or more, without outer space)."""
        kept = {n.strip() for n in names if n and len(n.strip()) >= PUBLIC_MIN}
        with self._lock:
            self._names |= kept

    def fragments(self, text: str, spans: list[tuple[int, int]]) -> list[tuple[int, int]]:
        """`spans` of `text` but those that only repeat public names where they stand in
        `text`, with a separator or two between or around them (`_own`)."""
        if not spans or not self._names:
            return spans
        with self._lock:
            names = list(self._names)
        covered = bytearray(len(text))
        for name in names:
            at = text.find(name)
            while at >= 0:
                covered[at : at + len(name)] = b"\x01" * len(name)
                at = text.find(name, at + 1)
        return [span for span in spans if _own(text, covered, *span)]


_SEPARATORS = frozenset(" \t/.:@-_")
_SEPARATORS_MAX = 2


def _own(text: str, covered: bytearray, start: int, stop: int) -> bool:
    """Whether `text[start:stop]` holds characters of its own beside the public names it
    repeats (`covered`): any letter or digit, any character but a separator a name stands
    between (`/`, `.`, `:`, `@`, `-`, `_`, a space), or more than `_SEPARATORS_MAX` of them."""
    outside = [text[i] for i in range(start, stop) if not covered[i]]
    return len(outside) > _SEPARATORS_MAX or any(c not in _SEPARATORS for c in outside)
