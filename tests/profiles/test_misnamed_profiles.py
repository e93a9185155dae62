"""A file that looks like a profile but is not read as one (`staging.yml`, `staging.YAML`,
`my env.yaml`): `drift check staging` said only "profiles/staging.yaml does not exist" and
`drift profiles validate` passed over it in silence (revout84), so a team that wrote
`staging.yml` saw their profile "valid" without it ever being read. Now the file is named with
what to do; validate says it as a note (the directory may be a repository's root, whose other
YAML files are none of drift's)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift

STAGING = "project: acme-chat-staging\nregion: us-central1\nservices: {web: {}}\n"


@pytest.fixture
def profiles(tmp_path: Path) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(STAGING)
    return folder


@pytest.mark.parametrize("name", ["staging.yml", "staging.YAML"])
def test_check_names_the_file_that_is_not_read(profiles: Path, name: str) -> None:
    (profiles / name).write_text(STAGING)
    done = drift("check", "staging", "--profiles", "profiles", cwd=profiles.parent)
    assert done.returncode == 2, done.stderr
    assert done.stderr.splitlines() == [
        "drift: error: no profile for environment 'staging': profiles/staging.yaml does not "
        "exist (available: prod)",
        f"  hint: profiles/{name} is not read: a profile is named ENV.yaml; rename it to "
        "staging.yaml",
    ]


def test_validate_notes_each_file_it_does_not_read(profiles: Path) -> None:
    (profiles / "staging.yml").write_text(STAGING)
    (profiles / "my env.yaml").write_text(STAGING)
    (profiles / ".pre-commit-config.yaml").write_text("repos: []\n")  # hidden: none of drift's
    (profiles / "charts.yml").mkdir()  # a directory: not a file
    (profiles / "notes.txt").write_text("")
    done = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert done.returncode == 0, done.stderr  # said, not an error
    assert done.stdout == "1 profile valid: prod\n"
    assert done.stderr.splitlines() == [
        "profiles/my env.yaml:1: note: not read as a profile: a profile is named ENV.yaml; name "
        "it ENV.yaml, ENV being the environment's name (letters, digits, '_', '.' and '-', "
        "starting with a letter or digit)",
        "profiles/staging.yml:1: note: not read as a profile: a profile is named ENV.yaml; "
        "rename it to staging.yaml",
    ]
    github = drift("profiles", "validate", "profiles", "--format", "github", cwd=profiles.parent)
    assert github.returncode == 0, github.stderr
    assert (
        "::notice file=profiles/staging.yml,line=1,title=drift profile::not read as a profile"
        in github.stdout
    )


def test_an_extends_of_a_misnamed_base_names_it(profiles: Path) -> None:
    (profiles / "base.yml").write_text("services: {web: {}}\n")
    (profiles / "prod.yaml").write_text(f"extends: base\n{STAGING}")
    done = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert done.returncode == 2
    assert (
        "profiles/prod.yaml:1: extends 'base': no base.yaml in profiles (available: prod; "
        "profiles/base.yml is not read: a profile is named ENV.yaml; rename it to base.yaml)"
    ) in done.stderr.splitlines()


def test_validate_notes_a_directory_named_as_a_profile(profiles: Path) -> None:
    """helper-602 F8: a directory `e2e.yaml` was passed over in silence ("1 profile valid:
    prod"), and alone "no profiles (*.yaml)" beside a `staging.yaml` it did not read."""
    (profiles / "e2e.yaml").mkdir()
    done = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert done.returncode == 0, done.stderr
    assert done.stderr.splitlines() == [
        "profiles/e2e.yaml:1: note: not read as a profile: it is a directory, not a profile file"
    ]
    (profiles / "prod.yaml").unlink()
    alone = drift("profiles", "validate", "profiles", cwd=profiles.parent)
    assert alone.returncode == 2
    assert "profiles/e2e.yaml:1: note: not read as a profile: it is a directory" in alone.stderr
