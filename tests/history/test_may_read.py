"""`may_read` decides, before any configuration is read, which revisions telling what the
shown ones changed may compare: whatever `unserved` then decides of a failed revision or of
drift's canary (served or not), every revision a shown one is compared with, and each pair
`unserved` compares around a canary, is among them."""

from __future__ import annotations

from itertools import product

from hypothesis import given
from hypothesis import strategies as st

from drift.diff.unserved import may_read, served_before
from drift.live.changeids import canary_change
from drift.live.state import RevisionRecord

SHAPES = ("served", "failed", "deploying", "canary")


def _record(i: int, shape: str) -> RevisionRecord:
    name = f"api-drift-20261130-1200{i:02d}-0a1b" if shape == "canary" else f"api-{i:05d}-abc"
    assert (canary_change(name) is not None) == (shape == "canary")
    return RevisionRecord(
        name,
        None,
        "",
        None,
        lambda: (_ for _ in ()).throw(AssertionError("read")),
        ready=shape in ("served", "canary"),
        deploying=shape == "deploying",
    )


@given(st.lists(st.sampled_from(SHAPES), min_size=1, max_size=9), st.integers(1, 9))
def test_whatever_unserved_decides_the_revisions_compared_are_among_them(
    shapes: list[str], limit: int
) -> None:
    records = [_record(i, s) for i, s in enumerate(shapes)]
    shown = range(max(0, len(records) - limit), len(records))
    wanted = may_read(records, shown)
    maybe = [i for i, s in enumerate(shapes) if s in ("failed", "canary")]
    for skips in product((False, True), repeat=len(maybe)):  # every way `unserved` may decide
        skipped = {i: "never served" for i, skip in zip(maybe, skips, strict=True) if skip}
        for i in shown:
            before = served_before(skipped, i)
            assert before is None or before in wanted, (shapes, skipped, i)
        for i in (i for i, s in enumerate(shapes) if s == "canary" and i + 1 < len(shapes)):
            base = served_before(skipped, i)  # `_undone` compares it with the one after
            assert i + 1 in wanted and (base is None or base in wanted), (shapes, skipped, i)
    assert set(shown) <= wanted
