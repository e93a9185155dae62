"""A compared secret value missing from what was read, with nothing saying why, is not verified.

revsecret90 F1 was one path to it (a value read that was never made: the check clean while
a `min_length` went unjudged). The backstop (`drift.diff.unread_values`) holds for any other:
here the value read is dropped on purpose, and the check must not be clean."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.check import run_check
from drift.live.secrets import SecretReads
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.live.test_value_reads_beside_iam import PROFILE, _world


def _check(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Report:
    """`api`'s min_length on jwt (a value too short) checked against the sandbox."""
    sandbox = make_sandbox(_world())
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    return asyncio.run(run_check(load_profile(tmp_path, "prod"), load_settings())).report


def test_a_compared_value_never_read_is_not_verified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setattr(SecretReads, "read_value", lambda self, ref, service=None: None)
    report = _check(make_sandbox, monkeypatch, tmp_path)
    gaps = [(u.service, u.target) for u in report.unverified]
    assert ("api", "env.JWT") in gaps, report.unverified
    assert report.exit_code == 3
    assert not any(f.rule == "env.constraint" for f in report.findings)


def test_a_value_read_is_judged_and_no_gap_is_said(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    report = _check(make_sandbox, monkeypatch, tmp_path)
    assert report.unverified == ()
    assert [f.rule for f in report.findings if f.service == "api"] == ["env.constraint"]
