"""A deploy in progress on one service is waited for (up to --wait) while everything else is
read: each workload's secret references, the values its rules compare and the IAM reads its
access needs start as soon as that workload is described, not once every workload is."""

from __future__ import annotations

import asyncio

import pytest

from drift.check import run_check
from drift.live.held_still import PAIRED
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.live.shapes import PROFILES, SHAPES, resource

SEARCH = "projects/acme-prod/locations/us-central1/services/search"
PARTNER = "/secrets/partner-api-key"


def test_a_deploy_in_progress_does_not_hold_the_other_services_reads(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """real-shapes: `search` is mid-deploy and never settles by itself, so it is polled until
    --wait ends. The other services' live references (versions the profiles do not name, such
    as ledger's old signing key), the values their rules compare, and the IAM reads their
    access needs (chat's partner key lives in a project under folders/2000) all go out
    before search's last poll."""
    wait = 1.0
    with Sandbox(SHAPES) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        sandbox.clear_calls()
        profile = load_profile(PROFILES, "prod")
        result = asyncio.run(run_check(profile, load_settings(wait=wait)))
        calls = sandbox.calls
    assert any("deploy in progress" in u.reason for u in result.report.unverified)
    polls = [c.at for c in calls if c.short == "GetService" and resource(c) == SEARCH]
    assert len(polls) >= 2
    partner = [c for c in calls if PARTNER in resource(c)]
    assert {c.short for c in partner} >= {"GetSecretVersion", "GetIamPolicy"}
    hierarchy = [c for c in calls if c.short in ("GetProject", "GetFolder")]
    assert hierarchy
    # once everything is read, each service with a secret finding is read again, on purpose, to
    # confirm it held still meanwhile, and so is a version's state asked for before it was
    # read (drift.live.held_still): one GetService each, one GetSecretVersion each
    paired = [f for f in result.report.findings if f.rule in PAIRED]
    confirmed = {f"GetService {SEARCH.rsplit('/', 1)[0]}/{f.service}" for f in paired}
    secrets = {f.target.removeprefix("secret.").rsplit("/", 1)[-1] for f in paired}
    late = [
        f"{c.short} {resource(c)}"
        for c in calls
        if c.at >= polls[-1] and not (c.short == "GetService" and resource(c) == SEARCH)
    ]
    again = [c for c in late if c.startswith("GetService ")]
    states = [c for c in late if c.startswith("GetSecretVersion ")]
    assert sorted(again) == sorted(confirmed), "read only once search's --wait had ended"
    assert len(set(states)) == len(states), states
    assert {c.split("/")[3] for c in states} <= secrets, states
    assert len(again) + len(states) == len(late), late


def test_the_wait_for_a_deploy_in_progress_starts_when_it_is_seen(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """--wait is how long a deploy in progress is waited for: a ListServices slower than the
    whole --wait (a loaded machine, a slow network) eats none of it. Measured from the start
    of the read, search was never polled and was reported as "waited 1s" without a wait."""
    with Sandbox(SHAPES) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        sandbox.inject(Fault(method="ListServices", code=None, latency_ms=1200))
        sandbox.clear_calls()
        profile = load_profile(PROFILES, "prod")
        result = asyncio.run(run_check(profile, load_settings(wait=1.0)))
        calls = sandbox.calls
    reasons = [u.reason for u in result.report.unverified if "deploy in progress" in u.reason]
    assert reasons and all("waited 1s" in r for r in reasons)
    polls = [c.at for c in calls if c.short == "GetService" and resource(c) == SEARCH]
    assert len(polls) >= 2
