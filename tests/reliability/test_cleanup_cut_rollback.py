"""note59 (c): a fix whose canary answer was lost (Ctrl-C while it deployed), then whose
clean-up a second Ctrl-C cut before the server applied it. The journal holds two writes of
unknown outcome: the canary's and the clean-up's. `drift rollback`, which that fix names,
refused: "web was changed since drift's last write … (generation 2 → 3, last modified by …
with drift …) … `drift rollback --force` restores anyway", its own canary taken for someone
else's. What it reads proves the state: the service is at the very generation and etag the
clean-up's write was built on (that write never applied), and that read is the canary's write
landed (one generation on, by its name). So the rollback goes on without `--force` and ends
the change (`drift check` names it so); a teammate's write after the cut still refuses."""

from __future__ import annotations

import signal
from pathlib import Path

import pytest

from drift.fix.journal import Journal, State
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import Clients
from tests.reliability.test_interruption import FIX_WEB, stop_the_cleanup


@pytest.mark.parametrize("theirs", [False, True], ids=["alone", "their-label"])
def test_a_cleanup_cut_before_it_applied_after_a_lost_canary_answer(
    theirs: bool, sandbox: Sandbox, clients: Clients, tmp_path: Path
) -> None:
    before = sandbox.service("acme-chat-staging", "web")
    code, err, env = stop_the_cleanup(sandbox, tmp_path, signal.SIGINT, held=True)
    assert code == 3, err
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = journal.entries()
    assert entry.state == State.CLEANING_UP
    assert [(w["step"], w["landed"]) for w in entry.writes] == [("canary", None), ("cleanup", None)]
    sandbox.clear_faults()
    if theirs:  # a teammate's label after the cut: a write drift cannot tell from its own
        service = clients.services.get_service(name=before.name)
        service.labels["team"] = "theirs"
        clients.services.update_service(service=service).result()
    # `drift check` names the rollback as it judges it: its locks set aside (with them, it
    # says the clean-up was stopped), the canary's note (`canary_left`)
    locks = {p: p.read_bytes() for p in (journal.directory / "locks").glob("*.lock")}
    for lock in locks:
        lock.unlink()
    checked = drift("check", *FIX_WEB[1:2], *FIX_WEB[3:], env=env, cwd=tmp_path).stdout
    for lock, data in locks.items():
        lock.write_bytes(data)
    refuses = f"`drift rollback {entry.change_id}`, which refuses it (`--force`"
    assert (refuses in checked) is theirs, checked
    assert (f"first: `drift rollback {entry.change_id}` removes the canary" in checked) is not (
        theirs
    ), checked
    back = drift("rollback", "--yes", env=env, cwd=tmp_path)
    said = back.stdout + back.stderr
    now = sandbox.service("acme-chat-staging", "web")
    if theirs:
        forced = f"`drift rollback {entry.change_id} --force` restores anyway"
        assert back.returncode == 4 and forced in said, said
        assert any(t.tag == entry.tag for t in now.traffic)  # nothing written
        return
    assert back.returncode == 0, said  # was 4: "changed since … --force"
    assert "changed since" not in said and "--force" not in said, said
    assert f"rollback of {entry.change_id}: restored web" in said, said
    assert f"took over the lock left by change {entry.change_id}" in said, said
    assert journal.entries()[0].state == State.ROLLED_BACK
    assert not any(t.tag == entry.tag for t in now.traffic)
    assert now.template.containers == before.template.containers
