"""A boolean written `True`, `TRUE`, `False` or `FALSE` (YAML 1.2 reads them as booleans)
where the profile takes text — a variable's value, a `not`/`one_of` item — is the text
written, never `true`/`false`: `DEBUG: True` (Django's spelling) was drift
from a service running with `DEBUG=True`, and `fix` would have set `true` (revyaml87 F1).
Where the profile takes a boolean (`required: TRUE`, `cpu_throttling: True`) it is one."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.profiles.loader import load_profile, validate_directory
from drift.yamlfile import parse_text
from tests.conftest import MakeSandbox
from tests.profiles.conftest import WriteProfile
from tests.test_check_shapes import check_profile

WORLD = {
    "projects": {
        "p": {
            "number": 5,
            "services": {
                "api": {
                    "template": {
                        "image": "x/api:1",
                        "env": {"DEBUG": "True", "CACHE": "FALSE", "TLS": "False"},
                    }
                }
            },
        }
    }
}
PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      DEBUG: True
      CACHE: {one_of: [TRUE, FALSE], required: TRUE}
      TLS: {value: False, not: [false]}
    unexpected_env: error
"""


def test_a_value_written_true_is_clean_against_a_service_running_with_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, PROFILE)
    assert [(f.rule, f.target) for f in result.report.findings] == []
    assert result.report.exit_code == 0


def test_and_drift_from_a_service_running_with_another_spelling(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    world = {"projects": {"p": {"number": 5, "services": {"api": {"template": {
        "image": "x/api:1", "env": {"DEBUG": "true", "CACHE": "TRUE", "TLS": "False"}
    }}}}}}  # fmt: skip
    result = check_profile(make_sandbox, monkeypatch, tmp_path, world, PROFILE)
    assert [(f.rule, f.target) for f in result.report.findings] == [("env.value", "env.DEBUG")]


def test_the_loaded_profile_keeps_the_text_and_the_booleans(
    write: WriteProfile, profiles_dir: Path
) -> None:
    write("base", "region: us-central1\ndefaults:\n  env:\n    VERBOSE: FALSE\n")
    write(
        "staging",
        PROFILE.replace("region: us-central1\n", "extends: base\n")
        + "    settings:\n      cpu_throttling: True\n      session_affinity: FALSE\n",
    )
    api = load_profile(profiles_dir, "staging").services["api"]
    env = api.env
    assert set(env) == {"DEBUG", "CACHE", "TLS", "VERBOSE"}
    assert env["DEBUG"].value == "True" and env["VERBOSE"].value == "FALSE"
    assert env["CACHE"].one_of == ("TRUE", "FALSE") and not env["CACHE"].optional
    assert env["TLS"].value == "False" and env["TLS"].not_values == ("false",)
    assert {k: s.value for k, s in api.settings.items()} == {
        "cpu_throttling": True,
        "session_affinity": False,
    }
    assert validate_directory(profiles_dir)[1] == []


def test_under_a_yaml_1_1_directive_the_word_written(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """`%YAML 1.1` makes `yes`, `on` and `off` booleans: a value is still the word written."""
    write(
        "staging",
        "%YAML 1.1\n---\n"
        + PROFILE.replace("DEBUG: True", "DEBUG: yes\n      OFF_PEAK: on")
        + "    settings:\n      cpu_throttling: off\n",
    )
    api = load_profile(profiles_dir, "staging").services["api"]
    assert api.env["DEBUG"].value == "yes" and api.env["OFF_PEAK"].value == "on"
    assert api.settings["cpu_throttling"].value is False


def test_a_boolean_where_a_boolean_goes_is_still_refused_as_text(
    write: WriteProfile, profiles_dir: Path
) -> None:
    """A string is still refused where a boolean goes, and a boolean where text alone goes
    (a setting's image) is still said as the boolean it is."""
    write("staging", PROFILE + "    settings:\n      image: True\n      cpu_throttling: 'True'\n")
    problems = [str(p) for p in validate_directory(profiles_dir)[1]]
    assert {p.split(": ")[0] for p in problems} == {
        "profiles/staging.yaml:11",
        "profiles/staging.yaml:12",
    }
    assert not any("'True'" in p for p in problems if ":11:" in p)  # said as the boolean
    assert (
        "profiles/staging.yaml:12: services.api.settings.cpu_throttling: expected a boolean "
        "(true or false), not the string 'True': write it without quotes"
    ) in problems


def test_the_readers_keep_the_spelling_where_an_alias_puts_it() -> None:
    doc = parse_text("a: &x True\nb: *x\nc: [FALSE, false, true]\nTRUE: 1\n", "t.yaml")
    assert doc.data == {"a": True, "b": True, "c": [False, False, True], "true": 1}
    assert doc.spelled == {("a",): "True", ("b",): "True", ("c", 0): "FALSE"}
