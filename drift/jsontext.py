"""JSON documents drift is handed (a manifest, a saved plan, a baseline, a journal entry): every
way one can be malformed is a `json.JSONDecodeError` at its line, which each reader reports."""

from __future__ import annotations

import json
import re
import sys
from typing import Any


def loads(document: str | bytes) -> Any:
    """`json.loads`, where an integer longer than Python converts (`sys.get_int_max_str_digits`,
    4300 digits by default) is a JSONDecodeError at its line like any other malformed JSON,
    never a bare ValueError that tells a person to call `sys.set_int_max_str_digits()`."""
    try:
        return json.loads(document)
    except (json.JSONDecodeError, UnicodeDecodeError):
        raise
    except ValueError:
        limit = sys.get_int_max_str_digits()
        text = document if isinstance(document, str) else document.decode("utf-8", "replace")
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
