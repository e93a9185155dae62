"""Every command's `--output` that names the step summary file (`$GITHUB_STEP_SUMMARY`, the
same file however it is named: here a hard link to it): Markdown is appended within the room
the step left, once, after what the step wrote before; any other format (JSON, SARIF, YAML, a
script, a table, rollback's text) is refused before anything is read, one message naming
`$GITHUB_STEP_SUMMARY`, exit 2, the file left as it was. GitHub renders the file as
Markdown, per step, and shows none of it past 1 MiB (docs.github.com/en/actions/reference/
workflows-and-actions/workflow-commands#adding-a-job-summary)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.format.markdown import STEP_SUMMARY_LIMIT
from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import REPO, drift, python_module_into

EARLIER = "## tests\n\nall 812 passed\n"  # what an earlier step of the job wrote
SUMMARY = "SUMMARY"  # where a case names the step summary (by another name: a hard link)

NOT_MARKDOWN = {
    "history json": ["history", "nosuch", "--format", "json", "--output", SUMMARY],
    "history table": ["history", "nosuch", "--output", SUMMARY],
    "plan gcloud": ["plan", "nosuch", "--format", "gcloud", "--output", SUMMARY],
    "plan yaml": ["plan", "nosuch", "--format", "yaml", "--output", SUMMARY],
    "fix json": ["fix", "nosuch", "--yes", "--format", "json", "--output", SUMMARY],
    "probe sarif": ["probe", "nosuch", "--format", "sarif", "--output", SUMMARY],
    "compare": ["compare", "nosuch", "other", "--output", SUMMARY],
    "rollback": ["rollback", "--list", "--output", SUMMARY],
    "check json": ["check", "nosuch", "--format", "json", "--output", SUMMARY],
    "check github": ["check", "nosuch", "--format", "github", "--output", SUMMARY],
    "check --json": ["check", "nosuch", "--format", "markdown", "--json", SUMMARY],
    "check --sarif": ["check", "nosuch", "--sarif", SUMMARY],
}


def env_for(env: dict[str, str]) -> dict[str, str]:
    """`env` over this process's, with no DRIFT_* or GITHUB_* of its own (as `drift` runs)."""
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    return {**base, "NO_COLOR": "1", "PYTHONPATH": str(REPO), **env}


def in_actions(tmp_path: Path, room: int = 0) -> tuple[Path, Path, dict[str, str]]:
    """The step summary holding an earlier step's text (that leaves `room` bytes under the
    limit), a second name for it, and the variables GitHub Actions sets."""
    summary = tmp_path / "step_summary"
    summary.write_text(EARLIER + ("x" * (STEP_SUMMARY_LIMIT - room - len(EARLIER)) if room else ""))
    alias = tmp_path / "same-file.md"
    os.link(summary, alias)
    return summary, alias, {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}


