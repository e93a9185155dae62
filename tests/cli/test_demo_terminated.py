"""`drift demo` stopped by SIGTERM (`timeout 10 drift demo`, a closed CI job) ends as Ctrl-C
ends it: its working copy of the profiles (and the journal the story writes there) is removed,
its step's drift process stopped, one line and exit 3. The signal's default action ended it on
the spot and left `/tmp/drift-demo-*` behind at each run (revcli88 F3)."""

from __future__ import annotations

import re
import signal
import subprocess
from pathlib import Path

from tests.cliutil import drift_argv, spawn_as_a_terminal_does

WORK = re.compile(rb"profiles: a copy of .* in (\S+) \(the journal goes there too\)")


def test_sigterm_during_the_demo_removes_its_working_copy(tmp_path: Path) -> None:
    proc = spawn_as_a_terminal_does(
        [*drift_argv(), "demo"],
        {},
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        cwd=tmp_path,
    )
    try:
        said = b""
        assert proc.stdout is not None
        while (found := WORK.search(said)) is None:
            line = proc.stdout.readline()
            assert line, said.decode(errors="replace")
            said += line
        work = Path(found.group(1).decode())
        assert work.is_dir()
        proc.send_signal(signal.SIGTERM)
        out, err = proc.communicate(timeout=60)
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()
    text = err.decode(errors="replace")
    assert proc.returncode == 3, text
    assert not work.exists(), f"{work} left behind"
    assert "drift: error: interrupted" in text and "Traceback" not in text
