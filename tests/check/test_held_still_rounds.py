"""What held_still's confirmations cost (drift/live/held_still.py, helper-663 H2): every read
again starts once every first read has ended, so a workload's and a secret's read again bracket
their first reads whichever answers first. They go out together (one round, not the workload's
and then the secret's) unless a version's state is among them (read before its workloads: task
844), and a policy the verdict consulted that was asked for once every other
read it pairs was answered is not read again: the moment it was read lies within each of
theirs holding still. Judged by the sandbox's record of when each call arrived and was
answered (`Call.at`, `Call.ended`) and by the calls counted, never by wall time."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from tests.check.test_held_still import SECRET, check, rules, world
from tests.conftest import ClientsFor, MakeSandbox
from tests.live.shapes import resource


def again(calls: list[Any]) -> list[Any]:
    """The calls made a second time (the same method on the same resource): the reads again."""
    seen: Counter[tuple[str, str]] = Counter()
    out = []
    for call in sorted(calls, key=lambda c: c.at):
        seen[call.short, resource(call)] += 1
        if seen[call.short, resource(call)] == 2:
            out.append(call)
    return out


def profile(names: list[str]) -> str:
    """Each service names s (latest): its state and policy are asked for as the check starts,
    before the services are read."""
    body = "".join(f"  {n}:\n    env:\n      S: {{secret: s}}\n" for n in names)
    return f"project: acme\nregion: us-central1\nservices:\n{body}"


NAMES = pytest.mark.parametrize("names", [["api"], ["a", "b", "c", "d", "e"]])


def _reads_again(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    names: list[str],
    *,
    disabled: bool,
) -> list[Any]:
    """No service may access s (no grant anywhere), s's latest DISABLED or not: each service's
    `secret.no_access` (and `secret.disabled`) is confirmed by the service read again (a Get,
    or for more than `MANY` one List), s's policy (and latest's state) read again. Those
    reads again, checked to be all of them."""
    sandbox = make_sandbox(world("latest", grant="none", services=names), latency_ms=50)
    if disabled:
        clients_for(sandbox).secrets.disable_secret_version(name=f"{SECRET}/versions/1")
    sandbox.clear_calls()
    code, doc = check(sandbox, profile(names), tmp_path)
    expected = ["secret.disabled", "secret.no_access"] if disabled else ["secret.no_access"]
    assert rules(doc) == sorted(expected * len(names))
    assert (code, doc["unverified"]) == (1, [])
    reads = again(list(sandbox.calls))
    workloads = "GetService" if len(names) == 1 else "ListServices"
    expected_reads = {
        (workloads, names[0] if len(names) == 1 else "us-central1"),
        ("GetIamPolicy", "s"),
        *([("GetSecretVersion", "latest")] if disabled else []),
    }
    assert {(c.short, resource(c).rsplit("/", 2)[-1]) for c in reads} == expected_reads
    return reads


@NAMES
def test_the_reads_again_go_out_together(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, names: list[str]
) -> None:
    """Without a version's state to read again (latest ENABLED): the services' and the
    policy's reads again each went out before any of them was answered: once the service's
    read again had answered, the secret's waited for it (a round more)."""
    reads = _reads_again(make_sandbox, clients_for, tmp_path, names, disabled=False)
    first_answer = min(c.ended for c in reads if c.ended is not None)
    assert all(c.at < first_answer for c in reads), [
        (c.short, resource(c), c.at, c.ended) for c in reads
    ]


@NAMES
def test_a_version_state_is_read_again_before_its_workloads(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, names: list[str]
) -> None:
    """latest DISABLED: its state and the policy are read again together, the services once
    the state answered (a second round). A version's etag need not move on a write back to
    the state read (sandbox `version_etag`), so the state read again counts only at its own
    moment, which the services' reads bracket (task 844)."""
    reads = _reads_again(make_sandbox, clients_for, tmp_path, names, disabled=True)
    secrets = [c for c in reads if c.short in ("GetIamPolicy", "GetSecretVersion")]
    (state,) = [c for c in secrets if c.short == "GetSecretVersion"]
    workloads = [c for c in reads if c not in secrets]
    assert state.ended is not None
    assert all(c.at < min(s.ended or 0 for s in secrets) for c in secrets)
    assert all(c.at > state.ended for c in workloads), [
        (c.short, resource(c), c.at, c.ended) for c in reads
    ]


ORGANISATION = {"organizations": {"1000": {"iam": {}}}}


@pytest.mark.parametrize("parent", ["", "organizations/1000"])
def test_the_policy_asked_for_last_is_not_read_again(
    make_sandbox: MakeSandbox, tmp_path: Path, parent: str
) -> None:
    """api's `secret.no_access`: s's own policy grants nothing, so its project's was read once
    api and s's policy were (and, the project under an organisation, the organisation's once
    the project's answered). The last of those needs no read again; every other is read
    again: one GetIamPolicy fewer (a project without a parent: its own; under an
    organisation: the organisation's, the project's read again)."""
    scenario = world("latest", grant="none")
    if parent:
        scenario.update(ORGANISATION)
        scenario["projects"]["acme"]["parent"] = parent
    sandbox = make_sandbox(scenario)
    code, doc = check(sandbox, profile(["api"]), tmp_path)
    assert (code, rules(doc), doc["unverified"]) == (1, ["secret.no_access"], [])
    policies = Counter(resource(c) for c in sandbox.calls if c.short == "GetIamPolicy")
    expected = {SECRET: 2, "projects/111": 1}
    if parent:
        expected = {SECRET: 2, "projects/111": 2, parent: 1}
    assert dict(policies) == expected
