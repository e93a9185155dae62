"""The step summary is one file per step, and GitHub drops all of it past 1 MiB ("upload
aborted, supports content up to a size of 1024k"). `--format markdown >>
"$GITHUB_STEP_SUMMARY"` (the README's recipe) and `--output "$GITHUB_STEP_SUMMARY"` write
into it after whatever the step wrote before: drift's summary takes the room left, once, and
keeps what was there (helper-603 F3)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.format.markdown import STEP_SUMMARY_LIMIT
from drift.sandbox import Sandbox, generate
from tests.cliutil import REPO, drift, python_module_into
from tests.conftest import MakeSandbox
from tests.profilecopy import fleet_profiles

pytestmark = pytest.mark.sandbox

EARLIER = "## tests\n" + "passed\n" * 60_000  # 420 KB the step wrote before drift ran
HEAD = "## drift · prod"


def env_for(sandbox: Sandbox, summary: Path) -> dict[str, str]:
    base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    return {
        **base,
        **sandbox.environ(),
        "NO_COLOR": "1",
        "PYTHONPATH": str(REPO),
        "GITHUB_ACTIONS": "true",
        "GITHUB_STEP_SUMMARY": str(summary),
    }


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> tuple[Sandbox, Path]:
    """400 services whose summary is 2.4 MB whole: cut either way."""
    sandbox = Sandbox(
        generate(services=400, vars=12, secret_refs=0, secrets=0, project="fleet-proj")
    ).start()
    yield sandbox, fleet_profiles(tmp_path_factory.mktemp("fleet") / "profiles", 400)
    sandbox.stop()


@pytest.mark.parametrize("how", ["append", "truncate"])
def test_markdown_redirected_into_the_summary_takes_the_room_left(
    fleet: tuple[Sandbox, Path], tmp_path: Path, how: str
) -> None:
    sandbox, profiles = fleet
    summary = tmp_path / "summary.md"
    summary.write_text(EARLIER)
    args = ["check", "prod", "--profiles", str(profiles), "--format", "markdown", "--no-history"]
    # `>> "$GITHUB_STEP_SUMMARY"`, or `>` (the shell empties it first)
    # a process of its own on that descriptor (forked from the zygote: the same open file,
    # its offset and O_APPEND, passed as descriptor 1)
    with summary.open("a" if how == "append" else "w") as handle:
        done = python_module_into(
            handle.fileno(), "drift", *args, env=env_for(sandbox, summary), cwd=REPO, timeout=120
        )
    assert done.returncode == 1, done.stderr
    text = summary.read_text()
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    assert text.count(HEAD) == 1 and "left out" in text
    assert text.startswith(EARLIER) is (how == "append")


def test_output_to_the_summary_appends_once_within_the_room(
    fleet: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, profiles = fleet
    summary = tmp_path / "summary.md"
    summary.write_text(EARLIER)
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = drift(
        "check", "prod", "--profiles", str(profiles), "--format", "markdown", "--no-history",
        "--output", str(summary), env={**sandbox.environ(), **env}, timeout=120,
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    text = summary.read_text()
    assert text.startswith(EARLIER)  # what the step wrote before is kept
    assert text.count(HEAD) == 1  # once: no second copy of its own
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT


def test_markdown_to_another_file_is_the_whole_summary(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A file that is not the step summary gets the summary as ever, and the step summary its
    own copy."""
    sandbox = make_sandbox()
    summary = tmp_path / "summary.md"
    summary.write_text("earlier\n")
    other = tmp_path / "other.md"
    env = {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = drift(
        "check", "staging", "--format", "markdown", "--output", str(other),
        env={**sandbox.environ(), **env},
    )  # fmt: skip
    assert done.returncode == 1, done.stderr
    assert other.read_text().startswith("## drift · staging")
    assert (
        summary.read_text().startswith("earlier\n") and summary.read_text().count("## drift") == 1
    )
