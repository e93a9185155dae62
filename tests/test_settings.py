"""Configuration precedence: command line, then DRIFT_* variables, then [tool.drift] in
pyproject.toml, then defaults; bad values are one clear usage error."""

from __future__ import annotations

import re
from dataclasses import fields
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.findings import FailOn
from drift.sandbox import Sandbox
from drift.settings import BOUNDS, DAY, PATHS, Settings, load_settings
from tests.cliutil import REPO, drift


@pytest.fixture
def project_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    (tmp_path / "pyproject.toml").write_text(
        '[tool.drift]\nprofiles_dir = "from-pyproject"\nconcurrency = 5\nfail_on = "warning"\n'
        'project = "pyproject-project"\n'
    )
    return tmp_path


def test_defaults(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    s = load_settings()
    assert (s.profiles_dir, s.fail_on, s.project) == (Path("profiles"), FailOn.ERROR, None)


def test_pyproject_over_defaults(project_dir: Path) -> None:
    s = load_settings()
    assert (s.profiles_dir, s.concurrency, s.fail_on) == (
        Path("from-pyproject"),
        5,
        FailOn.WARNING,
    )


def test_environment_over_pyproject(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFT_PROFILES_DIR", "from-env")
    monkeypatch.setenv("DRIFT_PROJECT", "env-project")
    s = load_settings()
    assert (s.profiles_dir, s.project, s.concurrency) == (Path("from-env"), "env-project", 5)


def test_command_line_over_environment(project_dir: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("DRIFT_PROJECT", "env-project")
    s = load_settings(project="cli-project", profiles_dir=None)
    assert s.project == "cli-project"  # given
    assert s.profiles_dir == Path("from-pyproject")  # None means "not given"


@pytest.mark.parametrize(
    ("where", "message"),
    [
        ({"DRIFT_CONCURRENCY": "lots"}, "invalid configuration: DRIFT_CONCURRENCY: "),
        ({"DRIFT_FAIL_ON": "sometimes"}, "invalid configuration: DRIFT_FAIL_ON: "),
    ],
)
def test_bad_values_are_usage_errors(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, where: dict[str, str], message: str
) -> None:
    for key, value in where.items():
        monkeypatch.setenv(key, value)
    with pytest.raises(UsageError, match=re.escape(message)):
        load_settings()


def test_unknown_pyproject_key_is_named(project_dir: Path) -> None:
    path = project_dir / "pyproject.toml"
    path.write_text("[tool.drift]\nprofile_dir = 'x'\n")
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"invalid configuration: {path}:2: [tool.drift] profile_dir: not a setting "
        "(did you mean profiles_dir?)"
    )
    path.write_text("[tool.drift]\ncolour = 'x'\n")
    with pytest.raises(
        UsageError, match=r"\[tool.drift\] colour: not a setting \(settings: profiles_dir, "
    ):
        load_settings()


def test_variables_are_read_in_any_case_and_others_left_alone(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("drift_Concurrency", "7")
    monkeypatch.setenv("DRIFT_NOT_A_SETTING", "x")  # not drift's to judge (DRIFT_SERIAL, …)
    assert load_settings().concurrency == 7


def test_broken_pyproject_is_a_usage_error(project_dir: Path) -> None:
    (project_dir / "pyproject.toml").write_text("[tool.drift\n")
    with pytest.raises(UsageError, match="pyproject.toml"):
        load_settings()


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("[tool]\ndrift = 5\n", "[tool.drift] must be a table"),
        ('[tool]\ndrift = "x"\n', "[tool.drift] must be a table"),
        ("tool = 5\n", "[tool] must be a table"),
        ("tool = [1]\n", "[tool] must be a table"),
    ],
)
def test_a_pyproject_whose_tool_drift_is_not_a_table_is_named(
    project_dir: Path, text: str, message: str
) -> None:
    path = project_dir / "pyproject.toml"
    path.write_text(text)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == f"invalid configuration: {path}: {message}"


def test_a_malformed_pyproject_in_a_parent_is_named(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (project_dir / "pyproject.toml").write_text("[tool]\ndrift = 5\n")
    (project_dir / "sub").mkdir()
    monkeypatch.chdir(project_dir / "sub")
    with pytest.raises(UsageError, match=re.escape(f"{project_dir / 'pyproject.toml'}: [tool.")):
        load_settings()


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"[tool.drift\n", "not valid TOML: Expected ']' at the end of a table declaration"),
        (b'[tool.drift]\nproject = "\xff"\n', "line 2: not UTF-8"),
    ],
)
def test_an_unreadable_pyproject_is_named(project_dir: Path, content: bytes, message: str) -> None:
    path = project_dir / "pyproject.toml"
    path.write_bytes(content)
    with pytest.raises(UsageError, match=f"^invalid configuration: {re.escape(str(path))}: "):
        load_settings()
    with pytest.raises(UsageError, match=re.escape(message)):
        load_settings()


