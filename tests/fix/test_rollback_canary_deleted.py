"""`drift rollback` of a fix killed once its canary write was sent (its outcome never
journaled), after a teammate removed the canary's tag and deleted the canary revision
(DeleteRevision: "Only retired revisions can be deleted", `DeleteRevisionRequest`; untagged
at 0 % and no longer the latest created after a deploy, it is retired). GetRevision then says
NOT_FOUND and nothing names the canary, yet the write landed: the traffic drift pinned for it
is still pinned, and the team's next deploy gets no traffic. That is never "nothing was
applied (the canary was never created)" (SPEC invariants 9 and 10)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries

CI_IMAGE = "us-docker.pkg.dev/lab/app:ci"


class Killed(BaseException):
    """kill -9: nothing of drift's runs after it."""


def test_a_landed_canary_deleted_since_is_not_a_canary_never_sent(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    real = drift.fix.canary.update_workload

    async def dying(*args: Any, **kw: Any) -> Any:
        await real(*args, **kw)  # the canary's write lands; the process dies before journaling it
        raise Killed()

    with monkeypatch.context() as m:
        m.setattr(drift.fix.canary, "update_workload", dying)
        with pytest.raises(Killed):
            lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    (entry,) = entries(tmp_path)
    assert [(w["step"], w["landed"]) for w in entry.writes] == [("canary", None)]
    pinned = sandbox.service(LAB, "app")
    (served,) = [t.revision for t in pinned.traffic if t.percent]
    assert not any(t.type_ == 1 for t in pinned.traffic)  # LATEST pinned for the canary
    # a teammate: the canary's tag removed, a deploy, the canary deleted
    sandbox.update_traffic(LAB, "app", {served: 100}, remove_tags=(entry.tag,))
    sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2"))
    clients = clients_for(sandbox)
    name = f"{lab.lab_name()}/revisions/{entry.canary_revision}"
    clients.revisions.delete_revision(name=name).result(timeout=10)
    theirs = sandbox.service(LAB, "app")
    done = lab.rollback(tmp_path)
    summary = done.summary()
    assert "the canary was never created" not in summary + str(done.skipped), summary
    assert done.exit_code is not ExitCode.OK, summary  # changed since: refused, never "clean"
    (after,) = entries(tmp_path)
    assert after.state != State.ABORTED, after.history
    assert "was changed since drift's last write" in summary, summary
    assert sandbox.service(LAB, "app").etag == theirs.etag  # refused: nothing written
