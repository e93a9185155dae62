"""A `drift fix --no-promote` of a worker pool killed (kill -9) while its held write was sent:
its entry stays `updating` and its lock is left. The next command judges it from the pool as
read (`drift.fix.landed_before`): a held write that landed — its new revision ready with no
instances, the split pinned and the scaling as written, the instances on what they ran — is
recorded `pinned`, as the fix would have recorded it, and that fix then stops at the held
change as at any held pool; one that did not land still refuses, naming `drift rollback`.
Before, the landed one was judged as an update that moves the instances ("all on its
revision", which a held write never is) and refused as not landed (helper-725 left it). The
fix settles it before it shows its plan (`drift.fix.fix_plan`), so the plan's steps say it is
held as the lines after them do (helper-728 left the plan saying "updating"), the profile
changed since too (new drift: a patch of its own; helper-730 left it). Two fixes at once after
it (helper-735 F5): the one that reads the entry while the other settles it reads it as the
other wrote it."""

from __future__ import annotations

import json
import os
import signal
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest

from drift.fix import journalfiles
from drift.fix.journal import Journal, State
from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.jobs.world import HELD_SPLIT, POOL_PROFILE, pool_spec, write_profile
from tests.reliability.test_interruption import start
from tests.sandbox.jobworld import world

pytestmark = pytest.mark.sandbox


def _sent(sandbox: Sandbox) -> bool:
    return any(c.short == "UpdateWorkerPool" for c in sandbox.calls)


@dataclass
class Killed:
    """A `drift fix --no-promote` of the pool killed (kill -9) while its held write was sent:
    its entry left `updating`, its lock left, the pool as that write left it (settled)."""

    sandbox: Sandbox
    journal: Journal
    env: dict[str, str]
    argv: list[str]
    change: str
    pool: Any

    @property
    def held(self) -> str:
        return f"pool-drift-{self.change}"


def killed(make_sandbox: MakeSandbox, tmp_path: Path, lands: bool, profile: str) -> Killed:
    """`Killed`, its held write landed (`lands`) or not, the profile `profile` after it."""
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool_spec(HELD_SPLIT)}))
    folder = write_profile(tmp_path / "profiles", POOL_PROFILE)
    journal = Journal(tmp_path / ".drift" / "journal")
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(journal.directory)}
    argv = ["fix", "prod", "--yes", "--profiles", str(folder)]
    before = sandbox.worker_pool("p", "pool")
    # landed: carried out, its answer held (the fix waits on it); else held unapplied, and
    # dropped when the killed client's call is cancelled
    sandbox.inject(Fault("UpdateWorkerPool", None, latency_ms=60_000, first_n=1, after=lands))
    proc = start([*argv, "--no-promote"], env, tmp_path)
    deadline = time.monotonic() + 60
    while not _sent(sandbox):
        assert proc.poll() is None and time.monotonic() < deadline, proc.communicate()
        time.sleep(0.02)
    lock = next((journal.directory / "locks").glob("*.lock"))
    os.kill(int(json.loads(lock.read_text())["pid"]), signal.SIGKILL)  # kill -9: nothing runs
    proc.communicate(timeout=30)
    (stopped,) = journal.entries()
    change, held = stopped.change_id, f"pool-drift-{stopped.change_id}"
    assert stopped.state == State.UPDATING, stopped.history
    while (pool := sandbox.worker_pool("p", "pool")).reconciling:  # it settles
        assert time.monotonic() < deadline, pool
        time.sleep(0.05)
    assert (pool.latest_ready_revision.rsplit("/", 1)[-1] == held) is lands
    if not lands:
        assert pool.generation == before.generation
    sandbox.clear_faults()
    write_profile(tmp_path / "profiles", profile)
    return Killed(sandbox, journal, env, argv, change, pool)


NEWER = POOL_PROFILE.replace("QUEUE: events2", "QUEUE: events3")
"""The profile changed since the killed fix: new drift on the pool, a patch of its own."""


