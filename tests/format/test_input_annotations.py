"""The `::error` lines of a bad input under `--format github` (any command's InputError) follow
the rule of `drift profiles validate --format github` (drift.format.github_problems): at most
10 a level (all GitHub shows), the rest counted in one plain line; each message cut within
the runner's 4096 UTF-16 units; no `line` for a problem a JSON path places (a Terraform plan
is one line). They once did none of the three (revcode4, minor)."""

from __future__ import annotations

import pytest

from drift.cli.output import annotate
from drift.errors import Problem
from drift.format.github import ANNOTATIONS_PER_LEVEL, MESSAGE_UNITS


def _lines(capsys: pytest.CaptureFixture[str], problems: list[Problem]) -> list[str]:
    annotate(problems)
    return capsys.readouterr().out.splitlines()


def test_at_most_ten_errors_then_one_line_counts_the_rest(
    capsys: pytest.CaptureFixture[str],
) -> None:
    problems = [Problem("profiles/staging.yaml", n, f"problem {n}") for n in range(1, 13)]
    lines = _lines(capsys, problems)
    errors = [line for line in lines if line.startswith("::error ")]
    assert len(errors) == ANNOTATIONS_PER_LEVEL
    assert errors[0] == "::error file=profiles/staging.yaml,line=1,title=drift::problem 1"
    assert lines[-1] == (
        "drift: 2 more problems not annotated (GitHub shows 10 per level); "
        "the error message lists them all"
    )


def test_a_long_message_is_cut_within_the_runners_limit(
    capsys: pytest.CaptureFixture[str],
) -> None:
    (line,) = _lines(capsys, [Problem("profiles/staging.yaml", 3, "é" * 10_000)])
    message = line.split("::", 2)[2]
    assert len(message.encode("utf-16-le")) // 2 <= MESSAGE_UNITS


def test_a_problem_placed_by_a_json_path_has_no_line(
    capsys: pytest.CaptureFixture[str],
) -> None:
    problem = Problem("plan.json", 1, "not a string", path="resource_changes[3].change.after")
    (line,) = _lines(capsys, [problem])
    assert line == (
        "::error file=plan.json,title=drift::resource_changes[3].change.after: not a string"
    )


def test_a_line_break_a_problem_quotes_is_shown_as_validate_shows_it(
    capsys: pytest.CaptureFixture[str],
) -> None:
    """revci61 F4: `drift check --format github` wrote a profile path's line break as `%0A`
    (a line break on the run's page) where `drift profiles validate --format github` and the
    `drift: error:` line show `\\n`: one escaping, `visible`'s."""
    from drift.format.github_problems import problem_lines

    problem = Problem("profiles/staging.yaml", 1, "no base\n::error::x.yaml in profiles")
    (line,) = _lines(capsys, [problem])
    assert line.endswith("::no base\\n::error::x.yaml in profiles"), line
    (validated,) = problem_lines([problem])
    assert line.split("::", 2)[2] == validated.split("::", 2)[2]
