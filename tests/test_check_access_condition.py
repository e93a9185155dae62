"""A `resource.name` condition is judged on the project-number form only: IAM names Secret
Manager versions `projects/PROJECT_NUMBER/secrets/SECRET/versions/VERSION`
(cloud.google.com/iam/docs/conditions-resource-attributes#resource-name). One written with the
project id grants nothing (no access, never clean); when the number is unknown the grant is
unverified."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, run, world


def conditional(prefix: str) -> list[dict[str, Any]]:
    expression = f'resource.name.startsWith("{prefix}")'
    return [{"role": ACCESSOR, "members": [SA], "condition": {"expression": expression}}]


def test_a_condition_by_project_id_grants_nothing(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, rules, access = run(
        make_sandbox, monkeypatch, tmp_path, world({}, conditional("projects/p/secrets/"))
    )
    assert "secret.no_access" in rules and not access, (rules, access)
    (tmp_path / "n").mkdir()
    result, rules, access = run(
        make_sandbox, monkeypatch, tmp_path / "n", world({}, conditional("projects/5/secrets/"))
    )
    assert "secret.no_access" not in rules and not access, (rules, access)


def test_a_condition_when_the_project_number_is_unknown_is_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result, rules, access = run(
        make_sandbox,
        monkeypatch,
        tmp_path,
        world(conditional("projects/5/secrets/")),
        Fault("GetProject", "PERMISSION_DENIED"),
    )
    assert "secret.no_access" not in rules
    (unverified,) = access
    assert "the project number IAM names it by is unknown" in unverified.reason
