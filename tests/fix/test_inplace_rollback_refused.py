"""helper-664's left wording, and helper-661 A1's rollback half (r16, r17): `drift rollback
--yes` of an update in place (a service's own settings: one UpdateService, no canary); between
its read and its UpdateService a teammate writes the service, their etag current — a label, or
the ingress. A server that refuses drift's stale etag (AIP-154's ABORTED, the sandbox's
default) took nothing of drift's write.

Before, the read back one generation on with the template as sent (an update in place sends
the template back as read; their write leaves it alone) was taken for drift's write alone:
"not proven restored: … ABORTED …: ingress read back not as before; the journal says
rollback-failed", exit 4, and the journal recorded the rollback's write landed at the
teammate's generation — so the next `drift rollback` undid their ingress (`internal` →
`all`) with exit 0. Now a write refused for its stale etag counts as landed only when the
read back holds all it sent: "drift's write did not land … nothing was written", exit 4, the
entry as it was and the write recorded not landed; a rollback run again judges their write
as any write since (refusing their ingress; going on over their label alone, which the
journal's digest of the ingress drift sent proves: tests/fix/test_rollback_keeps_their_label.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.workload_restore
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, entries, updates
from tests.fix.test_inplace_refused_theirs import ALL, SOLO, solo_updated
from tests.fix.test_promotion_refused_theirs import their_write
from tests.fix.test_rollback_keeps_their_label import IAM
from tests.sandbox.helpers import service_name

INTERNAL = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY


def theirs(clients: Clients, what: str) -> None:
    if what == "ingress":
        service = clients.services.get_service(name=service_name("api"))
        service.ingress = INTERNAL
        clients.services.update_service(service=service).result()
    else:
        their_write(clients, "label")


def before_the_rollback_write(clients: Clients, monkeypatch: pytest.MonkeyPatch, what: str) -> None:
    """Their write, once, right before the rollback's UpdateService (after its read)."""
    real = drift.fix.workload_restore.update_workload
    done: list[bool] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not done:
            done.append(True)
            theirs(clients, what)
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "update_workload", update_workload)


@pytest.mark.parametrize("what", ["label", "ingress"])
def test_an_inplace_rollback_refused_for_its_stale_etag_did_not_land(
    what: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    solo_updated(sandbox, tmp_path)
    with monkeypatch.context() as patched:
        before_the_rollback_write(clients, patched, what)
        back = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 4, said
    assert "ABORTED" in said and "drift's write did not land" in said, said
    assert "nothing was written to api" in said, said
    assert "not proven restored" not in said and "rollback-failed" not in said, said
    (after,) = entries(tmp_path)
    assert after.state == State.UPDATED, after.history  # as it was: nothing of drift's landed
    assert after.writes[-1]["step"] == "rollback" and after.writes[-1]["landed"] is False
    now = sandbox.service(PROJECT, "api")
    if what == "ingress":
        assert now.ingress == INTERNAL
    else:
        assert now.labels["team"] == "theirs"

    sandbox.clear_calls()  # run again: their ingress is never undone unasked
    again = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    said = again.stdout + again.stderr
    now = sandbox.service(PROJECT, "api")
    if what == "ingress":
        assert again.returncode == 4 and updates(sandbox) == [], said
        assert now.ingress == INTERNAL  # was `all`, exit 0
    else:  # the journal proves the ingress drift's (`Write.parts`): their label alone stays
        assert again.returncode == 0 and "their labels team stays" in said, said
        assert now.labels["team"] == "theirs" and now.ingress == ALL


def test_a_refused_inplace_rollback_run_again_keeps_their_label(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """A setting the journaled digest holds (`invoker_iam_disabled`): the rollback run again
    goes on over their label alone, keeping it."""
    done = drift_on(sandbox, tmp_path, IAM, "fix", "solo", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    with monkeypatch.context() as patched:
        before_the_rollback_write(clients, patched, "label")
        back = drift_on(sandbox, tmp_path, IAM, "rollback", "--yes")
    said = back.stdout + back.stderr
    assert back.returncode == 4 and "drift's write did not land" in said, said
    again = drift_on(sandbox, tmp_path, IAM, "rollback", "--yes")
    said = again.stdout + again.stderr
    assert again.returncode == 0, said
    assert "their labels team stays" in said, said
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs" and not now.invoker_iam_disabled
    assert entries(tmp_path)[0].state == State.ROLLED_BACK
