"""An output that breaks while `drift fix` runs (`drift fix --yes | head`, a `tee` or CI log
collector that died, a `> log` on a disk that fills) is an abort like Ctrl-C (SPEC invariant
9): once the canary write has begun, drift cleans up — the canary's tag removed, the routing
that served restored, the journal saying so, the lock released — says nothing more on the
broken output, and ends with exit 4 and one line saying where the service stands; before
the write, nothing is sent and the journal says so. Never click's silent exit 1 ("drift
found") with the canary left tagged and traffic pinned."""

from __future__ import annotations

import errno
import os
import subprocess
import time
from pathlib import Path

import pytest

from drift.errors import ExitCode, Interrupted, OutputLost
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.fix.model import Plan
from drift.live.changeids import tagged_change
from drift.sandbox import Sandbox
from tests.cliutil import REPO, buffered, drift_argv
from tests.fix.conftest import PROJECT, ScriptedUI, assert_serves_as_before, entries, fix, updates

EPIPE = BrokenPipeError(errno.EPIPE, os.strerror(errno.EPIPE))


class Breaks(ScriptedUI):
    """An output that goes away once a line containing `after` was written (or, `at`, as a
    line containing it is written): every later write fails as `print` fails on a closed
    pipe (BrokenPipeError), or, `lost`, as drift's own output says it (OutputLost)."""

    def __init__(
        self,
        *,
        after: str = "",
        at: str = "",
        lost: bool = False,
        answers: list[bool] | None = None,
    ) -> None:
        super().__init__(list(answers or []))
        self.after, self.at, self.lost = after, at, lost
        self.closed = not (after or at)
        self.failed = 0

    def _write(self, text: str = "") -> None:
        if self.at and self.at in text:
            self.closed = True
        if self.closed:
            self.failed += 1
            if self.lost:
                raise OutputLost("cannot write the output to standard output: Broken pipe")
            raise EPIPE

    def say(self, text: str) -> None:
        self._write(text)
        super().say(text)
        if self.after and self.after in text:
            self.closed = True

    def show_plan(self, plan: Plan) -> None:
        self._write()
        super().show_plan(plan)

    def confirm(self, question: str, timeout: float | None = None) -> bool:
        self._write(question)
        return super().confirm(question)


def _locks(tmp_path: Path) -> list[str]:
    folder = tmp_path / ".drift" / "journal" / "locks"
    return sorted(p.name for p in folder.iterdir()) if folder.is_dir() else []


@pytest.mark.parametrize("lost", [False, True], ids=["BrokenPipeError", "OutputLost"])
def test_an_output_that_breaks_after_the_canary_deploy_is_cleaned_up_as_an_abort(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, lost: bool
) -> None:
    before = sandbox.service(PROJECT, "web")
    ui = Breaks(after="deploying canary revision", lost=lost)
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, env, ui, FixOptions(yes=True), ["web"], "staging")
    (entry,) = entries(tmp_path)
    assert raised.value.exit_code is ExitCode.ABORTED
    message = raised.value.message
    assert "cannot write the output" in message and "Broken pipe" in message, message
    assert "cleaned up" in message and entry.canary_revision in message, message
    assert entry.state == State.CLEANED_UP, entry.history
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)
    assert ui.failed == 1  # the cleanup said nothing more on the broken output
    assert _locks(tmp_path) == []  # cleaned up: nothing unfinished keeps the lock


