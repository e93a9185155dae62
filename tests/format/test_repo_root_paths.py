"""GitHub attaches an annotation's `file` and a SARIF result's `artifactLocation.uri` from the
repository's root (workflow commands: the annotation is "associated with a particular file in
your repository"; SARIF support for code scanning, "Reporting consistent filepaths": the path
relative to the repository's root). A job with `working-directory: services/api` and
`--profiles ../../deploy/profiles` names `deploy/profiles/base.yaml` there whenever
GITHUB_WORKSPACE is set, while the JSON report and stderr keep the path relative to the working
directory (SPEC "Findings"). A run from the root gives the same SARIF as before: same uri, same
partialFingerprints (revown49 lead)."""

from __future__ import annotations

import functools
import json
import os
import shutil
from pathlib import Path
from typing import Any

import pytest

from drift.format.summary import repo_path
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.runner_commands import commands

pytestmark = pytest.mark.sandbox

ROOT_FILE = "deploy/profiles/base.yaml"
HERE_FILE = "../../deploy/profiles/base.yaml"
FILES = {ROOT_FILE, "deploy/profiles/staging.yaml"}
HERE = {f"../../{f}" for f in FILES}


def _workspace(tmp_path: Path, *, broken: bool = False, at: str = "") -> Path:
    """The workspace, with the profiles in `at/deploy/profiles` (`at`: where a checkout is)."""
    ws = tmp_path / "ws"
    shutil.copytree(REPO / "profiles", ws / at / "deploy" / "profiles")
    base = ws / at / ROOT_FILE
    new = "concurrency: lots" if broken else "concurrency: 7"
    base.write_text(base.read_text().replace("concurrency: 250", new))
    (ws / at / "services" / "api").mkdir(parents=True)
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


REPOSITORY = {"GITHUB_REPOSITORY": "octo/app", "GITHUB_SERVER_URL": "https://github.com"}


def _git(root: Path, url: str, *, gitdir: str = "") -> None:
    """A work tree at `root` as actions/checkout leaves one (`origin` is
    `https://github.com/OWNER/REPO`): a `.git` folder, or with `gitdir` a `.git` file naming
    the git dir (a submodule's, a linked worktree's), whose config is written there."""
    config = f'[remote "origin"]\n\turl = {url}\n\tfetch = +refs/heads/*:refs/remotes/origin/*\n'
    root.mkdir(parents=True, exist_ok=True)
    if gitdir:
        (root / ".git").write_text(f"gitdir: {gitdir}\n")
        home = Path(os.path.normpath(root / gitdir))
    else:
        home = root / ".git"
    home.mkdir(parents=True, exist_ok=True)
    (home / "config").write_text(config)


def _placed(sandbox: Sandbox, cwd: Path, profiles: str, env: dict[str, str]) -> set[str]:
    """The files the SARIF results and the `::error`/`::warning` annotations name, which must
    be one set."""
    run = functools.partial(
        drift, "check", "staging", "--profiles", profiles, "--no-history", cwd=cwd,
        env={**sandbox.environ(), **env},
    )  # fmt: skip
    uris = _uris(run("--format", "sarif").stdout)
    annotated = {p["file"] for _, p, _ in commands(run("--format", "github").stdout) if "file" in p}
    assert uris == annotated, (uris, annotated)
    return uris


@pytest.mark.parametrize("repository", [REPOSITORY, {}])
def test_a_checkout_in_a_subfolder_names_the_file_from_the_repository_root(
    sandbox: Sandbox, tmp_path: Path, repository: dict[str, str]
) -> None:
    """`actions/checkout` with `path: src`: the repository's root is $GITHUB_WORKSPACE/src,
    and code scanning reads a relative uri from the root of the repository analyzed
    (`drift.format.repo_root`): `deploy/profiles/base.yaml`, not `src/deploy/…`, from the
    checkout and from a folder in it. Without GITHUB_REPOSITORY (not the runner), the
    nearest work tree."""
    ws = _workspace(tmp_path, at="src")
    _git(ws / "src", "https://github.com/octo/app")
    env = {"GITHUB_WORKSPACE": str(ws), **repository}
    assert _placed(sandbox, ws / "src", "deploy/profiles", env) == FILES
    assert _placed(sandbox, ws / "src" / "services" / "api", "../../deploy/profiles", env) == FILES


