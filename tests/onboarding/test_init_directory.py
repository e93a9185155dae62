"""Where `drift init` writes: the profiles directory it creates is said (a typo in `--profiles`
shows on the first line, not weeks later as a profile nobody finds); a missing folder above it
is refused before anything is read (`mkdir -p` is the operator's to type); a profile that could
not be written (a full disk: RLIMIT_FSIZE) leaves no directory made for it, and says nothing
was written."""

from __future__ import annotations

import asyncio
import datetime as dt
import errno
import os
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.onboarding.init import InitResult, init_from_live
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.cliutil import REPO, drift, drift_argv
from tests.reliability.test_journal_fsize import CAPPED

PROJECT = "acme-chat-staging"
REGION = "us-central1"
PLACE = ("--project", PROJECT, "--region", REGION, "--service", "api")


def init(profiles: Path, source: str = "") -> InitResult:
    settings = load_settings(profiles_dir=profiles, project=PROJECT, region=REGION)
    run = init_from_live(
        "staging", settings, services=["api"], today=dt.date(2026, 11, 24), profiles_from=source
    )
    return asyncio.run(run)


def capped(sandbox: Sandbox, cwd: Path, limit: int, *more: str) -> subprocess.CompletedProcess[str]:
    """`drift init staging` of the api service, in `cwd`, every file it writes capped at
    `limit` bytes (RLIMIT_FSIZE, SIGXFSZ ignored: EFBIG as on a full disk)."""
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(sandbox.environ(), NO_COLOR="1", PYTHONPATH=str(REPO))
    argv = [*drift_argv(), "init", "staging", "--from-live", *PLACE, *more]
    return subprocess.run(
        [sys.executable, "-c", CAPPED, str(limit), *argv],
        env=env, cwd=cwd, capture_output=True, text=True, timeout=120, check=False,
    )  # fmt: skip


def test_a_directory_init_creates_is_said(sandbox_env: dict[str, str], tmp_path: Path) -> None:
    made = init(tmp_path / "profils")
    assert (tmp_path / "profils" / "staging.yaml").is_file()
    assert made.summary().splitlines()[0] == f"created {tmp_path / 'profils'}/ (it did not exist)"
    again = tmp_path / "profils" / "staging.yaml"
    again.unlink()
    there = init(tmp_path / "profils").summary()
    assert "created" not in there and there.startswith(f"wrote {again}:")


def test_a_missing_parent_is_refused_before_anything_is_read(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path
) -> None:
    """`--profiles infar/profiles` for `infra/profiles`: never a new tree nobody looks in."""
    profiles = tmp_path / "infar" / "deploy" / "profiles"
    with pytest.raises(UsageError) as refused:
        init(profiles, "--profiles")
    assert refused.value.message == (
        f"cannot write {profiles}/staging.yaml: {tmp_path / 'infar'}/ does not exist; init "
        f"creates the profiles directory {profiles} (--profiles) itself, not the folders "
        "above it; nothing was written"
    )
    assert refused.value.hint == (
        f"check the path for a typo; if it is meant, create them first: mkdir -p {profiles.parent}"
    )
    assert not (tmp_path / "infar").exists()
    assert sandbox.call_counts() == {}  # refused before any read


@pytest.fixture
def unwritable(tmp_path: Path) -> Iterator[Path]:
    """A directory this user cannot write in: its permissions (0555), or, for root whom they
    do not bind, the immutable attribute (`chattr +i`, on a disk file system: not tmpfs)."""
    folder = tmp_path / "read-only"
    folder.mkdir(mode=0o555)
    if not os.access(folder, os.W_OK):
        yield folder
        folder.chmod(0o755)
        return
    folder = Path(tempfile.mkdtemp(dir="/var/tmp"))
    if subprocess.run(["chattr", "+i", str(folder)], capture_output=True).returncode:
        folder.rmdir()
        pytest.skip("no directory this user cannot write (root, without chattr)")
    try:
        yield folder
    finally:
        subprocess.run(["chattr", "-i", str(folder)], check=True)
        folder.rmdir()


@pytest.mark.parametrize("below", [False, True], ids=["it", "below-it"])
def test_a_directory_that_cannot_be_written_is_refused_before_anything_is_read(
    sandbox_env: dict[str, str], sandbox: Sandbox, unwritable: Path, below: bool
) -> None:
    """Said at once, not after every workload was read (a minute when a deploy is waited
    for): the profiles directory, or the one it would be created in."""
    with pytest.raises(UsageError) as refused:
        init(unwritable / "profiles" if below else unwritable)
    profile = unwritable / "profiles" / "staging.yaml" if below else unwritable / "staging.yaml"
    assert refused.value.message == (
        f"cannot write {profile}: {unwritable}/ is not writable by this user; nothing was written"
    )
    assert refused.value.hint == "make it writable, or write the profile elsewhere: --profiles DIR"
    assert list(unwritable.iterdir()) == []
    assert sandbox.call_counts() == {}


