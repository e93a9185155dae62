"""What a profile author wrote that drift cannot take is said as they would fix it
(helper-527 F8): an unquoted project number is to be quoted, not "expected a string"; an
`extends` that is a path is not a profile of this directory, though a file is there; an empty
one names nothing."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import validate_directory

REST = "region: us-central1\nservices:\n  api:\n    env: {A: x}\n"


def _problems(directory: Path, text: str) -> list[str]:
    directory.mkdir(exist_ok=True)
    (directory / "staging.yaml").write_text(text)
    _, problems = validate_directory(directory)
    return [str(p) for p in problems]


def test_an_unquoted_project_number_is_to_be_quoted(tmp_path: Path) -> None:
    (said,) = _problems(tmp_path / "p", "project: 123456789012\n" + REST)
    assert said.endswith(
        "staging.yaml:1: project: expected a string, not 123456789012: a project number is "
        "written in quotes, '123456789012'"
    ), said


@pytest.mark.parametrize("target", ["../shared/base", "/etc/base", "shared\\\\base"])
def test_extends_a_path_says_extends_takes_a_profiles_name(tmp_path: Path, target: str) -> None:
    (tmp_path / "shared").mkdir()
    (tmp_path / "shared" / "base.yaml").write_text("region: us-central1\n")  # it is there
    said = _problems(tmp_path / "p", f"project: acme\nextends: '{target}'\n" + REST)
    assert any(
        ":2: extends " in s
        and "extends names a profile of this directory" in s
        and "by its environment, not a path (available: staging)" in s
        for s in said
    ), said
    assert not any("no ../" in s for s in said), said


def test_an_empty_extends_names_nothing(tmp_path: Path) -> None:
    said = _problems(tmp_path / "p", "project: acme\nextends: ''\n" + REST)
    assert any(":2: extends '': an empty name: name the profile it extends" in s for s in said)
    assert not any("no .yaml" in s for s in said), said


@pytest.mark.parametrize("rule", ["{written}", "{{value: {written}}}"], ids=["plain", "value"])
def test_a_password_written_as_a_yaml_number_is_refused_without_being_shown(
    tmp_path: Path, rule: str
) -> None:
    """`DB_PASSWORD: 0o1234567` (a PIN YAML reads as an octal number): to be quoted, said at
    its line without the value, as a finding never shows it; another variable's says what it
    reads (helper-527, the YAML 1.1 hint)."""
    env = f"      DB_PASSWORD: {rule.format(written='0o1234567')}\n      B: 01234\n"
    text = "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n" + env
    said = _problems(tmp_path / "p", text)
    assert said == [
        f"{tmp_path / 'p' / 'staging.yaml'}:6: write this variable's value in quotes: as a YAML "
        "number it reads otherwise than written",
        f"{tmp_path / 'p' / 'staging.yaml'}:7: write 01234 in quotes: as a YAML number it reads "
        "1234",
    ], said
    assert not any("1234567" in s or "342391" in s for s in said)


def test_a_region_a_null_deleted_is_said_at_the_null(tmp_path: Path) -> None:
    """`region: null` in a profile extending one that sets it: "region is not set" at the
    null's line, not at line 1 of the file (helper-527 F8)."""
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "base.yaml").write_text("project: acme\n" + REST)
    (directory / "e2e.yaml").write_text("extends: base\nproject: acme\nregion: null\n")
    _, problems = validate_directory(directory)
    said = [str(p) for p in problems]
    assert said == [
        f"{directory / 'e2e.yaml'}:3: region is not set (here or in a profile it extends); set "
        "it here, or give --region or DRIFT_REGION (`region:` is null here: a null deletes)"
    ], said


def test_extends_a_misspelt_profile_suggests_the_one_meant(tmp_path: Path) -> None:
    directory = tmp_path / "p"
    directory.mkdir()
    (directory / "base.yaml").write_text("project: acme\n" + REST)
    (directory / "staging.yaml").write_text("extends: bse\nproject: acme\n")
    _, problems = validate_directory(directory)
    assert [str(p) for p in problems] == [
        f"{directory / 'staging.yaml'}:1: extends 'bse': no bse.yaml in {directory} (available: "
        "base, staging; did you mean base?)"
    ]


def test_a_value_out_of_its_choices_or_bounds_is_said_in_the_profiles_words(
    tmp_path: Path,
) -> None:
    """pydantic's "Input should be 'ignore', 'warn' or 'error'" and "Input should be greater
    than or equal to 0" named neither the value given nor, in a profile's words, what to
    write (helper-527 F8)."""
    text = (
        "project: acme\nregion: us-central1\nservices:\n  api:\n    unexpected_env: loud\n"
        "    env:\n      A: {min_length: -1}\n"
    )
    said = _problems(tmp_path / "p", text)
    where = tmp_path / "p" / "staging.yaml"
    assert said == [
        f"{where}:5: services.api.unexpected_env: expected 'ignore', 'warn' or 'error', not 'loud'",
        f"{where}:7: services.api.env.A.min_length: expected at least 0, not -1",
    ], said
