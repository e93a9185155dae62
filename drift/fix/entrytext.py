"""A journal entry's text: `json.dumps(data, indent=2, sort_keys=True)`, the very same bytes,
made with less CPU. Python runs its C encoder only without `indent`; with it, the pure-Python
encoder walks every value, and a fix writes a workload's entry again at each of its steps (4
times a service) with the same configurations in it (`service_before`, `base_template`): most
of the entry. Each such object's indented text is kept (`EntryText`), by its compact text as
the C encoder writes it — the content itself, exact (`1`, `1.0` and `true` apart; never an
object's identity, never a time) — so an object written again unchanged is walked by the C
encoder alone."""

from __future__ import annotations

import json
from typing import Any

_COMPACT = json.JSONEncoder(sort_keys=True).encode
"""The C encoder (no indent): the key an object's indented text is kept by."""
_INDENTED = json.JSONEncoder(indent=2, sort_keys=True).encode
KEPT = 64
"""The most texts kept (the oldest is let go first): a fix keeps two a workload."""


class EntryText:
    """`json.dumps(data, indent=2, sort_keys=True)` of an entry's fields (`Entry.to_json`: an
    object whose keys are strings), each object at its top level made once for its content."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}

    def __call__(self, data: dict[str, Any]) -> str:
        if not data:
            return "{}"
        fields = (f"  {_COMPACT(key)}: {self._value(data[key])}" for key in sorted(data))
        return "{\n" + ",\n".join(fields) + "\n}"

    def _value(self, value: Any) -> str:
        """`value` as the indented text has it one level in: every line of its own indented
        text but the first two spaces further in (a string's line breaks are escaped: the
        text's are its layout alone)."""
        if not isinstance(value, (dict, list, tuple)) or not value:
            return _COMPACT(value)  # a scalar, `{}`, `[]`: no layout
        if not isinstance(value, dict):  # a list (the history, the writes) changes each time
            return _INDENTED(value).replace("\n", "\n  ")
        key = _COMPACT(value)
        text = self._texts.get(key)
        if text is None:
            text = _INDENTED(value).replace("\n", "\n  ")
            if len(self._texts) >= KEPT:
                del self._texts[next(iter(self._texts))]
            self._texts[key] = text
        return text
