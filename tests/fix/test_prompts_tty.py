"""`drift fix` at a real terminal (a pty), as an operator answers it (review revtty): what was
typed before a question is no answer to it, the question reaches the terminal when stdout is
redirected, and Ctrl-D at a prompt ends the prompt's line."""

from __future__ import annotations

import os
import select
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from drift.cli.prompt import PromptUI
from drift.fix.journal import State
from drift.sandbox import Sandbox
from drift.sandbox.backend import mint_test_jwt
from tests.cliutil import REPO, spawn_as_a_terminal_does, zygote_drift
from tests.fix.conftest import PROJECT, assert_serves_as_before, entries, updates
from tests.fix.terminal import CTRL_C_AT_WEB, converse, on_a_terminal, read_some


def fix_web(sandbox: Sandbox, tmp_path: Path) -> tuple[list[str], dict[str, str]]:
    args = ["fix", "e2e", "--service", "web", "--profiles", str(REPO / "profiles")]
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")}
    return args, env


def test_a_line_typed_before_the_promotion_prompt_does_not_answer_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """SPEC invariant 3 (nothing is written without confirmation): "y" Enter at the first
    prompt, and "y" Enter once more while the canary deploys (a real deploy takes a minute
    and looks stuck). That second line was typed before "Move all traffic?" existed, before
    the canary's probe result was shown: drift drops it (tcflush) and waits; the operator's
    real answer, Ctrl-C 1.5 s later, cleans up. It used to move all traffic at once."""
    before = sandbox.service(PROJECT, "web")
    proc, primary = on_a_terminal(*fix_web(sandbox, tmp_path), tmp_path)
    output = answered_late(proc, primary, b"no traffic? [y/N]", b"y\ny\n", b"Move all traffic")
    assert "traffic moved to" not in output, output
    assert "the promotion was being sent" not in output, output
    assert proc.returncode == 4, output
    (entry,) = entries(tmp_path)
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)


def answered_late(
    proc: subprocess.Popen[bytes], primary: int, first: bytes, reply: bytes, second: bytes
) -> str:
    """Reply to the `first` prompt; SIGINT 1.5 s after the `second` prompt shows (a person's
    reaction time), unless drift has already gone on; everything printed until it ends."""
    output, replied, shown = b"", False, 0.0
    end = time.monotonic() + 30
    try:
        while time.monotonic() < end:
            if select.select([primary], [], [], 0.1)[0]:
                if not (chunk := read_some(primary)):
                    break
                output += chunk
            if not replied and first in output:
                os.write(primary, reply)
                replied = True
            if replied and not shown and second in output:
                shown = time.monotonic()
            if shown and time.monotonic() - shown > 1.5 and proc.poll() is None:
                proc.send_signal(signal.SIGINT)
                shown = float("inf")
            if proc.poll() is not None and not select.select([primary], [], [], 0.2)[0]:
                break
    finally:
        if proc.poll() is None:
            proc.kill()
        proc.wait()
        os.close(primary)
    return output.decode(errors="replace")


def test_a_line_typed_before_the_plan_is_shown_does_not_deploy_a_canary(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The same for the first prompt: "y" Enter typed while drift still reads the services,
    before the plan is printed, is no answer to it (it used to deploy a canary)."""
    proc, primary = terminal = on_a_terminal(*fix_web(sandbox, tmp_path), tmp_path)
    os.write(primary, b"y\n")  # typed ahead, at once
    output = converse(terminal, [(b"no traffic? [y/N]", signal.SIGINT)]).decode(errors="replace")
    assert "deploying canary" not in output, output
    assert updates(sandbox) == [], output
    assert proc.returncode == 4, output


def test_the_question_reaches_the_terminal_when_stdout_is_redirected(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift fix e2e > fix.log` at a terminal: stdin and stderr are the terminal, so the
    prompt is answerable, and drift waits for it (no deadline on the first prompt). The plan
    and the question go to the terminal (stderr), the report to the file; they used to go
    to the file alone: a silent, endless wait (README "Fixing drift, safely")."""
    primary, secondary = os.openpty()
    log = (tmp_path / "fix.log").open("wb")
    args, env = fix_web(sandbox, tmp_path)
    proc = spawn_as_a_terminal_does(
        [str(zygote_drift()), *args],  # a process of its own, forked from the zygote
        env,
        stdin=secondary,
        stdout=log,
        stderr=secondary,
        cwd=tmp_path,
    )
    os.close(secondary)
    log.close()
    output = converse((proc, primary), [(b"no traffic? [y/N]", b"n\n")]).decode(errors="replace")
    assert proc.returncode == 4, output
    assert "NEXT_PUBLIC_WS_URL" in output, output  # the plan, on the terminal too
    assert "declined: nothing was changed" in (tmp_path / "fix.log").read_text(), output


def test_the_question_reaches_dev_tty_when_stdout_and_stderr_are_redirected(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`drift fix e2e > fix.log 2>&1`: only stdin is the terminal; the question goes to the
    controlling terminal, /dev/tty, never only into the file."""
    ui = PromptUI(yes=False)
    with open(os.devnull) as stdin:
        monkeypatch.setattr(stdin, "isatty", lambda: True, raising=False)
        monkeypatch.setattr(sys, "stdin", stdin)
        where = ui.conversation()
    try:
        opened = open("/dev/tty", "w")  # noqa: SIM115
    except OSError:  # no controlling terminal here: the usual stream
        assert where is False
    else:
        opened.close()
        assert not isinstance(where, bool) and where.name == "/dev/tty"
    assert PromptUI(yes=True).conversation() is False  # --yes: nobody is asked


def test_end_of_input_at_a_prompt_ends_its_line(sandbox: Sandbox, tmp_path: Path) -> None:
    """Ctrl-D at a prompt is a "no", and what follows starts on a line of its own, as after
    Enter or Ctrl-C (it used to be glued on: `... [y/N]: declined: nothing was changed`)."""
    proc, _ = terminal = on_a_terminal(*fix_web(sandbox, tmp_path), tmp_path)
    output = converse(terminal, [(b"no traffic? [y/N]", b"\x04")]).decode(errors="replace")
    assert proc.returncode == 4, output
    lines = output.replace("\r\n", "\n").splitlines()
    assert "declined: nothing was changed" in lines, output


def test_ctrl_c_at_the_last_promotion_after_others_were_promoted_says_what_moved(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """`drift fix e2e` over api, auth and web: "y" to the canaries, "y" to api's and auth's
    promotions, Ctrl-C at web's. As a "no" there
    (SPEC invariant 9: "an abort like a no"): api and auth stay
    promoted and it says so, web is cleaned up, the re-check runs, and the exit is the
    re-check's, never 4 ("nothing changed, or rolled back"). It used to exit 4 with one line
    ending in web's "nothing is left to roll back"."""
    args = ["fix", "e2e", "--profiles", str(REPO / "profiles")]
    jwt = mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging"))
    _, env = fix_web(sandbox, tmp_path)
    proc, _ = terminal = on_a_terminal(args, {**env, "ACME_TEST_JWT": jwt}, tmp_path)
    output = converse(terminal, CTRL_C_AT_WEB).decode(errors="replace")
    assert proc.returncode == 1, output
    states = {e.service: e.state for e in entries(tmp_path)}
    assert states == {"api": State.PROMOTED, "auth": State.PROMOTED, "web": State.CLEANED_UP}, (
        output
    )
    assert "api: traffic moved to" in output and "auth: traffic moved to" in output, output
    assert "partial fix: api: promoted; auth: promoted; web: aborted, cleaned up" in output
    assert "re-check after the fix:" in output, output
