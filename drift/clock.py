"""The clock a deadline a person waits on is kept on: one that counts the time the machine was
suspended. `time.monotonic` is CLOCK_MONOTONIC on Linux, which "does not count time that the
system is suspended", while CLOCK_BOOTTIME "is identical to CLOCK_MONOTONIC, except that it
also includes any time that the system is suspended" (clock_gettime(2)); macOS's monotonic
clock stops in sleep too. A laptop closed at the promotion prompt for a night must find the
prompt's time over (`drift.fix.deadline`): the window it protects is judged on the revisions'
create times, wall-clock time. Without CLOCK_BOOTTIME (Python has it on Linux only), wall time."""

from __future__ import annotations

import time


def _has_boottime() -> bool:
    try:
        time.clock_gettime(time.CLOCK_BOOTTIME)
    except (AttributeError, OSError):  # not Linux; or a kernel older than 2.6.39
        return False
    return True


_BOOTTIME = _has_boottime()


def awake_or_asleep() -> float:
    """Seconds on a clock that keeps counting while the machine sleeps (only differences
    between two readings mean anything): CLOCK_BOOTTIME where it exists, else wall time."""
    if _BOOTTIME:
        return time.clock_gettime(time.CLOCK_BOOTTIME)
    return time.time()
