"""`--verbose` on an error: the cause chain as `caused by` lines, never a traceback."""

from __future__ import annotations

import json
import unicodedata
from pathlib import Path

from tests.cliutil import drift


def test_verbose_shows_the_cause_chain_through_the_option(tmp_path: Path) -> None:
    """`--verbose` adds the cause of an error as a `caused by` line (never a traceback); the
    option says so, not a look at sys.argv (`-v` after the command is an option too)."""
    (tmp_path / "staging.yaml").write_text("project: p\nregion: us-central1\nservices: {a: {}}\n")
    env = {"HOME": str(tmp_path), "NO_GCE_CHECK": "True", "GOOGLE_APPLICATION_CREDENTIALS": ""}
    plain = drift("check", "staging", "--profiles", str(tmp_path), env=env, cwd=tmp_path)
    verbose = drift("check", "staging", "--profiles", str(tmp_path), "-v", env=env, cwd=tmp_path)
    assert plain.returncode == verbose.returncode == 2
    assert "no Application Default Credentials" in plain.stderr
    assert "caused by" not in plain.stderr
    assert "caused by google.auth.exceptions.DefaultCredentialsError" in verbose.stderr
    assert "Traceback" not in verbose.stderr


def test_quiet_and_verbose_together_keep_the_cause_chain(tmp_path: Path) -> None:
    """`--quiet` cuts the progress and the table, never an error or its cause: a CI step that
    passes `--quiet --verbose` still sees why the run stopped."""
    (tmp_path / "staging.yaml").write_text("project: p\nregion: us-central1\nservices: {a: {}}\n")
    env = {"HOME": str(tmp_path), "NO_GCE_CHECK": "True", "GOOGLE_APPLICATION_CREDENTIALS": ""}
    done = drift(
        "check", "staging", "--profiles", str(tmp_path), "--quiet", "-v", env=env, cwd=tmp_path
    )
    assert done.returncode == 2
    assert "no Application Default Credentials" in done.stderr
    assert "caused by google.auth.exceptions.DefaultCredentialsError" in done.stderr


HOSTILE = "X\n::error file=profiles/staging.yaml,line=16::FORGED\n\x1b]0;pwned\x07"
"""A line break, a workflow command and OSC 0 (sets the terminal's title)."""


def test_a_verbose_log_line_shows_manifest_text_visibly(tmp_path: Path) -> None:
    """`--verbose` logs a plan's enum value drift does not know (drift/manifest/proto.py):
    the log line shows it escaped (`\\n`, `\\x1b`, `\\x07`), so it neither starts a line a
    CI runner runs as a workflow command nor acts on the terminal."""
    after = {
        "name": "api",
        "location": "us-central1",
        "ingress": HOSTILE,
        "template": [{"containers": [{"image": "img"}]}],
    }
    change = {"actions": ["create"], "before": None, "after": after}
    resource = {
        "address": "google_cloud_run_v2_service.api",
        "mode": "managed",
        "type": "google_cloud_run_v2_service",
        "name": "api",
        "change": change,
    }
    path = tmp_path / "plan.json"
    path.write_text(json.dumps({"format_version": "1.2", "resource_changes": [resource]}))
    done = drift(
        "check", "staging", "--manifest", str(path), "--offline", "--format", "github", "-v"
    )
    logged = [line for line in done.stderr.splitlines() if "is not a value of" in line]
    assert len(logged) == 1, done.stderr
    assert logged[0].startswith("drift: DEBUG: ")
    assert (
        "X\\n::error file=profiles/staging.yaml,line=16::FORGED\\n\\x1b]0;pwned\\x07" in logged[0]
    )
    lines = (done.stdout + done.stderr).splitlines()
    assert not [
        line for line in lines if line.startswith("::error file=profiles/staging.yaml,line=16::")
    ]
    controls = [c for c in done.stderr if c != "\n" and unicodedata.category(c) == "Cc"]
    assert controls == [], controls
