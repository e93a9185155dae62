"""helper-673 N2: an update in place (a service's own ingress, one UpdateService, no canary)
that LANDED, its answer lost (the sandbox fault `after=True`: the write applies, UNAVAILABLE is
answered), where the server reads back another `launch_stage` than the one drift sent.

run v2 `Service.launch_stage` (service.proto; job.proto and worker_pool.proto say the same):
"Set the launch stage to a preview stage on input to allow use of preview features in that
stage. On read (or output), describes whether the resource uses preview features. For example,
if ALPHA is provided as input, but only BETA and GA-level features are used, this field will be
BETA on output." drift sends the stage as read (BETA here); a fix that leaves no preview
feature in use reads back GA. The sandbox does not recompute the stage, so the test sets it as
that rule would, right after drift's write lands (no generation of its own: the same write).

The read back one generation on holds what drift's update changed (the ingress): it is
drift's write, landed — journaled `updated`, exit 0, a rollback offered — never "did not land;
nothing was changed" (d8848390 judged it by every field as sent). helper-661 A1's cases (a
teammate's label, tag or ingress one generation on leave drift's ingress unapplied) stay
refused: tests/fix/test_inplace_refused_theirs.py. With a server that lets a stale etag
through, drift's update landing over a teammate's label is said so, the stage read back
otherwise notwithstanding (`drift.fix.overwrote`, `readback.as_sent`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api import launch_stage_pb2
from google.cloud import run_v2

import drift.fix.workload
from drift.fix.journal import State
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, entries, updates
from tests.sandbox.helpers import service_name

SOLO = (
    "solo",
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      ingress: internal-and-cloud-load-balancing\n",
)
ALL = run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
LOAD_BALANCER = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER


def set_stage(sandbox: Sandbox, stage: int) -> None:
    """The stored service's `launch_stage`, as the server describes it on output."""

    def fn() -> None:
        sandbox._core.world.find_service(PROJECT, "api", None).pb.launch_stage = stage

    sandbox._run(fn)


def around_the_update(monkeypatch: pytest.MonkeyPatch, first: Any, then: Any) -> None:
    """`first` right before drift's update in place is sent, `then` right after it (the
    server's output rule applied to the write that landed)."""
    real = drift.fix.workload.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        first()
        try:
            return await real(session, kind, request, **kw)
        finally:
            then()

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)


def test_a_landed_update_whose_answer_was_lost_is_landed_whatever_stage_reads_back(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    set_stage(sandbox, launch_stage_pb2.BETA)
    before = sandbox.service(PROJECT, "api")
    assert before.ingress == ALL
    sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))
    around_the_update(monkeypatch, lambda: None, lambda: set_stage(sandbox, launch_stage_pb2.GA))
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = done.stdout + done.stderr
    after = sandbox.service(PROJECT, "api")
    assert after.ingress == LOAD_BALANCER and after.generation == before.generation + 1
    assert after.launch_stage == launch_stage_pb2.GA
    assert done.returncode == 0, said
    assert "nothing was changed" not in said and "did not land" not in said, said
    assert "api: updated in place (setting.ingress)" in said, said
    assert "yet the service read back carries it: it landed" in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATED
    (write,) = entry.writes
    assert (write["landed"], write["generation_after"]) == (True, after.generation)
    sandbox.clear_calls()
    back = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert len(updates(sandbox)) == 1  # drift's landed update is undone
    assert sandbox.service(PROJECT, "api").ingress == ALL


def test_an_update_over_theirs_whose_answer_was_lost_is_said_whatever_stage_reads_back(
    lenient: Sandbox, clients: Clients, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A teammate's ingress right before drift's update, the stale etag let through, drift's
    answer lost, the stage read back GA: drift's update came last, over theirs. (Their write
    was a label: drift's update, naming only what it sets, now leaves a label of theirs, and
    whose write came last is no longer what the read back tells: review 848 F1,
    tests/fix/test_update_mask.py.)"""
    sandbox = lenient
    set_stage(sandbox, launch_stage_pb2.BETA)
    before = sandbox.service(PROJECT, "api")
    wrote: list[bool] = []

    def their_label() -> None:
        if wrote:
            return
        wrote.append(True)
        service = clients.services.get_service(name=service_name("api"))
        service.ingress = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY
        clients.services.update_service(service=service).result()
        sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))  # drift's

    def output_stage() -> None:
        if len(wrote) == 1:  # after drift's first write (not a retry's refusal)
            wrote.append(True)
            set_stage(sandbox, launch_stage_pb2.GA)

    around_the_update(monkeypatch, their_label, output_stage)
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = done.stdout + done.stderr
    after = sandbox.service(PROJECT, "api")
    assert after.generation == before.generation + 2
    assert after.ingress == LOAD_BALANCER and "team" not in after.labels
    assert "may have landed before that" not in said, said
    assert "replaced what they wrote" in said, said
    assert done.returncode == 1, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATE_FAILED
    (write,) = entry.writes
    assert (write["landed"], write["generation_after"]) == (True, before.generation + 2)


def test_a_teammates_write_of_drifts_change_and_a_label_is_not_taken_for_drifts(
    sandbox: Sandbox, clients: Clients, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """drift's update in place never applies (refused before it does, UNAVAILABLE); a
    teammate then writes the very ingress drift wanted and a label: one generation on, holding
    what drift's request changed, but not what it sent (their label). Not drift's write: "did
    not land", journaled aborted, nothing for a rollback to undo of theirs (helper-675 F5)."""
    before = sandbox.service(PROJECT, "api")
    sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=False, first_n=50))
    wrote: list[bool] = []

    def theirs() -> None:
        if wrote:
            return
        wrote.append(True)
        sandbox.clear_faults()
        service = clients.services.get_service(name=service_name("api"))
        service.labels["team"] = "theirs"
        service.ingress = LOAD_BALANCER
        clients.services.update_service(service=service).result()

    around_the_update(monkeypatch, lambda: None, theirs)
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = done.stdout + done.stderr
    after = sandbox.service(PROJECT, "api")
    assert after.generation == before.generation + 1 and after.labels["team"] == "theirs"
    assert done.returncode != 0, said
    assert "it landed" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state != State.UPDATED and not any(w.get("landed") for w in entry.writes)
