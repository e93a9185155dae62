"""A project that does not exist (a typo in `project:`, the wrong gcloud configuration) answers
every read with PERMISSION_DENIED "… (or it may not exist)" (AIP-211: a caller without access
is told PERMISSION_DENIED whether or not the resource exists). When every read in the profile's
project was refused, the first hint says the project may not exist or be mistyped, naming it
and where it was set, before the roles to ask for (revfirstday 3)."""

from __future__ import annotations

import json
import subprocess
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import REPO, drift


@pytest.fixture(scope="module")
def elsewhere() -> Iterator[Sandbox]:
    """A world without acme-chat-staging (the shipped profiles' project)."""
    with Sandbox(default_scenario_path().with_name("real-shapes.yaml")) as sandbox:
        yield sandbox


Run = Callable[..., subprocess.CompletedProcess[str]]


@pytest.fixture(scope="module")
def checked(elsewhere: Sandbox) -> Run:
    """`drift ARGS` against `elsewhere`, from the repository, each ARGS run once for the
    module: the tests below asked for the same runs (`check staging` in six of them) of the
    same world, which nothing writes to."""
    done: dict[tuple[str, ...], subprocess.CompletedProcess[str]] = {}

    def run(*args: str) -> subprocess.CompletedProcess[str]:
        if args not in done:
            done[args] = drift(*args, env=elsewhere.environ(), cwd=REPO)
        return done[args]

    return run


def _hints(stdout: str) -> list[str]:
    return [line for line in stdout.splitlines() if line.startswith("hint:")]


def _json(checked: Run) -> dict[str, Any]:
    return dict(json.loads(checked("check", "staging", "--format", "json").stdout))


def _project_line() -> int:
    text = (REPO / "profiles" / "staging.yaml").read_text().splitlines()
    return next(n for n, line in enumerate(text, 1) if line.startswith("project:"))


def test_every_read_refused_names_the_project_and_its_line_before_roles(checked: Run) -> None:
    done = checked("check", "staging")
    assert done.returncode == 3
    first, *rest = _hints(done.stdout)
    assert "project acme-chat-staging" in first and "may not exist" in first
    assert f"set by profiles/staging.yaml:{_project_line()}" in first
    assert any("roles/run.viewer" in h for h in rest)  # the roles still follow
    summary = checked("check", "staging", "--format", "markdown")
    assert f"profiles/staging.yaml:{_project_line()}" in summary.stdout
    # the action's log says the roles too, as plain lines (revci61 F2); the project's hint
    # is the annotation on its line (helper-683 M3)
    github = checked("check", "staging", "--format", "github")
    said = [line.removeprefix("drift: ") for line in github.stdout.splitlines()]
    assert _hints("\n".join(said)) == rest, github.stdout
    assert first.removeprefix("hint: ") in github.stdout


def test_github_says_a_refused_project_once_on_its_line(checked: Run) -> None:
    """helper-683 M3: one `drift incomplete` warning per item, on each service's line, and
    the project's hint in the log only: a reviewer saw 8 yellow warnings, not the line to fix.
    Now one warning per cause on the `project:` line, the first saying the hint."""
    check = checked("check", "staging")
    done = checked("check", "staging", "--format", "github")
    assert done.returncode == 3
    warnings = [line for line in done.stdout.splitlines() if line.startswith("::warning")]
    head = f"::warning file=profiles/staging.yaml,line={_project_line()},title=drift incomplete::"
    hint = _hints(check.stdout)[0].removeprefix("hint: ")
    assert len(warnings) == 1 and warnings[0].startswith(f"{head}{hint}. "), done.stdout
    report = _json(checked)
    count = len(report["unverified"])
    assert f"{count} items could not be verified: PERMISSION_DENIED: " in warnings[0]
    assert all(f"{i['target']}" in warnings[0] for i in report["unverified"])


