"""SPEC "Commands": the common options are common. Every command that reads an environment
(check, probe, plan, fix, rollback, history, compare, init) takes `--profiles`, `--service`,
`--format`, `--output`, `--fail-on`, `--project`, `--region`, `--quiet` and `--verbose`: a CI
step passing one to any command meets no "no such option". Each means what it means on
`check`, or is refused with why (exit 2) where it cannot (README "Common options")."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

COMMANDS = ("check", "probe", "plan", "fix", "rollback", "history", "compare", "init")
COMMON = (
    "--profiles",
    "--service",
    "--format",
    "--output",
    "--fail-on",
    "--project",
    "--region",
    "--quiet",
    "--verbose",
)


@pytest.mark.parametrize("command", COMMANDS)
def test_every_command_that_reads_an_environment_takes_every_common_option(command: str) -> None:
    import typer

    from drift.cli.root import app

    built = typer.main.get_command(app).commands[command]  # type: ignore[attr-defined]
    taken = {name for param in built.params for name in param.opts}
    assert not set(COMMON) - taken, f"drift {command} lacks {sorted(set(COMMON) - taken)}"


@pytest.fixture
def project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    return tmp_path


def test_plan_quiet_prints_the_plan_and_check_summary_lines_only(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    whole = drift("plan", "staging", env=sandbox_env, cwd=project)
    quiet = drift("plan", "staging", "--quiet", env=sandbox_env, cwd=project)
    assert quiet.returncode == whole.returncode == 1, quiet.stderr
    assert quiet.stdout.splitlines() == [
        "staging: 2 changes in 2 services, 0 manual steps; "
        "staging: 2 errors, 0 warnings in 3 services — drift (exit 1)"
    ]
    assert "staging: 2 changes in 2 services, 0 manual steps" in whole.stdout
    as_json = drift("plan", "staging", "-q", "--format", "json", env=sandbox_env, cwd=project)
    assert json.loads(as_json.stdout)["schema"] == "drift.plan/v2"  # a document stays whole


def test_fix_quiet_still_shows_the_plan_and_cuts_its_report_to_the_summary_line(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    done = drift("fix", "staging", "--dry-run", "--quiet", env=sandbox_env, cwd=project)
    assert done.returncode == 0, done.stderr
    assert "Plan for staging" in done.stdout and "remove  TESTING" in done.stdout
    assert "env.forbidden" not in done.stdout  # the report's table
    assert done.stdout.rstrip().endswith(
        "staging: 2 errors, 0 warnings in 3 services — drift; dry run accepted (exit 0)"
    )


def test_fix_output_writes_its_report_to_the_file(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    args = ("fix", "staging", "--dry-run", "--format", "json", "--output", "dry.json")
    done = drift(*args, env=sandbox_env, cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == ""
    report = json.loads((project / "dry.json").read_text())
    assert report["exit_code"] == 0 and report["summary"]["errors"] == 2
    assert "wrote dry.json: staging: 2 errors" in done.stderr


def test_fix_output_after_a_fix_is_its_recheck(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    args = ("fix", "staging", "--service", "web", "--yes", "--output", "recheck.txt")
    done = drift(*args, env=sandbox_env, cwd=project, timeout=120)
    assert done.returncode == 0, done.stderr
    assert "Plan for staging" in done.stdout  # what it writes is shown all the same
    assert "re-check after the fix:" not in done.stdout
    assert "staging · project acme-chat-staging" in (project / "recheck.txt").read_text()
    assert "wrote recheck.txt: staging: " in done.stderr


def test_fix_output_is_refused_before_anything_where_it_cannot_be_written(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    done = drift(
        "fix", "staging", "--yes", "--output", "no/such/dir/r.json", env=sandbox_env, cwd=project
    )
    assert done.returncode == 2
    assert "cannot write --output no/such/dir/r.json" in done.stderr
    assert not (project / ".drift").exists()  # nothing was changed, nothing journaled


def test_fix_declined_leaves_the_output_file_unwritten_and_says_so(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    args = ("fix", "staging", "--service", "web", "--output", "r.txt")
    done = drift(*args, env=sandbox_env, cwd=project)
    assert done.returncode == 4, done.stderr
    assert "Plan for staging" in done.stdout  # asked (and answered no) only after showing it
    assert not (project / "r.txt").exists()
    assert "r.txt was not written: the fix stopped before its re-check" in done.stderr


@pytest.mark.parametrize(
    ("command", "option", "why"),
    [
        (("history", "staging"), ("--fail-on", "error"), "history reads revisions and finds no"),
        (("rollback",), ("--fail-on", "never"), "rollback finds no drift"),
        (("init", "x", "--from-live"), ("--fail-on", "warning"), "init finds no drift"),
        (("init", "x", "--from-live"), ("--output", "x.yaml"), "init writes the profile to"),
        (("init", "x", "--from-live"), ("-o", "x.yaml"), "init writes the profile to"),
        (("compare", "staging", "e2e"), ("--project", "p"), "its own profile's project"),
        (("compare", "staging", "e2e", "--live"), ("--region", "r"), "one override cannot"),
        (("rollback",), ("--project", "p"), "apply only with --from-live ENV"),
    ],
)
def test_a_common_option_a_command_has_no_meaning_for_is_refused_with_why(
    command: tuple[str, ...], option: tuple[str, str], why: str, project: Path
) -> None:
    done = drift(*command, *option, cwd=project)
    assert done.returncode == 2, done.stderr
    assert why in done.stderr, done.stderr
    assert "no such option" not in done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("command", "fmt", "formats"),
    [
        (("init", "x", "--from-live"), "json", "'json' is not one of 'table'"),
        (("rollback",), "sarif", "'sarif' is not one of 'table'"),
        (("plan", "staging"), "sarif", "'sarif' is not one of 'table', 'json', 'gcloud', 'yaml'"),
        (("compare", "a", "b"), "markdown", "'markdown' is not one of 'table', 'json'"),
        (("history", "staging"), "github", "is not one of 'table', 'json', 'markdown'"),
    ],
)
def test_a_format_a_command_cannot_produce_is_one_error_naming_its_formats(
    command: tuple[str, ...], fmt: str, formats: str, project: Path
) -> None:
    done = drift(*command, "--format", fmt, cwd=project)
    assert done.returncode == 2
    assert formats in done.stderr and "Traceback" not in done.stderr


def test_compare_quiet_prints_its_summary_line(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    done = drift("compare", "staging", "e2e", "--live", "--quiet", env=sandbox_env, cwd=project)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "staging and e2e are equivalent: 3 services compared (exit 0)\n"


def test_init_quiet_says_what_it_wrote_and_takes_format_table(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    args = ("init", "x", "--from-live", "--project", "acme-chat-staging", "--region")
    done = drift(*args, "us-central1", "-q", "--format", "table", env=sandbox_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines() == [
        "created profiles/ (it did not exist)",
        "wrote profiles/x.yaml: 3 services (api, auth, web) from acme-chat-staging/us-central1, "
        "30 variables (5 secret references)",
    ]
    assert (tmp_path / "profiles" / "x.yaml").is_file()


def test_init_quiet_keeps_what_it_could_not_read(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """helper-656 HIGH-4: with every secret value refused, `init --quiet` said only what it
    wrote: the note that a plain copy of an unread secret may be in the profile (which is not
    in the profile) was cut. Only what to do next and the schema file are cut."""
    from drift.sandbox import Fault

    sandbox.inject(Fault("AccessSecretVersion", "PERMISSION_DENIED"))
    args = ("init", "x", "--from-live", "--project", "acme-chat-staging", "--region")
    done = drift(*args, "us-central1", "-q", env=sandbox_env, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    lines = done.stdout.splitlines()
    assert [line for line in lines if line.startswith("note: could not read the value of ")], lines
    assert not [line for line in lines if line.startswith(("next:", "note: wrote "))], lines


@pytest.mark.parametrize(
    "args",
    [
        ("plan", "staging"),
        ("plan", "staging", "--out"),
        ("history", "staging"),
        ("compare", "staging", "e2e", "--live"),
    ],
    ids=["plan", "plan-out", "history", "compare"],
)
def test_an_output_that_cannot_be_written_is_refused_before_anything_is_read(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path, args: tuple[str, ...]
) -> None:
    """helper-656 MEDIUM-3: plan, history and compare read everything, then said `cannot
    write` (exit 3, compare 1); check, probe, fix and rollback refused first (exit 2)."""
    option = args[-1] if args[-1] == "--out" else "--output"
    command = args[:-1] if option == "--out" else args
    sandbox.clear_calls()
    done = drift(*command, option, "missing/x.txt", env=sandbox_env, cwd=project)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"cannot write {option} missing/x.txt: " in done.stderr, done.stderr
    assert "(nothing was read)" in done.stderr and not sandbox.calls, sandbox.calls


def _a_change(sandbox_env: dict[str, str], project: Path) -> str:
    """A change in the journal: `drift fix staging --service web --yes`."""
    done = drift("fix", "staging", "--service", "web", "--yes", env=sandbox_env, cwd=project)
    assert done.returncode == 0, done.stderr
    (entry,) = (project / ".drift" / "journal").glob("*.json")
    return entry.name.split("--")[0]


def test_rollback_list_quiet_output_and_format_table(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    change = _a_change(sandbox_env, project)
    quiet = drift("rollback", "--list", "-q", "--format", "table", env=sandbox_env, cwd=project)
    assert quiet.returncode == 0, quiet.stderr
    journal = project / ".drift" / "journal"
    assert quiet.stdout == f"1 change recorded; journal: {journal}\n"
    listed = drift("rollback", "--list", "--output", "changes.txt", env=sandbox_env, cwd=project)
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout == ""
    assert change in (project / "changes.txt").read_text()
    assert "wrote changes.txt: 1 change recorded" in listed.stderr


def test_rollback_output_writes_what_it_restored(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    change = _a_change(sandbox_env, project)
    done = drift("rollback", "--yes", "--output", "rb.txt", env=sandbox_env, cwd=project)
    assert done.returncode == 0, done.stderr
    assert f"rollback of {change}: restored web" in (project / "rb.txt").read_text()
    assert f"wrote rb.txt: rollback of {change}: restored web" in done.stderr


def test_rollback_from_live_project_overrides_the_profiles(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    args = ("rollback", "20261206-160416-03a67", "--from-live", "staging", "--yes")
    done = drift(*args, "--project", "other-project", env=sandbox_env, cwd=project)
    assert done.returncode == 2
    assert "projects/other-project/locations/us-central1/services/api" in done.stderr
    region = drift(*args, "--region", "europe-west1", "-v", env=sandbox_env, cwd=project)
    assert "GetService projects/acme-chat-staging/locations/europe-west1/" in region.stderr


def test_fix_output_naming_its_saved_plan_is_refused(
    sandbox: Sandbox, sandbox_env: dict[str, str], project: Path
) -> None:
    saved = drift("plan", "staging", "--fail-on", "never", "--out", "p.json", cwd=project,
                  env=sandbox_env)  # fmt: skip
    assert saved.returncode == 0, saved.stderr
    kept = (project / "p.json").read_text()
    args = ("fix", "staging", "--plan", "p.json", "--yes", "--output", "p.json")
    done = drift(*args, env=sandbox_env, cwd=project)
    assert done.returncode == 2
    assert "--plan and --output name the same file: p.json" in done.stderr
    assert (project / "p.json").read_text() == kept
    assert not (project / ".drift").exists()
