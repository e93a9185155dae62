"""Waiting out a per-minute quota (`QuotaWaits`): a quota refusal is no outage. Cloud Run's and
Secret Manager's request quotas are per minute ("Read requests per minute per region",
cloud.google.com/run/quotas; "per minute per project", cloud.google.com/secret-manager/quotas),
and "rate quotas reset after a predefined time interval that is specific to each service"
(cloud.google.com/docs/quota_detail/troubleshoot). A call the quota refused succeeds once the
window has turned, however often it was refused before: retrying it on a backoff within the
retry budget gives up on a large fleet before the minute is over (revsbx92 F2).

A quota refusal (`QuotaRefused`) is RESOURCE_EXHAUSTED whose details carry a
google.rpc.QuotaFailure ("Describes how a quota check failed", google/rpc/error_details.proto;
the API design guide: for RESOURCE_EXHAUSTED "the client should look for google.rpc.QuotaFailure
error detail", cloud.google.com/apis/design/errors) or a RetryInfo ("Clients should wait until
`retry_delay` amount of time has passed since receiving the error response before retrying"):
another RESOURCE_EXHAUSTED (a message larger than gRPC's limit) is none. Every read of the
quota's API pauses together (the quota is the project's, not the call's) until the server's
RetryInfo delay has passed, or, without one, for a whole window from the refusal: the server
says neither where its minute began nor whether it slides, and the minute that refused is over
by then whichever it was. The pauses of a run are bounded by `budget` (DRIFT_QUOTA_WAIT);
past it the calls still refused fail with the server's refusal, and reads the quota's API has
not sent since are not sent (`not_sent`) until a window later.

A read method none of whose calls was let through after `FRUITLESS` pauses in a row does not
meet a quota that turns with its window (one spent for the day, another client taking all of
it, a limit of that method's own): its refusals are then retried as any other failure, within
the retry budget (`drift.live.outages`), as they were before quota waits (revown8 3: a Secret
Manager quota spent for the day)."""

from __future__ import annotations

import time
import weakref
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from drift.errors import ApiError
from drift.live.outages import API_NAMES, Api, NotSent
from drift.live.rates import Ledgers, per_run

WINDOW = 60.0
"""A per-minute quota's window, seconds."""
READS = ("Get", "List", "Access")
Sleep = Callable[[float], Awaitable[None]]
FRUITLESS = 3
"""Pauses in a row after which no call of a read method answered: its quota does not turn."""


class QuotaRefused(ApiError):
    """RESOURCE_EXHAUSTED with a QuotaFailure or a RetryInfo in its details: a quota spent."""


def group_of(api: Api, method: str) -> Api | None:
    """The quota a call waits for: its API's reads (the polling of a write's operation too:
    a GetOperation counts against the read quota, and `fix` must see the write through). A
    write is never sent again after a pause: it keeps the handling writes have
    (`CallRunner.call`'s `retry`), and its quota is another (write requests per minute)."""
    return api if method.startswith(READS) else None


@dataclass
class Paused:
    until: float
    refusal: ApiError


