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
ITEMS = 512
"""The most texts of a list's items kept: a fix writes a workload's history of 8 steps or so."""


class EntryText:
    """`json.dumps(data, indent=2, sort_keys=True)` of an entry's fields (`Entry.to_json`: an
    object whose keys are strings), each object at its top level made once for its content."""

    def __init__(self) -> None:
        self._texts: dict[str, str] = {}
        self._items: dict[str, str] = {}

    def __call__(self, data: dict[str, Any]) -> str:
        if not data:
            return "{}"
        fields = (f"  {_COMPACT(key)}: {self._value(data[key])}" for key in sorted(data))
        return "{\n" + ",\n".join(fields) + "\n}"

    def _value(self, value: Any, kept: dict[str, str] | None = None) -> str:
        """`value` as the indented text has it one level in: every line of its own indented
        text but the first two spaces further in (a string's line breaks are escaped: the
        text's are its layout alone). A list's is its items' (`[`, each item's one level
        further in, `,` between, `]`: `json.dumps` writes it so), each kept apart (`kept`: a
        list's items, where a fix's history, its writes and `withheld` add many small ones,
        which would otherwise push out the configurations' texts)."""
        kept = self._texts if kept is None else kept
        if not isinstance(value, (dict, list, tuple)) or not value:
            return _COMPACT(value)  # a scalar, `{}`, `[]`: no layout
        if not isinstance(value, dict):  # a list (the history, the writes) grows each time:
            items = ",\n".join("  " + self._value(item, self._items) for item in value)
            return ("[\n" + items + "\n]").replace("\n", "\n  ")  # its items' texts kept
        key = _COMPACT(value)
        text = kept.get(key)
        if text is None:
            text = _INDENTED(value).replace("\n", "\n  ")
            if len(kept) >= (KEPT if kept is self._texts else ITEMS):
                del kept[next(iter(kept))]
            kept[key] = text
        return text
