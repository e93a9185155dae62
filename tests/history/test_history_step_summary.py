"""`drift history --format markdown` into the step summary file (`--output
"$GITHUB_STEP_SUMMARY"`, or standard output redirected there): appended after what the step
wrote before, once, within the room it left, cut to whole rows with a line saying what was
left out and how to see it all. GitHub shows none of a step's summary past 1 MiB: what the step
wrote before leaves a little less room than the whole history takes (40 services of 21 revisions
each, 0.2 MB)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.format.markdown import STEP_SUMMARY_LIMIT
from drift.sandbox import Sandbox, generate
from tests.cliutil import REPO, drift, python_module_into
from tests.format.test_step_summary_room import EARLIER, env_for
from tests.history.conftest import API_TOKEN, PLAIN_MARK
from tests.profilecopy import fleet_profiles

pytestmark = pytest.mark.sandbox

HEAD = "## drift history · prod"
SERVICES = 40
SHORT_BY = 2_000
"""How much less room the step leaves than the whole history takes: less than one row of every
service, so the oldest of each is left out."""


@pytest.fixture(scope="module")
def fleet(tmp_path_factory: pytest.TempPathFactory) -> Iterator[tuple[Sandbox, Path]]:
    """40 services, each with 20 older revisions and a GitHub token in plain in what serves
    (its history says it was added: masked)."""
    scenario = generate(
        services=SERVICES, vars=12, secret_refs=0, secrets=0, project="fleet-proj", history=20
    )
    for spec in scenario.projects["fleet-proj"].services.values():
        assert spec.template.env is not None and spec.history[-1].env is not None
        spec.template.env["API_TOKEN"] = API_TOKEN
        spec.history[-1].env["API_TOKEN"] = None  # not there the deploy before
    sandbox = Sandbox(scenario).start()
    yield sandbox, fleet_profiles(tmp_path_factory.mktemp("fleet") / "profiles", SERVICES)
    sandbox.stop()


@pytest.fixture(scope="module")
def earlier(fleet: tuple[Sandbox, Path], tmp_path_factory: pytest.TempPathFactory) -> str:
    """What an earlier step of the job wrote: `EARLIER` and as much more as leaves the history
    `SHORT_BY` bytes less room than it takes whole (written to a file of its own)."""
    where = tmp_path_factory.mktemp("whole")
    whole, elsewhere = where / "history.md", where / "summary.md"
    elsewhere.write_text(EARLIER)
    history_into(fleet, elsewhere, "--output", str(whole))
    room = len(whole.read_bytes()) - SHORT_BY
    return EARLIER + "x" * (STEP_SUMMARY_LIMIT - room - len(EARLIER.encode()) - 1) + "\n"


@pytest.fixture
def summary(tmp_path: Path, earlier: str) -> Path:
    """The step summary file, holding what an earlier step of the job wrote."""
    path = tmp_path / "summary.md"
    path.write_text(earlier)
    return path


def history_into(fleet: tuple[Sandbox, Path], summary: Path, *args: str) -> tuple[int, str, str]:
    """`drift history prod --format markdown ARGS` in GitHub Actions: its exit code, stderr,
    and what the step summary then holds."""
    sandbox, profiles = fleet
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(summary)}
    done = drift(
        "history", "prod", "--profiles", str(profiles), "--format", "markdown", *args,
        env=env, timeout=120,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr, summary.read_text()


def drift_part(text: str, earlier: str) -> str:
    assert text.startswith(earlier)  # what the step wrote before is kept
    assert len(text.encode()) <= STEP_SUMMARY_LIMIT
    assert text.count(HEAD) == 1  # once
    assert PLAIN_MARK not in text
    part = text[len(earlier) :]
    assert "added env.API\\_TOKEN" in part  # the newest row of each, its value masked
    # whole lines and whole rows only
    assert all(line.endswith("|") for line in part.splitlines() if line.startswith("|"))
    return part


def test_output_into_the_summary_is_cut_to_the_room_left(
    fleet: tuple[Sandbox, Path], summary: Path, earlier: str
) -> None:
    code, stderr, text = history_into(fleet, summary, "--output", str(summary))
    assert code == 0, stderr
    part = drift_part(text, earlier)
    assert part.count("\n### svc-") == SERVICES  # the newest rows of every service
    assert f"{SERVICES} revisions left out, the oldest of each" in part
    assert "--format json --output FILE" in part  # how to see it all
    assert part.rstrip().endswith("has them all.")
    assert f"cut to fit: {SERVICES} revisions left out" in stderr


def test_redirected_into_the_summary_is_cut_too(
    fleet: tuple[Sandbox, Path], summary: Path, earlier: str
) -> None:
    """`>> "$GITHUB_STEP_SUMMARY"`: nothing on standard output past the room."""
    sandbox, profiles = fleet
    args = ["history", "prod", "--profiles", str(profiles), "--format", "markdown"]
    with summary.open("a") as handle:
        done = python_module_into(
            handle.fileno(), "drift", *args, env=env_for(sandbox, summary), cwd=REPO, timeout=120
        )
    assert done.returncode == 0, done.stderr
    assert "left out, the oldest of each" in drift_part(summary.read_text(), earlier)


def test_little_room_keeps_the_first_services_whole_rows(
    fleet: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    """Not one row of every service fits: the first ones, their newest row each, and how many
    services are not shown at all."""
    summary = tmp_path / "summary.md"
    earlier = EARLIER + "x" * (STEP_SUMMARY_LIMIT - len(EARLIER) - 8_000)
    summary.write_text(earlier)
    code, stderr, text = history_into(fleet, summary, "--output", str(summary))
    assert code == 0, stderr
    assert text.startswith(earlier) and len(text.encode()) <= STEP_SUMMARY_LIMIT
    part = text[len(earlier) :]
    assert part.count(HEAD) == 1 and PLAIN_MARK not in part
    assert "services and jobs after them not at all" in part
    assert "**prod: " in part  # the summary line, whatever was left out


def test_no_room_left_is_said_and_nothing_is_appended(
    fleet: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    full = "x" * STEP_SUMMARY_LIMIT
    summary.write_text(full)
    code, stderr, text = history_into(fleet, summary, "--output", str(summary))
    assert code == 3, stderr
    assert text == full
    assert "no room left for the history" in stderr and stderr.count("drift: error:") == 1


def test_another_file_gets_the_whole_history(
    fleet: tuple[Sandbox, Path], summary: Path, tmp_path: Path, earlier: str
) -> None:
    """Only the step summary is cut: a file of its own holds every revision read."""
    other = tmp_path / "history.md"
    code, stderr, text = history_into(fleet, summary, "--output", str(other))
    assert code == 0, stderr
    assert text == earlier  # no copy of drift's own
    whole = other.read_text()
    assert "left out" not in whole and PLAIN_MARK not in whole
    assert whole.count("\n| `svc-") == SERVICES * 20  # --limit's 20 of each