def test_a_directory_named_pyproject_is_named(project_dir: Path) -> None:
    path = project_dir / "pyproject.toml"
    path.unlink()
    path.mkdir()
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"cannot read configuration: {path}: not a regular file (a directory)"
    )


@pytest.mark.parametrize(
    ("target", "what"),
    [
        ("../shared/pyproject.toml", "a broken link (to '../shared/pyproject.toml')"),
        ("pyproject.toml", "a symbolic link loop"),
    ],
    ids=["broken", "loop"],
)
def test_a_link_named_pyproject_that_leads_nowhere_is_named(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, target: str, what: str
) -> None:
    """Not passed over for the parent's `[tool.drift]` (its `fail_on`, its project: a check
    of a service's directory run with another's settings), as a directory in its place is not
    (helper-740)."""
    here = project_dir / "service"
    here.mkdir()
    (here / "pyproject.toml").symlink_to(target)
    monkeypatch.chdir(here)
    with pytest.raises(UsageError) as raised:
        load_settings()
    path = here / "pyproject.toml"
    assert str(raised.value) == f"cannot read configuration: {path}: not a regular file ({what})"


@pytest.mark.parametrize("name", ["call_timeout", "wait", "retry_budget"])
@pytest.mark.parametrize("value", ["inf", "-inf", "nan", "1e400"])
def test_float_settings_are_finite(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str
) -> None:
    monkeypatch.setenv(f"DRIFT_{name.upper()}", value)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"invalid configuration: DRIFT_{name.upper()}: expected a finite number, not '{value}'"
    )


@pytest.mark.parametrize("name", ["call_timeout", "wait", "retry_budget"])
@pytest.mark.parametrize(
    ("value", "seconds"), [("60", 60), ("60s", 60), ("1m", 60), ("1h30m", 5400), ("0.5s", 0.5)]
)
def test_duration_settings_are_written_as_profiles_write_durations(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, seconds: float
) -> None:
    """revtime 7: `DRIFT_WAIT=1m` was "Input should be a valid number"."""
    monkeypatch.setenv(f"DRIFT_{name.upper()}", value)
    assert getattr(load_settings(), name) == seconds
    (project_dir / "pyproject.toml").write_text(f'[tool.drift]\n{name} = "{value}"\n')
    monkeypatch.delenv(f"DRIFT_{name.upper()}")
    assert getattr(load_settings(), name) == seconds


@pytest.mark.parametrize(
    ("value", "said"),
    [
        ("1x", "not a duration: '1x' (write e.g. 60, 60s or 1m)"),
        ("-1m", "negative duration: '-1m' (write 0 or more, e.g. 60, 60s or 1m)"),
        ("-5", "0s or more, not -5s"),
        ("25h", "at most 86400s (a day), not 90000s"),
        # past the longest Duration too: the setting's own limit, not "about 10,000 years"
        ("400000000000s", "at most 86400s (a day), not 400000000000s"),
        # as written, never rounded (helper-519: "not 86400s", "not 1.23457e+06s")
        ("86400.0000001", "at most 86400s (a day), not 86400.0000001s"),
        ("1234567", "at most 86400s (a day), not 1234567s"),
    ],
)
def test_a_bad_duration_setting_is_refused_as_a_profile_refuses_it(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str, said: str
) -> None:
    monkeypatch.setenv("DRIFT_WAIT", value)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == f"invalid configuration: DRIFT_WAIT: {said}"


