"""An empty `DRIFT_PROJECT`, `DRIFT_REGION` or `DRIFT_IMPERSONATE_SERVICE_ACCOUNT` (a CI
workflow's `${{ vars.X }}` with X undefined), the key of `[tool.drift]` left empty, or the
option given as "", is refused where it came from (exit 2). It once replaced `[tool.drift]`'s
value: the configured impersonation was dropped without a word (drift called the APIs, `fix`
wrote, as the runner's own, often broader, credentials; revinit86 F1); then it was read as
not given, and the next source's value stood as silently: the profile's project was checked
where the step meant another (helper-810)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from drift.errors import UsageError
from drift.settings import load_settings, source_of

READER = "drift-reader@acme-ops.iam.gserviceaccount.com"


@pytest.fixture
def configured(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.chdir(tmp_path)
    for key in [k for k in os.environ if k.upper().startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    (tmp_path / "pyproject.toml").write_text(
        f'[tool.drift]\nimpersonate_service_account = "{READER}"\n'
        'project = "acme-staging"\nregion = "europe-west1"\n'
    )
    return tmp_path


NAMES = {"project": "project", "region": "region", "impersonate_service_account": "service account"}
LINES = {"impersonate_service_account": 2, "project": 3, "region": 4}


@pytest.mark.parametrize("key", NAMES)
def test_an_empty_variable_is_refused_naming_it(
    configured: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Not passed over for `[tool.drift]`'s (nor, before revinit86 F1, in its place): the step
    meant a value it did not get (helper-810)."""
    monkeypatch.setenv(f"DRIFT_{key.upper()}", "")
    with pytest.raises(UsageError) as caught:
        load_settings()
    assert caught.value.message == (
        f"invalid configuration: DRIFT_{key.upper()} is empty: it names no {NAMES[key]}"
    )
    assert (caught.value.hint or "").startswith("unset it for "), caught.value.hint


@pytest.mark.parametrize("key", NAMES)
def test_an_empty_key_of_tool_drift_is_refused_at_its_line(configured: Path, key: str) -> None:
    toml = configured / "pyproject.toml"
    toml.write_text(toml.read_text().replace(f'{key} = "', f'{key} = "" # "'))
    with pytest.raises(UsageError) as caught:
        load_settings()
    assert caught.value.message == (
        f"invalid configuration: {toml}:{LINES[key]}: [tool.drift] {key} is empty: it names no "
        f"{NAMES[key]}"
    )


@pytest.mark.parametrize("key", NAMES)
def test_an_empty_value_given_is_refused_naming_its_option(configured: Path, key: str) -> None:
    """The command line refuses `--project ''` itself (drift.cli.naming); what reaches the
    settings empty from a caller is refused as well, never read as not given."""
    with pytest.raises(UsageError) as caught:
        load_settings(**{key: ""})
    option = "--" + key.replace("_", "-")
    assert caught.value.message.startswith(f"invalid configuration: {option} is empty: ")


@pytest.mark.parametrize("key", NAMES)
def test_an_empty_variable_a_given_value_overrides_is_not_the_one_read(
    configured: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    """Only the value that wins is judged: `--project P` over an empty DRIFT_PROJECT reads P,
    as the option always came first; its source is the option."""
    value = {"project": "acme-prod", "region": "us-east1"}.get(key, READER)
    monkeypatch.setenv(f"DRIFT_{key.upper()}", "")
    assert getattr(load_settings(**{key: value}), key) == value
    assert source_of(key, value) == "--" + key.replace("_", "-")


@pytest.mark.parametrize(
    "value", [" ", f"{READER} ", f"{READER}\n", "drift reader@acme-ops.iam.gserviceaccount.com"]
)
def test_an_account_with_white_space_is_a_usage_error_naming_its_source(
    configured: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Not an account (an email or a unique id has no white space): it failed only at the first
    API call, as that call's refusal."""
    monkeypatch.setenv("DRIFT_IMPERSONATE_SERVICE_ACCOUNT", value)
    with pytest.raises(UsageError) as caught:
        load_settings()
    said = caught.value.message
    assert said.startswith("invalid configuration: DRIFT_IMPERSONATE_SERVICE_ACCOUNT"), said
    assert "has white space in it" in said and "\n" not in said, said
    monkeypatch.setenv("DRIFT_IMPERSONATE_SERVICE_ACCOUNT", READER)  # the same, without
    assert load_settings().impersonate_service_account == READER


# every other setting's value (task 833): it was refused as "not a duration: ''", "expected
# a whole number (e.g. 16), not ''", naming neither an unset variable nor what unset gives
OTHERS = {
    "wait": ("60", "seconds or a duration (60, 60s or 1m)"),
    "call_timeout": ("30", "seconds or a duration (60, 60s or 1m)"),
    "fail_on": ("error", "error, warning or never"),
    "concurrency": ("64", "a whole number (e.g. 16)"),
    "secrets_rpm": ("540", "a whole number (e.g. 16)"),
    "history": ("true", "true or false"),
}


# `[tool.drift] history = ""` is no TOML boolean: refused as the string it is, TOML's types first
PLACES = [
    (key, where)
    for key in OTHERS
    for where in ("variable", "option", "pyproject")
    if (key, where) != ("history", "pyproject")
]


@pytest.mark.parametrize(("key", "where"), PLACES)
def test_any_other_setting_left_empty_is_refused_saying_what_unset_gives(
    configured: Path, monkeypatch: pytest.MonkeyPatch, key: str, where: str
) -> None:
    default, expected = OTHERS[key]
    toml = configured / "pyproject.toml"
    if where == "variable":
        monkeypatch.setenv(f"DRIFT_{key.upper()}", " ")
        source, leave = f"DRIFT_{key.upper()} is empty (an unset variable?)", "unset it for "
    elif where == "option":
        source = "--" + key.replace("_", "-") + " is empty (an unset variable?)"
        leave = f"leave the option out for DRIFT_{key.upper()}'s, "
    else:
        toml.write_text(toml.read_text() + f'{key} = ""\n')
        source, leave = f"{toml}:5: [tool.drift] {key} is empty", "remove the key for "
    with pytest.raises(UsageError) as caught:
        load_settings(**({key: ""} if where == "option" else {}))
    assert caught.value.message == f"invalid configuration: {source}: it sets no value"
    hint = caught.value.hint or ""
    assert hint.startswith(leave) and hint.endswith(f"the default ({default}), or give {expected}")
