"""A profile name that is not a regular file — a symbolic link loop (`ln -s old.yaml
old.yaml`, a half-done `git mv`), a directory, a named pipe, a broken link — is one message
naming it and exit 2: never an "internal error" (a loop made `Path.resolve()` raise), never
"does not exist" for what is there, and a directory is not offered as an environment."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from tests.cliutil import drift

STAGING = "project: acme-chat-staging\nregion: us-central1\nservices: {web: {}}\n"


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "staging.yaml").write_text(STAGING)
    return folder


@pytest.mark.parametrize(
    ("args", "said"),
    [
        (
            ("profiles", "validate", "profiles"),
            "profiles/old.yaml:1: cannot read: it is a symbolic link loop",
        ),
        (("check", "nope", "--profiles", "profiles"), "profiles/nope.yaml does not exist"),
        (
            ("check", "old", "--profiles", "profiles"),
            "drift: error: no profile for environment 'old': profiles/old.yaml is a symbolic "
            "link loop, not a profile file",
        ),
    ],
    ids=["validate", "check-unknown-env", "check-the-loop"],
)
def test_a_symlink_loop_among_profiles_is_one_message_naming_it(
    profiles: Path, args: tuple[str, ...], said: str
) -> None:
    (profiles / "old.yaml").symlink_to("old.yaml")
    done = drift(*args, cwd=profiles.parent)
    assert done.returncode == 2, done.stderr
    (line,) = done.stderr.splitlines()
    assert said in line, line
    assert "internal error" not in line


def test_a_profile_that_is_a_directory_is_named_as_one(profiles: Path) -> None:
    (profiles / "staging.yaml").unlink()
    (profiles / "staging.yaml").mkdir()
    (profiles / "prod.yaml").write_text(STAGING)
    done = drift("check", "staging", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2
    assert done.stderr == (
        "drift: error: no profile for environment 'staging': profiles/staging.yaml is a "
        "directory, not a profile file\n"
    )
    other = drift("check", "qa", "--profiles", "profiles", cwd=profiles.parent)
    assert other.stderr.endswith("(available: prod)\n"), other.stderr  # never the directory


@pytest.mark.skipif(not hasattr(os, "mkfifo"), reason="no named pipes")
def test_a_profile_that_is_a_named_pipe_is_named_as_one_and_never_waited_on(
    profiles: Path,
) -> None:
    os.mkfifo(profiles / "qa.yaml")
    done = drift("check", "qa", "--profiles", "profiles", cwd=profiles.parent, timeout=30)
    assert done.returncode == 2
    assert "profiles/qa.yaml is a named pipe, not a profile file" in done.stderr


def test_a_broken_link_names_the_link_and_where_it_points(profiles: Path) -> None:
    (profiles / "qa.yaml").symlink_to("renamed.yaml")
    done = drift("check", "qa", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2
    assert "profiles/qa.yaml is a broken link (to 'renamed.yaml')" in done.stderr


@pytest.mark.parametrize(
    ("make", "what"),
    [
        (lambda base: base.symlink_to("base.yaml"), "a symbolic link loop"),
        (lambda base: base.symlink_to("renamed.yaml"), "a broken link (to 'renamed.yaml')"),
        (lambda base: base.mkdir(), "a directory"),
    ],
    ids=["loop", "broken-link", "directory"],
)
def test_a_profile_reached_through_extends_is_named_as_what_it_is(
    profiles: Path, make: object, what: str
) -> None:
    """Reviewer-517 #5: reached through `extends`, the same link loop was "no base.yaml in
    profiles (available: base, staging)": not there, and listed as there, in one line."""
    (profiles / "staging.yaml").write_text("extends: base\n" + STAGING)
    make(profiles / "base.yaml")  # type: ignore[operator]
    done = drift("check", "staging", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines()[0] == (
        f"drift: error: profiles/staging.yaml:1: extends 'base': profiles/base.yaml is {what}, "
        "not a profile file"
    ), done.stderr


def test_validate_names_a_broken_link_and_where_it_points(profiles: Path) -> None:
    """helper-519: `profiles validate` named a broken link by its target, a file that is not
    there ("profiles/nowhere.yaml:1: cannot read: No such file or directory")."""
    (profiles / "qa.yaml").symlink_to("nowhere.yaml")
    done = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert done.returncode == 2, done.stderr
    assert "profiles/qa.yaml:1: cannot read: it is a broken link (to 'nowhere.yaml')" in (
        done.stdout + done.stderr
    )
    assert "nowhere.yaml:1" not in done.stdout + done.stderr


def test_a_profile_that_is_a_link_is_named_as_the_link(profiles: Path) -> None:
    """A finding's file is the profile the user named, not where its link leads (a shared
    profile linked into each repository)."""
    shared = profiles.parent / "shared"
    shared.mkdir()
    (shared / "qa.yaml").write_text("project: p\nregion: us-central1\nservices: {web: {x: 1}}\n")
    (profiles / "qa.yaml").symlink_to(shared / "qa.yaml")
    done = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert done.returncode == 2
    assert "profiles/qa.yaml:3:" in done.stdout + done.stderr, done.stdout + done.stderr
