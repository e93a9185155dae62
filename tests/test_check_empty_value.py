"""An empty value is present (helper-537 F3): `{required: true}` is met by `JWT=` (a deploy's
`--set-env-vars JWT=$JWT` with JWT unset in its shell), and `min_length: 1` is the rule that
wants a value, as the README says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile, found

WORLD = {"projects": {"p": {"number": 5, "services": {"api": {"template": {
    "image": "x/api:1", "port": 8080, "env": {"JWT": ""}}}}}}}  # fmt: skip


@pytest.mark.parametrize(
    ("rule", "said"),
    [("{required: true}", set()), ("{required: true, min_length: 1}", {"env.constraint"})],
)
def test_an_empty_value_is_present_and_min_length_wants_one(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    rule: str,
    said: set[str],
) -> None:
    profile = f"project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      JWT: {rule}\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, profile)
    assert {r for r, _ in found(result, "api")} == said
    assert result.report.exit_code == (1 if said else 0)
