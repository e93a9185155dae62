"""An empty `DRIFT_PROJECT`, `DRIFT_REGION` or `DRIFT_IMPERSONATE_SERVICE_ACCOUNT` (a CI
workflow's `${{ vars.X }}` with X undefined), or the option given as "", is not given: the
next source's value stands, as `source_of` names it. Before, the empty value replaced
`[tool.drift]`'s: the configured impersonation was dropped without a word (drift called the
APIs, `fix` wrote, as the runner's own, often broader, credentials) and the profile's project
was read while messages named the pyproject.toml's as the source (revinit86 F1)."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

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


@pytest.mark.parametrize(
    ("key", "expected"),
    [
        ("impersonate_service_account", READER),
        ("project", "acme-staging"),
        ("region", "europe-west1"),
    ],
)
def test_an_empty_variable_leaves_the_pyproject_value(
    configured: Path, monkeypatch: pytest.MonkeyPatch, key: str, expected: str
) -> None:
    monkeypatch.setenv(f"DRIFT_{key.upper()}", "")
    settings = load_settings()
    assert getattr(settings, key) == expected
    line = {"impersonate_service_account": 2, "project": 3, "region": 4}[key]
    assert source_of(key) == f"{configured / 'pyproject.toml'}:{line}: [tool.drift] {key}"
    if key == "impersonate_service_account":
        assert settings.access().impersonate == READER


@pytest.mark.parametrize("key", ["impersonate_service_account", "project", "region"])
def test_an_empty_option_leaves_the_next_source(
    configured: Path, monkeypatch: pytest.MonkeyPatch, key: str
) -> None:
    monkeypatch.setenv(f"DRIFT_{key.upper()}", "from-env" if key != "region" else "us-east1")
    settings = load_settings(**{key: ""})
    assert getattr(settings, key) == os.environ[f"DRIFT_{key.upper()}"]


@pytest.mark.parametrize(
    "value", [" ", f"{READER} ", f"{READER}\n", "drift reader@acme-ops.iam.gserviceaccount.com"]
)
def test_an_account_with_white_space_is_a_usage_error_naming_its_source(
    configured: Path, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """Not an account (an email or a unique id has no white space): it failed only at the first
    API call, as that call's refusal."""
    from drift.errors import UsageError

    monkeypatch.setenv("DRIFT_IMPERSONATE_SERVICE_ACCOUNT", value)
    with pytest.raises(UsageError) as caught:
        load_settings()
    said = caught.value.message
    assert said.startswith("invalid configuration: DRIFT_IMPERSONATE_SERVICE_ACCOUNT"), said
    assert "has white space in it" in said and "\n" not in said, said
    monkeypatch.setenv("DRIFT_IMPERSONATE_SERVICE_ACCOUNT", READER)  # the same, without
    assert load_settings().impersonate_service_account == READER
