"""`summary.repo_path` with links (revown51 U1): GitHub places an annotation's `file` and a
SARIF result's uri by their path in the repository; the runner makes an absolute `file=`
relative to the workspace by its text (actions/runner ActionCommandManager,
`IOUtil.MakeRelative`), and code scanning cannot place a `../../` uri. A profiles folder in the
checkout that is a link to a folder outside it (a mounted config folder) is named by its path
in the repository, not by where the link leads."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.findings import Location
from drift.format.summary import artifact_uri, repo_path


@pytest.fixture
def world(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A checkout at mnt/work/r/r, reached as GITHUB_WORKSPACE through a link
    (home-runner-work → mnt/work); `mounted` in it a link to etc-drift, outside; the job runs
    from services/api (its physical path, as the runner's working directory)."""
    ws = tmp_path / "mnt" / "work" / "r" / "r"
    (ws / "deploy" / "profiles").mkdir(parents=True)
    (ws / "deploy" / "profiles" / "prod.yaml").write_text("project: p\n")
    (ws / "services" / "api").mkdir(parents=True)
    (tmp_path / "home-runner-work").symlink_to(tmp_path / "mnt" / "work")
    outside = tmp_path / "etc-drift"
    (outside / "profiles").mkdir(parents=True)
    (outside / "profiles" / "prod.yaml").write_text("project: p\n")
    (ws / "mounted").symlink_to(outside)
    monkeypatch.setenv("GITHUB_WORKSPACE", str(tmp_path / "home-runner-work" / "r" / "r"))
    monkeypatch.chdir(ws / "services" / "api")
    return tmp_path


def test_an_in_repo_link_leading_out_of_the_checkout_is_named_from_the_root(world: Path) -> None:
    file = "../../mounted/profiles/prod.yaml"
    assert repo_path(file) == "mounted/profiles/prod.yaml"
    assert artifact_uri(Location(file, 1)) == "mounted/profiles/prod.yaml"
    absolute = str(world / "mnt" / "work" / "r" / "r" / "mounted" / "profiles" / "prod.yaml")
    assert repo_path(absolute) == "mounted/profiles/prod.yaml"


def test_a_workspace_reached_through_a_link_still_names_the_file_from_the_root(
    world: Path,
) -> None:
    assert repo_path("../../deploy/profiles/prod.yaml") == "deploy/profiles/prod.yaml"


def test_a_dotdot_after_a_link_is_judged_where_it_leads(world: Path) -> None:
    """`mounted/..` is the folder above etc-drift, not the checkout: read by its text, the
    path would name the checkout's deploy/profiles/prod.yaml, another file. The file it
    names is outside the checkout: as given."""
    (world / "deploy" / "profiles").mkdir(parents=True)
    (world / "deploy" / "profiles" / "prod.yaml").write_text("project: elsewhere\n")
    file = "../../mounted/../deploy/profiles/prod.yaml"
    assert Path(file).resolve() == (world / "deploy" / "profiles" / "prod.yaml").resolve()
    assert repo_path(file) == file


def test_a_file_outside_the_checkout_is_as_given(world: Path) -> None:
    file = os.path.relpath(world / "etc-drift" / "profiles" / "prod.yaml")
    assert repo_path(file) == file
