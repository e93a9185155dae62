"""`same_as` whose other workload is in the profile, is read and serves, but does not set the
variable. Its own `env.missing` says so only when it is checked and its rule requires the
variable; otherwise this side says it: unverified when that workload is not checked
(`--service api`: `drift.diff.same_as.uncompared`), `env.inconsistent` when its profile lets
the variable be absent there and this side sets it (`same_as_findings`: the two cannot hold
one value). Never clean (SPEC: incomplete never looks clean)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.check import CheckResult
from tests.conftest import MakeSandbox
from tests.test_check_never_clean import SAME_AS
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
REQUIRED_THERE = SAME_AS
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


def _api(result: CheckResult) -> tuple[set[tuple[str, str]], set[str]]:
    report = result.report
    found = {(f.rule, f.target) for f in report.findings if f.service == "api"}
    return found, {u.target for u in report.unverified if u.service == "api"}


def test_only_api_checked_while_auth_lacks_the_variable(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, REQUIRED_THERE, "api")
    # auth is not checked: its env.missing is not reported; api's same_as compared nothing
    found, unverified = _api(result)
    assert "env.SHARED_TENANT" in unverified, result.report
    assert not found
    assert result.report.exit_code == 3


def test_auth_checked_and_its_variable_optional(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, OPTIONAL_THERE)
    # auth may lack it, api sets it: the two cannot hold one value
    found, unverified = _api(result)
    assert ("env.inconsistent", "env.SHARED_TENANT") in found, result.report
    assert result.report.exit_code == 1


def test_both_checked_and_the_variable_required_there(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    result = check_profile(make_sandbox, monkeypatch, tmp_path, WORLD, REQUIRED_THERE)
    # auth's own env.missing says it, once: api's same_as adds nothing
    missing = {(f.service, f.rule, f.target) for f in result.report.findings}
    assert ("auth", "env.missing", "env.SHARED_TENANT") in missing
    assert _api(result) == (set(), set())
    assert result.report.exit_code == 1
