"""`EntryText` writes what `json.dumps(data, indent=2, sort_keys=True)` writes, byte for byte,
whatever it kept of an earlier entry: a value changed inside an object it wrote before (`1` to
`1.0` or `true` among them, which compare equal in Python) is written as it is now."""

from __future__ import annotations

import copy
import json
import math
from typing import Any

import pytest

from drift.fix import entrytext
from drift.fix.entrytext import EntryText
from tests.fix.test_journal_text import _SERVICE as WRITTEN

_SERVICE: dict[str, Any] = copy.deepcopy(WRITTEN)  # the layout test's, and more
_SERVICE["labels"]["line"] = "a\nb"
_SERVICE["template"]["odd"] = [math.inf, -0.0, 1e300, ("a", 1)]


def _entry(service: dict[str, Any]) -> dict[str, Any]:
    return {
        "service_before": service,
        "base_template": service["template"],
        "history": [{"at": "t", "state": "planned", "note": "ünï"}],
        "writes": [],
        "traffic": ("LATEST", 100),
        "withheld": [],
        "kind": "service",
        "generation": 7,
        "on_template": False,
        "empty": {},
    }


def _same(text: EntryText, data: dict[str, Any]) -> None:
    assert text(data) == json.dumps(data, indent=2, sort_keys=True)


def test_the_text_is_json_dumps_indented_and_sorted() -> None:
    text = EntryText()
    _same(text, {})
    _same(text, {"only": "one"})
    _same(text, _entry(copy.deepcopy(_SERVICE)))
    _same(text, _entry(copy.deepcopy(_SERVICE)))  # again, from what it kept


@pytest.mark.parametrize("now", [1.0, True, "1", None, [1], {"a": 1}, 2])
def test_a_value_changed_inside_an_object_written_before_is_written_as_it_is_now(
    now: Any,
) -> None:
    text = EntryText()
    data = _entry(copy.deepcopy(_SERVICE))
    data["service_before"]["template"]["concurrency"] = 1
    _same(text, data)
    data["service_before"]["template"]["concurrency"] = now  # the same object, changed
    _same(text, data)


def test_only_so_many_texts_are_kept_and_each_one_written_again_is_right(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(entrytext, "KEPT", 3)
    text = EntryText()
    entries = [_entry({**copy.deepcopy(_SERVICE), "generation": n}) for n in range(8)]
    for data in entries + entries[::-1]:
        _same(text, data)
    assert len(text._texts) <= 3


def test_a_list_grown_or_changed_inside_is_written_as_it_is_now(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """task 843: a list's text is made of its items' texts, each kept (the history grows by a
    step at each write): an item changed in place, lists in lists, more items than are kept."""
    monkeypatch.setattr(entrytext, "ITEMS", 3)
    text = EntryText()
    data = _entry(copy.deepcopy(_SERVICE))
    data["writes"] = [[1, [], [2, {"a": ("b", 1)}]], {"landed": None}]
    for n in range(6):
        data["history"].append({"at": str(n), "state": "x", "note": "a\nb"})
        data["writes"][-1]["landed"] = [1.0, True, 1][n % 3]  # the same object, changed
        _same(text, data)
    assert len(text._items) <= 3
