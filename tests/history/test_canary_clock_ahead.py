"""helper-835 F4 (failed before): a canary created by a clock ahead of this machine's (Google's
`create_time`, or the fixing machine's in the change id) was said "created 0 min ago". It is
said when it was created and that the clocks differ; the window stays the longer one
(`may_run`: the safe side for `rollback --from-live`, which refuses a canary a fix may still
be working on)."""

from __future__ import annotations

import datetime as dt

from drift.diff.unserved import canary_running, may_run

CHANGE = "20261207-202407-0d965"
CANARY = f"api-drift-{CHANGE}"
BEGAN = dt.datetime(2026, 12, 7, 20, 24, 7, tzinfo=dt.UTC)


def test_a_canary_ahead_of_this_clock_says_the_clocks_differ() -> None:
    now = BEGAN - dt.timedelta(hours=3)  # this machine three hours behind
    words = canary_running(CANARY, CHANGE, [], now)
    assert "0 min ago" not in words, words
    assert (
        f"{CANARY} was created at 2026-12-07 20:24 UTC, 180 min ahead of this machine's " in words
    )
    assert "(the clocks differ)" in words and may_run(BEGAN, now)


def test_a_canary_behind_it_says_its_age() -> None:
    later = BEGAN + dt.timedelta(minutes=5, seconds=30)
    assert f"{CANARY} was created 5 min ago, " in canary_running(CANARY, CHANGE, [], later)
    # seconds ahead (clocks a little apart): no "ahead" said for less than a minute
    soon = BEGAN - dt.timedelta(seconds=20)
    assert f"{CANARY} was created 0 min ago, " in canary_running(CANARY, CHANGE, [], soon)
