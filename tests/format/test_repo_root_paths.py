"""GitHub attaches an annotation's `file` and a SARIF result's `artifactLocation.uri` from the
repository's root (workflow commands: the annotation is "associated with a particular file in
your repository"; SARIF support for code scanning, "Reporting consistent filepaths": the path
relative to the repository's root). A job with `working-directory: services/api` and
`--profiles ../../deploy/profiles` names `deploy/profiles/base.yaml` there whenever
GITHUB_WORKSPACE is set, while the JSON report and stderr keep the path relative to the working
directory (SPEC "Findings"). A run from the root gives the same SARIF as before: same uri, same
partialFingerprints (revown49 lead)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.runner_commands import commands

pytestmark = pytest.mark.sandbox

ROOT_FILE = "deploy/profiles/base.yaml"
HERE_FILE = "../../deploy/profiles/base.yaml"
FILES = {ROOT_FILE, "deploy/profiles/staging.yaml"}
HERE = {f"../../{f}" for f in FILES}


def _workspace(tmp_path: Path, *, broken: bool = False) -> Path:
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "profiles", ws / "deploy" / "profiles")
    base = ws / ROOT_FILE
    new = "concurrency: lots" if broken else "concurrency: 7"
    base.write_text(base.read_text().replace("concurrency: 250", new))
    (ws / "services" / "api").mkdir(parents=True)
    return ws


def _run(sandbox: Sandbox, ws: Path, cwd: Path, fmt: str, env: dict[str, str]) -> Any:
    profiles = str(Path("deploy/profiles") if cwd == ws else Path("../../deploy/profiles"))
    return drift(
        "check", "staging", "--profiles", profiles, "--format", fmt, "--no-history",
        env={**sandbox.environ(), **env}, cwd=cwd,
    )  # fmt: skip


def _uris(sarif: str) -> set[str]:
    results = json.loads(sarif)["runs"][0]["results"]
    return {
        loc["physicalLocation"]["artifactLocation"]["uri"]
        for r in results
        for loc in r.get("locations", [])
    }  # noqa: E501


@pytest.mark.parametrize("actions", [True, False])
def test_from_a_subdirectory_github_and_sarif_name_the_file_from_the_root(
    sandbox: Sandbox, tmp_path: Path, actions: bool
) -> None:
    ws = _workspace(tmp_path)
    env = {"GITHUB_WORKSPACE": str(ws), **({"GITHUB_ACTIONS": "true"} if actions else {})}
    sub = ws / "services" / "api"
    github = _run(sandbox, ws, sub, "github", env)
    files = {props.get("file") for _, props, _ in commands(github.stdout) if props.get("file")}
    assert files and files <= FILES, github.stdout
    assert _uris(_run(sandbox, ws, sub, "sarif", env).stdout) == FILES
    report = json.loads(_run(sandbox, ws, sub, "json", env).stdout)
    assert {f["location"]["file"] for f in report["findings"]} == HERE, report


def test_a_profile_error_is_annotated_from_the_root_and_said_from_here(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    ws = _workspace(tmp_path, broken=True)
    env = {"GITHUB_WORKSPACE": str(ws), "GITHUB_ACTIONS": "true"}
    done = _run(sandbox, ws, ws / "services" / "api", "github", env)
    assert done.returncode == 2, done.stderr
    assert f"{HERE_FILE}:" in done.stderr, done.stderr
    (annotation,) = commands(done.stdout)
    assert annotation[1]["file"] == ROOT_FILE, annotation


def test_a_run_from_the_root_gives_the_same_sarif_locations_and_fingerprints(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    ws = _workspace(tmp_path)
    logs = [
        json.loads(_run(sandbox, ws, ws, "sarif", env).stdout)["runs"][0]["results"]
        for env in ({}, {"GITHUB_WORKSPACE": str(ws), "GITHUB_ACTIONS": "true"})
    ]
    plain, in_actions = (
        [(r["partialFingerprints"], r.get("locations")) for r in results] for results in logs
    )
    assert plain == in_actions and plain, plain
    assert _uris(json.dumps({"runs": [{"results": logs[0]}]})) == FILES


@pytest.mark.parametrize("inside", [True, False])
def test_profiles_outside_the_checkout_are_said_to_leave_results_without_a_file(
    sandbox: Sandbox, tmp_path: Path, inside: bool
) -> None:
    """helper-533 F4: with the profiles outside GITHUB_WORKSPACE, every result names a file
    code scanning cannot place: the run says so, in the table beside `--sarif`."""
    ws = _workspace(tmp_path)
    workspace = ws if inside else tmp_path / "elsewhere"
    workspace.mkdir(exist_ok=True)
    out = tmp_path / "out.sarif"
    done = drift(
        "check", "staging", "--profiles", "deploy/profiles", "--sarif", str(out), "--no-history",
        env={**sandbox.environ(), "GITHUB_WORKSPACE": str(workspace)}, cwd=ws,
    )  # fmt: skip
    said = " ".join(done.stdout.split())
    note = "name a file outside the repository GITHUB_WORKSPACE names"
    assert (note in said) is not inside, said
    assert out.is_file()