@pytest.mark.parametrize(
    "url", ["git@github.com:octo/app.git", "https://x-access-token:t0k@github.com/Octo/App.git/"]
)
def test_the_repository_is_known_by_its_ssh_url_or_an_url_with_credentials(
    sandbox: Sandbox, tmp_path: Path, url: str
) -> None:
    ws = _workspace(tmp_path, at="src")
    _git(ws / "src", url)
    env = {"GITHUB_WORKSPACE": str(ws), **REPOSITORY}
    assert _placed(sandbox, ws / "src", "deploy/profiles", env) == FILES


def test_a_submodule_s_file_is_named_from_the_superproject(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The profiles in a submodule (`config`, its git dir absorbed in the superproject's
    `.git/modules`) of the workflow's repository checked out at `src`: the annotation is on
    the superproject's commit, where the file is `config/deploy/…` (the runner's
    `GetRepositoryPath` passes a `.git` file too); the submodule's own root would name
    `deploy/…`, another file of the superproject."""
    ws = _workspace(tmp_path, at="src/config")
    _git(ws / "src", "https://github.com/octo/app")
    _git(ws / "src" / "config", "https://github.com/octo/config", gitdir="../.git/modules/config")
    for repository in (REPOSITORY, {}):
        env = {"GITHUB_WORKSPACE": str(ws), **repository}
        placed = _placed(sandbox, ws / "src" / "config", "deploy/profiles", env)
        assert placed == {f"config/{f}" for f in FILES}, placed


def test_another_repository_checked_out_in_the_workspace_is_not_the_root(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A second checkout of another repository: nested in the workflow's (`vendor/ops`), its
    file is named from the workflow repository's root; beside it (`ops`, not in that
    repository at all), from the workspace as before, never as `deploy/…`, which would name
    the workflow repository's own file."""
    ws = _workspace(tmp_path, at="src/vendor/ops")
    _git(ws / "src", "https://github.com/octo/app")
    _git(ws / "src" / "vendor" / "ops", "https://github.com/octo/ops")
    env = {"GITHUB_WORKSPACE": str(ws), **REPOSITORY}
    placed = _placed(sandbox, ws / "src", "vendor/ops/deploy/profiles", env)
    assert placed == {f"vendor/ops/{f}" for f in FILES}, placed
    shutil.move(ws / "src" / "vendor" / "ops", ws / "ops")
    assert _placed(sandbox, ws / "ops", "deploy/profiles", env) == {f"ops/{f}" for f in FILES}


def test_a_linked_worktree_is_a_root(sandbox: Sandbox, tmp_path: Path) -> None:
    """A `git worktree add` checkout at `src`: its `.git` file names a git dir in the main
    repository's `.git/worktrees`, whose `commondir` holds the config with the url."""
    ws = _workspace(tmp_path, at="src")
    main = tmp_path / "main"
    _git(main, "https://github.com/octo/app")
    (ws / "src" / ".git").write_text(f"gitdir: {main}/.git/worktrees/src\n")
    (main / ".git" / "worktrees" / "src").mkdir(parents=True)
    (main / ".git" / "worktrees" / "src" / "commondir").write_text("../..\n")
    env = {"GITHUB_WORKSPACE": str(ws), **REPOSITORY}
    assert _placed(sandbox, ws / "src", "deploy/profiles", env) == FILES


