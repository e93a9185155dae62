"""A secret's value shown `***` that a new version replaced with another value failing the
same way (revbase92 L1): a plain variable's would be `updated` (its `actual` differs), and a
deploy that changes a masked variable is (revbase92 F2); a new version is no deploy, and the
finding records neither the version it read nor anything else that tells the values apart."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.baseline.test_what_fails import SHORT, _add_version
from tests.cliutil import drift
from tests.profilecopy import DATABASE_URL, staging_with


@pytest.mark.sandbox
@pytest.mark.xfail(
    strict=True,
    reason="drift/diff/env.py (not this area): env.constraint on a variable whose value comes "
    "from a secret should record the version it read in `failed` (`version N`, as the secret "
    "state findings do), so that another version failing alike is `updated`",
)
def test_another_version_failing_alike_is_updated(sandbox: Sandbox, tmp_path: Path) -> None:
    root = staging_with(
        tmp_path, DATABASE_URL, "DATABASE_URL: {secret: database-url-staging, min_length: 80}"
    )
    last = tmp_path / "last.json"

    def check(*args: str) -> Any:
        return drift("check", "staging", "--profiles", str(root), *args, env=sandbox.environ())

    first = check("--format", "json", "--output", str(last))
    assert first.returncode == 1, first.stderr
    (before,) = [
        f for f in json.loads(last.read_text())["findings"] if f["rule"] == "env.constraint"
    ]
    assert SHORT in before["message"] and before["actual"] == "***"
    _add_version(sandbox, "database-url-staging", b"postgresql://other:pw-1a2b3c4d@10.9.9.9/x")
    now = check("--format", "json", "--baseline", str(last), "--fail-on-new")
    (got,) = [f for f in json.loads(now.stdout)["findings"] if f["rule"] == "env.constraint"]
    assert SHORT in got["message"] and got["actual"] == "***", got
    assert got["baseline"] == "updated", got
