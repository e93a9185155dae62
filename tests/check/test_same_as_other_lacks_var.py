"""revreadcode F3: `same_as` whose other workload is in the profile, is read and serves, but
does not set the variable: `drift.diff.same_as.uncompared` skips it because the other
workload is in the profile ("its own env.missing says so"), and `same_as_findings` skips a
revision whose other variable is None. Nothing says so when that workload is not checked
(`--service api`), nor when its profile entry makes the variable optional: the comparison was
not made and the check reads clean (SPEC: incomplete never looks clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile

WORLD = {
    "projects": {
        "p": {
            "number": 5,
            "services": {
                "auth": {"template": {"image": "x/auth:1", "env": {"OTHER": "x"}}},
                "api": {"template": {"image": "x/api:1", "env": {"SHARED_TENANT": "tenant-b"}}},
            },
        }
    }
}
REQUIRED_THERE = """project: p
region: us-central1
services:
  auth:
    env:
      SHARED_TENANT: {required: true}
  api:
    env:
      SHARED_TENANT: {same_as: auth.SHARED_TENANT}
"""
OPTIONAL_THERE = """project: p
region: us-central1
services:
  auth:
    env:
      SHARED_TENANT: {optional: true}
  api:
    env:
      SHARED_TENANT: {same_as: auth.SHARED_TENANT}
"""


def _said(result: object) -> set[tuple[str, str]]:
    report = result.report  # type: ignore[attr-defined]
    found = {(f.service, f.target) for f in report.findings if f.service == "api"}
    return found | {(u.service, u.target) for u in report.unverified}


def test_only_api_checked_while_auth_lacks_the_variable(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, REQUIRED_THERE, "api")
    # auth is not checked: its env.missing is not reported; api's same_as compared nothing
    assert ("api", "env.SHARED_TENANT") in _said(result), result.report
    assert result.report.exit_code != 0


def test_auth_checked_and_its_variable_optional(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, OPTIONAL_THERE)
    assert ("api", "env.SHARED_TENANT") in _said(result), result.report
    assert result.report.exit_code != 0
