"""The scheduled check's issue names every finding it has room for, whatever a value holds.
Cloud Run takes a variable's value of up to 32,768 bytes (google.cloud.run.v2.EnvVar `value`:
"the maximum length is 32768 bytes"): two such values (a certificate bundle, a JSON document,
or a deployer's padding) made the body longer than GitHub takes, and the cut at its end took
every later row and section with it: the other new findings and what could not be verified
(revout88 F2). A value is cut in its cell, marked, as in the SARIF log; the JSON report keeps
it whole."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.action.issue import BODY_LIMIT, body, comment
from drift.action.report import read_report
from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT = "acme-chat-staging"


@pytest.mark.sandbox
def test_long_values_leave_room_for_every_finding(sandbox: Sandbox, tmp_path: Path) -> None:
    for name in ("AAA_BUNDLE", "AAB_BUNDLE"):
        sandbox.set_env(PROJECT, "api", name, "-----BEGIN CERTIFICATE-----" + "x" * 32_700)
    report_file = tmp_path / "report.json"
    done = drift("check", "staging", "--json", str(report_file), env=sandbox.environ())
    assert done.returncode == 1, done.stderr
    report = read_report(str(report_file))
    targets = [str(f["target"]) for f in report.findings]
    assert {"env.AAA_BUNDLE", "env.AAB_BUNDLE"} <= set(targets)
    for text in (body(report), comment(report)):
        assert len(text) <= BODY_LIMIT
        missing = [t for t in targets if f"`{t}`" not in text]
        assert missing == [] and "cut to fit" not in text, missing
        assert "more characters" in text  # the long value, marked as cut
    kept = {f["target"]: f["actual"] for f in json.loads(report_file.read_text())["findings"]}
    assert len(kept["env.AAA_BUNDLE"]) == len("-----BEGIN CERTIFICATE-----") + 32_700
