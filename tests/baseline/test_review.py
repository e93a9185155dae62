"""Regressions from the review of baselines (revformats): what a second run compared with
the first got wrong. Each test failed before its fix."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox

SPLIT = """
projects:
  acme-p:
    number: 500000000001
    region: us-central1
    services:
      api:
        template:
          image: us-docker.pkg.dev/cloudrun/container/hello
          env: {AUTH_URL: "http://localhost:9999"}
        history:
          - env: {AUTH_URL: "http://localhost:8081"}
        traffic:
          - {latest: true, percent: 50}
          - {revision: 1, percent: 50}
"""
SPLIT_PROFILE = """project: acme-p
region: us-central1
services:
  api:
    env:
      AUTH_URL: https://auth.example.com
"""


def profiles(tmp: Path, text: str, env: str) -> Path:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / f"{env}.yaml").write_text(text)
    return tmp


def test_a_split_between_two_wrong_values_is_unchanged_on_an_unchanged_run(
    make_sandbox: Any, tmp_path: Path
) -> None:
    """Two findings of one id (SPEC: the id is environment, service, rule and target), one
    per revision's value: the second run compares each with both, not with the last one."""
    (tmp_path / "scenario.yaml").write_text(SPLIT)
    sandbox: Sandbox = make_sandbox(str(tmp_path / "scenario.yaml"))
    cwd = profiles(tmp_path, SPLIT_PROFILE, "p")
    env = sandbox.environ()
    first = drift("check", "p", "--json", "base.json", "--quiet", env=env, cwd=cwd)
    assert first.returncode == 1, first.stderr
    found = json.loads((tmp_path / "base.json").read_text())["findings"]
    values = [f for f in found if f["rule"] == "env.value"]
    assert len(values) == 2 and values[0]["id"] == values[1]["id"]
    assert values[0]["actual"] != values[1]["actual"]

    again = ("check", "p", "--baseline", "base.json", "--fail-on-new")
    done = drift(*again, "--format", "json", env=env, cwd=cwd)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert {f["baseline"] for f in report["findings"]} == {"unchanged"}
    assert report["summary"]["new"] == 0 and not report["resolved"]
    table = drift(*again, env=env, cwd=cwd)
    assert table.returncode == 0 and "[updated]" not in table.stdout and "[new]" not in table.stdout

    # code scanning: one alert per result, not one for both (partialFingerprints)
    sarif = drift(*again, "--format", "sarif", env=env, cwd=cwd)
    results = json.loads(sarif.stdout)["runs"][0]["results"]
    fingerprints = [r["partialFingerprints"]["driftFindingId/v1"] for r in results]
    assert len(set(fingerprints)) == len(fingerprints) == len(found)
    twins = [fp for fp in fingerprints if fp.startswith(values[0]["id"] + "/")]
    assert len(twins) == 2
    rerun = drift(*again, "--format", "sarif", env=env, cwd=cwd)
    assert [r["partialFingerprints"] for r in json.loads(rerun.stdout)["runs"][0]["results"]] == [
        r["partialFingerprints"] for r in results
    ]  # stable


def test_a_changed_value_of_a_split_is_updated(make_sandbox: Any, tmp_path: Path) -> None:
    (tmp_path / "scenario.yaml").write_text(SPLIT)
    sandbox: Sandbox = make_sandbox(str(tmp_path / "scenario.yaml"))
    cwd = profiles(tmp_path, SPLIT_PROFILE, "p")
    env = sandbox.environ()
    assert drift("check", "p", "--json", "base.json", "--quiet", env=env, cwd=cwd).returncode == 1
    base = json.loads((tmp_path / "base.json").read_text())
    value = next(f for f in base["findings"] if f["actual"] == "http://localhost:9999")
    value["actual"] = "http://localhost:7777"  # the baseline saw another value there
    (tmp_path / "base.json").write_text(json.dumps(base))
    done = drift("check", "p", "--baseline", "base.json", "--format", "json", env=env, cwd=cwd)
    states = {f["actual"]: f["baseline"] for f in json.loads(done.stdout)["findings"]}
    assert states["http://localhost:9999"] == "updated"
    assert states["http://localhost:8081"] == "unchanged"
