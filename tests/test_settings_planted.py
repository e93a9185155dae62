"""A `[tool.drift]` another user left in a directory anyone can write (a pyproject.toml in /tmp,
above an operator's checkout in /tmp/app) is refused, never taken: it set `fail_on = "never"`
(a check that found drift exited 0) or `profiles_dir` (profiles of its choosing, which `drift
fix --yes` applies to the live services) for every drift run below it (revcli88 F4). A file of
this user's, or one in a directory only its owners can write, is taken as before."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.findings import FailOn
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift

OTHER = 4242
"""Another user's id (the tests chown to it: they run as root, else they are skipped)."""
PLANTED = '[tool.drift]\nfail_on = "never"\n'

as_root = pytest.mark.skipif(
    not hasattr(os, "geteuid") or os.geteuid() != 0, reason="chown to another user needs root"
)


def _layout(tmp_path: Path, *, mode: int, owner: int) -> Path:
    """`shared/pyproject.toml` (owned by `owner`, in a directory of `mode`) above the
    operator's own `shared/app`, the working directory returned."""
    shared = tmp_path / "shared"
    shared.mkdir()
    config = shared / "pyproject.toml"
    config.write_text(PLANTED)
    os.chown(config, owner, owner)
    shared.chmod(mode)
    app = shared / "app"
    app.mkdir()
    return app


@pytest.fixture
def clean_env(monkeypatch: pytest.MonkeyPatch) -> None:
    for key in [k for k in os.environ if k.upper().startswith("DRIFT_")]:
        monkeypatch.delenv(key)


@as_root
@pytest.mark.usefixtures("clean_env")
def test_another_users_config_in_a_directory_anyone_writes_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _layout(tmp_path, mode=0o1777, owner=OTHER)  # /tmp's mode
    monkeypatch.chdir(app)
    with pytest.raises(UsageError) as caught:
        load_settings()
    said = caught.value.message
    assert str(tmp_path / "shared" / "pyproject.toml") in said
    assert f"uid {OTHER}" in said and "anyone" in said


@as_root
@pytest.mark.usefixtures("clean_env")
def test_a_world_writable_config_of_another_user_is_refused(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    app = _layout(tmp_path, mode=0o755, owner=OTHER)
    config = tmp_path / "shared" / "pyproject.toml"
    config.chmod(config.stat().st_mode | stat.S_IWOTH)
    monkeypatch.chdir(app)
    with pytest.raises(UsageError, match="the file can be written by anyone"):
        load_settings()


@as_root
@pytest.mark.usefixtures("clean_env")
@pytest.mark.parametrize(
    ("mode", "owner"),
    [(0o1777, None), (0o755, OTHER)],
    ids=["own-file-in-tmp", "teammate-file-in-a-guarded-directory"],
)
def test_a_config_nobody_else_could_plant_is_taken(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, mode: int, owner: int | None
) -> None:
    app = _layout(tmp_path, mode=mode, owner=os.geteuid() if owner is None else owner)
    monkeypatch.chdir(app)
    assert load_settings().fail_on is FailOn.NEVER


@as_root
def test_a_planted_config_never_makes_a_drifted_check_exit_0(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    app = _layout(tmp_path, mode=0o1777, owner=OTHER)
    done = drift(
        "check", "staging", "--profiles", str(REPO / "profiles"), env=sandbox.environ(), cwd=app
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("drift: error: refusing the configuration ")
    assert "Traceback" not in done.stderr
