"""A new team's first command in its repository, before any profile exists: one error naming
what is missing, and the next step (write a first profile with `drift init ENV --from-live`, or
name where the profiles are: --profiles DIR, DRIFT_PROFILES_DIR, [tool.drift] profiles_dir),
exit 2 (revfirstday 4)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift


@pytest.mark.parametrize(
    "command",
    [("check", "staging"), ("plan", "staging"), ("history", "staging"), ("probe", "staging")],
)
def test_no_profiles_directory_says_what_to_do_next(
    tmp_path: Path, command: tuple[str, ...]
) -> None:
    done = drift(*command, cwd=tmp_path)
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert lines[0] == "drift: error: profiles directory not found: profiles", done.stderr
    hint = " ".join(lines[1:])
    assert "drift init staging --from-live --project PROJECT --region REGION" in hint
    assert "--profiles DIR" in hint and "DRIFT_PROFILES_DIR" in hint
    assert "Traceback" not in done.stderr


def test_a_file_named_as_the_profiles_directory_is_said_so(tmp_path: Path) -> None:
    """revinput60 F4: "profiles directory not found" and the `drift init` hint, for a file."""
    from drift.errors import UsageError
    from drift.profiles.loader import load_profile

    named = tmp_path / "profiles.yaml"
    named.write_text("project: p\n")
    with pytest.raises(UsageError) as caught:
        load_profile(named, "staging")
    assert str(caught.value) == f"the profiles directory {named} is not a directory"
    assert "drift init" not in str(caught.value.hint) and "--profiles DIR" in str(caught.value.hint)


def test_below_the_profiles_the_hint_says_where_they_are(tmp_path: Path) -> None:
    """helper-602 F4: from a subdirectory with no pyproject.toml, or from inside `profiles/`,
    the hint said to `drift init` again, which wrote a second profile tree there."""
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text("project: p\n")
    deep = tmp_path / "src" / "app"
    deep.mkdir(parents=True)
    done = drift("check", "staging", cwd=deep)
    assert done.returncode == 2
    hint = " ".join(done.stderr.strip().splitlines()[1:])
    assert "drift init" not in hint, done.stderr
    assert f"the profiles are in ../../profiles: run drift from {tmp_path}" in hint, done.stderr
    inside = drift("check", "staging", cwd=tmp_path / "profiles")
    assert inside.returncode == 2 and "drift init" not in inside.stderr
    assert "the working directory is the profiles directory" in inside.stderr, inside.stderr
    # another environment's profile only: a first profile of this one is the next step
    other = drift("check", "prod", cwd=deep)
    assert "drift init prod --from-live" in other.stderr, other.stderr


def test_the_search_stops_at_the_repository_and_skips_other_yaml(tmp_path: Path) -> None:
    """helper-606 F4: a Knative `staging.yaml` in `deploy/` was taken for a profile ("pass
    --profiles ."), and the search went on past the repository's root to another project's
    profiles."""
    (tmp_path / "profiles").mkdir()  # another project's, above the repository
    (tmp_path / "profiles" / "staging.yaml").write_text("project: p\n")
    repo = tmp_path / "repo"
    (repo / ".git").mkdir(parents=True)
    deploy = repo / "deploy"
    deploy.mkdir()
    (deploy / "staging.yaml").write_text("apiVersion: serving.knative.dev/v1\n")
    done = drift("check", "staging", cwd=deploy)
    assert done.returncode == 2
    assert "working directory" not in done.stderr and str(tmp_path / "profiles") not in done.stderr
    assert "../profiles" not in done.stderr
    assert "drift init staging --from-live" in done.stderr, done.stderr


@pytest.mark.parametrize("how", ["variable", "pyproject", "option"])
def test_a_missing_profiles_directory_names_the_setting_that_chose_it(
    tmp_path: Path, how: str
) -> None:
    """helper-602 F5: a stray DRIFT_PROFILES_DIR in a shell, or a pyproject.toml further up,
    is the usual cause, and the message listed all three sources instead of the one in force
    (as `project` and `region` already say `(set by …)`)."""
    env: dict[str, str] = {}
    args: tuple[str, ...] = ()
    if how == "variable":
        env["DRIFT_PROFILES_DIR"] = "nope"
        said = "(set by DRIFT_PROFILES_DIR)"
    elif how == "pyproject":
        (tmp_path / "pyproject.toml").write_text('[tool.drift]\nprofiles_dir = "nope"\n')
        said = f"(set by {tmp_path / 'pyproject.toml'}:2: [tool.drift] profiles_dir)"
    else:
        args = ("--profiles", "nope")
        said = "(set by --profiles)"
    done = drift("check", "staging", *args, env=env, cwd=tmp_path)
    assert done.returncode == 2
    first = done.stderr.splitlines()[0]
    assert first == f"drift: error: profiles directory not found: nope {said}", done.stderr