def test_the_wait_option_takes_a_duration(sandbox: Sandbox, tmp_path: Path) -> None:
    done = drift("check", "staging", "--wait", "2m", "-f", "json", env=sandbox.environ())
    assert done.returncode in (0, 1, 3) and not done.stderr.strip(), done.stderr
    done = drift("check", "staging", "--wait", "2x", env=sandbox.environ())
    assert done.returncode == 2, done.stderr
    assert "drift: error: invalid configuration: --wait: not a duration: '2x'" in done.stderr


def test_a_bad_value_is_blamed_on_where_it_came_from(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The command line's value is the command line's (it overrides DRIFT_WAIT, which is
    fine here); a pyproject value is the pyproject's."""
    monkeypatch.setenv("DRIFT_WAIT", "5")
    with pytest.raises(UsageError) as raised:
        load_settings(wait=float("nan"))
    assert str(raised.value) == "invalid configuration: --wait: expected a finite number, not nan"
    path = project_dir / "pyproject.toml"
    path.write_text("[tool.drift]\nconcurrency = 0\n")
    with pytest.raises(UsageError) as raised:
        load_settings()  # the file named: from a subdirectory, it is not the one in sight
    assert str(raised.value).startswith(
        f"invalid configuration: {path.resolve()}:2: [tool.drift] concurrency: "
    )


@pytest.mark.parametrize("name", ["call_timeout", "wait", "retry_budget"])
def test_a_deadline_past_a_day_is_refused(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str
) -> None:
    """1e10 s passed as finite, and every call then failed as timed out (a gRPC deadline that
    far overflows): the run could never be complete. A day is the most."""
    monkeypatch.setenv(f"DRIFT_{name.upper()}", "86400")
    assert getattr(load_settings(), name) == 86_400
    monkeypatch.setenv(f"DRIFT_{name.upper()}", "1e10")
    message = rf"DRIFT_{name.upper()}: at most 86400s \(a day\), not 10000000000s"
    with pytest.raises(UsageError, match=message):
        load_settings()


@pytest.mark.parametrize(
    ("text", "toml", "given"),
    [
        ("1h", '"1h"', "3600s"),
        ("1201", "1201", "1201s"),
        ("1e9", "1e9", "1000000000s"),
        ("400000000000s", '"400000000000s"', "400000000000s"),  # past any Duration
    ],
)
def test_a_write_wait_past_its_bound_says_its_own_bound(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, text: str, toml: str, given: str
) -> None:
    """helper-686 M1: every duration's bound was said as a day's ("at most 86400s (a day),
    not 3600s", a message that contradicts itself); write_wait's is 1200 s. As a variable and
    as a pyproject value."""
    said = f"at most 1200s (20 minutes), not {given}"
    monkeypatch.setenv("DRIFT_WRITE_WAIT", text)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == f"invalid configuration: DRIFT_WRITE_WAIT: {said}"
    monkeypatch.delenv("DRIFT_WRITE_WAIT")
    path = project_dir / "pyproject.toml"
    path.write_text(f"[tool.drift]\nwrite_wait = {toml}\n")
    with pytest.raises(UsageError) as raised:
        load_settings()
    where = f"{path.resolve()}:2: [tool.drift] write_wait"
    assert str(raised.value) == f"invalid configuration: {where}: {said}"


@pytest.mark.parametrize("value", ["inf", "nan"])
def test_float_settings_in_pyproject_are_finite(project_dir: Path, value: str) -> None:
    (project_dir / "pyproject.toml").write_text(f"[tool.drift]\ncall_timeout = {value}\n")
    with pytest.raises(UsageError, match="call_timeout: expected a finite number, not (nan|inf)$"):
        load_settings()
    with pytest.raises(UsageError, match="finite"):
        load_settings(wait=float(value))


BOOLEAN = "a TOML boolean (true or false, without quotes)"
INTEGER = "a TOML integer (e.g. 16, without quotes)"


@pytest.mark.parametrize(
    ("line", "said"),
    [
        ("wait = true", "wait: expected seconds or a duration (60, 60s or 1m), not a "
         "boolean (true)"),
        ("call_timeout = false", "call_timeout: expected seconds or a duration (60, 60s "
         "or 1m), not a boolean (false)"),
        ("history = 0", f"history: expected {BOOLEAN}, not an integer (0)"),
        ('history = "no"', f'history: expected {BOOLEAN}, not a string ("no")'),
        ('history = "false"', f'history: expected {BOOLEAN}, not a string ("false")'),
        ('concurrency = "16"', f'concurrency: expected {INTEGER}, not a string ("16")'),
        ("run_rpm = 6e2", f"run_rpm: expected {INTEGER}, not a float (600.0)"),
        ("project = 5", "project: expected a TOML string (in quotes), not an integer (5)"),
        # a string, as a duration may be, but spelt as no duration is (revown62b F5)
        ('wait = "1e3"', "wait: not a duration: '1e3' (write e.g. 60, 60s or 1m)"),
        ('retry_budget = "nan"', "retry_budget: not a duration: 'nan' (write e.g. 60, 60s or 1m)"),
        # a TOML date or time is none of a string's (revleak63 F5)
        ("history = 1979-05-27", f"history: expected {BOOLEAN}, not a TOML date "
         "(1979-05-27)"),
        ("concurrency = 07:32:00", f"concurrency: expected {INTEGER}, not a TOML time "
         "(07:32:00)"),
        ("profiles_dir = 1979-05-27T07:32:00Z", "profiles_dir: expected a TOML string (in "
         "quotes), not a TOML date-time (1979-05-27T07:32:00+00:00)"),
    ],
)  # fmt: skip
def test_a_pyproject_value_of_the_wrong_toml_type_is_refused(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, line: str, said: str
) -> None:
    """TOML has types: `wait = true` was a wait of 1 s, `history = 0` no history, and
    `concurrency = "16"` 16 (revfirst62 F4). The same texts as DRIFT_* variables (text by
    nature) and options still parse as before."""
    path = project_dir / "pyproject.toml"
    path.write_text(f"[tool.drift]\n{line}\n")
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == f"invalid configuration: {path.resolve()}:2: [tool.drift] {said}"
    path.write_text("[tool.drift]\n")
    monkeypatch.setenv("DRIFT_HISTORY", "no")
    monkeypatch.setenv("DRIFT_CONCURRENCY", "16")
    monkeypatch.setenv("DRIFT_WAIT", "0")
    settings = load_settings()
    assert (settings.history, settings.concurrency, settings.wait) == (False, 16, 0)
    assert load_settings(concurrency=8, wait=1.5).concurrency == 8


def test_two_variables_of_one_setting_with_one_value_are_fine(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("DRIFT_FAIL_ON", "warning")
    monkeypatch.setenv("drift_fail_on", "warning")
    assert load_settings().fail_on is FailOn.WARNING
    monkeypatch.setenv("drift_fail_on", "never")
    with pytest.raises(UsageError, match="DRIFT_FAIL_ON and drift_fail_on both set fail_on"):
        load_settings()


def test_a_bad_value_names_the_variable_as_it_is_spelled(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("drift_concurrency", "0")
    with pytest.raises(UsageError, match="^invalid configuration: drift_concurrency: "):
        load_settings()


def _monorepo(root: Path, table: str) -> Path:
    """A root pyproject.toml with `table` as [tool.drift] and a root profiles/, and an app
    below it (returned) that keeps its own profiles/."""
    (root / "pyproject.toml").write_text(f"[tool.drift]\n{table}")
    (root / "profiles").mkdir()
    app = root / "apps" / "chat"
    (app / "profiles").mkdir(parents=True)
    return app


def test_the_profiles_are_those_of_the_working_directory_when_it_has_some(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """SPEC: `--profiles DIR` (default `./profiles`). A monorepo's root [tool.drift] that does
    not set profiles_dir does not send an app's check to the root's profiles."""
    for key in [k for k in __import__("os").environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    app = _monorepo(tmp_path, 'fail_on = "error"\n')
    monkeypatch.chdir(app)
    assert load_settings().profiles_dir.resolve() == (app / "profiles").resolve()
    monkeypatch.chdir(app.parent)  # no ./profiles here: the project's, as before
    assert load_settings().profiles_dir.resolve() == (tmp_path / "profiles").resolve()
    monkeypatch.chdir(app)  # profiles_dir set: relative to the pyproject.toml, wherever run
    (tmp_path / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "profiles"\n')
    assert load_settings().profiles_dir.resolve() == (tmp_path / "profiles").resolve()


def test_a_report_of_other_profiles_than_the_working_directorys_names_them(
    sandbox: object, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """From an app of a monorepo, `drift check` reads the app's ./profiles (the drifted one
    here: TESTING forbidden, and set live); a report read from any other directory names it
    in its head (table, markdown, JSON), so a clean report of other profiles says so."""
    from tests.cliutil import drift

    drifted = "  api:\n    env:\n      TESTING: {forbidden: true}\n"
    clean = "  web: {}\n"
    head = "project: acme-chat-staging\nregion: us-central1\nservices:\n"
    app = _monorepo(tmp_path, 'fail_on = "error"\n')
    (tmp_path / "profiles" / "staging.yaml").write_text(head + clean)
    (app / "profiles" / "staging.yaml").write_text(head + drifted)
    here = drift("check", "staging", env=sandbox_env, cwd=app)
    assert here.returncode == 1, here.stdout + here.stderr
    assert "profiles" not in here.stdout.splitlines()[0]
    (app / "profiles" / "staging.yaml").unlink()
    (app / "profiles").rmdir()
    # named relative to the working directory, as a finding's location.file (SPEC Findings)
    root = __import__("os").path.relpath(tmp_path / "profiles", app)
    table = drift("check", "staging", env=sandbox_env, cwd=app)
    assert table.returncode == 0, table.stdout + table.stderr
    assert table.stdout.splitlines()[0].endswith(f" · profiles {root}"), table.stdout
    markdown = drift("check", "staging", "--format", "markdown", env=sandbox_env, cwd=app)
    assert f", profiles `{root}`." in markdown.stdout
    report = drift("check", "staging", "--format", "json", env=sandbox_env, cwd=app)
    assert __import__("json").loads(report.stdout)["profiles_dir"] == root


def _readme_settings() -> dict[str, list[str]]:
    """The README's table of settings: each row's cells, by variable."""
    readme = (REPO / "README.md").read_text()
    rows = re.findall(r"^\| `(DRIFT_[A-Z_]+)` \| (.*) \|$", readme, flags=re.M)
    return {name: [c.strip() for c in cells.split("|")] for name, cells in rows}


def _shown(value: object) -> str:
    """A default as the table writes it (`error`, `true`, `30`)."""
    if isinstance(value, FailOn):
        return value.value
    if isinstance(value, bool):
        return str(value).lower()
    return f"{value:g}" if isinstance(value, float) else str(value)


def _bounds(limits: dict[str, float]) -> str:
    signs = {"ge": "≥", "gt": ">", "le": "≤"}
    said = [f"{signs[k]} {v:g}" + (" (a day)" if v == DAY else "") for k, v in limits.items()]
    return ", ".join(said)


def test_every_setting_is_documented_with_its_default_and_bounds() -> None:
    """Every Settings field is read from DRIFT_<NAME> and [tool.drift] <name>; four of them
    (DRIFT_HISTORY, DRIFT_CALL_TIMEOUT, DRIFT_RETRY_BUDGET, DRIFT_IMPERSONATE_SERVICE_ACCOUNT,
    which changes whose credentials are used) were named nowhere, and the limits of the others
    nowhere either. A new field without its row fails here."""
    table = _readme_settings()
    for field in fields(Settings):
        variable = f"DRIFT_{field.name.upper()}"
        assert variable in table, f"README's settings table has no row for {variable}"
        key, _option, meaning, default, bounds = table[variable]
        assert key == f"`{field.name}`" and meaning, variable
        if field.default is not None and field.name not in PATHS:
            assert default.startswith(f"`{_shown(field.default)}`"), (variable, default)
        if field.name in BOUNDS:
            assert bounds == _bounds(BOUNDS[field.name]), (variable, bounds)
    # the variables drift reads that are not settings
    readme = (REPO / "README.md").read_text()
    source = "\n".join(p.read_text() for p in (REPO / "drift").rglob("*.py"))
    read = set(re.findall(r"[\"'](DRIFT_[A-Z_]*[A-Z])[\"']", source))
    assert read and {v for v in read if f"`{v}" not in readme} == set()


# revenv E6: `env: DRIFT_JOURNAL_DIR: ~/drift-journal` in a workflow (YAML does not expand `~`,
# nor does pyproject.toml): the journal went to `./~/drift-journal` of the working directory.
@pytest.mark.parametrize("where", ["DRIFT_JOURNAL_DIR", "pyproject", "pyproject of a parent"])
def test_journal_dir_with_a_tilde_is_not_a_directory_named_tilde(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, where: str
) -> None:
    home = project_dir / "home"
    monkeypatch.setenv("HOME", str(home))
    if where == "DRIFT_JOURNAL_DIR":
        monkeypatch.setenv("DRIFT_JOURNAL_DIR", "~/drift-journal")
    else:
        (project_dir / "pyproject.toml").write_text(
            '[tool.drift]\njournal_dir = "~/drift-journal"\n'
        )
    if where == "pyproject of a parent":
        (project_dir / "app").mkdir()
        monkeypatch.chdir(project_dir / "app")
    assert load_settings(journal_dir=None).journal() == home / "drift-journal"


@pytest.mark.parametrize("value", ["1_6", "16.0", "0x10", "1e1", "١٦", "16 cores"])
def test_a_whole_number_setting_takes_digits_alone(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """helper-527 F9: `DRIFT_CONCURRENCY=1_6` ran with 16 (Python's int() and pydantic take
    `_`, a zero fraction, other scripts' digits), where `[tool.drift] concurrency` takes a TOML
    integer alone."""
    monkeypatch.setenv("DRIFT_CONCURRENCY", value)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == (
        f"invalid configuration: DRIFT_CONCURRENCY: expected a whole number (e.g. 16), "
        f"not '{value}'"
    )


@pytest.mark.parametrize(("value", "read"), [(" 16 ", 16), ("+8", 8), ("0256", 256)])
def test_a_whole_number_setting_may_have_a_sign_and_spaces(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, value: str, read: int
) -> None:
    monkeypatch.setenv("DRIFT_RUN_RPM", value)
    assert load_settings().run_rpm == read


@pytest.mark.parametrize(
    ("name", "value", "said"),
    [
        ("CONCURRENCY", "0", "expected at least 1, not '0'"),
        ("CONCURRENCY", "300", "expected at most 256, not '300'"),
        ("SECRETS_RPM", "-5", "expected at least 1, not '-5'"),
        ("FAIL_ON", "loud", "expected 'error', 'warning' or 'never', not 'loud'"),
        ("HISTORY", "maybe", "expected true or false, not 'maybe'"),
        ("HISTORY", "\x1b[2J", "expected true or false, not '\\x1b[2J'"),
    ],
)
def test_a_setting_out_of_bounds_says_what_was_expected_and_given(
    project_dir: Path, monkeypatch: pytest.MonkeyPatch, name: str, value: str, said: str
) -> None:
    """Not pydantic's "Input should be greater than or equal to 1", which named neither the
    value given nor, for a number that did not parse, an example."""
    monkeypatch.setenv(f"DRIFT_{name}", value)
    with pytest.raises(UsageError) as raised:
        load_settings()
    assert str(raised.value) == f"invalid configuration: DRIFT_{name}: {said}"


def test_a_pyproject_bound_names_the_integer_given(project_dir: Path) -> None:
    (project_dir / "pyproject.toml").write_text("[tool.drift]\nconcurrency = 0\n")
    with pytest.raises(
        UsageError, match=r"\[tool.drift\] concurrency: expected at least 1, not 0$"
    ):
        load_settings()