class QuotaWaits:
    """The quota pauses of one run (`run_waits`) or one runner on a time of its own."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.paused: dict[Api, Paused] = {}
        self.waited = 0.0
        """Seconds the run's reads were held so far, for any quota: pauses of two quotas at
        one time count once (`_held`)."""
        self.covered = float("-inf")
        """Until when some quota's pause holds reads (each pause begins now or where one of
        its own quota ends, so what is held from now on is one stretch up to here)."""
        self.spent: dict[Api, tuple[ApiError, float]] = {}
        """The quotas whose waiting budget is spent: their last refusal, and when."""
        self.unanswered: dict[tuple[Api, str], int] = {}
        """The pauses each read method waited since it last answered (`FRUITLESS`)."""

    def wait(self, group: Api, refusal: ApiError, now: float) -> bool | None:
        """Hold the group's reads until its window can have turned: True. False (nothing
        held) when that would take the run's waiting past the budget; None when the quota
        does not turn (`FRUITLESS`): the refusal is any other failure."""
        until = now + (refusal.retry_after or WINDOW)
        held = self.paused.get(group)
        ongoing = held is not None and held.until > now  # a refusal of a call sent before it
        method = (group, refusal.call)
        if not ongoing and self.unanswered.get(method, 0) >= FRUITLESS:
            return None
        begins = held.until if held is not None and ongoing else now
        if self._room(begins, until) < until - 1e-6:  # (clock arithmetic's rounding)
            if ongoing:  # refused in the window the pause waits out: it waits with the others
                return True
            self.spent[group] = (refusal, now)
            return False
        self._held(begins, until)
        self.paused[group] = Paused(max(until, begins), refusal)
        if not ongoing:
            self.unanswered[method] = self.unanswered.get(method, 0) + 1
        return True

    def answered(self, group: Api | None, method: str, now: float) -> None:
        """A read of the quota answered: it turns for its method. Answered during a pause the
        server gave no delay for (a call sent before the refusal, let through after it), it
        counts in the window until a window from now: the pause lasts until then, or the reads
        it holds would meet that call's use of the quota (a window that slides); never past
        the budget (README: the pauses of a run add up to at most DRIFT_QUOTA_WAIT)."""
        if group is None:
            return
        self.unanswered.pop((group, method), None)
        held = self.paused.get(group)
        if held is not None and held.until > now and not held.refusal.retry_after:
            until = self._room(held.until, now + WINDOW)
            self._held(held.until, until)
            held.until = max(held.until, until)

    def _room(self, begins: float, until: float) -> float:
        """How far before `until` a pause from `begins` may hold reads within the budget."""
        return min(until, max(begins, self.covered) + self.budget - self.waited)

    def _held(self, begins: float, until: float) -> None:
        """Count the pause from `begins` to `until` in the run's waiting (once where another
        quota's pause holds reads at the same time)."""
        self.waited += max(0.0, until - max(begins, self.covered))
        self.covered = max(self.covered, until)

    def holding(self, group: Api | None, now: float) -> float:
        """Seconds the group's reads are still held (0: none)."""
        held = self.paused.get(group) if group is not None else None
        return max(0.0, held.until - now) if held is not None else 0.0

    async def resumed(self, group: Api | None, clock: Callable[[], float], sleep: Sleep) -> None:
        """Wait out the group's pause (longer if it is extended meanwhile)."""
        while (left := self.holding(group, clock())) > 0:
            await sleep(left)

    def not_sent(self, group: Api | None, method: str, resource: str, now: float) -> NotSent | None:
        """A read of a quota whose waiting budget is spent, failed without being sent: the
        last refusal, naming this call. A window after, the quota's reads are sent again (a
        later phase of the run: `fix` after its prompt), with no wait left for them."""
        if group is None or group not in self.spent:
            return None
        last, at = self.spent[group]
        if now - at > WINDOW:
            del self.spent[group]
            return None
        return NotSent(
            method,
            resource,
            last.status,
            f"not sent: {API_NAMES[group]} refused its reads for their quota "
            f"({spent_words(self, group)}); it last said: {last.detail}",
        )

    def waiting(self, now: float) -> list[tuple[Api, float]]:
        """The quotas whose reads are held now, with the seconds left (asked from the
        progress line's thread: a copy of the pauses, made at once, is read)."""
        return [(g, p.until - now) for g, p in list(self.paused.items()) if p.until > now]


def spent_words(waits: QuotaWaits, group: Api) -> str:
    return f"drift waited {waits.waited:.0f} s for quotas, DRIFT_QUOTA_WAIT is {waits.budget:g} s"


def past_waiting(failure: ApiError, waits: QuotaWaits, group: Api) -> ApiError:
    """The refusal as raised once the waiting budget is spent, saying so."""
    return saying(failure, f"({spent_words(waits, group)})")


def saying(failure: ApiError, words: str) -> ApiError:
    """The failure as raised, with what drift adds to the server's words after them."""
    return ApiError(
        failure.call,
        failure.resource,
        failure.status,
        f"{failure.detail[:240]} {words}",
        retry_after=failure.retry_after,
    )


def waiting_words(waits: QuotaWaits, now: float) -> str:
    """What the progress line says while reads wait for a quota: whose, and until when (the
    local time of day), so that a run waiting minutes is not taken for one that hung."""
    return "; ".join(pause_words(group, left) for group, left in waits.waiting(now))


def pause_words(group: Api, left: float) -> str:
    """`waiting for the Cloud Run Admin API's quota until 16:05:12` (local time)."""
    until = time.strftime("%H:%M:%S", time.localtime(time.time() + left))
    return f"waiting for {API_NAMES[group]}'s quota until {until}"


_WAITS: Ledgers[float, QuotaWaits] = weakref.WeakKeyDictionary()


def run_waits(budget: float) -> QuotaWaits:
    """The quota pauses of the whole run, whichever session's runner calls, as
    `drift.live.rates.run_budget` keeps the per-minute budgets: a quota is the project's, and
    so is the time waited for it."""
    return per_run(_WAITS, budget, lambda: QuotaWaits(budget))
