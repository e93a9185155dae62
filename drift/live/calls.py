"""Every Google API call goes through here: bounded concurrency, a client-side rate limit
per API, a deadline per call, retries with backoff and jitter on transient errors (honouring
RetryInfo), a count per method, and one translation of Google errors into drift's (`api_errors`).
An emulator no connection can be made to ends the run at once (`EmulatorUnreachable`)."""

from __future__ import annotations

import asyncio
import logging
import random
import sys
import time
from collections import Counter
from collections.abc import AsyncIterator, Awaitable, Callable, Collection, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import dataclass
from typing import Any, TypeVar

from drift.errors import ApiError, AuthError, DriftError
from drift.live.clients import Emulators
from drift.live.credfail import refresh_failed, words
from drift.live.outages import Api, NotSent, Outages, shared
from drift.live.quota import (
    QuotaRefused,
    QuotaWaits,
    group_of,
    past_waiting,
    pause_words,
    run_waits,
    saying,
)
from drift.live.rates import RateLimiter, run_budget
from drift.live.unreachable import answers, not_a_sandbox, unreachable
from drift.next_steps import not_enabled
from drift.textsafe import visible

__all__ = ["Api", "CallRunner", "Limits", "NotSent", "RateLimiter", "api_errors", "translate"]

T = TypeVar("T")
log = logging.getLogger(__name__)

SERVICE_DISABLED = "SERVICE_DISABLED"
"""ErrorInfo.reason of a call to an API the project has not enabled (error_reason.proto)."""
RETRYABLE = frozenset({"UNAVAILABLE", "DEADLINE_EXCEEDED", "RESOURCE_EXHAUSTED"})
# What gRPC says when no HTTP/2 connection to the address could be made: nothing listens
# there, the name does not resolve, or what answers is not a gRPC server (an HTTP/1 server, a
# port that closes or never speaks). gRPC core's pick_first says "failed to connect to all
# addresses" then, with the last subchannel's error. From the real API a network blip worth
# retrying; from an emulator on this machine, a configuration mistake — once a connection of
# its own proves it (`answers`): a server relaying its backend's failure sends the same words
UNREACHABLE = (
    "failed to connect to all addresses",
    "Connection refused",
    "errors resolving",
    "DNS resolution failed",
)
MAX_ATTEMPTS = 5
BASE_DELAY = 0.2
MAX_DELAY = 8.0
QUOTA_BASE_DELAY = 2.0
QUOTA_MAX_DELAY = 60.0
"""RESOURCE_EXHAUSTED without RetryInfo (`CallRunner._delay`)."""


@dataclass(frozen=True)
class Limits:
    concurrency: int = 64
    run_rpm: int = 900
    secrets_rpm: int = 540
    access_rpm: int = 81_000
    resources_rpm: int = 300
    """Resource Manager reads (project, folder and organisation policies): a few per run."""
    call_timeout: float = 30.0
    retry_budget: float = 60.0
    quota_wait: float = 300.0
    """Seconds a run may hold reads for a spent per-minute quota (`drift.live.quota`)."""


