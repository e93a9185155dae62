"""A baseline a newer drift wrote may hold a `kind` or `severity` this drift does not know
(`drift.report/v1` grows by adding). It is refused (exit 2, as before: shown under a value this
drift knows, its finding would be told otherwise than it is; `drift.newer_values`), saying so —
where, which value, and what to do — not "is not a drift.report/v1 report", which it is."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.baseline import parse_baseline
from drift.errors import UsageError
from drift.sandbox import Sandbox
from tests.cliutil import drift

FINDING = {
    "id": "0123456789abcdef",
    "rule": "env.missing",
    "severity": "error",
    "service": "api",
    "revision": None,
    "target": "env.X",
    "message": "X is missing",
    "expected": "1",
    "actual": None,
    "location": None,
}


def report(*findings: dict[str, Any], **more: Any) -> bytes:
    head = {"schema": "drift.report/v1", "environment": "staging", "project": "p"}
    return json.dumps({**head, "region": "r", "findings": list(findings), **more}).encode()


@pytest.mark.parametrize(
    ("doc", "said"),
    [
        (report(FINDING, FINDING | {"kind": "function"}), 'findings[1].kind: "function" is a kind'),
        (report(FINDING | {"severity": "critical"}), 'findings[0].severity: "critical" is a '),
        (
            report(unchecked=[{"finding": FINDING | {"kind": "function"}, "reason": "r"}]),
            'unchecked[0].finding.kind: "function" is a kind',
        ),
        (
            report(unverified=[{"service": "a", "target": "t", "kind": "function"}]),
            'unverified[0].kind: "function" is a kind',
        ),
    ],
    ids=["kind", "severity", "unchecked", "unverified"],
)
def test_a_value_of_a_newer_drift_is_said_as_that(doc: bytes, said: str) -> None:
    with pytest.raises(UsageError) as caught:
        parse_baseline("last.json", doc)
    message = caught.value.message
    assert message.startswith(f"the baseline last.json: {said}"), message
    assert "this drift does not know" in message and "written by a newer drift" in message
    assert "not a drift.report/v1 report" not in message
    assert "upgrade drift" in (caught.value.hint or "")


def test_a_value_not_spelled_as_a_newer_drift_would_is_not_quoted() -> None:
    doc = report(FINDING | {"severity": "::error::x\n%0A"})
    with pytest.raises(UsageError) as caught:
        parse_baseline("last.json", doc)
    assert "findings[0].severity: a value is a severity" in caught.value.message
    assert "::error" not in caught.value.message


def test_another_fault_beside_it_is_still_not_a_report() -> None:
    doc = report(FINDING | {"kind": "function", "id": "x"})
    with pytest.raises(UsageError, match=r"is not a drift\.report/v1 report: findings\[0\]\.id"):
        parse_baseline("last.json", doc)


@pytest.mark.sandbox
def test_check_refuses_it_with_exit_2_naming_the_file(sandbox: Sandbox, tmp_path: Path) -> None:
    env, last = sandbox.environ(), tmp_path / "last.json"
    assert drift("check", "staging", "--json", str(last), "--quiet", env=env).returncode == 1
    data = json.loads(last.read_text())
    data["findings"][0]["severity"] = "critical"
    last.write_text(json.dumps(data))
    done = drift("check", "staging", "--baseline", str(last), env=env)
    assert done.returncode == 2, done.stderr
    assert f"the baseline {last}: findings[0].severity: " in done.stderr
    assert "a newer drift" in done.stderr and "Traceback" not in done.stderr
