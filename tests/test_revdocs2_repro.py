"""revdocs2 (reviewer): what README and `--help` tell a new teammate, run as written against
the sandbox. Each test FAILS on main: it is the repro of one documentation finding
(/work/notes/reports/revdocs2.md), not a regression test of fixed behaviour."""

from __future__ import annotations

import ast
import re
import shutil
import subprocess
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox


def _project(tmp_path: Path) -> Path:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    return tmp_path


def _shell(line: str, cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    """A help example's shell line as a user types it, `drift` being this tree's."""
    import os
    import sys

    shim = cwd / "bin"
    shim.mkdir(exist_ok=True)
    (shim / "drift").write_text(f'#!/bin/sh\nexec {sys.executable} -m drift "$@"\n')
    (shim / "drift").chmod(0o755)
    full = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    full.update(env, PATH=f"{shim}:{full['PATH']}", PYTHONPATH=str(REPO), NO_COLOR="1")
    return subprocess.run(
        ["bash", "-c", line], cwd=cwd, env=full, capture_output=True, text=True, timeout=120
    )


# --- 1. `drift plan --help` examples whose second half never runs when there is drift --------


def _plan_examples() -> list[str]:
    from drift.cli.fix import plan

    doc = plan.__doc__ or ""
    return [line.strip() for line in doc.splitlines() if "&&" in line]


@pytest.mark.parametrize("example", _plan_examples())
def test_plan_help_examples_chained_with_and_run_their_second_command_on_drift(
    example: str, sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """`drift plan staging --format gcloud > fix.sh && bash fix.sh` and `drift plan staging
    --out plan.json && drift fix staging --plan plan.json` (drift/cli/fix.py, plan's
    docstring): plan exits 1 whenever there is something to repair, so the part after `&&`
    runs only when there is nothing to do, silently (stdout went to fix.sh)."""
    cwd = _project(tmp_path)
    marker = tmp_path / "second-half-ran"
    # the second command replaced by one that leaves a trace: did the shell reach it?
    first = example.split("&&")[0]
    result = _shell(f"{first} && touch {marker}", cwd, sandbox_env)
    assert marker.exists(), (
        f"`{example}` (drift plan --help): its second command never runs on the shipped "
        f"staging drift; plan exited {result.returncode}, stderr: {result.stderr!r}"
    )


# --- 2. the Cloud Run job's roles (README "Running on Google Cloud") miss a read drift makes --


def _job_roles_in_readme() -> set[str]:
    text = (REPO / "README.md").read_text()
    section = text.split("## Running on Google Cloud on a schedule", 1)[1].split("\n## ", 1)[0]
    block = section.split("```bash", 1)[1].split("```", 1)[0]
    return set(re.findall(r"gcloud projects add-iam-policy-binding .*?--role (\S+)", block, re.S))


def test_readme_job_roles_cover_the_project_policy_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The README's job setup grants roles/run.viewer and roles/secretmanager.viewer only, and
    its Roles bullet says that is what `check` needs. Neither role holds
    resourcemanager.projects.getIamPolicy (cloud.google.com/iam/docs/roles-permissions/
    secretmanager; cloud.google.com/run/docs/reference/iam/roles), which the Quickstart lists
    and drift calls for every secret its own policy does not grant. A runtime account granted
    the accessor role on the project (a common setup) then leaves every such secret *not
    verified*: every scheduled run is incomplete (exit 3 with --fail-on-new: a failed
    execution each day) and the README's upload-sarif step never uploads."""
    roles = _job_roles_in_readme()
    assert roles == {"roles/run.viewer", "roles/secretmanager.viewer"}, roles
    # what those two roles allow, in the sandbox: the project's policy refused
    scenario = default_scenario_path().read_text()
    scenario = scenario.replace(
        "    iam:\n      roles/secretmanager.admin: [user:ops-lead@acme-chat.dev]\n",
        "    deny: [GetIamPolicy]\n    iam:\n"
        "      roles/secretmanager.admin: [user:ops-lead@acme-chat.dev]\n"
        "      roles/secretmanager.secretAccessor:"
        " [serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com]\n",
        1,
    )
    scenario = scenario.replace(
        "5432/acme_chat\n        iam:\n          roles/secretmanager.secretAccessor:\n"
        "            - serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com\n",
        "5432/acme_chat\n",
        1,
    )
    path = tmp_path / "scenario.yaml"
    path.write_text(scenario)
    sandbox = make_sandbox(path)
    cwd = _project(tmp_path)
    result = drift("check", "staging", "--format", "json", env=sandbox.environ(), cwd=cwd)
    import json

    unverified = json.loads(result.stdout)["unverified"]
    assert not unverified, (
        "with only the README job's two roles, a project-level grant is unverifiable: "
        f"{[u['reason'] for u in unverified]}; {result.stderr}"
    )


# --- 3. Layout names every module ---------------------------------------------------------


def test_layout_names_every_module() -> None:
    """README "Layout" is where a newcomer looks for where a thing lives. Modules it never
    names (drift/settings.py, the configuration, among them) are invisible there."""
    text = (REPO / "README.md").read_text()
    layout = text.split("## Layout", 1)[1].split("```", 2)[1]
    words = set(re.findall(r"[A-Za-z_][A-Za-z0-9_]*", layout))
    missing = []
    for path in sorted((REPO / "drift").rglob("*.py")):
        rel = path.relative_to(REPO).as_posix()
        if rel.startswith("drift/sandbox/") or path.stem in ("__init__", "__main__"):
            continue
        if path.stem not in words and rel not in layout:
            missing.append(rel)
    assert not missing, f"{len(missing)} modules the Layout never names: {missing}"


def test_layout_names_settings_py() -> None:
    """The one module that reads every DRIFT_* variable and [tool.drift] key."""
    text = (REPO / "README.md").read_text()
    layout = text.split("## Layout", 1)[1].split("```", 2)[1]
    assert ast.parse((REPO / "drift/settings.py").read_text())
    assert "drift/settings.py" in layout, (
        "drift/settings.py (options, DRIFT_*, [tool.drift], defaults) is not in the Layout"
    )


# --- 4. fix --dry-run in the default format --------------------------------------------------


def test_fix_dry_run_table_prints_the_summary_line_the_readme_shows(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """README: "`fix` prints a report in these formats: … with `--dry-run`, the report of the
    check the plan repairs …; the summary line ends `— drift; dry run accepted (exit 0)`".
    In the default table format the dry run prints the plan and "dry run: nothing was
    changed", no report and no summary line (markdown and json do have them)."""
    cwd = _project(tmp_path)
    result = drift("fix", "e2e", "--dry-run", env=sandbox_env, cwd=cwd)
    assert result.returncode == 0, result.stderr
    assert "dry run accepted (exit 0)" in result.stdout + result.stderr, result.stdout[-600:]


# --- 5. SPEC: location.file relative to the working directory --------------------------------


def test_location_file_is_relative_to_the_working_directory_with_tool_drift(
    sandbox: Sandbox, sandbox_env: dict[str, str], tmp_path: Path
) -> None:
    """SPEC "Findings": `location` … (`file` relative to the working directory, `line`). Run
    from a subdirectory of a project whose [tool.drift] names profiles_dir (README's own
    example), every location is absolute; with `--profiles ../../deploy/profiles` it is
    relative. The same profile line, two spellings, depending on how it was found."""
    (tmp_path / "deploy").mkdir()
    shutil.copytree(REPO / "profiles", tmp_path / "deploy" / "profiles")
    (tmp_path / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "deploy/profiles"\n')
    sub = tmp_path / "sub" / "dir"
    sub.mkdir(parents=True)
    result = drift("check", "staging", "--format", "json", env=sandbox_env, cwd=sub)
    import json

    files = {f["location"]["file"] for f in json.loads(result.stdout)["findings"]}
    assert all(not f.startswith("/") for f in files), files
