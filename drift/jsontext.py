"""JSON documents drift is handed (a manifest, a saved plan, a baseline, a journal entry): every
way one can be malformed is a `json.JSONDecodeError` at its line, which each reader reports."""

from __future__ import annotations

import json
import math
import re
import sys
from typing import Any


class _Refused(ValueError):
    def __init__(self, token: str, why: str) -> None:
        super().__init__(why)
        self.token, self.why = token, why


def _constant(token: str) -> Any:
    raise _Refused(token, f"{token} is not JSON (RFC 8259 section 6: no NaN or Infinity)")


def _float(token: str) -> float:
    if math.isinf(value := float(token)):
        raise _Refused(token, f"the number {token} is out of range")
    return value


def loads(document: str | bytes, *, strict: bool = False) -> Any:
    """`json.loads`, where an integer longer than Python converts (`sys.get_int_max_str_digits`,
    4300 digits by default) is a JSONDecodeError at its line like any other malformed JSON,
    never a bare ValueError that tells a person to call `sys.set_int_max_str_digits()`.
    `strict`: so are `NaN`, `Infinity` (which Python's reader takes, RFC 8259 does not) and a
    number out of a double's range (`1e400`), which a reader of what others wrote would
    otherwise meet as a number (helper-544 F4)."""
    hooks: dict[str, Any] = {"parse_constant": _constant, "parse_float": _float} if strict else {}
    try:
        return json.loads(document, **hooks)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except _Refused as exc:
        text = _text(document)
        raise json.JSONDecodeError(exc.why, text, _unquoted(text, exc.token)) from None
    except ValueError:
        limit = sys.get_int_max_str_digits()
        text = _text(document)
        found = re.search(rf"\d{{{limit + 1},}}", text) if limit else None
        if found is None:
            raise
        raise json.JSONDecodeError(
            f"a number of more than {limit} digits", text, found.start()
        ) from None


def deeper_than(document: Any, limit: int) -> bool:
    """Whether a loaded document nests lists and objects more than `limit` levels deep, told
    without recursion: a reader that refuses it first never meets a RecursionError later
    (a `json.dumps` of a document `json.loads` could still read takes its own frame a level)."""
    level: list[tuple[Any, int]] = [(document, 1)]
    while level:
        value, depth = level.pop()
        if isinstance(value, dict | list):
            if depth > limit:
                return True
            inner = value.values() if isinstance(value, dict) else value
            level.extend((v, depth + 1) for v in inner)
    return False


def _text(document: str | bytes) -> str:
    return document if isinstance(document, str) else document.decode("utf-8", "replace")


def _unquoted(text: str, token: str) -> int:
    """Where `token` first stands outside a string of the JSON `text` (0 when nowhere)."""
    quoted = escaped = False
    for i, char in enumerate(text):
        if quoted:
            escaped, quoted = (not escaped and char == "\\"), quoted and (escaped or char != '"')
        elif char == '"':
            quoted = True
        elif text.startswith(token, i):
            return i
    return 0
