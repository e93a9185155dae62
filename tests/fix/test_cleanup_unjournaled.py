"""helper-665's left item (helper-661 B1/B3's kind): a fix's clean-up whose write landed but
whose end the journal could not record (the disk full once it was sent). The service serves
what served before, but the journal still says `cleaning-up`: the run is incomplete (exit 3,
the journal behind what the service holds), its lock kept, as a canary, a promotion or an
update in place that landed unrecorded ends — never exit 4 ("aborted safely … with nothing
changed", whose entry would say what the journal does not). Once the disk has room, `drift
rollback` finds the service as it is and records it, writing nothing.

`drift fix e2e --service api --yes` through the real CLI (in-process, so the test's
monkeypatches hold) against the sandbox: a teammate labels api right before the proof's read
after its probes (the promotion is built on it), so drift cleans up as at a declined prompt,
keeping the label (tests/fix/test_cleanup_keeps_their_write.py); the journal fills as soon
as the clean-up's UpdateService has been answered."""

from __future__ import annotations

import errno
import os
from pathlib import Path
from typing import Any

import pytest

import drift.fix.journalfiles
import drift.fix.restore
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import (
    PROJECT,
    after_each_write,
    entries,
    ready_config,
    spec,
    updates,
)
from tests.fix.test_cleanup_refused_theirs import before_the_proof_reads, label
from tests.fix.test_promotion_refused_theirs import LATEST, fix_cli

NO_SPACE = os.strerror(errno.ENOSPC)


def labelled_then_full(clients: Clients, monkeypatch: pytest.MonkeyPatch) -> None:
    """A label right before the proof's read after its probes (the one the promotion is built
    on); the journal's disk full from the moment the clean-up's write is answered."""
    before_the_proof_reads(monkeypatch, lambda: label(clients, "team"))

    def full(request: Any) -> None:
        def no_room(target: Path, data: bytes, tag: str) -> Path:
            raise OSError(errno.ENOSPC, NO_SPACE)

        monkeypatch.setattr(drift.fix.journalfiles, "_staged", no_room)

    after_each_write(monkeypatch, drift.fix.restore, full)


def test_a_cleanup_that_landed_unjournaled_exits_3_and_keeps_its_lock(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sandbox.service(PROJECT, "api")
    served = ready_config(sandbox, before)
    with monkeypatch.context() as patched:
        labelled_then_full(clients, patched)
        done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 3, said  # was 4: "aborted safely … with nothing changed"
    assert "drift cleans up as at a declined prompt, keeping their change" in said, said
    assert "drift removed the canary's tag and restored the routing (what serves: " in said
    assert "but cannot write the journal entry" in said and NO_SPACE in said, said
    assert "the journal still says cleaning-up" in said, said
    assert "nothing is left to roll back" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANING_UP  # how the clean-up ended is not recorded
    locks = sorted((tmp_path / ".drift" / "journal" / "locks").glob("*.lock"))
    assert len(locks) == 2, locks  # kept, as for any write the journal is behind on
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs"
    assert spec(now) == [(LATEST, "", 100, "")]
    assert not any(t.tag == entry.tag for t in now.traffic_statuses)
    assert ready_config(sandbox, now) == served

    sandbox.clear_calls()  # the disk has room again
    again = fix_cli(env, tmp_path, "rollback", "--yes")
    assert again.returncode == 0, again.stdout + again.stderr
    assert updates(sandbox) == []  # it serves what served before: only recorded
    assert entries(tmp_path)[0].state == State.ROLLED_BACK, again.stdout
    assert list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock")) == []
