"""drift's own colour codes on a terminal follow https://no-color.org — NO_COLOR "when
present and not an empty string (regardless of its value)" turns them off, `NO_COLOR=` does
not — and a terminal that says it has none (`TERM=dumb`) gets none. Run offline on a
manifest, on a pseudo-terminal, in a process of its own forked from the worker's zygote
(tests/zygote.py: the colour choice is made at run time, from the run's own streams and
environment)."""

from __future__ import annotations

import os
import subprocess

import pytest

from tests.cliutil import REPO, read_pty, zygote_drift

DATA = REPO / "tests" / "data" / "manifest"
ARGS = ("check", "prod", "--profiles", str(DATA / "profiles"), "--offline")
MANIFEST = ("-m", str(DATA / "chat.service.yaml"))


def on_a_terminal(**env: str) -> str:
    import pty

    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "NO_COLOR"))}
    base.update(PYTHONPATH=str(REPO), COLUMNS="200", **env)
    primary, secondary = pty.openpty()
    proc = subprocess.Popen(
        [str(zygote_drift()), *ARGS, *MANIFEST],
        stdout=secondary,
        stderr=subprocess.DEVNULL,
        cwd=REPO,
        env=base,
    )
    os.close(secondary)
    seen = read_pty(primary)
    assert proc.wait(timeout=60) == 1
    return seen.decode()


@pytest.mark.parametrize(
    ("env", "colored"),
    [
        ({"TERM": "xterm-256color"}, True),
        ({"TERM": "xterm-256color", "NO_COLOR": ""}, True),  # present but empty: not set
        ({"TERM": "xterm-256color", "NO_COLOR": "1"}, False),
        ({"TERM": "xterm-256color", "NO_COLOR": "0"}, False),  # any value but empty
        ({"TERM": "dumb"}, False),
    ],
    ids=["terminal", "no-color-empty", "no-color-1", "no-color-0", "term-dumb"],
)
def test_colors_on_a_terminal_follow_no_color_and_term(env: dict[str, str], colored: bool) -> None:
    text = on_a_terminal(**env)
    assert "prod" in text
    assert ("\x1b[" in text) is colored, text[:400]