def test_the_cli_names_where_the_directory_was_set(sandbox: Sandbox, tmp_path: Path) -> None:
    done = drift(
        "init", "staging", "--from-live", *PLACE, cwd=tmp_path,
        env={**sandbox.environ(), "DRIFT_PROFILES_DIR": "deploy/profiles"},
    )  # fmt: skip
    assert done.returncode == 2, done.stderr
    assert done.stderr.startswith(
        "drift: error: cannot write deploy/profiles/staging.yaml: deploy/ does not exist; init "
        "creates the profiles directory deploy/profiles (DRIFT_PROFILES_DIR) itself"
    ), done.stderr
    assert (
        "\n  hint: check the path for a typo; if it is meant, create them first: mkdir -p deploy\n"
        in (done.stderr)
    )
    assert list(tmp_path.iterdir()) == [] and done.stdout == ""


def test_a_profile_that_cannot_be_written_leaves_no_directory(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A full disk (here: every file capped at 64 bytes) as init writes the profile: nothing
    was written, and the directory it had made for it is gone again."""
    done = capped(sandbox, tmp_path, 64, "--profiles", "new")
    assert done.returncode == 2, done.stderr
    assert done.stderr == (
        f"drift: error: cannot write new/staging.yaml: {os.strerror(errno.EFBIG)}; nothing "
        "was written\n"
    )
    assert list(tmp_path.iterdir()) == []


def test_a_schema_that_cannot_be_written_is_a_note_and_the_profile_stands(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The profile fits, the JSON Schema (~80 KB) does not: the profile is written (exit 0),
    the note names the schema and the command that writes it once there is room."""
    done = capped(sandbox, tmp_path, 16384)
    assert done.returncode == 0, done.stderr
    assert done.stdout.splitlines()[0] == "created profiles/ (it did not exist)"
    assert (
        f"note: cannot write profiles/profile.schema.json: {os.strerror(errno.EFBIG)}, which "
        "the $schema line names: `drift profiles schema > profiles/profile.schema.json` "
        "writes it"
    ) in done.stdout
    assert sorted(p.name for p in (tmp_path / "profiles").iterdir()) == ["staging.yaml"]


def test_ctrl_c_once_the_profile_is_written_names_the_directory_made_for_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The profiles directory init made is on disk with the profile: said with it."""
    from tests.cli.test_init_interrupted import AFTER_THE_WRITE, _init

    profiles = tmp_path / "new"
    code, stderr = _init(sandbox, AFTER_THE_WRITE, profiles)
    assert code == 3, stderr
    assert stderr.splitlines() == [
        f"drift: error: interrupted: {profiles}/staging.yaml and {profiles}/profile.schema.json "
        f"were written before it stopped (its summary was not shown); {profiles}/ was created"
    ]


@pytest.mark.parametrize("force", [False, True])
@pytest.mark.parametrize("thing", ["directory", "link into nowhere"])
def test_what_cannot_be_written_over_is_refused_before_anything_is_read(
    sandbox_env: dict[str, str], sandbox: Sandbox, tmp_path: Path, thing: str, force: bool
) -> None:
    """`profiles/staging.yaml/` (a directory), or a link whose directory does not exist (a
    repository not checked out): said as what it is at once, not as `Is a directory` or `No
    such file or directory` once every workload was read; --force changes nothing."""
    profile = tmp_path / "staging.yaml"
    if thing == "directory":
        profile.mkdir()
        said = f"{profile} is a directory, not a profile; nothing was written"
    else:
        profile.symlink_to(Path("..") / "shared" / "staging.yaml")
        said = (
            f"cannot write {profile}: it is a link to ../shared/staging.yaml, whose directory "
            "does not exist; nothing was written"
        )
    settings = load_settings(profiles_dir=tmp_path, project=PROJECT, region=REGION)
    with pytest.raises(UsageError) as refused:
        asyncio.run(init_from_live("staging", settings, services=["api"], force=force))
    assert refused.value.message == said
    assert sandbox.call_counts() == {}
    assert [p.name for p in tmp_path.iterdir()] == ["staging.yaml"]
    assert not (tmp_path.parent / "shared").exists()
