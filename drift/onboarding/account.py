"""The runtime account `init` writes for a workload that runs as its project's default compute
account. A template that names no account runs as `PROJECT_NUMBER-compute@…` ("If not
provided, the revision will use the project's default service account",
RevisionTemplate.service_account): the profile states it by that address, which `check`
matches against a template naming none (by the project's number, `AccessDecisions.own_number`).
A comment stated nothing: a later switch to another account was clean (helper-545 F2)."""

from __future__ import annotations

from collections.abc import Iterable

from drift.fields import default_account, is_default_account, named_default
from drift.live.session import Session
from drift.live.state import LiveState
from drift.onboarding.yamltext import scalar

UNNAMED = "# service_account: the default compute service account"


async def own_number(
    session: Session, project: str, state: LiveState, accounts: Iterable[str]
) -> str:
    """The number of the workloads' project when one of the runtime `accounts` of what is
    described is its default account left unnamed, as the read learnt it or else from one
    GetProject; "" when none is, or when it cannot be read (that account is then written as
    a comment)."""
    if not any(is_default_account(a) and not named_default(a) for a in accounts):
        return ""
    if number := state.number_of(project):
        return number
    if await session.own_project(project, state):
        return ""
    return state.number_of(project)


def account_line(account: str, number: str) -> str:
    """The profile's line for a default compute `account` (its address, or unnamed: then by
    the project's `number`, when known)."""
    if named_default(account):
        address = account
    elif number:
        address = default_account(number)
    else:
        return UNNAMED
    return f"service_account: {scalar(address)}   # the default compute service account"
