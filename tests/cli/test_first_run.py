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
