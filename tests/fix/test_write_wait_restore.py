"""One deadline for each of the restoration's writes too (helper-678 left it open): the
cleanup after a declined promotion, the rollback, their traffic-only writes (`write_traffic`:
a pin by name, freeing drift's pin, the canary's tag) and a job's put-back each waited 600 s
for the operation, then 600 s more for the service to settle; now `write_wait`
(DRIFT_WRITE_WAIT) bounds the two together, counted from the write, and each waiting line says
so as a fix's own writes do. The sandbox holds the write (`hold_deploys`) so that the service
is still reconciling when that deadline, 2 s here, ends: its write landed, so the outcome is
not known — never judged a failed revision, nothing written over it (it was pinned by name
with a second write, then "cleanup-failed", exit 4), the entry left as the write began, and
`drift rollback` finishes it once the deploy has settled. No timing is asserted."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix import waiting
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, State
from drift.sandbox.server import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    entries,
    journal,
    lab_fix,
    lab_world,
    rollback,
    updates,
)

pytestmark = pytest.mark.sandbox

WHOLE = " s so far (drift waits up to 2 s in all for this write: DRIFT_WRITE_WAIT)"


@pytest.fixture
def said(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Each waiting line, said on a short cadence; every write's wait cut to 2 s."""
    lines: list[str] = []
    monkeypatch.setenv("DRIFT_WRITE_WAIT", "2")
    monkeypatch.setattr(waiting, "CADENCE", waiting.Cadence(first=0.1, every=0.3, say=lines.append))
    return lines


def locks(tmp_path: Path) -> list[Path]:
    return list((journal(tmp_path).directory / "locks").glob("*.lock"))


def settle(sandbox: Sandbox) -> None:
    """Let the held deploy settle, and the next ones at once."""
    sandbox.hold_deploys(False)
    sandbox.finish_deploy(LAB, "app")


def said_once_per_write(said: list[str]) -> None:
    assert said, "no wait was said"
    for line in said:  # the cleanup's or rollback's operation, then its read: one deadline
        assert line.endswith(WHOLE), line


def left_as_begun(
    sandbox: Sandbox, tmp_path: Path, said: list[str], entry: Entry, state: str, writes: int
) -> None:
    """The entry left in `state`, as its last write began, after `writes` UpdateServices
    (nothing written over the last), its lock kept; once the deploy settles, `drift rollback`
    finishes it."""
    assert entry.state == state, entry.history
    assert len(updates(sandbox)) == writes, updates(sandbox)
    assert locks(tmp_path), "the lock was released"
    said_once_per_write(said)
    settle(sandbox)
    back = rollback(tmp_path)
    assert back.exit_code is ExitCode.OK, back.failed
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


def held_at_promotion(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, promote: bool
) -> tuple[Sandbox, str, Entry]:
    """`drift fix lab`, its canary deployed, the deploys held from the promotion prompt on
    (`promote`: confirmed; else declined, so the cleanup's write is held): the sandbox, what
    the fix said, its entry. It landed: exit 3, never 4."""
    sandbox = make_sandbox(lab_world())
    ui = ScriptedUI([True, promote])
    ui.on_confirm = lambda _: len(ui.questions) > 1 and sandbox.hold_deploys()
    result = lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    text = " ".join(result.summary().split())
    (entry,) = entries(tmp_path)
    assert result.exit_code is ExitCode.INCOMPLETE, text
    return sandbox, text, entry


def test_a_cleanup_still_reconciling_when_its_wait_ends_is_not_known_exit_3(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str]
) -> None:
    sandbox, text, entry = held_at_promotion(make_sandbox, tmp_path, monkeypatch, False)
    assert (
        "cleanup write (the canary's tag removed, the routing that served restored) "
        "landed, and the service was still reconciling when drift stopped waiting" in text
    ), text
    assert "whether it serves what served before is not known" in text, text
    assert f"`drift rollback {entry.change_id}` finishes it" in text, text
    assert "failed" not in text, text  # not a failed revision: it is still deploying
    assert len(updates(sandbox)) == 2, updates(sandbox)  # the canary, the cleanup: no pin over it
    assert entry.state == State.CLEANING_UP, entry.history
    assert locks(tmp_path), "the lock was released"
    said_once_per_write(said)
    assert any("waiting for UpdateService's operation" in line for line in said), said
    settle(sandbox)
    back = rollback(tmp_path)
    assert back.exit_code is ExitCode.OK, back.failed
    assert entries(tmp_path)[0].state in (State.CLEANED_UP, State.ROLLED_BACK)


