"""A read that keeps failing shares one retry budget with every other call of its method
(`CallRunner.call`): the runs of failures of each read method, and the methods given up on,
whose calls are no longer sent (revown8 3: a Secret Manager quota spent for the day, 600
secrets refused, took 358 s with a 60 s budget, each call queued behind the pauses starting
a budget of its own when it first went out)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from drift.errors import ApiError

# Cloud Run Admin reads, Secret Manager reads, Secret Manager accesses (a quota of its own) and
# Resource Manager reads
Api = Literal["run", "secrets", "access", "resources"]
API_NAMES: dict[Api, str] = {
    "run": "the Cloud Run Admin API",
    "secrets": "the Secret Manager API",
    "access": "the Secret Manager API (accesses)",
    "resources": "the Resource Manager API",
}


class NotSent(ApiError):
    """A call of a read method given up on (`Outages.refused`), failed without being sent,
    with the method's last answer."""


@dataclass
class Outage:
    """A run of retryable failures of one read method, with no answer between them."""

    began: float
    last: float


def shared(method: str) -> bool:
    """A read, whose retry budget its method shares: not a write (UpdateService,
    DeleteRevision, RunJob, CreateSecret), nor the polling of a write's operation
    (GetOperation), which `fix` and `rollback` must always send, each on a budget of its own."""
    return method.startswith(("Get", "List", "Access")) and method != "GetOperation"


class Outages:
    """By API and method, not by API: faults and quotas differ between methods (a GetIamPolicy
    refused for 120 s says nothing of GetSecretVersion), and one method answering says nothing
    of another's outage."""

    def __init__(self, budget: float) -> None:
        self.budget = budget
        self.failing: dict[tuple[Api, str], Outage] = {}
        """Each read method's current run of retryable failures: the retry budget of every
        call of the method runs from its first."""
        self.given_up: dict[tuple[Api, str], tuple[ApiError, float]] = {}
        """The methods whose budget is spent, with their last refusal (as raised) and when:
        for one budget more their calls are not sent."""

    def refusing(self, key: tuple[Api, str], failure: ApiError, now: float, delay: float) -> float:
        """Note a retryable failure of a read method; when its run of failures began. A run
        ends when the method answers (`answered`) or is not called for a budget. A method
        whose budget is spent (it refused every call since its run began, and a retry `delay`
        from now would go past one budget from then) is given up on."""
        outage = self.failing.get(key)
        if outage is None or now - outage.last > self.budget:
            outage = self.failing[key] = Outage(now, now)
        outage.last = now
        if now - outage.began + delay > self.budget:
            self.given_up[key] = (failure, now)
        return outage.began

    def answered(self, key: tuple[Api, str]) -> None:
        """The method answered (a result, NOT_FOUND, PERMISSION_DENIED): no outage."""
        self.failing.pop(key, None)
        self.given_up.pop(key, None)

    def refused(self, key: tuple[Api, str], resource: str, now: float) -> NotSent | None:
        """A call of a method given up on, failed without being sent: the method's last
        refusal, naming this call. A budget after it was given up on (a later phase of the
        run: `fix` after its prompt), the method is tried again."""
        given_up = self.given_up.get(key)
        if given_up is None:
            return None
        last, at = given_up
        if now - at > self.budget:
            self.answered(key)
            return None
        api, method = key
        outage = self.failing.get(key)
        began = outage.began if outage is not None else at
        return NotSent(
            method,
            resource,
            last.status,
            f"not sent: {API_NAMES[api]} refused every {method} for {at - began:.0f} s and "
            f"the retry budget is {self.budget:g} s; it last said: {last.detail}",
        )
