"""The action's step removes both of its outputs before each run (scripts/github-action.sh
`check`): the JSON report and the SARIF log. No stale log of an earlier run is uploaded as
this one's (exit 2 writes neither), and a link the checkout holds at the SARIF path (a pull
request that commits `drift.sarif -> ../../.gitconfig`, the `sarif-file` default) is gone
before drift runs, never written through (revattacker 4)."""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path

import pytest

from tests.cliutil import REPO

SCRIPT = REPO / "scripts" / "github-action.sh"
SARIF = (
    '{\n  "$schema": "https://docs.oasis-open.org/sarif/sarif/v2.1.0/os/schemas/sarif.json",\n}\n'
)
REPORT = '{\n  "schema": "drift.report/v1",\n  "environment": "staging"\n}\n'


def _seen_by_drift(workspace: Path, root: Path | None = None, **inputs: str) -> str:
    """What a stub drift finds at drift.sarif and drift-report.json when the step starts it
    in `workspace` (GITHUB_WORKSPACE: `root`, when given)."""
    record = workspace.parent / "seen"
    stub = workspace.parent / "drift"
    stub.write_text(
        "#!/bin/sh\n"
        f"for f in drift.sarif drift-report.json; do [ -e $f ] || [ -L $f ] && echo $f; done"
        f" > {record}\nexit 2\n"
    )
    stub.chmod(0o755)
    env = {
        "PATH": os.environ["PATH"],
        "DRIFT_BIN": str(stub),
        "DRIFT_ACTION_ENVIRONMENT": "staging",
        **{f"DRIFT_ACTION_{k.upper()}": v for k, v in inputs.items()},
        **({"GITHUB_WORKSPACE": str(root)} if root else {}),
    }
    subprocess.run(["bash", str(SCRIPT)], cwd=workspace, env=env, check=False, timeout=60)
    return record.read_text()


@pytest.mark.parametrize("kind", ["link", "stale file"])
def test_the_sarif_path_is_removed_before_drift_runs(tmp_path: Path, kind: str) -> None:
    workspace, victim = tmp_path / "ws", tmp_path / ".gitconfig"
    workspace.mkdir()
    victim.write_text("[user]\n")
    if kind == "link":
        (workspace / "drift.sarif").symlink_to("../.gitconfig")
    else:
        (workspace / "drift.sarif").write_text(SARIF)
    (workspace / "drift-report.json").write_text(REPORT)
    assert _seen_by_drift(workspace) == ""
    assert victim.read_text() == "[user]\n"


def test_a_gs_sarif_path_is_left_to_drift(tmp_path: Path) -> None:
    workspace = tmp_path / "ws"
    workspace.mkdir()
    (workspace / "drift.sarif").write_text(SARIF)  # not the output: sarif-file is gs://
    assert _seen_by_drift(workspace, sarif="gs://b/drift.sarif") == "drift.sarif\n"


def test_a_sarif_path_under_a_directory_linked_out_of_the_workspace_is_not_removed(
    tmp_path: Path,
) -> None:
    """`reports -> ..` committed in a pull request, `sarif-file: reports/drift.sarif`: the
    step's `rm -f` would delete the runner's own file there; it is left, and drift refuses
    to write through the link (revown34 F6)."""
    workspace, kept = tmp_path / "ws", tmp_path / "drift.sarif"
    workspace.mkdir()
    kept.write_text("the runner's own file\n")
    (workspace / "reports").symlink_to("..")
    (workspace / "inside").mkdir()
    (workspace / "inside" / "drift.sarif").write_text(SARIF)
    _seen_by_drift(workspace, sarif="reports/drift.sarif")
    assert kept.read_text() == "the runner's own file\n"
    _seen_by_drift(workspace, sarif="inside/drift.sarif")  # inside: removed as before
    assert not (workspace / "inside" / "drift.sarif").exists()


def test_a_monorepo_jobs_sarif_through_a_link_inside_the_checkout_is_removed(
    tmp_path: Path,
) -> None:
    """`working-directory: services/api` with `reports -> ../../reports`: the link stays in
    GITHUB_WORKSPACE, so the stale log there is removed before the run, as drift will write it
    (drift.files.linked_out judges the same workspace); a link out of the checkout is still
    left alone."""
    root = tmp_path / "ws"
    job = root / "services" / "api"
    job.mkdir(parents=True)
    (root / "reports").mkdir()
    stale = root / "reports" / "drift.sarif"
    stale.write_text(SARIF)
    (job / "reports").symlink_to("../../reports")
    _seen_by_drift(job, root, sarif="reports/drift.sarif")
    assert not stale.exists()
    kept = tmp_path / "drift.sarif"
    kept.write_text("the runner's own file\n")
    (job / "out").symlink_to("../../..")
    _seen_by_drift(job, root, sarif="out/drift.sarif")
    assert kept.read_text() == "the runner's own file\n"


