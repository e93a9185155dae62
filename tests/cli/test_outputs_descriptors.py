"""An output naming one of drift's own descriptors (`/dev/stdout`, `/dev/stderr`, `/dev/fd/N`,
`/proc/self/fd/N`) is written through that descriptor as the shell opened it, whatever it
leads to: a log opened to append (`>> ci.log`, `>> "$GITHUB_STEP_SUMMARY"`) keeps what it held
(revown20 F1: it was replaced whole by the report). A file named by its own path is still
replaced whole (tests/cli/test_outputs_unlucky.py)."""

from __future__ import annotations

import json
import os
import subprocess
from pathlib import Path

import pytest

from drift.files import write_whole
from tests.cli.test_outputs_unlucky import MANIFEST, OFFLINE, _process

EARLIER = "step 1: earlier output the job wrote\n"

pytestmark = pytest.mark.skipif(not os.path.isdir("/dev/fd"), reason="no /dev/fd")


@pytest.mark.parametrize("stream", ["/dev/stdout", "/dev/stderr"])
def test_a_standard_stream_appended_to_a_log_keeps_the_log(tmp_path: Path, stream: str) -> None:
    """`drift check … --format json --output /dev/stdout >> ci.log` (and `2>> err.log` with
    /dev/stderr): the report is added after what the log held, never put in its place."""
    log = tmp_path / "ci.log"
    log.write_text(EARLIER)
    args = (*OFFLINE, *MANIFEST, "--format", "json", "--output", stream)
    with log.open("a") as appended:  # the shell's `>> ci.log`
        streams = {"stdout": subprocess.PIPE, "stderr": subprocess.PIPE}
        streams[stream.removeprefix("/dev/")] = appended
        done = _process(*args, **streams)
    assert done.returncode == 1
    text = log.read_text()
    assert text.startswith(EARLIER), text[:200]
    report, _ = json.JSONDecoder().raw_decode(text[len(EARLIER) :])
    assert report["schema"] == "drift.report/v1"


@pytest.mark.parametrize("folder", ["/dev/fd", "/proc/self/fd"])
def test_a_descriptor_path_is_written_through_the_descriptor(tmp_path: Path, folder: str) -> None:
    """`/dev/fd/N` of a file opened to append: the text is appended, the file (its inode, what
    it held) kept; no temporary file is left beside it."""
    if not os.path.isdir(folder):
        pytest.skip(f"no {folder}")
    log = tmp_path / "summary.md"
    log.write_text(EARLIER)
    inode = log.stat().st_ino
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    try:
        write_whole(Path(f"{folder}/{fd}"), "## drift\n")
    finally:
        os.close(fd)
    assert log.read_text() == EARLIER + "## drift\n"
    assert log.stat().st_ino == inode
    assert sorted(p.name for p in tmp_path.iterdir()) == ["summary.md"]


def test_a_link_to_a_descriptor_path_is_that_descriptor(tmp_path: Path) -> None:
    """A link to `/dev/stdout`-like names (a script's `OUT=report.txt` made a link to it) is
    the descriptor too, judged one link at a time."""
    log = tmp_path / "log"
    log.write_text(EARLIER)
    fd = os.open(log, os.O_WRONLY | os.O_APPEND)
    link = tmp_path / "out"
    link.symlink_to(f"/dev/fd/{fd}")
    try:
        write_whole(link, "report\n")
    finally:
        os.close(fd)
    assert log.read_text() == EARLIER + "report\n"
    assert link.is_symlink()