def test_without_a_git_folder_or_a_workspace_the_paths_are_as_before(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """No `.git` in the workspace: named from the workspace. A `.git` but no GITHUB_WORKSPACE
    (not in GitHub Actions): as given, relative to the working directory (SPEC "Findings")."""
    ws = _workspace(tmp_path, at="src")
    env = {"GITHUB_WORKSPACE": str(ws), **REPOSITORY}
    assert _placed(sandbox, ws / "src", "deploy/profiles", env) == {f"src/{f}" for f in FILES}
    _git(ws / "src", "https://github.com/octo/app")
    placed = _placed(sandbox, ws / "src" / "services" / "api", "../../deploy/profiles", REPOSITORY)
    assert placed == {f"../../{f}" for f in FILES}, placed


def test_an_in_repo_link_out_of_a_subfolder_checkout_is_named_from_its_root(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The checkout at `src`, its `mounted` folder a link to a config folder outside the
    workspace, the workspace reached through a link (`drift.format.repo_root.repo_path`):
    `mounted/profiles/…` from the repository's root."""
    ws = _workspace(tmp_path, at="src")
    _git(ws / "src", "https://github.com/octo/app")
    shutil.move(ws / "src" / "deploy", tmp_path / "etc-drift")
    (ws / "src" / "mounted").symlink_to(tmp_path / "etc-drift")
    (tmp_path / "work").symlink_to(ws)
    env = {"GITHUB_WORKSPACE": str(tmp_path / "work"), **REPOSITORY}
    placed = _placed(sandbox, ws / "src" / "services" / "api", "../../mounted/profiles", env)
    assert placed == {f.replace("deploy/", "mounted/") for f in FILES}, placed


def test_a_git_name_that_is_no_work_tree_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A `.git` that is a named pipe (read, it would wait for a writer for ever), a `.git`
    file that names no git dir, a `.git` folder without a config: none is the checkout's
    root; the one above whose config names the repository is."""
    ws = _workspace(tmp_path, at="src")
    _git(ws / "src", "https://github.com/octo/app")
    os.mkfifo(ws / "src" / "deploy" / ".git")
    (ws / "src" / "deploy" / "profiles" / ".git").write_text("not a git file\n")
    (ws / "src" / "deploy" / "profiles" / "sub" / ".git").mkdir(parents=True)
    (ws / "src" / "deploy" / "profiles" / "sub" / "x.yaml").write_text("project: p\n")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ws))
    for name, value in REPOSITORY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ws / "src" / "services" / "api")
    assert repo_path("../../deploy/profiles/sub/x.yaml") == "deploy/profiles/sub/x.yaml"
    assert repo_path("../../" + ROOT_FILE) == ROOT_FILE


@pytest.mark.parametrize("nul", ["gitdir", "commondir"])
def test_a_git_file_with_a_nul_byte_is_passed_over(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, nul: str
) -> None:
    """A NUL in a `.git` file's `gitdir:` or in the `commondir` it names (written by an
    earlier step or an artifact: git does not commit a `.git`) made a path `os.stat` refuses
    with ValueError, not OSError: `check --format github|sarif` ended in an internal error and
    lost its findings (helper-781 R1). Passed over, as any `.git` that names no work tree."""
    ws = _workspace(tmp_path, at="src")
    _git(ws / "src", "https://github.com/octo/app")
    dot = ws / "src" / "deploy" / ".git"
    if nul == "gitdir":
        dot.write_bytes(b"gitdir: ../x\x00y\n")
    else:
        (ws / "g").mkdir()
        (ws / "g" / "commondir").write_bytes(b"..\x00/z\n")
        dot.write_text(f"gitdir: {ws / 'g'}\n")
    monkeypatch.setenv("GITHUB_WORKSPACE", str(ws))
    for name, value in REPOSITORY.items():
        monkeypatch.setenv(name, value)
    monkeypatch.chdir(ws / "src" / "services" / "api")
    assert repo_path("../../" + ROOT_FILE) == ROOT_FILE
