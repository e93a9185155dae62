"""An option naming a project, a region, a service account or a service given the empty text
(`--project "$PROJECT"` with PROJECT unset in a CI step) is refused by its name, exit 2,
before anything is read, by every command that takes it: it was passed over in silence and
the profile's project checked where the step meant another (helper-810). Its variable and
its `[tool.drift]` key left empty are refused alike, naming where they came from (the
settings' own cases: tests/test_settings_empty_values.py). As `--output ''` is
(tests/cli/test_empty_file_options.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

COMMANDS = {
    "check": ("staging",),
    "probe": ("staging",),
    "plan": ("staging",),
    "fix": ("staging",),
    "history": ("staging",),
    "init": ("staging", "--from-live"),
    "compare": ("staging", "e2e"),
    "rollback": (),
}
OPTIONS = {
    "--project": "project",
    "--region": "region",
    "--impersonate-service-account": "service account",
    "--service": "service",
}
# compare takes --project and --region only to refuse them (one override cannot say which
# environment it replaces): said as that (tests/cli/test_common_options.py)
CASES = [
    (command, option)
    for command in COMMANDS
    for option in OPTIONS
    if not (command == "compare" and option in ("--project", "--region"))
]
# fix --only '' was passed to the fix, which read every service before it said "--only: no
# change  in the plan" (task 833): refused by the option as the others are
OPTIONS["--only"] = "change"
CASES.append(("fix", "--only"))


@pytest.mark.parametrize(("command", "option"), CASES, ids=[" ".join(c) for c in CASES])
def test_an_empty_name_is_refused_by_the_option(tmp_path: Path, command: str, option: str) -> None:
    args = (command, *COMMANDS[command], "--profiles", str(REPO / "profiles"), option, "")
    done = drift(*args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith(f"drift: error: invalid value for '{option}'"), done.stderr
    assert f"'' names no {OPTIONS[option]} (an unset variable?): leave the option out" in first
    assert done.stdout == "" and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("how", "said"),
    [
        ("DRIFT_PROJECT", "DRIFT_PROJECT is empty: it names no project"),
        ("DRIFT_IMPERSONATE_SERVICE_ACCOUNT", "DRIFT_IMPERSONATE_SERVICE_ACCOUNT is empty: it "),
        ("pyproject", "pyproject.toml:2: [tool.drift] region is empty: it names no region"),
    ],
)
def test_an_empty_variable_or_key_is_refused_before_anything_is_read(
    sandbox: Sandbox, tmp_path: Path, how: str, said: str
) -> None:
    env = sandbox.environ()
    if how == "pyproject":
        (tmp_path / "pyproject.toml").write_text('[tool.drift]\nregion = ""\n')
    else:
        env[how] = ""
    done = drift("check", "staging", "--profiles", str(REPO / "profiles"), env=env, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("drift: error: invalid configuration: "), done.stderr
    assert said in done.stderr.splitlines()[0], done.stderr
    assert done.stdout == ""
    assert [c.short for c in sandbox.calls] == []  # nothing was read
