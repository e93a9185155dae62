"""What held_still's confirmations cost (drift/live/held_still.py, helper-663 H2): every read
again starts once every first read has ended, so a workload's and a secret's read again bracket
their first reads whichever answers first. They go out together (one round, not the workload's
and then the secret's), and a policy the verdict consulted that was asked for once every other
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


@pytest.mark.parametrize("names", [["api"], ["a", "b", "c", "d", "e"]])
def test_the_reads_again_go_out_together(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, names: list[str]
) -> None:
    """No service may access s (no grant anywhere) and s's latest is DISABLED: each service's
    `secret.disabled` and `secret.no_access` are confirmed by the service read again (a Get, or
    for more than `MANY` one List), s's policy and latest's state read again. Each of those
    went out before any of them was answered: once the service's read again had answered, the
    secret's waited for it (a round more)."""
    sandbox = make_sandbox(world("latest", grant="none", services=names), latency_ms=50)
    clients_for(sandbox).secrets.disable_secret_version(name=f"{SECRET}/versions/1")
    sandbox.clear_calls()
    code, doc = check(sandbox, profile(names), tmp_path)
    assert rules(doc) == sorted(["secret.disabled", "secret.no_access"] * len(names))
    assert (code, doc["unverified"]) == (1, [])
    reads = again(list(sandbox.calls))
    first_answer = min(c.ended for c in reads if c.ended is not None)
    assert all(c.at < first_answer for c in reads), [
        (c.short, resource(c), c.at, c.ended) for c in reads
    ]
    workloads = "GetService" if len(names) == 1 else "ListServices"
    assert {(c.short, resource(c).rsplit("/", 2)[-1]) for c in reads} >= {
        (workloads, names[0] if len(names) == 1 else "us-central1"),
        ("GetIamPolicy", "s"),
        ("GetSecretVersion", "latest"),
    }, [(c.short, resource(c)) for c in reads]


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
