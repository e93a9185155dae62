"""A report, a SARIF log or a plan whose path is a symbolic link replaces the link, never the
file it names (`drift.files.replaces_links`): a pull request that commits `drift.sarif` (the
action's default `sarif-file`) as a link to `../../.gitconfig` would otherwise have the CI
run replace a file outside the workspace with its SARIF log (revattacker 4). A link to one of
this process's descriptors (`--output /dev/stdout`) is still the stream the shell handed
drift (tests/cli/test_outputs_descriptors.py)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.cli.fix import private
from drift.errors import UsageError
from drift.files import write_whole
from drift.fix.saved import write_saved
from tests.cliutil import REPO, drift

MANIFEST = """\
apiVersion: serving.knative.dev/v1
kind: Service
metadata:
  name: api
  labels: {cloud.googleapis.com/location: us-central1}
spec:
  template:
    spec:
      containers:
      - image: us-docker.pkg.dev/x/y/api:1
        env:
        - {name: ENVIRONMENT, value: staging}
"""
GITCONFIG = "[user]\n\tname = runner\n"


def _workspace(tmp_path: Path) -> tuple[Path, Path]:
    workspace, home = tmp_path / "ws", tmp_path / "home"
    workspace.mkdir()
    home.mkdir()
    victim = home / ".gitconfig"
    victim.write_text(GITCONFIG)
    (workspace / "svc.yaml").write_text(MANIFEST)
    return workspace, victim


@pytest.mark.parametrize("option", ["--sarif", "--json", "--output"])
def test_a_report_path_linked_out_of_the_workspace_replaces_the_link(
    tmp_path: Path, option: str
) -> None:
    workspace, victim = _workspace(tmp_path)
    (workspace / "drift.sarif").symlink_to("../home/.gitconfig")  # what the PR commits
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "--manifest", "svc.yaml",
        "--offline", option, "drift.sarif", "--format", "github",
        cwd=workspace,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode in (0, 1), done.stderr
    assert victim.read_text() == GITCONFIG, f"{victim} replaced: {victim.read_text()[:60]!r}"
    written = workspace / "drift.sarif"
    assert not written.is_symlink() and written.read_text().strip(), "the report replaces the link"


def test_a_link_to_a_file_that_is_not_writable_is_replaced_not_refused(tmp_path: Path) -> None:
    workspace, victim = _workspace(tmp_path)
    victim.chmod(0o400)
    (workspace / "r.json").symlink_to(victim)
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "--manifest", "svc.yaml",
        "--offline", "--json", "r.json", cwd=workspace,
    )  # fmt: skip
    assert done.returncode in (0, 1), done.stderr
    assert victim.read_text() == GITCONFIG and not (workspace / "r.json").is_symlink()


def test_a_saved_plan_replaces_a_link_and_a_private_one_leaves_its_target_alone(
    tmp_path: Path,
) -> None:
    _, victim = _workspace(tmp_path)
    victim.chmod(0o644)
    plan = tmp_path / "plan.json"
    plan.symlink_to(victim)
    write_saved(plan, "{}\n")
    assert victim.read_text() == GITCONFIG and not plan.is_symlink()
    plan.unlink()
    plan.symlink_to(victim)
    private(plan)  # before a plan with credentials is written: no chmod of the link's target
    assert os.stat(victim).st_mode & 0o777 == 0o644
    assert not plan.is_symlink() and plan.stat().st_mode & 0o777 == 0o600


@pytest.mark.parametrize("option", ["--sarif", "--json", "--output"])
def test_a_report_under_a_directory_linked_out_of_the_workspace_is_refused(
    tmp_path: Path, option: str
) -> None:
    """A linked *parent* (`reports -> ../home`, committed in a pull request, under a workflow
    whose `sarif-file` is `reports/drift.sarif`) is not followed out of the working directory:
    one clear error, exit 2, and the file there left alone (revown34 F6)."""
    workspace, victim = _workspace(tmp_path)
    (workspace / "reports").symlink_to("../home")
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "--manifest", "svc.yaml",
        "--offline", option, "reports/.gitconfig", "--format", "github",
        cwd=workspace,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert "reports is a link to" in done.stderr and "outside the working directory" in done.stderr
    assert "(nothing was read)" in done.stderr, done.stderr  # refused before the check ran
    assert victim.read_text() == GITCONFIG, f"{victim} replaced: {victim.read_text()[:60]!r}"


def test_a_report_path_given_on_purpose_outside_the_workspace_is_written(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """What a person types is where they mean: an absolute path outside the workspace (even
    through a link that is not the workspace's), a `../` path, and a link that stays inside the
    working directory are all written. The workspace spelled absolute is judged as the
    workspace (`${{ github.workspace }}/reports/drift.sarif`): through a link of its own that
    leads out, refused (revown36 F1)."""
    workspace, _ = _workspace(tmp_path)
    monkeypatch.chdir(workspace)
    (workspace / "inside").mkdir()
    (workspace / "out").symlink_to("inside")
    (workspace / "away").symlink_to("../home")
    (tmp_path / "elsewhere").symlink_to("home")  # a link, but not one the workspace holds
    for path in (tmp_path / "elsewhere" / "a.json", Path("../home/b.json"), Path("out/c.json")):
        write_whole(path, "{}\n", replace_links=True)
        assert path.read_text() == "{}\n"
    with pytest.raises(UsageError, match="away is a link to"):
        write_whole(workspace / "away" / "d.json", "{}\n", replace_links=True)
    assert not (tmp_path / "home" / "d.json").exists()


def test_a_private_plan_under_a_directory_linked_out_is_refused_untouched(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    workspace, victim = _workspace(tmp_path)
    victim.chmod(0o644)
    monkeypatch.chdir(workspace)
    (workspace / "plans").symlink_to("../home")
    with pytest.raises(UsageError, match="plans is a link to"):
        private(Path("plans/.gitconfig"))
    with pytest.raises(UsageError, match="plans is a link to"):
        write_saved(Path("plans/.gitconfig"), "{}\n")
    assert os.stat(victim).st_mode & 0o777 == 0o644 and victim.read_text() == GITCONFIG


def test_a_dotdot_after_a_linked_directory_does_not_slip_past_the_check(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reports/../drift.sarif` with `reports -> /home/runner/x` is /home/runner/drift.sarif to
    the kernel and to the write (`realpath`), not ./drift.sarif: judged lexically the `..`
    erased the link and the runner's file was replaced (revown35 F3). The action's shell
    twin (`pwd -P`) already judged it so; now both refuse it, naming the link."""
    workspace, outside = tmp_path / "ws", tmp_path / "home" / "runner" / "x"
    workspace.mkdir()
    outside.mkdir(parents=True)
    (workspace / "reports").symlink_to(outside)  # committed by the pull request
    victim = outside.parent / "drift.sarif"
    victim.write_text("the runner's own file\n")
    monkeypatch.chdir(workspace)
    with pytest.raises(UsageError, match="reports is a link to .*outside the working directory"):
        write_whole(Path("reports/../drift.sarif"), "{}", replace_links=True)
    assert victim.read_text() == "the runner's own file\n"


def test_a_link_inside_the_tree_then_dotdot_is_judged_where_it_leads(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A link that stays inside (`here -> .`) followed by `..` leaves the tree all the same:
    `here/../x.json` is the parent's x.json; `deep/../r.json` through `deep -> sub/inner`
    is sub/r.json, inside, and is written there."""
    workspace = tmp_path / "ws"
    (workspace / "sub" / "inner").mkdir(parents=True)
    (workspace / "here").symlink_to(".")
    (workspace / "deep").symlink_to("sub/inner")
    monkeypatch.chdir(workspace)
    with pytest.raises(UsageError, match="here is a link to"):
        write_whole(Path("here/../x.json"), "{}", replace_links=True)
    assert not (tmp_path / "x.json").exists()
    write_whole(Path("deep/../r.json"), "{}\n", replace_links=True)
    assert (workspace / "sub" / "r.json").read_text() == "{}\n"


@pytest.mark.parametrize("in_actions", [True, False])
def test_a_monorepo_job_may_keep_its_reports_through_a_link_inside_the_workspace(
    tmp_path: Path, in_actions: bool
) -> None:
    """A job whose `working-directory` is `services/api` keeps `reports -> ../../reports`: in
    GitHub Actions the link stays inside the checkout (GITHUB_WORKSPACE), so the SARIF log is
    written there; outside Actions the working directory is all drift knows, and the link
    leads out of it (refused, as any link out). A link out of the workspace itself stays
    refused either way (the test above)."""
    workspace, victim = _workspace(tmp_path)
    job = workspace / "services" / "api"
    job.mkdir(parents=True)
    (workspace / "reports").mkdir()
    (job / "svc.yaml").write_text(MANIFEST)
    (job / "reports").symlink_to("../../reports")
    env = {"GITHUB_WORKSPACE": str(workspace)} if in_actions else {}
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), "--manifest", "svc.yaml",
        "--offline", "--sarif", "reports/drift.sarif",
        cwd=job, env=env,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    written = (workspace / "reports" / "drift.sarif").is_file()
    if in_actions:
        assert done.returncode in (0, 1) and written, done.stderr
    else:
        assert done.returncode == 2 and not written, done.stderr
        assert "outside the working directory" in done.stderr
    assert victim.read_text() == GITCONFIG


def test_two_dotdots_after_a_linked_directory_do_not_slip_past(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`reports/../../drift.sarif` reads as `../drift.sarif` (typed out on purpose), but
    through `reports -> ../home/x/y` the kernel lands it in home/x: the link, the
    workspace's own, leads out — refused (revown36 F2)."""
    workspace, _ = _workspace(tmp_path)
    (tmp_path / "home" / "x" / "y").mkdir(parents=True)
    (workspace / "reports").symlink_to("../home/x/y")
    monkeypatch.chdir(workspace)
    with pytest.raises(UsageError, match="reports is a link to"):
        write_whole(Path("reports/../../drift.sarif"), "{}\n", replace_links=True)
    assert not (tmp_path / "home" / "x" / "drift.sarif").exists()


def test_a_workspace_link_out_is_refused_when_drift_runs_outside_the_workspace(
    tmp_path: Path,
) -> None:
    """A step run outside the checkout (`working-directory: ${{ runner.temp }}`) writing
    `--sarif ${{ github.workspace }}/reports/drift.sarif`: a pull request that commits
    `reports -> ../home` has drift replace home/.gitconfig, because linked_out judges the
    workspace's links only when the working directory was inside GITHUB_WORKSPACE
    (revown37 F1); d6c5366 refused the very same path when run inside."""
    workspace, home, temp = tmp_path / "ws", tmp_path / "home", tmp_path / "runner_temp"
    for d in (workspace, home, temp):
        d.mkdir()
    victim = home / ".gitconfig"
    victim.write_text(GITCONFIG)
    (workspace / "svc.yaml").write_text(MANIFEST)
    (workspace / "reports").symlink_to("../home")  # committed by the pull request
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"),
        "--manifest", str(workspace / "svc.yaml"), "--offline",
        "--sarif", f"{workspace}/reports/.gitconfig",
        cwd=temp, env={"GITHUB_WORKSPACE": str(workspace)},
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    assert victim.read_text() == GITCONFIG, f"replaced through the PR's link: {done.returncode}"
    assert done.returncode == 2, done.stderr