class CallRunner:
    def __init__(
        self,
        limits: Limits,
        *,
        seed: int | None = None,
        clock: Callable[[], float] = time.monotonic,
        sleep: Callable[[float], Awaitable[None]] | None = None,
    ) -> None:
        self.limits = limits
        self.clock = clock
        self.sleep = sleep
        """How the runner tells time and waits (the limiters too): a test may make waits of
        minutes pass at once."""
        self.semaphore = asyncio.Semaphore(limits.concurrency)
        self.limiters: dict[Api, RateLimiter] = {  # on another clock than time's (a test's)
            "run": RateLimiter(limits.run_rpm, clock, sleep),
            "secrets": RateLimiter(limits.secrets_rpm, clock, sleep),
            "access": RateLimiter(limits.access_rpm, clock, sleep),
            "resources": RateLimiter(limits.resources_rpm, clock, sleep),
        }
        self.counts: Counter[str] = Counter()
        self.retries: Counter[str] = Counter()
        self.outages = Outages(limits.retry_budget)
        self.waits = QuotaWaits(limits.quota_wait)
        """The quota pauses its reads obeyed last (`quotas`): its own until then."""
        self.random = random.Random(seed)
        self.emulator: Emulators | None = None
        """The emulators when the clients talk to them (set by the session)."""

    async def call(
        self,
        api: Api,
        method: str,
        resource: str,
        fn: Callable[[float], Awaitable[T]],
        *,
        retry: bool = True,
    ) -> T:
        """Run `fn(timeout)`; raise ApiError (or AuthError) when it cannot succeed. The retry
        budget ("total time retries may take") runs from the first failure, of this call or,
        for a read, of any call of its method while the method has answered none since
        (`outages`): a read method that keeps refusing (a quota spent for the day) ends the
        run within about one budget, whatever the number of calls queued behind it, each of
        which waited for its turn without starting a budget of its own. Past that budget,
        its calls not yet sent are not sent (`NotSent`)."""
        failed_at: float | None = None
        attempt = paused = 0
        limiter = self.limiter(api)
        while True:
            attempt += 1
            try:
                async with self._turn(api, method, resource):
                    self.counts[method] += 1
                    with api_errors(method, resource):
                        result = await asyncio.wait_for(
                            fn(self.limits.call_timeout), self.limits.call_timeout + 5
                        )
                log.debug("%s %s: OK (attempt %d)", method, resource, attempt)
                self.outages.answered((api, method))
                self.quotas().answered(group_of(api, method), method, self.clock())
                return result
            except NotSent:
                raise
            except ApiError as exc:
                failure = exc
            if self.emulator is not None and _unreachable(failure):
                if not await answers(self.emulator.of(api)):  # its words may be a server's
                    raise unreachable(self.emulator, api, failure.detail) from failure
            if self.emulator is not None and failure.status == "UNIMPLEMENTED":
                raise not_a_sandbox(self.emulator, api, failure.brief) from failure
            if retry and self._waits_for_quota(api, method, failure):
                self.retries[method] += 1  # no retry budget spent: no outage
                paused += 1  # nor an attempt at another failure (a blip after it)
                continue
            if failure.status not in RETRYABLE:
                self.outages.answered((api, method))  # it answered: NOT_FOUND, PERMISSION_DENIED
            # a quota's refusals count every attempt, the pauses' too (a quota that does not
            # turn: `FRUITLESS`); any other failure only the attempts that met a failure
            tries = attempt if failure.status == "RESOURCE_EXHAUSTED" else attempt - paused
            delay = self._delay(tries, failure)
            now = self.clock()
            if failed_at is None:
                failed_at = now
            began = now
            if failure.status in RETRYABLE and shared(method):
                began = self.outages.refusing((api, method), _past_budget(failure), now, delay)
            spent = now - min(failed_at, began)
            if (
                not retry
                or failure.status not in RETRYABLE
                or (tries >= MAX_ATTEMPTS and not _quota_unhinted(failure))
                or spent + delay > self.limits.retry_budget
            ):
                log.debug("%s (attempt %d, not retried)", failure.brief, attempt)
                raise _past_budget(failure) from failure.__cause__
            log.debug("%s (attempt %d): retry in %.2f s", failure.brief, attempt, delay)
            self.retries[method] += 1
            if failure.status == "RESOURCE_EXHAUSTED":
                limiter.pause(delay)  # this call and every other one on the API not yet sent
            else:
                await (self.sleep or asyncio.sleep)(delay)

    @asynccontextmanager
    async def _turn(self, api: Api, method: str, resource: str) -> AsyncIterator[None]:
        """A concurrency slot and one call of the API's budget, taken together when the call
        goes out. Waiting for the API (its per-minute budget, a RESOURCE_EXHAUSTED pause)
        holds no slot, so one API's quota never stalls another's calls; and a pause that
        began while a call waited for a slot holds that call too: RetryInfo, "Clients should
        wait until `retry_delay` amount of time has passed since receiving the error response
        before retrying" (google/rpc/error_details.proto), and the quota is the API's. A call
        of a read method given up on meanwhile is not sent (`Outages.refused`)."""
        limiter, waits, group = self.limiter(api), self.quotas(), group_of(api, method)
        while True:
            await waits.resumed(group, self.clock, self.sleep or asyncio.sleep)
            await limiter.ready()
            await self.semaphore.acquire()
            now = self.clock()
            refused = self.outages.refused((api, method), resource, now)
            if refused is None and shared(method):
                refused = waits.not_sent(group, method, resource, now)
            if refused is not None:
                self.semaphore.release()
                raise refused
            if not waits.holding(group, now) and limiter.take():
                break
            self.semaphore.release()
        try:
            yield
        finally:
            self.semaphore.release()

    def limiter(self, api: Api) -> RateLimiter:
        """The budget `api`'s calls take their turn from: on real time, the run's
        (`run_budget`), shared with every other runner of the command; a runner on a clock of
        its own (a test's warped time) keeps its own."""
        if self.clock is time.monotonic and self.sleep is None:
            return run_budget(api, self.limiters[api].limit)
        return self.limiters[api]

    def quotas(self) -> QuotaWaits:
        """The quota pauses the runner's reads obey: on real time, the run's (`run_waits`);
        a runner on a clock of its own (a test's warped time) keeps its own."""
        if self.clock is time.monotonic and self.sleep is None:
            self.waits = run_waits(self.limits.quota_wait)
        return self.waits

    def _waits_for_quota(self, api: Api, method: str, failure: ApiError) -> bool:
        """Whether a read the quota refused waits for the quota's window to turn (with every
        read of the quota: `drift.live.quota`); raises the refusal when the run's waiting
        budget is spent. False: not a quota refusal, or quota waits are off (0)."""
        group = group_of(api, method)
        waits = self.quotas()
        if group is None or not isinstance(failure, QuotaRefused) or waits.budget <= 0:
            return False
        now, told = self.clock(), _past_budget(failure)  # as raised: the server's delay said
        was_held = waits.holding(group, now)
        waiting = waits.wait(group, told, now)
        if waiting and not was_held:  # said once a pause, where no progress line is shown too
            said = pause_words(group, waits.holding(group, now))
            left = waits.budget - waits.waited
            log.warning("%s: %s (%.0f s of DRIFT_QUOTA_WAIT left)", failure.brief, said, left)
        if waiting is False and not shared(method):  # a write's operation: `fix` sees it
            return False  # through, retried within the retry budget as before quota waits
        if waiting is False:
            log.debug("%s: the quota wait is spent, not retried", failure.brief)
            raise past_waiting(told, waits, group) from failure.__cause__
        log.debug("%s: %s", failure.brief, "waiting for the quota" if waiting else "no turn")
        return bool(waiting)

    def _delay(self, attempt: int, failure: ApiError) -> float:
        """Exponential backoff with jitter (between half the ceiling and the ceiling); the
        server's RetryInfo when longer. A quota error without RetryInfo backs off as Google's
        generated clients do for RESOURCE_EXHAUSTED: from 2 s, doubling, at most 60 s
        (google-cloud-secret-manager secretmanager_v1/.../transports/base.py,
        access_secret_version default_retry: initial=2.0, maximum=60.0, multiplier=2.0,
        deadline=60.0): per-minute quotas refill with time, not with attempts, so those are
        bounded by the retry budget (the deadline) alone."""
        hinted = failure.retry_after
        if _quota_unhinted(failure):
            ceiling = min(QUOTA_MAX_DELAY, QUOTA_BASE_DELAY * 2 ** (attempt - 1))
        else:
            ceiling = min(MAX_DELAY, BASE_DELAY * 2 ** (attempt - 1))
        jittered = self.random.uniform(ceiling / 2, ceiling)
        return max(jittered, hinted) if hinted else jittered