@pytest.mark.parametrize("args", NOT_MARKDOWN.values(), ids=NOT_MARKDOWN)
def test_what_is_not_markdown_is_refused_before_anything_is_read(
    args: list[str], tmp_path: Path
) -> None:
    """Refused before the profile is even looked for: `nosuch` names none, and the error is
    the step summary's (rollback --list would read the journal and write its listing)."""
    summary, alias, env = in_actions(tmp_path)
    done = drift(*[str(alias) if a == SUMMARY else a for a in args], env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.count("drift: error:") == 1 and "Traceback" not in done.stderr
    assert "$GITHUB_STEP_SUMMARY" in done.stderr and "nothing was read" in done.stderr
    assert summary.read_text() == EARLIER


@pytest.mark.sandbox
def test_probe_markdown_is_appended_once(sandbox: Sandbox, tmp_path: Path) -> None:
    summary, alias, env = in_actions(tmp_path)
    token = mint_test_jwt(sandbox.secret_value("acme-chat-staging", "jwt-secret-staging"))
    env = {**sandbox.environ(), **env, "ACME_TEST_JWT": token}
    done = drift("probe", "e2e", "--format", "markdown", "--output", str(alias), env=env)
    assert done.returncode == 1, done.stderr
    text = summary.read_text()
    assert text.startswith(EARLIER) and text.count("## drift · e2e") == 1
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    assert token not in text + done.stdout + done.stderr


@pytest.mark.sandbox
@pytest.mark.parametrize("how", ["--output", ">>"])
def test_a_fix_reports_markdown_appended_once(sandbox: Sandbox, tmp_path: Path, how: str) -> None:
    """`fix --dry-run`'s report (nothing is written to the cloud; 5 KB whole), by `--output` or
    standard output redirected into a step summary with 3 KB left: cut to fit, as check's; drift
    appends no copy of its own beside it."""
    summary, alias, env = in_actions(tmp_path, room=3_000)
    earlier = summary.read_text()
    env = {**sandbox.environ(), **env, "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    args = ["fix", "e2e", "--dry-run", "--format", "markdown"]
    if how == "--output":
        done = drift(*args, "--output", str(alias), env=env)
    else:
        with alias.open("a") as handle:
            done = python_module_into(handle.fileno(), "drift", *args, env=env_for(env))
    assert done.returncode == 0, done.stderr
    text = summary.read_text()
    assert text.startswith(earlier) and text.count("## drift · e2e") == 1
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT and "cut to fit" in text


@pytest.mark.sandbox
@pytest.mark.parametrize("how", ["own", "--output", ">>"])
def test_check_says_when_the_step_summary_has_no_room_left(
    sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    """A step summary with 100 bytes left, too few for even a cut summary. check's own copy
    (`own`: beside its table) is skipped with one warning naming GITHUB_STEP_SUMMARY and the
    room left, its exit code its verdict (0: `--fail-on never`); the Markdown asked for there
    (`--output`, or standard output redirected with `>>`) is an output not written: one error,
    exit 3, as history, probe and fix say it. main: nothing said either way, exit 0."""
    summary, alias, env = in_actions(tmp_path, room=100)
    earlier = summary.read_text()
    env = {**sandbox.environ(), **env}
    args = ["check", "e2e", "--fail-on", "never", "--no-history"]
    if how == "own":
        done = drift(*args, env=env)
    elif how == "--output":
        done = drift(*args, "--format", "markdown", "--output", str(alias), env=env)
    else:
        with alias.open("a") as handle:
            done = python_module_into(
                handle.fileno(), "drift", *args, "--format", "markdown", env=env_for(env)
            )
    said = [line for line in done.stderr.splitlines() if "GITHUB_STEP_SUMMARY" in line]
    assert len(said) == 1, done.stderr
    assert f"={summary}: no room left for " in said[0], said
    assert "(100 bytes left, too few: GitHub shows none of a step's summary past" in said[0]
    assert summary.read_text() == earlier and "Traceback" not in done.stderr
    if how == "own":
        assert done.returncode == 0, done.stderr
        assert said[0].startswith("drift: warning: ") and "drift's summary" in said[0]
        assert "## drift" not in done.stdout and "e2e" in done.stdout  # the table, as ever
    else:
        assert done.returncode == 3, done.stderr
        assert said[0].startswith("drift: error: ") and "for the report" in said[0]


@pytest.mark.sandbox
@pytest.mark.skipif(not os.path.exists("/dev/full"), reason="no /dev/full here")
@pytest.mark.parametrize("how", ["own", "--output", ">>"])
def test_check_says_when_the_step_summary_cannot_be_written(sandbox: Sandbox, how: str) -> None:
    """GITHUB_STEP_SUMMARY on a full disk (/dev/full: every write fails, ENOSPC). The Markdown
    asked for there is an output not written: one error naming the variable and the system's
    reason, exit 3, as history, probe and fix say it; check's own copy beside its table is
    never a traceback either. helper-735 F1: "internal error: OSError: [Errno 28] No space left
    on device", exit 2, the variable not named."""
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": "/dev/full"}
    args = ["check", "e2e", "--fail-on", "never", "--no-history"]
    if how == "own":
        done = drift(*args, env=env)
    elif how == "--output":
        done = drift(*args, "--format", "markdown", "--output", "/dev/full", env=env)
    else:
        with open("/dev/full", "a") as handle:
            done = python_module_into(
                handle.fileno(), "drift", *args, "--format", "markdown", env=env_for(env)
            )
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr, done.stderr
    said = [line for line in done.stderr.splitlines() if "GITHUB_STEP_SUMMARY=/dev/full" in line]
    assert said, done.stderr
    if how != "own":
        assert said[0] == (
            "drift: error: cannot write the step summary GITHUB_STEP_SUMMARY=/dev/full: "
            "No space left on device"
        ), said
        assert done.returncode == 3, done.stderr


@pytest.mark.parametrize(("room", "said"), [(1, "(1 byte left,"), (2, "(2 bytes left,")])
def test_the_room_left_is_counted_in_words(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, room: int, said: str
) -> None:
    """helper-735 F4: "(1 bytes left"."""
    from drift.cli.output import no_room

    summary, _, env = in_actions(tmp_path, room=room)
    for key, value in env.items():
        monkeypatch.setenv(key, value)
    assert said in no_room("the report")


@pytest.mark.sandbox
@pytest.mark.parametrize("how", ["own", "--output"])
def test_a_step_summary_nobody_reads_is_never_waited_on(
    sandbox: Sandbox, tmp_path: Path, how: str
) -> None:
    """GITHUB_STEP_SUMMARY naming a FIFO with no reader: check ends (the open is ENXIO at
    once), never waits after its report for a reader that never comes (helper-735 F2: a hang,
    in every format, until a signal)."""
    fifo = tmp_path / "summary"
    os.mkfifo(fifo)
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(fifo)}
    args = ["check", "e2e", "--fail-on", "never", "--no-history"]
    more = ["--format", "markdown", "--output", str(fifo)] if how == "--output" else []
    done = drift(*args, *more, env=env, timeout=20)
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr, done.stderr
    assert done.returncode == (3 if how == "--output" else 0), done.stderr