def test_a_rollback_still_reconciling_when_its_wait_ends_is_not_known(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str]
) -> None:
    sandbox = make_sandbox(lab_world())
    fixed = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK, fixed.summary()
    said.clear()
    sandbox.hold_deploys()
    back = rollback(tmp_path)
    (entry,) = entries(tmp_path)
    (failed,) = back.failed
    assert (
        "app: the rollback was written and the service was still reconciling when drift "
        "stopped waiting: whether it serves what served before is not known" in failed
    ), failed
    assert f"run `drift rollback {entry.change_id}` again once it has settled" in failed, failed
    assert entry.state == State.ROLLING_BACK, entry.history
    assert len(updates(sandbox)) == 3, updates(sandbox)  # canary, promotion, rollback: no pin
    said_once_per_write(said)
    # its outcome unknown, the rollback keeps its lock as a fix's last write does (helper-689
    # L1): no other drift command writes to the service meanwhile
    notes, kept = " ".join(back.notes), locks(tmp_path)  # under both its names
    assert any(f"drift keeps its lock {path}:" in notes for path in kept), (notes, kept)
    assert f"`drift rollback {entry.change_id}` again once it has settled" in notes, notes
    settle(sandbox)  # the rollback's revision serves: the lab profile's drift again
    ui = ScriptedUI()
    other = lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    refused = " ".join([other.summary(), *ui.said])
    assert other.exit_code is not ExitCode.OK, refused
    assert any(str(p) in refused for p in kept) and "drift rollback" in refused, refused
    assert len(updates(sandbox)) == 3, updates(sandbox)  # nothing written by the second fix
    again = rollback(tmp_path)
    assert again.exit_code is ExitCode.OK, again.failed
    assert entries(tmp_path)[0].state == State.ROLLED_BACK
    assert locks(tmp_path) == [], locks(tmp_path)


def test_a_promotion_still_reconciling_when_its_wait_ends_is_incomplete_lock_kept(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str]
) -> None:
    """It landed: "the promotion was written but the canary does not serve 100%", exit 4 and
    the entry `aborted` said it failed while it was still deploying (helper-678, left open)."""
    sandbox, text, entry = held_at_promotion(make_sandbox, tmp_path, monkeypatch, True)
    assert (
        "the promotion landed (generation 3) and the service was still reconciling when "
        "drift stopped waiting: whether traffic moved to" in text
    ), text
    assert "written but" not in text, text
    assert f"`drift rollback {entry.change_id}` restores what served before" in text, text
    # the canary, the promotion: no cleanup
    left_as_begun(sandbox, tmp_path, said, entry, State.PROMOTING, 2)


def test_a_canary_still_deploying_when_its_wait_ends_is_not_known_exit_3(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, said: list[str]
) -> None:
    """The canary's write landed and its deploy was in progress when `write_wait` ended: it
    was judged "not ready", journaled canary-failed, and a clean-up was written over drift's
    own canary mid-deploy (helper-686 M2). Not known now: nothing written over it, the entry
    left `canary-deploying`, the lock kept, exit 3; `drift rollback` finishes it."""
    sandbox = make_sandbox(lab_world())
    ui = ScriptedUI([True])
    ui.on_confirm = lambda _: sandbox.hold_deploys()
    result = lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    text = " ".join(result.summary().split())
    (entry,) = entries(tmp_path)
    assert result.exit_code is ExitCode.INCOMPLETE, text
    assert "not ready" not in text and "failed" not in text, text
    assert "the service was still reconciling when drift stopped waiting" in text, text
    assert "`drift check`" in text and f"`drift rollback {entry.change_id}`" in text, text
    # the canary alone: no clean-up written over it
    left_as_begun(sandbox, tmp_path, said, entry, State.CANARY_DEPLOYING, 1)
