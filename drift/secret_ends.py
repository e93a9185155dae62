"""Which start or end of a secret's payload is a piece of the secret (helper-741 F1): the secret
pasted as two plain variables (`KEY_A` its first half, `KEY_B` its second) shows neither half,
and the journal records each by its version (`drift.secretforms.Versions.cut`). One rule, for
the masker (`drift.redact.Secrets.is_piece`) and the journal alike (helper-746 F3):

- the value, all of it, is the payload's start or end, `FRAGMENT_MIN` characters or more (a
  start counted past a URL's scheme, `public_head`), and not the payload itself;
- of a payload drift reads as structured (a URL with a password, a JSON document with a
  credential's field, a PEM block: `payload_pieces`, each piece found where it stands in the
  payload), only a start or an end that reaches into one of those pieces (the README: a piece
  of a structured payload is secret "only where the structure says it is"): a DSN's
  `postgres://db.internal:5432` before its password, `{"type": "service_account",`, a PEM's
  BEGIN and END lines, the host that ends a URL are public (helper-746 F1); of an opaque
  payload (a token, a password), every start or end."""

from __future__ import annotations

import json
import threading
from functools import lru_cache

from drift.fragments import public_head
from drift.payload_pieces import payload_pieces

FRAGMENT_MIN = 8
"""The shortest start or end taken for a piece (`drift.redact.FRAGMENT_MIN`)."""


def keyed(key: str) -> bool:
    """Whether a start or end of `FRAGMENT_MIN` characters indexes its payload: a run like
    `xxxxxxxx` is nobody's secret."""
    return len(set(key)) >= 3


@lru_cache(maxsize=4096)
def secret_spans(payload: str) -> tuple[tuple[int, int], ...] | None:
    """Where `payload`'s secret pieces stand in it (as written, or JSON-escaped inside a JSON
    document); None for an opaque payload: one with no piece found in it (a token, a password,
    a base64 text whose pieces are in its decoding only)."""
    spans: set[tuple[int, int]] = set()
    for piece in set(payload_pieces(payload).values()):
        for written in {
            piece,
            json.dumps(piece)[1:-1],
            json.dumps(piece, ensure_ascii=False)[1:-1],
        }:
            at = payload.find(written)
            while at >= 0:
                spans.add((at, at + len(written)))
                at = payload.find(written, at + 1)
    return tuple(sorted(spans)) or None


def _reaches(payload: str, start: int, stop: int) -> bool:
    spans = secret_spans(payload)
    return spans is None or any(a < stop and start < b for a, b in spans)


def end_of(payload: str, value: str) -> str | None:
    """`~N` where `value` is the start of `payload` that is a piece (its first N characters),
    `#N` where it is such an end (from character N on), None where it is neither."""
    if len(value) < FRAGMENT_MIN or len(value) >= len(payload):
        return None
    size = len(value)
    if payload.startswith(value) and size - public_head(payload) >= FRAGMENT_MIN:
        if _reaches(payload, 0, size):
            return f"~{size}"
    if payload.endswith(value) and _reaches(payload, len(payload) - size, len(payload)):
        return f"#{len(payload) - size}"
    return None


class Ends:
    """Payloads by their first and last `FRAGMENT_MIN` characters, each with what it stands
    for (`Versions`: its version and form): which one a value is a piece of is a lookup, not a
    scan of them all (helper-746 P5)."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._heads: dict[str, dict[str, tuple[str, str]]] = {}
        self._tails: dict[str, dict[str, tuple[str, str]]] = {}

    def add(self, payload: str, tag: tuple[str, str]) -> None:
        with self._lock:
            for index, key in (
                (self._heads, payload[:FRAGMENT_MIN]),
                (self._tails, payload[-FRAGMENT_MIN:]),
            ):
                if keyed(key):
                    index.setdefault(key, {})[payload] = tag  # the latest, as `Versions._forms`

    def find(self, value: str) -> tuple[tuple[str, str], str] | None:
        """What `value` is a piece of (`end_of`), and its mark (`~N`, `#N`); the first found."""
        if len(value) < FRAGMENT_MIN:
            return None
        with self._lock:
            heads = list(self._heads.get(value[:FRAGMENT_MIN], {}).items())
            tails = list(self._tails.get(value[-FRAGMENT_MIN:], {}).items())
        for payload, tag in heads + tails:
            if (mark := end_of(payload, value)) is not None:
                return tag, mark
        return None
