"""Killers for two survivors of round 1 (revmutant M15, M40; /work/notes/reports/revmutant2.md):
each test passes on main's code and fails on the mutant named in its docstring."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, rollback
from tests.fix.test_killed_fix import killed_after_the_canary_landed


def test_a_label_written_after_a_canary_of_unknown_outcome_blocks_the_rollback(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """M15 (drift/fix/routing.py `landed`: drop `if not next_generation(now, write): return
    False`). A fix killed once its canary write landed (journal: the canary write, outcome
    unknown); then someone else writes the service (a label: template and traffic as drift
    left them, generation + 2). `changed_since` may take the unknown write for drift's only
    when the service is exactly one generation past it: here someone wrote since, and
    `drift rollback` refuses without --force (SPEC invariant 10), writing nothing. On the
    mutant the canary read back "carries" the write whatever the generation: the rollback
    goes ahead over their write."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab.lab_name())
    before = int(service.generation)
    service.labels["owner"] = "payments-team"
    theirs = clients.services.update_service(service=service).result()
    assert int(theirs.generation) == before + 1
    assert theirs.template.revision == service.template.revision  # still drift's canary
    done = rollback(tmp_path, change_id=change)
    assert done.exit_code is ExitCode.ABORTED, done
    now = sandbox.service(LAB, "app")
    assert now.etag == theirs.etag  # nothing written over their change
    assert now.labels["owner"] == "payments-team"


def test_a_rollback_never_says_already_restored_while_a_traffic_change_rolls_out(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """M40 (drift/fix/routing.py `_serves_base`: drop `and not now.reconciling`). The fix is
    promoted; CI then deploys the configuration that served before (a new revision, LATEST
    100 %), and someone starts sending half the traffic to drift's canary by name; that
    update is still rolling out when `drift rollback --force` reads the service. Its
    `traffic_statuses` are transient (Service.reconciling: "While reconciliation is in
    process, observed_generation, latest_ready_revision, traffic_statuses, and uri will have
    transient values"): they still say LATEST 100 % on the base configuration. Main does not
    take that for "already serves what served before" and writes the restoration; on the
    mutant the rollback writes nothing, says it is restored, and the canary serves 50 % once
    the update settles."""
    from google.cloud import run_v2

    from drift.fix.apply import FixOptions
    from drift.fix.restore import restore_request
    from tests.fix.conftest import ScriptedUI, entries

    sandbox = make_sandbox(lab.lab_world())
    done = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert done.exit_code is ExitCode.OK, done.summary()
    (entry,) = entries(tmp_path)
    canary = entry.canary_revision
    clients = clients_for(sandbox)
    ci = restore_request(clients.services.get_service(name=lab.lab_name()), entry)
    ci.template.revision = ""
    clients.services.update_service(service=ci).result()
    assert lab.shares(sandbox.service(LAB, "app")).get(canary, 0) == 0
    sandbox.hold_deploys()
    split = clients.services.get_service(name=lab.lab_name())
    kinds = run_v2.TrafficTargetAllocationType
    split.traffic = [
        run_v2.TrafficTarget(type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=50),
        run_v2.TrafficTarget(
            type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION, revision=canary, percent=50
        ),
    ]
    clients.services.update_service(service=split)  # not awaited: still rolling out
    sandbox.hold_deploys(False)
    assert sandbox.service(LAB, "app").reconciling
    rolled = rollback(tmp_path, change_id=entry.change_id, force=True)
    if sandbox.service(LAB, "app").reconciling:
        sandbox.finish_deploy(LAB, "app")
    shares = lab.shares(sandbox.service(LAB, "app"))
    assert shares.get(canary, 0) == 0, (shares, rolled)