@pytest.mark.parametrize("form", ["table", "gcloud", "yaml"])
def test_a_plan_of_nothing_read_never_says_nothing_to_change_and_gives_checks_hints(
    checked: Run, form: str
) -> None:
    """SPEC guarantee 6: an incomplete read never reads as clean; a plan's "nothing to
    change" is its "no drift". Its next steps are check's own (revfirst62 F3)."""
    check = checked("check", "staging")
    done = checked("plan", "staging", "--format", form)
    assert done.returncode == 3
    assert "nothing to change" not in done.stdout, done.stdout
    said = [line.removeprefix("# ") for line in done.stdout.splitlines()]
    assert _hints("\n".join(said)) == _hints(check.stdout), done.stdout


@pytest.mark.parametrize(
    ("how", "said"),
    [(("--project", "acme-chat-stagign"), "--project"), ((), "DRIFT_PROJECT")],
)
def test_a_project_given_instead_is_named_where_it_was_given(
    elsewhere: Sandbox, how: tuple[str, ...], said: str
) -> None:
    env = elsewhere.environ() | ({} if how else {"DRIFT_PROJECT": "acme-chat-stagign"})
    done = drift("check", "staging", *how, env=env, cwd=REPO)
    (first, *_) = _hints(done.stdout)
    assert "acme-chat-stagign" in first and f"set by {said}" in first, first


def test_a_project_that_answered_something_gets_only_the_roles(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The service read is denied, but the project's secrets were read: it exists."""
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED"))
    done = drift("check", "staging", "-s", "api", env=sandbox.environ(), cwd=REPO)
    assert done.returncode == 3
    hints = _hints(done.stdout)
    assert hints and not any("may not exist" in h for h in hints), hints


def test_a_refused_project_says_its_hint_first_and_each_cause_once(checked: Run) -> None:
    """helper-683 M2: 8 rows of about 400 characters repeated the server's same words before
    the hint. The table says the hints first, then each distinct cause once with how many
    items it left unverified and their targets; the JSON keeps every item."""
    done = checked("check", "staging")
    lines = done.stdout.splitlines()
    assert done.returncode == 3
    assert lines[1] == "" and lines[2].startswith("hint: every read in project acme-chat-staging")
    report = _json(checked)
    items = report["unverified"]
    assert len(items) > 3 and report["summary"]["unverified"] == len(items)
    assert done.stdout.count("(or it may not exist)") == 1, done.stdout
    assert f"Could not verify: {len(items)} items, 1 cause (--format json lists each item)" in lines
    cause = next(n for n, line in enumerate(lines) if line.startswith(f"  {len(items)} items: "))
    assert (
        "PERMISSION_DENIED: Permission denied on resource project acme-chat-staging"
        in (lines[cause])
    )
    listed = {line.strip() for line in lines[cause + 1 :] if line.startswith("    ")}
    for workload in {i["service"] for i in items}:
        targets = [i["target"] for i in items if i["service"] == workload]
        assert f"{workload}: {', '.join(sorted(targets))}" in listed, done.stdout


def test_the_step_summary_says_a_refused_project_once_per_cause(
    elsewhere: Sandbox, checked: Run, tmp_path: Path
) -> None:
    """helper-684 left the step summary listing a refused project's items one row each, the
    server's words repeated in every row after the hint's place: it says them as the table
    does now — the hints first, then each cause once with its items' targets."""
    written = tmp_path / "summary.md"
    env = elsewhere.environ() | {"GITHUB_ACTIONS": "true", "GITHUB_STEP_SUMMARY": str(written)}
    done = drift("check", "staging", "--format", "github", env=env, cwd=REPO)
    assert done.returncode == 3, done.stderr
    lines = written.read_text().splitlines()
    items = _json(checked)["unverified"]
    hint = next(n for n, line in enumerate(lines) if line.startswith("- hint: every read in"))
    assert hint < lines.index("### Could not verify"), lines
    assert written.read_text().count("(or it may not exist)") == 1, lines
    assert f"{len(items)} items, 1 cause (the JSON report lists each item):" in lines, lines
    for workload in {i["service"] for i in items}:
        targets = sorted(i["target"] for i in items if i["service"] == workload)
        assert f"  - {workload}: {', '.join(targets)}" in lines, lines
