"""`drift.live.lazy_config.Lazy`: a mapping worked out a key at a time answers as the dict
worked out at once, through the changes `ProjectNames.respell` makes (a value renamed in place,
a setting taken out as unreadable), and reads no key it is not asked for."""

from __future__ import annotations

from drift.live.lazy_config import Lazy

HELD = {"a": 1, "c": 3, "d": 4}
NAMES = ("a", "b", "c", "d")


def _lazy() -> tuple[Lazy[int], list[str]]:
    asked: list[str] = []

    def read(name: str) -> tuple[bool, int]:
        asked.append(name)
        return (name in HELD, HELD.get(name, 0))

    return Lazy(NAMES, read), asked


def test_a_lookup_reads_that_key_alone_once() -> None:
    lazy, asked = _lazy()
    assert lazy.get("c") == 3 and lazy["c"] == 3 and "c" in lazy
    assert "b" not in lazy and lazy.get("b") is None and lazy.get("b", 7) == 7
    assert "x" not in lazy and 5 not in lazy
    assert asked == ["c", "b"]


def test_read_whole_it_is_the_dict_in_its_names_order() -> None:
    lazy, asked = _lazy()
    assert list(lazy.items()) == list(HELD.items()) and len(lazy) == 3
    assert lazy == HELD and dict(lazy) == HELD and {**lazy} == HELD
    assert asked == list(NAMES)


def test_changes_as_a_dicts() -> None:
    for whole_first in (False, True):
        lazy, _ = _lazy()
        plain = dict(HELD)
        if whole_first:
            assert len(lazy) == 3
        for change in (
            lambda m: m.__setitem__("c", 30),  # renamed in place: keeps its place
            lambda m: m.__setitem__("b", 2),  # a new key: last
            lambda m: m.__delitem__("a"),
            lambda m: m.__setitem__("a", 10),  # back, last
        ):
            change(lazy)
            change(plain)
            assert lazy.get("c") == plain.get("c") and ("a" in lazy) == ("a" in plain)
        assert list(lazy.items()) == list(plain.items())


def test_a_value_renamed_before_it_is_read_whole_keeps_its_place() -> None:
    lazy, asked = _lazy()
    lazy["d"] = 40
    assert lazy["d"] == 40 and asked == ["d"]
    assert list(lazy.items()) == [("a", 1), ("c", 3), ("d", 40)]


def test_a_deferred_change_is_made_when_a_key_it_touches_is_first_looked_up() -> None:
    """`ProjectNames.respell` renames the settings naming a project in every older revision:
    made on one `since` reads only when it looks one of them up, once, in order."""
    lazy, asked = _lazy()
    beside, _ = _lazy()
    made: list[str] = []

    def rename(key: str, value: int) -> None:
        made.append(key)
        if key in lazy:
            lazy[key] = value

    lazy.defer(["c"], lambda: rename("c", 30), beside)
    lazy.defer(["d"], lambda: rename("d", 40), beside)
    assert lazy["a"] == 1 and "b" not in lazy and made == []  # nothing of theirs asked
    assert "d" in beside and made == ["c", "d"]  # the one before it first, once each
    assert lazy["c"] == 30 and lazy["d"] == 40 and made == ["c", "d"]
    assert asked == ["a", "b", "c", "d"]
    late, _ = _lazy()
    late.defer(["c"], lambda: late.__delitem__("c"))
    assert dict(late) == {"a": 1, "d": 4}  # read whole: made first