@pytest.mark.parametrize("profile", [POOL_PROFILE, NEWER], ids=["as-written", "new-drift"])
@pytest.mark.parametrize("lands", [True, False], ids=["landed", "not-landed"])
def test_a_killed_held_pool_write_is_settled_by_what_the_pool_shows(
    make_sandbox: MakeSandbox, tmp_path: Path, lands: bool, profile: str
) -> None:
    """new-drift (helper-730 left it): the pool has a patch, so its stopped change was
    judged under the fix's own lock, after the plan was shown; the plan said "left by a fix
    that did not finish: updating" above the line saying it had landed."""
    k = killed(make_sandbox, tmp_path, lands, profile)
    sandbox, journal, env, argv, change, held = (
        k.sandbox,
        k.journal,
        k.env,
        k.argv,
        k.change,
        k.held,
    )
    pool = k.pool

    again = drift(*argv, env=env, cwd=tmp_path)
    said = again.stdout + again.stderr
    assert again.returncode == 4, said
    assert ("->  events3" in again.stdout) is (profile == NEWER), again.stdout  # its patch
    (entry,) = journal.entries()
    if lands:  # main: exit 4 all the same, but "was stopped mid-change", the entry `updating`
        assert entry.state == State.PINNED, entry.history
        assert f"took over the lock left by change {change}" in said, said
        assert "held by --no-promote" in said, said
        assert f"{held} of change {change}, held with no instances" in said, said
        assert "update-instance-split pool --to-revisions=LATEST=70" in said, said
        assert list((journal.directory / "locks").glob("*.lock")) == []
        # settled first, then shown: main showed the plan first, its manual steps calling the
        # change "left by a fix that did not finish: updating", and the lines after it landed
        out = again.stdout
        shown = out.index("Plan for prod")
        assert out.index(f"took over the lock left by change {change}") < shown, out
        plan = out[shown : out.index("manual steps", shown)]
        assert f"{held} of change {change}, held with no instances by `drift fix" in plan, out
        assert "did not finish" not in said, said
    else:
        assert entry.state == State.UPDATING, entry.history
        assert "took over the lock" not in said, said
        # said once: the fix's own lock refuses it (judged before the plan, then unsaid)
        assert (
            said.count("stopped mid-change, or ended with its outcome not known") == 1
            and f"drift rollback {change}" in said
        )
    assert sandbox.worker_pool("p", "pool").generation == pool.generation  # nothing written


def test_a_fix_that_reads_the_entry_while_another_settles_it_reads_it_as_written(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Two `drift fix` at once after the killed held write that landed (helper-735 F5): the
    other fix settles the change (records its entry `pinned`: `journalfiles.write_pair`, the
    checksum file replaced after the entry) between this fix's read of the entry's bytes and
    its read of the checksum file. The window is made deterministic here: the other fix runs
    start to end inside it. Before, the bytes read (`updating`) no longer matched the
    checksum file (the `pinned` bytes' alone): the entry was taken as edited, and the plan
    said the change's "journal is not here", a fix may still be running."""
    k = killed(make_sandbox, tmp_path, True, POOL_PROFILE)
    real, other = journalfiles.regular_bytes, []

    def racing(path: Path, limit: int = -1) -> bytes:
        raw = real(path, limit)
        if not other and path.name == f"{k.change}--worker_pool--pool.json":
            other.append(drift(*k.argv, env=k.env, cwd=tmp_path))  # the other fix: a process
        return raw

    monkeypatch.setattr(journalfiles, "regular_bytes", racing)
    this = drift(*k.argv, env=k.env, cwd=tmp_path)
    monkeypatch.undo()
    (first,) = other
    assert first.returncode == 4 and "took over the lock" in first.stdout, first
    (entry,) = k.journal.entries()
    assert entry.state == State.PINNED, entry.history
    said = this.stdout + this.stderr
    assert this.returncode == 4, said
    assert "journal is not here" not in said, said
    assert f"{k.held} of change {k.change}, held with no instances" in said, said
    assert k.sandbox.worker_pool("p", "pool").generation == k.pool.generation  # nothing written