def test_an_output_that_breaks_at_the_promotion_prompt_is_cleaned_up_as_an_abort(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The same at the question that promotes (`Move all traffic of web to …?`)."""
    before = sandbox.service(PROJECT, "web")
    ui = Breaks(after="no probe in the profile", answers=[True])
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, env, ui, FixOptions(), ["web"], "staging")
    (entry,) = entries(tmp_path)
    assert raised.value.exit_code is ExitCode.ABORTED
    assert entry.state == State.CLEANED_UP, entry.history
    now = sandbox.service(PROJECT, "web")
    assert not any(tagged_change(t.tag) for t in now.traffic), list(now.traffic)
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)


def test_an_output_that_breaks_as_the_canary_is_announced_sends_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The line that says the canary is being deployed is written after the journal records
    the write and before it is sent: if it cannot be written, nothing is sent, and the
    journal says the write did not land (no lock kept, nothing for rollback to undo)."""
    ui = Breaks(at="deploying canary revision")
    with pytest.raises(Interrupted) as raised:
        fix(tmp_path, env, ui, FixOptions(yes=True), ["web"], "staging")
    assert raised.value.exit_code is ExitCode.ABORTED
    assert "nothing was changed" in raised.value.message, raised.value.message
    assert updates(sandbox) == []
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED and not entry.wrote, entry.writes
    assert _locks(tmp_path) == []


def test_an_output_that_breaks_before_any_write_is_an_abort_with_nothing_changed(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The plan (or the first question) cannot be written: exit 4, nothing changed."""
    with pytest.raises(OutputLost) as raised:
        fix(tmp_path, env, Breaks(lost=True), FixOptions(), ["web"], "staging")
    assert raised.value.exit_code is ExitCode.ABORTED
    assert raised.value.message.endswith(": nothing was changed"), raised.value.message
    assert updates(sandbox) == [] and entries(tmp_path) == []


def test_drift_fix_piped_into_head_cleans_up_and_says_where_it_stands(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift fix staging -s web --yes | head -9`: the reader goes once the canary is being
    deployed. drift removes the canary's tag and restores the routing that served, as after
    Ctrl-C (SPEC invariant 9), and says so in one line on stderr, exit 4."""
    environ = {k: v for k, v in buffered().items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    environ |= {**sandbox.environ(), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    environ["DRIFT_JOURNAL_DIR"] = str(tmp_path / "journal")
    argv = [*drift_argv(), "fix", "staging", "-s", "web", "--yes"]
    argv += ["--profiles", str(REPO / "profiles")]
    before = sandbox.service(PROJECT, "web")
    sandbox.hold_deploys(True)  # the canary reconciles until the reader has gone, however slow
    with subprocess.Popen(
        argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=environ, cwd=tmp_path, text=True
    ) as proc:
        assert proc.stdout is not None and proc.stderr is not None
        for line in proc.stdout:
            if "deploying canary revision" in line:
                break
        proc.stdout.close()  # `head` has what it wanted
        deadline = time.monotonic() + 60
        while not sandbox.service(PROJECT, "web").reconciling:
            assert proc.poll() is None and time.monotonic() < deadline
            time.sleep(0.02)
        sandbox.hold_deploys(False)  # the clean-up's own write settles
        sandbox.finish_deploy(PROJECT, "web")
        err = proc.stderr.read()
        code = proc.wait(timeout=60)
    (line,) = err.splitlines()
    assert line.startswith("drift: error: interrupted: web: cannot write the output"), line
    assert "cleaned up" in line and "Broken pipe" in line, line
    assert code == 4
    now = sandbox.service(PROJECT, "web")
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    assert [t.type_.name for t in now.traffic] == [t.type_.name for t in before.traffic]
    assert not list((tmp_path / "journal" / "locks").glob("*.lock"))


@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full")
def test_a_fix_whose_report_cannot_be_written_is_incomplete_never_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift fix --format json > report.json` on a full disk: the fix runs (its prose is on
    stderr), then its re-check's report cannot be written. Not the re-check's 0 or 1 (not
    said), not 2 (something changed): 3, naming the change and how to see where things
    stand."""
    environ = {k: v for k, v in buffered().items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    environ |= {**sandbox.environ(), "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    environ["DRIFT_JOURNAL_DIR"] = str(tmp_path / "journal")
    argv = [*drift_argv(), "fix", "staging", "-s", "web", "--yes"]
    argv += ["--format", "json", "--profiles", str(REPO / "profiles")]
    with open("/dev/full", "w") as full:
        done = subprocess.run(
            argv, stdout=full, stderr=subprocess.PIPE, env=environ, cwd=tmp_path, text=True
        )
    last = done.stderr.splitlines()[-1]
    assert last.startswith(
        "drift: error: cannot write the output to standard output: No space left on device: "
        "the fix ran (change "
    ), done.stderr
    assert "`drift check staging` shows where things stand" in last
    assert done.returncode == 3
