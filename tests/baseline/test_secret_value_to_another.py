"""A secret's value shown `***` that a new version replaced with another value failing the
same way (revbase92 L1): a plain variable's would be `updated` (its `actual` differs), and a
deploy that changes a masked variable is (revbase92 F2); a new version is no deploy, and the
finding recorded nothing that told the values apart: it records the version read now."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.baseline.test_what_fails import SHORT, _add_version, short_first
from tests.profilecopy import DATABASE_URL, staging_with


@pytest.mark.sandbox
def test_another_version_failing_alike_is_updated(sandbox: Sandbox, tmp_path: Path) -> None:
    root = staging_with(
        tmp_path, DATABASE_URL, "DATABASE_URL: {secret: database-url-staging, min_length: 80}"
    )
    last = tmp_path / "last.json"
    check, before = short_first(sandbox, root, last)
    _add_version(sandbox, "database-url-staging", b"postgresql://other:pw-1a2b3c4d@10.9.9.9/x")
    now = check("--format", "json", "--baseline", str(last), "--fail-on-new")
    (got,) = [f for f in json.loads(now.stdout)["findings"] if f["rule"] == "env.constraint"]
    assert SHORT in got["message"] and got["actual"] == "***", got
    assert got["baseline"] == "updated", got


def test_an_older_drifts_constraint_naming_no_version_is_still_unchanged() -> None:
    """A baseline written before constraints on a secret named the version read: the same
    failure, now with `version N`, is unchanged, not an alert on the first run after an
    upgrade; a baseline that names one compares it."""
    import dataclasses

    from drift.findings import BaselineState, Finding, Location, Severity
    from drift.same_drift import baseline_state

    failing = ("is shorter than 80 characters",)
    now = Finding(
        id="abc",
        rule="env.constraint",
        severity=Severity.ERROR,
        service="api",
        revision="api-1",
        target="env.DATABASE_URL",
        message="DATABASE_URL on api-1 is shorter than 80 characters",
        expected=None,
        actual="***",
        location=Location("p.yaml", 3),
        failed=(*failing, "version 2"),
    )
    older = dataclasses.replace(now, failed=failing)
    assert baseline_state(now, [older]) is BaselineState.UNCHANGED
    named = dataclasses.replace(now, failed=(*failing, "version 1"))
    assert baseline_state(now, [named]) is BaselineState.UPDATED
    assert baseline_state(now, [now]) is BaselineState.UNCHANGED
