"""An unexpected exception (a bug) is still one clear line and exit 2, never a traceback;
--verbose shows the traceback, scrubbed of secret values."""

from __future__ import annotations

import os
import subprocess

from tests.cliutil import REPO, python_code

HOSTILE = "\\n::error title=forged::from a value\\x1b[2J"
"""What a live value may hold, quoted in an exception's message: a line break, a workflow
command a CI runner would run from its own line, a terminal escape."""
BOOM = f"""
import sys
import drift.redact, drift.profiles.loader
drift.redact.register("s3cr3t-value-123")
HOSTILE = "{HOSTILE}"
def boom(*args, **kwargs):
    raise RuntimeError("broken while reading s3cr3t-value-123" + HOSTILE)
drift.profiles.loader.load_profile = boom
import drift.profiles
drift.profiles.load_profile = boom
from drift.cli import main
sys.argv = ["drift", *sys.argv[1:]]
main()
"""


def run(*args: str) -> subprocess.CompletedProcess[str]:
    """`python -c BOOM ARGS`: forked from the zygote (what it proves is drift's handling of a
    crash in its command, not the interpreter's start)."""
    return python_code(BOOM, *args, env={**os.environ, "PYTHONPATH": str(REPO)})


def test_a_bug_is_one_line_and_exit_2() -> None:
    done = run("check", "staging")
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        "drift: error: internal error: RuntimeError: broken while reading ***\\n::error "
        "title=forged::from a value\\x1b[2J (run with --verbose for the traceback)"
    ]


def test_verbose_shows_the_traceback_scrubbed() -> None:
    done = run("check", "staging", "--verbose")
    assert done.returncode == 2
    assert "Traceback (most recent call last)" in done.stderr
    assert "s3cr3t-value-123" not in done.stderr
    # the exception's message, quoted in the traceback, is shown as every error line shows
    # it: no terminal escape, no line a CI runner would run as a workflow command
    assert "\x1b" not in done.stderr
    assert not [line for line in done.stderr.splitlines() if line.lstrip().startswith("::")]
    assert "\\::error title=forged::from a value\\x1b[2J" in done.stderr
