"""Ctrl-C where no command's own handling sees it — while drift starts, while typer parses the
options (typer turns it into a silent exit 130), between a command's steps — is one line and
exit 3 (the run did not finish: never clean), never a traceback or a silent 130. The windows
are too short to hit with a real signal reliably: the interrupt is raised where it would land."""

from __future__ import annotations

import os

import pytest

from tests.cliutil import REPO, python_code

LINE = "drift: error: interrupted: the command did not finish"
AT = {
    # while the CLI's own modules load
    "start": "import drift.cli\n"
    "def stop(): raise KeyboardInterrupt\n"
    "drift.cli.own_process = stop\n",
    # while typer builds the command line
    "build": "import drift.cli.root, typer.main\n"
    "def stop(*a, **k): raise KeyboardInterrupt\n"
    "typer.main.get_command = stop\n",
    # inside a command, where typer catches it and exits 130, silently
    "command": "import drift.cli.session\n"
    "def stop(*a, **k): raise KeyboardInterrupt\n"
    "drift.cli.session.Invocation.__post_init__ = stop\n",
}


@pytest.mark.parametrize("where", sorted(AT))
def test_ctrl_c_outside_a_command_is_one_line_and_exit_3(where: str) -> None:
    code = (
        AT[where]
        + "import sys\nfrom drift.cli import main\nsys.argv = ['drift', 'check', 'x']\nmain()\n"
    )
    # a process of its own, forked from the zygote (`python_code`): each stop is put in place
    # after the imports, so what is already imported changes nothing
    done = python_code(code, env=dict(os.environ), cwd=REPO, timeout=60)
    assert done.returncode == 3, done.stderr
    assert done.stderr.splitlines() == [LINE]
    assert done.stdout == ""
