"""revfix84 F4: `drift rollback --yes` restored each workload from the read its check made
(`restore_all`: "no prompt waited since the check read each one"). With more workloads than
`concurrency` (1: one at a time), a later one waits for the earlier restorations — each a new
revision followed until it settles — and its write was still built from that early read. A
teammate's write in between was then not seen by the refusal (their generation) and, on a
server that lets a stale etag through (sandbox `stale_etag: ignored`), written over: their
label silently dropped when it leaves the generation as it is (sandbox
`labels_bump_generation`), their deploy undone without `--force`. A workload whose
restoration does not start at once is read again right before its write, as the fix does
(`drift.fix.reread`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.restore
from drift.errors import ExitCode
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab


def _during_aaas_restore(
    monkeypatch: pytest.MonkeyPatch, sandbox: Sandbox, clients: Any, deploy: bool
) -> list[str]:
    """Someone writes bbb (a label, or a deploy) once aaa's restoration is sent."""
    real, done = drift.fix.restore.update_workload, []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        answer = await real(session, kind, request, **kw)
        if request.name.endswith("/services/aaa") and not done:
            if deploy:
                theirs = sandbox.deploy(lab.LAB, "bbb", image="us-docker.pkg.dev/lab/app:v9")
                done.append(theirs.latest_created_revision.rsplit("/", 1)[-1])
            else:
                name = request.name.replace("/services/aaa", "/services/bbb")
                service = clients.services.get_service(name=name)
                service.labels["cost-center"] = "42"
                clients.services.update_service(service=service).result()
                done.append("label")
        return answer

    monkeypatch.setattr(drift.fix.restore, "update_workload", update_workload)
    return done


@pytest.mark.parametrize("bumps", [False, True], ids=["keeps-generation", "bumps"])
def test_a_label_written_while_an_earlier_service_is_restored_stays(
    bumps: bool,
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, change, _ = lab.pair_fix(make_sandbox, tmp_path, monkeypatch)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", bumps)
    done = _during_aaas_restore(monkeypatch, sandbox, clients_for(sandbox), deploy=False)
    result = lab.rollback(tmp_path, change_id=change, concurrency=1)
    said = result.summary()
    assert done == ["label"], said
    now = sandbox.service(lab.LAB, "bbb")
    assert now.labels.get("cost-center") == "42", (dict(now.labels), said)  # main
    # someone else's write since drift's, bumping the generation or not, is their label alone,
    # which the rollback keeps: it goes on (helper-661 A7; before, refused when it bumped)
    assert result.exit_code is ExitCode.OK, said
    assert "bbb" in ", ".join(result.restored), said


def test_a_deploy_while_an_earlier_service_is_restored_is_not_undone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, change, _ = lab.pair_fix(make_sandbox, tmp_path, monkeypatch)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    theirs = _during_aaas_restore(monkeypatch, sandbox, None, deploy=True)
    result = lab.rollback(tmp_path, change_id=change, concurrency=1)
    said = result.summary()
    assert theirs, said
    assert result.exit_code is ExitCode.ABORTED, said
    now = sandbox.service(lab.LAB, "bbb")
    assert now.template.containers[0].image == "us-docker.pkg.dev/lab/app:v9", said  # main
    assert "bbb" not in result.restored and "aaa" in ", ".join(result.restored), said