@pytest.mark.parametrize("spelled", ["dotdot", "absolute"])
def test_the_step_never_deletes_a_file_outside_the_workspace(tmp_path: Path, spelled: str) -> None:
    """bash's `cd` is logical (POSIX cd: without -P "dot-dot components shall be processed
    lexically"), `rm` physical: judged with `cd -`, `reports/../drift.sarif` read as the
    workspace's while `rm -f` deleted the runner's file through `reports -> …/runner/x`; the
    workspace spelled absolute was never judged (revown36 F3). Judged as the kernel resolves
    it now, whatever the spelling."""
    workspace, runner = tmp_path / "ws", tmp_path / "home" / "runner"
    (runner / "x").mkdir(parents=True)
    workspace.mkdir()
    (workspace / "reports").symlink_to(runner / "x")  # committed by the pull request
    victim = runner / "drift.sarif" if spelled == "dotdot" else runner / "x" / "drift.sarif"
    victim.write_text("the runner's own file\n")
    sarif = "reports/../drift.sarif" if spelled == "dotdot" else f"{workspace}/reports/drift.sarif"
    _seen_by_drift(workspace, sarif=sarif)
    assert victim.read_text() == "the runner's own file\n"


@pytest.mark.parametrize("spelled", ["dotdot", "absolute"])
def test_a_stale_sarif_typed_outside_the_workspace_is_removed(tmp_path: Path, spelled: str) -> None:
    """`sarif-file: ../out/drift.sarif` or an absolute path outside the checkout, no link
    anywhere: drift writes it, so the step removes the previous run's log before the run, or
    an exit 2 (drift writes nothing) would leave it to be taken for this run's (revown37 F2)."""
    workspace, out = tmp_path / "ws", tmp_path / "out"
    workspace.mkdir()
    out.mkdir()
    stale = out / "drift.sarif"
    stale.write_text(SARIF.replace("}", '"runs": [{"results": ["of the previous run"]}]}'))
    sarif = "../out/drift.sarif" if spelled == "dotdot" else str(stale)
    _seen_by_drift(workspace, workspace, sarif=sarif)  # the stub drift exits 2
    assert not stale.exists()


@pytest.mark.parametrize("kind", ["fifo", "device"])
def test_a_device_or_fifo_at_an_output_path_is_left_alone(tmp_path: Path, kind: str) -> None:
    """helper-533 F1: `sarif-file: /dev/null` in a step run as root (a container job, many
    self-hosted runners): `rm -f` removed the device, and drift then wrote a SARIF file in its
    place, which every later step writing to /dev/null appended to. Only a regular file or a
    link is removed; drift writes into a device or a FIFO itself (or refuses it)."""
    workspace = tmp_path / "ws"
    workspace.mkdir()
    node = workspace / "drift.sarif"
    if kind == "fifo":
        os.mkfifo(node)
    else:
        try:  # a stand-in for /dev/null: the same major and minor numbers
            os.mknod(node, 0o666 | stat.S_IFCHR, os.makedev(1, 3))
        except PermissionError:
            pytest.skip("making a device node needs CAP_MKNOD")
    assert _seen_by_drift(workspace) == "drift.sarif\n"
    kept = node.lstat().st_mode
    assert stat.S_ISFIFO(kept) if kind == "fifo" else stat.S_ISCHR(kept)


def test_a_file_that_is_no_report_is_left_to_drift(tmp_path: Path) -> None:
    """helper-606 F2: `sarif-file: profiles/base.yaml` (or `report-file: pyproject.toml`)
    was removed by the step before drift could refuse to write over a file it reads: only an
    earlier run's report or SARIF log is stale."""
    workspace = tmp_path / "ws"
    (workspace / "profiles").mkdir(parents=True)
    (workspace / "profiles" / "base.yaml").write_text("services: {}\n")
    (workspace / "pyproject.toml").write_text("[tool.drift]\n")
    seen = _seen_by_drift(workspace, sarif="profiles/base.yaml", report="pyproject.toml")
    assert (workspace / "profiles" / "base.yaml").read_text() == "services: {}\n"
    assert (workspace / "pyproject.toml").read_text() == "[tool.drift]\n"
    assert seen == ""  # the stub looks only at drift.sarif and drift-report.json
