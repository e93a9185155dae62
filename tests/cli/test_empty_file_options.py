"""A file option given an empty value (`--output "$REPORT"` with REPORT unset in a CI step) is
refused as naming no file, by its name, before anything is read: it was read as the working
directory, `.`, and said as "cannot write --output : it is a directory" or "cannot read the
plan .: Is a directory" (revcli88 F5). As `--profiles ''` and `--journal ''` already are."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import REPO, drift

CASES = [
    ("check", "staging", "--output"),
    ("check", "staging", "--json"),
    ("check", "staging", "--sarif"),
    ("check", "staging", "--baseline"),
    ("plan", "staging", "--output"),
    ("history", "staging", "--output"),
    ("fix", "staging", "--plan"),
    ("check", "staging", "--manifest"),  # read as `.`: ".:1: cannot read: is a directory"
    ("sandbox", "--scenario"),  # ".:1: not a regular file (a directory)" (helper-740)
    ("sandbox", "--log"),  # "--log .: cannot write it: Is a directory"
]


@pytest.mark.parametrize("args", CASES, ids=[" ".join(c) for c in CASES])
def test_an_empty_file_option_names_no_file(tmp_path: Path, args: tuple[str, ...]) -> None:
    profiles = ["--profiles", str(REPO / "profiles")] if args[0] != "sandbox" else []
    done = drift(*args, "", *profiles, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert f"invalid value for '{args[-1]}'" in first, done.stderr
    assert "'' names no file" in first, done.stderr
    assert "Traceback" not in done.stderr
