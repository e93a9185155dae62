"""`--verbose` on an error: the cause chain as `caused by` lines, never a traceback."""

from __future__ import annotations

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
