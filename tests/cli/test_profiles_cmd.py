"""`drift profiles validate` and `drift profiles schema` as a user runs them."""

from __future__ import annotations

import json
from pathlib import Path

from tests.cliutil import REPO, drift


def test_validate_shipped_profiles() -> None:
    done = drift("profiles", "validate", "profiles")
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "3 profiles valid: base, e2e, staging"


def test_validate_reports_every_problem_with_line_and_exit_2(tmp_path: Path) -> None:
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      A: {secert: x}\n"
    )
    done = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.strip() == (
        "profiles/staging.yaml:6: unknown key 'secert' (did you mean 'secret'?) "
        "in services.api.env.A"
    )
    assert "Traceback" not in done.stderr


def test_validate_missing_directory(tmp_path: Path) -> None:
    done = drift("profiles", "validate", "nowhere", cwd=tmp_path)
    assert done.returncode == 2
    first, hint = done.stderr.strip().splitlines()
    assert first == "drift: error: profiles directory not found: nowhere"
    assert "drift init ENV --from-live" in hint and "--profiles DIR" in hint


def test_validate_takes_the_profiles_option_its_hint_names(tmp_path: Path) -> None:
    """revown23 2b: the hint of `profiles validate` with no directory named `--profiles DIR`
    (shared by every command), which validate refused ("No such option"). It takes it, as
    every other command, beside its DIR; two different directories are refused."""
    done = drift("profiles", "validate", cwd=tmp_path)
    assert done.returncode == 2 and "--profiles DIR" in done.stderr
    tried = drift("profiles", "validate", "--profiles", str(REPO / "profiles"), cwd=tmp_path)
    assert tried.returncode == 0, tried.stderr
    both = drift("profiles", "validate", str(REPO / "profiles"), "--profiles", str(tmp_path))
    assert both.returncode == 2 and "two profiles directories" in both.stderr, both.stderr


def test_schema_is_json_schema() -> None:
    done = drift("profiles", "schema")
    schema = json.loads(done.stdout)
    assert schema["$schema"].endswith("2020-12/schema")
    assert "services" in schema["properties"]


def _copy(tmp_path: Path, old: str, new: str) -> Path:
    import shutil

    from tests.cliutil import REPO

    root = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", root)
    text = (root / "staging.yaml").read_text()
    assert old in text
    (root / "staging.yaml").write_text(text.replace(old, new, 1))
    return root


def test_an_error_in_staging_does_not_blame_base_for_having_no_project(tmp_path: Path) -> None:
    """revbaseline 7: one unquoted hex number in staging.yaml, and validate also said
    `base.yaml:1: project is not set` (base, extended by staging, was judged as an
    environment once staging did not load). And every such problem of the file is said, not
    only the first."""
    root = _copy(tmp_path, "CORS_ORIGINS:", "RETRIES: 0x1F\n      DELAY: 0o14\n      CORS_ORIGINS:")
    done = drift("profiles", "validate", str(root))
    assert done.returncode == 2
    lines = done.stderr.strip().splitlines()
    assert [line.split(": ", 1)[1] for line in lines] == [
        "write 0x1F in quotes: as a YAML number it reads 31",
        "write 0o14 in quotes: as a YAML number it reads 12",
    ]
    assert "base.yaml" not in done.stderr


def test_a_syntax_error_in_staging_does_not_blame_base_either(tmp_path: Path) -> None:
    root = _copy(tmp_path, "CORS_ORIGINS:", "RETRIES: [1\n      CORS_ORIGINS:")
    done = drift("profiles", "validate", str(root))
    assert done.returncode == 2
    assert "staging.yaml" in done.stderr and "base.yaml" not in done.stderr, done.stderr


def test_validate_format_github_annotates_each_problem_at_its_line(tmp_path: Path) -> None:
    """`--format github`: an `::error` workflow command at the profile's file and line per
    problem, escaped as `check --format github` escapes (a `%` is `%25`, a line break in a value
    stays visible: no command of its own), at most 10 per level, the rest counted (fixleft3)."""
    (tmp_path / "profiles").mkdir()
    env = "".join(f"      V{i}: {{secert: x}}\n" for i in range(11))
    (tmp_path / "profiles" / "staging.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
        '      B: {secret: "a,b::c%\\n::warning::x"}\n' + env
    )
    done = drift("profiles", "validate", "profiles", "--format", "github", cwd=tmp_path)
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    lines = done.stdout.splitlines()
    commands = [x for x in lines if x.startswith("::")]
    assert len(commands) == 10 and all(x.startswith("::error ") for x in commands), lines
    first = commands[0]
    assert first.startswith("::error file=profiles/staging.yaml,line=6,title=drift profile::")
    assert "%25" in first and "\n" not in first, first
    assert "unknown key 'secert'" in commands[1] and "line=7," in commands[1], commands
    assert lines[-1].startswith("drift: 2 more problems not annotated"), lines
    text = drift("profiles", "validate", "profiles", cwd=tmp_path)
    assert text.returncode == 2 and len(text.stderr.splitlines()) == 12, text.stderr
