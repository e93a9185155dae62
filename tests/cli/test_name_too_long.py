"""A path given that is longer than the file system takes (a name over 255 bytes) was an
"internal error: OSError: [Errno 36] File name too long" (helper-606): one line naming it, a
hint, exit 2, wherever it is met."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import REPO, drift

LONG = "p" * 300


@pytest.mark.parametrize(
    "args",
    [
        ("check", "staging", "--profiles", LONG),
        ("profiles", "validate", LONG),
        ("check", "staging", "--output", LONG),
        ("check", "staging", "--json", f"{LONG}/report.json"),
        ("fix", "staging", "--journal", LONG, "--dry-run"),
        (
            "init",
            "lab",
            "--from-live",
            "--project",
            "p",
            "--region",
            "us-central1",
            "--profiles",
            LONG,
        ),
    ],  # fmt: skip
    ids=["profiles", "validate", "output", "json", "journal", "init"],
)
def test_a_name_too_long_is_one_clear_error(tmp_path: Path, args: tuple[str, ...]) -> None:
    (tmp_path / "profiles").symlink_to(REPO / "profiles")
    done = drift(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    lines = done.stderr.strip().splitlines()
    assert lines[0].startswith("drift: error: "), done.stderr
    assert "too long" in lines[0], done.stderr