def _quota_unhinted(failure: ApiError) -> bool:
    return failure.status == "RESOURCE_EXHAUSTED" and not failure.retry_after


def _past_budget(failure: ApiError) -> ApiError:
    """The failure as raised, saying so when the server asked to be retried later (RetryInfo)
    than drift would wait: past the retry budget, or after the last attempt."""
    if failure.retry_after is None or failure.status not in RETRYABLE:
        return failure
    return saying(failure, f"(server asked to retry after {failure.retry_after:g} s)")


@contextmanager
def api_errors(method: str, resource: str, withheld: Collection[str] = ()) -> Iterator[None]:
    """The API boundary: google.api_core / google.auth errors and timeouts raised inside
    become drift's own (ApiError, or AuthError for credentials), `from` the original.
    `withheld`: see `ApiError`."""
    try:
        yield
    except DriftError:
        raise
    except Exception as exc:
        raise translate(exc, method, resource, withheld) from exc


def translate(
    exc: BaseException, method: str, resource: str, withheld: Collection[str] = ()
) -> ApiError | AuthError:
    """The drift error for a google.api_core / google.auth / timeout error (not raised)."""
    from google.api_core import exceptions as gexc
    from google.auth import exceptions as auth_exc

    if isinstance(exc, auth_exc.GoogleAuthError):
        return AuthError(
            f"{method} {resource}: credentials failed: {words(exc)}",
            hint="run `gcloud auth application-default login`, or set "
            "GOOGLE_APPLICATION_CREDENTIALS",
        )
    if isinstance(exc, gexc.Unauthenticated):
        return AuthError(
            f"{method} {resource}: UNAUTHENTICATED: {visible(exc.message)}",  # the server's words
            hint="check Application Default Credentials (gcloud auth application-default login)",
        )
    if isinstance(exc, gexc.GoogleAPICallError):
        code = exc.grpc_status_code
        # gRPC ends a call whose credentials plugin raised with UNAVAILABLE (grpc/grpc#19186):
        # another status is the server's own word, whatever its message says
        if code is not None and code.name == "UNAVAILABLE":
            if (refusal := refresh_failed(method, resource, exc.message or "")) is not None:
                return refusal  # the token endpoint refused the credentials: no outage
        status = code.name if code is not None else _status_name(exc) or type(exc).__name__
        retry_after, disabled, quota = _details(exc, resource)
        refused = status == "RESOURCE_EXHAUSTED" and (quota or retry_after is not None)
        return (QuotaRefused if refused else ApiError)(
            method,
            resource,
            status,
            exc.message or "",
            retry_after=retry_after,
            disabled=disabled,
            withheld=withheld,
        )
    if isinstance(exc, asyncio.TimeoutError | TimeoutError):
        return ApiError(method, resource, "DEADLINE_EXCEEDED", "no answer within the deadline")
    if isinstance(exc, gexc.RetryError):
        return ApiError(method, resource, "UNAVAILABLE", str(exc))
    requests = sys.modules.get("requests")  # Cloud Storage's transport: imported by then
    if requests is not None and isinstance(exc, requests.exceptions.ConnectionError):
        return ApiError(method, resource, "UNAVAILABLE", f"no connection: {exc}")  # no answer
    return ApiError(method, resource, "INVALID_RESPONSE", f"{type(exc).__name__}: {exc}")


