"""`drift rollback` of a change someone else's write has put back already — a copy of the
journal taken before the change was rolled back from another copy (a CI artifact, a
teammate's checkout), or a teammate's own revert. Its preview says "afterwards: nothing is
written"; its refusal said all the same "rolling back would undo what of their change the
lines above list" (the lines list nothing) and offered `--force` as a restore. It says the
service serves what served before already and that `--force` only records the change as
rolled back, writing nothing (helper-742 F4). Put back while this rollback's prompt waits, it
is judged by what is read right before the write: never "restored" for a run that wrote
nothing, nor "`--force` restores anyway, undoing that change" (helper-747 F2)."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.fix.rollback_refusal import FORCED_UNDOES
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, entries, journal, rollback, updates
from tests.fix.test_rollback_unconfirmed import promoted


def test_a_change_put_back_from_another_copy_of_the_journal(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = promoted(make_sandbox, tmp_path, monkeypatch)
    directory = journal(tmp_path).directory
    copy = shutil.copytree(directory, tmp_path / "copy")
    assert rollback(tmp_path).exit_code is ExitCode.OK  # from the other copy
    shutil.rmtree(directory)
    shutil.copytree(copy, directory)  # this copy still says promoted
    writes = len(updates(sandbox))
    refused = rollback(tmp_path)
    text = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED, text
    assert "it serves what served before the change already (that write put it back)" in text, text
    forced = f"`drift rollback {refused.change_id} --force` records the change as rolled back"
    assert f"{forced}, writing nothing" in text, text
    assert FORCED_UNDOES not in text and "restores anyway" not in text, text
    forced = rollback(tmp_path, force=True)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    assert len(updates(sandbox)) == writes  # nothing written, as said
    assert entries(tmp_path)[0].state == State.ROLLED_BACK


@pytest.mark.parametrize("force", [False, True])
def test_a_change_put_back_while_the_prompt_waits(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, force: bool
) -> None:
    sandbox = promoted(make_sandbox, tmp_path, monkeypatch)
    copy = shutil.copytree(journal(tmp_path).directory, tmp_path / "copy")
    writes: list[int] = []  # how many, once the teammate's rollback has written

    def teammate(question: str) -> None:  # the rollback from the other copy, meanwhile
        env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(copy)}
        other = drift("rollback", "--yes", env=env, cwd=tmp_path)
        assert other.returncode == 0, other.stdout + other.stderr
        writes.append(len(updates(sandbox)))

    done = rollback(tmp_path, ScriptedUI([True], on_confirm=teammate), force=force)
    text = done.summary()
    assert writes and len(updates(sandbox)) == writes[0], text  # this run wrote nothing
    assert "app: restored" not in text and done.restored == [], text
    assert "is a tag: the new revision" not in text, text  # no revision was made
    if force:  # what serves is what served before: recorded, exit 0, said as it is
        assert done.exit_code is ExitCode.OK, text
        assert done.as_before == ["app"], text
        assert entries(tmp_path)[0].state == State.ROLLED_BACK
        return
    assert done.exit_code is ExitCode.ABORTED, text
    assert "it serves what served before the change already (that write put it back)" in text
    forced = f"`drift rollback {done.change_id} --force` records app as rolled back"
    assert f"{forced}, writing nothing to it" in text, text
    assert "restores anyway" not in text and "undoing that change" not in text, text
