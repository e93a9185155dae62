"""`drift fix` with a failure status at each write step, beyond the few test_fix_faults.py
names. Invariants (SPEC safety rules 4, 5, 9; exit codes): no traceback; exit 0 only when
promoted; else traffic never moved, the failure names the call and its status, and either the
routing is restored or `drift rollback CHANGE` is named; rollback then restores. A slice of
the review's (revstatus) 4 steps x 10 statuses x {always, first call only} matrix, all of
which passed: each step with a write-refusing and a transient status, permanent and once."""

from __future__ import annotations

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault
from tests.conftest import Clients
from tests.fix.conftest import assert_serves_as_before
from tests.reliability.conftest import ScriptedUI
from tests.reliability.test_fix_faults import PROJECT, Run, run, serving, traffic

__all__ = ["run"]

STEPS = {  # step -> (method, when the fault is armed)
    "canary-update": ("UpdateService", "start"),
    "operation-poll": ("GetOperation", "start"),
    "readiness-read": ("GetService", "deploy"),
    "promotion": ("UpdateService", "promote"),
}
CELLS = [  # (step, code, first_n): None fails every call, 1 only the first
    ("canary-update", "PERMISSION_DENIED", None),
    ("canary-update", "UNAVAILABLE", 1),
    ("operation-poll", "INTERNAL", None),
    ("operation-poll", "DEADLINE_EXCEEDED", 1),
    ("readiness-read", "UNAVAILABLE", None),
    ("readiness-read", "PERMISSION_DENIED", 1),
    ("promotion", "ABORTED", None),
    ("promotion", "FAILED_PRECONDITION", 1),
    ("promotion", "RESOURCE_EXHAUSTED", None),
]


@pytest.mark.parametrize(
    ("step", "code", "first_n"),
    CELLS,
    ids=[f"{s}-{c}-{'once' if n else 'always'}" for s, c, n in CELLS],
)
def test_fix_under_status(
    run: Run, clients: Clients, step: str, code: str, first_n: int | None
) -> None:
    method, when = STEPS[step]
    sandbox = run.sandbox
    before = sandbox.service(PROJECT, "web")

    def arm(question: str) -> None:
        if ("deploy" if question.startswith("Deploy") else "promote") == when:
            sandbox.inject(Fault(method, code, first_n=first_n))

    if when == "start":
        sandbox.inject(Fault(method, code, first_n=first_n))
    result = run.fix("web", ScriptedUI([True, True], on_confirm=arm), FixOptions(yes=False))
    message = result.summary() + "\n".join(run.said)
    sandbox.clear_faults()
    after = sandbox.service(PROJECT, "web")
    entries = run.journal().entries()
    assert "Traceback" not in message
    if result.exit_code is ExitCode.OK:
        (entry,) = entries
        assert entry.state == State.PROMOTED, (entry.state, message)
        assert serving(after) == {(entry.canary_revision, 100)}
    else:
        cleaned = bool(entries) and entries[0].state == State.CLEANED_UP
        if not cleaned:  # a cleanup may serve a copy of the serving revision (SPEC rule 9)
            assert serving(after) == serving(before), message  # traffic never moved
        assert code in message and method in message, message
        if entries and entries[0].state not in (State.ABORTED, State.CLEANED_UP):
            assert f"drift rollback {entries[0].change_id}" in message, (entries[0].state, message)
    rolled = run.rollback()
    assert rolled.exit_code is ExitCode.OK or "nothing left to roll back" in rolled.summary(), (
        rolled.summary()
    )
    restored = sandbox.service(PROJECT, "web")
    if result.exit_code is not ExitCode.OK:
        assert restored.template.containers == before.template.containers
        assert traffic(restored) == traffic(before)
        if entries and entries[0].canary_revision:
            assert_serves_as_before(sandbox, PROJECT, "web", before, entries[0].canary_revision)
    assert not any(t.tag.startswith("drift-") for t in restored.traffic)