def _unreachable(failure: ApiError) -> bool:
    return failure.status == "UNAVAILABLE" and any(t in failure.detail for t in UNREACHABLE)


def _status_name(exc: Any) -> str | None:
    """The status of a long-running operation's error (a google.rpc.Status in `errors`)."""
    from google.rpc import code_pb2

    for error in getattr(exc, "errors", None) or ():
        code = getattr(error, "code", None)
        if isinstance(code, int) and code in code_pb2.Code.values():
            return str(code_pb2.Code.Name(code))
    return None


def _details(exc: Any, resource: str) -> tuple[float | None, str, bool]:
    """What the status details (google/rpc/error_details.proto) add to the server's words:
    RetryInfo's delay, whether a QuotaFailure says a quota check failed, and an ErrorInfo with
    reason SERVICE_DISABLED (google/api/error_reason.proto: metadata `service`, `consumer`
    "projects/123") as the API to enable (`ApiError.disabled`, said first)."""
    from google.rpc import error_details_pb2

    retry_after, said, quota = None, "", False
    for detail in getattr(exc, "details", None) or ():
        if isinstance(detail, error_details_pb2.RetryInfo):
            delay = detail.retry_delay
            retry_after = float(delay.seconds + delay.nanos / 1e9)
        elif isinstance(detail, error_details_pb2.QuotaFailure):
            quota = True
        elif isinstance(detail, error_details_pb2.ErrorInfo) and detail.reason == SERVICE_DISABLED:
            meta = detail.metadata
            project = meta.get("consumer", "").removeprefix("projects/")
            if service := meta.get("service"):
                owner = project or resource.removeprefix("projects/").split("/")[0]
                said = not_enabled(service, owner, meta.get("serviceTitle", ""))
    return retry_after, said, quota
