"""A pyproject.toml or DRIFT_* setting drift cannot use is one `drift: error:` line naming
it and exit 2 (SPEC invariant 7), never an internal error or a traceback, with or without
--verbose."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift


@pytest.fixture
def project(tmp_path: Path) -> Path:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "x.yaml").write_text(
        "project: p\nregion: us-central1\nservices: {api: {}}\n"
    )
    return tmp_path


@pytest.mark.parametrize(
    ("pyproject", "message"),
    [
        (b"[tool]\ndrift = 5\n", "[tool.drift] must be a table"),
        (b'[tool]\ndrift = "x"\n', "[tool.drift] must be a table"),
        (b"tool = 5\n", "[tool] must be a table"),
        (
            b"[tool.drift\n",
            "not valid TOML: Expected ']' at the end of a table declaration (at line 1, column 12)",
        ),
        (b'[tool.drift]\nproject = "\xff"\n', "line 2: not UTF-8"),
    ],
)
@pytest.mark.parametrize("verbose", [False, True])
def test_a_bad_pyproject_is_one_line_naming_it(
    project: Path, pyproject: bytes, message: str, verbose: bool
) -> None:
    (project / "pyproject.toml").write_bytes(pyproject)
    (project / "sub").mkdir()
    done = drift("check", "x", *(["--verbose"] if verbose else []), cwd=project / "sub")
    assert done.returncode == 2
    lines = [line for line in done.stderr.splitlines() if line.startswith("drift: error:")]
    assert lines == [
        f"drift: error: invalid configuration: {project / 'pyproject.toml'}: {message}"
    ]
    assert "Traceback" not in done.stderr
    assert "internal error" not in done.stderr


@pytest.mark.parametrize(
    ("where", "setting"),
    [
        ({"DRIFT_CALL_TIMEOUT": "inf"}, "call_timeout"),
        ({"DRIFT_RETRY_BUDGET": "nan"}, "retry_budget"),
        ({"DRIFT_WAIT": "inf"}, "wait"),
    ],
)
def test_an_infinite_setting_is_refused_before_any_call(
    project: Path, where: dict[str, str], setting: str
) -> None:
    done = drift("check", "x", env=where, cwd=project)
    assert done.returncode == 2
    assert done.stderr.splitlines() == [
        f"drift: error: invalid configuration: DRIFT_{setting.upper()}: "
        f"expected a finite number, not '{next(iter(where.values()))}'"
    ]


def test_an_infinite_timeout_in_pyproject_is_refused(project: Path) -> None:
    (project / "pyproject.toml").write_text("[tool.drift]\ncall_timeout = inf\n")
    done = drift("check", "x", cwd=project)
    assert (done.returncode, done.stderr.splitlines()) == (
        2,
        [
            f"drift: error: invalid configuration: {(project / 'pyproject.toml').resolve()}:2: "
            "[tool.drift] call_timeout: expected a finite number, not inf"
        ],
    )


@pytest.mark.parametrize(
    "order", [("DRIFT_FAIL_ON", "drift_fail_on"), ("drift_fail_on", "DRIFT_FAIL_ON")]
)
def test_two_variables_of_one_setting_that_disagree_are_refused(
    project: Path, order: tuple[str, str]
) -> None:
    """revbaseline 2: `DRIFT_FAIL_ON=error` beside a stray `drift_fail_on=never` (a CI group's
    variable, a .env file): whichever came last in the environment won, and a check with
    errors exited 0. Now a usage error naming both, whatever their order, before any call."""
    first, second = order
    done = drift("check", "x", env={first: "error", second: "never"}, cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.splitlines()[0] == (
        "drift: error: invalid configuration: DRIFT_FAIL_ON and drift_fail_on both set "
        "fail_on (names differing only in case) to different values"
    )
    assert "Traceback" not in done.stderr


def test_a_pyproject_key_is_quoted_on_the_error_line(project: Path) -> None:
    """A TOML key is any quoted string: the error quotes it with its line break shown, never
    as a line of its own (a CI runner runs a line that starts with `::`)."""
    (project / "pyproject.toml").write_text('[tool.drift]\n"x\\n::error::FORGED" = 1\n')
    done = drift("check", "x", cwd=project)
    assert done.returncode == 2
    (line,) = done.stderr.splitlines()
    assert line.startswith("drift: error: invalid configuration: ")
    assert "[tool.drift] x\\n::error::FORGED: not a setting (settings: " in line


@pytest.mark.parametrize(
    ("args", "message", "annotated"),
    [
        (  # the action's `fail-on` input, mistyped; --format given after it
            ["check", "x", "--fail-on", "errors", "--format", "github"],
            "invalid value for '--fail-on': 'errors' is not one of 'error', 'warning', 'never'",
            True,
        ),
        (
            ["fix", "x", "--format", "githb"],
            "invalid value for '--format' / '-f': 'githb' is not one of 'table', 'json', "
            "'github', 'sarif', 'markdown'",
            False,
        ),
        (  # a value of 100 KB, quoted as `[tool.drift]` quotes one (`drift.units.shown`)
            ["check", "x", "--format", "github", "--fail-on", "A" * 100_000],
            f"invalid value for '--fail-on': {'A' * 30!r}… (100000 characters) is not one of "
            "'error', 'warning', 'never'",
            True,
        ),
        (
            ["check", "x", f"--fail-on={'A' * 100_000}", "--format", "github"],
            f"invalid value for '--fail-on': {'A' * 30!r}… (100000 characters) is not one of "
            "'error', 'warning', 'never'",
            True,
        ),
        (
            ["profiles", "validate", "-f", "github", "--profiles", ""],
            "invalid value for '--profiles': '' names no directory: leave the option out for "
            "its default, or name one",
            True,
        ),
    ],
)
def test_a_bad_option_value_is_drifts_own_error(
    project: Path, args: list[str], message: str, annotated: bool
) -> None:
    """revci61 F3: click printed its usage text and `Error: Invalid value ...` itself, before
    drift's error path: no `drift: error:` line, and under `--format github` no annotation,
    so the action's run page said only "exit code 2"."""
    done = drift(*args, cwd=project)
    assert done.returncode == 2
    first, hint = done.stderr.splitlines()[:2]
    assert first == f"drift: error: {message}"
    assert hint.endswith("--help` says what it takes")
    said = [x for x in (done.stdout + done.stderr).splitlines() if "::error" in x]
    assert [x.startswith(f"::error title=drift::{message}") for x in said] == [True] * annotated
    assert "Usage:" not in done.stderr


