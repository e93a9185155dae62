"""A baseline written by a newer drift may hold a finding of a rule this drift does not know
(v1 grows by adding: a rule is a row of `drift.rules`). This drift never looks for it, so it
is not checked again — listed `unchecked` with why, never `resolved`: it was counted "resolved
since the baseline" on a service this run checked, where nothing had looked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox

NEWER = "gizmo.frobbed"


def test_a_finding_of_a_rule_this_drift_does_not_know_is_not_resolved(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    env, last = sandbox.environ(), tmp_path / "last.json"
    assert drift("check", "staging", "--json", str(last), "--quiet", env=env).returncode == 1
    report = json.loads(last.read_text())
    api = next(f for f in report["findings"] if f["service"] == "api" and not f["ignored"])
    newer = api | {"id": "0123456789abcdef", "rule": NEWER, "target": "gizmo.x"}
    newer |= {"message": "gizmo.x is frobbed on service api", "revision": None, "since": None}
    last.write_text(json.dumps(report | {"findings": [*report["findings"], newer]}))

    done = drift("check", "staging", "--baseline", str(last), "--format", "json", env=env)
    assert done.returncode == 1, done.stderr
    compared = json.loads(done.stdout)
    assert compared["resolved"] == [] and compared["summary"]["resolved"] == 0
    [kept] = compared["unchecked"]
    assert kept["finding"]["rule"] == NEWER and kept["finding"]["baseline"] == "unchanged"
    assert kept["reason"] == f"{NEWER} is no rule this drift checks (the baseline's drift is newer)"

    done = drift("check", "staging", "--baseline", str(last), env=env)
    assert "0 resolved since the baseline" in done.stdout, done.stdout
    assert "a rule of a newer drift" in done.stdout