@pytest.mark.parametrize(
    ("args", "message", "where", "annotated"),
    [
        (
            ["check", "--format", "github", "--bogus", "x"],
            "no such option: --bogus (Possible options: --verbose)",
            "drift check",
            True,
        ),
        (
            ["check", "x", "--format=GitHub", "--fail-on"],
            "option '--fail-on' requires an argument",
            "drift check",
            True,
        ),
        (
            ["profiles", "validate", "-fgithub", "--profiles"],
            "option '--profiles' requires an argument",
            "drift profiles validate",
            True,
        ),
        *(  # another command's option, said so: not "Possible options: --wait" (helper-834 F5)
            (
                [command, "x", "-f", "github", "--manifest", "m.yaml"],
                f"drift {command} takes no --manifest: it is an option of drift check",
                f"drift {command}",
                True,
            )
            for command in ("plan", "fix", "probe")
        ),
        (  # the last --format is the one click takes
            ["plan", "x", "-f", "github", "--format", "json", "--yes"],
            "drift plan takes no --yes: it is an option of drift fix, drift rollback",
            "drift plan",
            False,
        ),
        (  # `--service` takes `--format` as its value: github is an argument (fixown62)
            ["check", "--service", "--format", "github", "x", "--bogus"],
            "no such option: --bogus (Possible options: --verbose)",
            "drift check",
            False,
        ),
        (  # a flag takes no value: the `--format` after it is read
            ["check", "x", "--probe", "--format", "github", "--bogus"],
            "no such option: --bogus (Possible options: --verbose)",
            "drift check",
            True,
        ),
        (  # after `--`, `--format` is no option
            ["check", "x", "--bogus", "--", "--format", "github"],
            "no such option: --bogus (Possible options: --verbose)",
            "drift check",
            False,
        ),
    ],
)
def test_a_command_line_click_cannot_parse_is_annotated_under_format_github(
    project: Path, args: list[str], message: str, where: str, annotated: bool
) -> None:
    """revown62a F2: click refuses an unknown option or an option missing its value while
    parsing, before any option (the eager `--format` too) is processed, so the error knew no
    `--format github` (no annotation), and for a missing value not even its command (its hint
    said `drift --help`)."""
    done = drift(*args, cwd=project)
    assert done.returncode == 2
    first, hint = done.stderr.splitlines()[:2]
    assert first == f"drift: error: {message}"
    assert hint == f"  hint: `{where} --help` says what it takes"
    said = [x for x in done.stderr.splitlines() if x.startswith("::error title=drift::")]
    assert said == [f"::error title=drift::{message}%0A{hint}"] * annotated
