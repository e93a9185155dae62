"""`--baseline` and `job.failed` (revjobs3 finding 5): a newer execution failing (another
execution, another cause) is `updated`, never `unchanged` (`--fail-on-new` would hide it);
the same failed execution read again stays `unchanged`, also against a baseline written
before findings named the execution (read from its message). The finding's id stays."""

from __future__ import annotations

import copy
import json
from pathlib import Path

import pytest

from drift.baseline import parse_baseline
from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.jobs.world import JOB_ENV, check, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

PLAIN = (
    JOB_ENV
    + """\
      TOKEN: {secret: token}
"""
)


def _failing(make_sandbox: MakeSandbox) -> Sandbox:
    job = copy.deepcopy(JOB_SPEC)
    job["executions"] = [{"created": "2d", "outcome": "failed", "message": "exit 1: disk full"}]
    return make_sandbox(world(jobs={"job": job}, pools={}))


def _raw(result: object) -> bytes:
    return formatter_for(OutputFormat.JSON).render(result.report).encode()  # type: ignore[attr-defined]


def test_a_newer_failed_execution_for_another_reason_is_updated(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = _failing(make_sandbox)
    profiles = write_profile(tmp_path / "profiles", PLAIN)
    first = check(sandbox, monkeypatch, profiles)
    baseline = parse_baseline("last.json", _raw(first))
    sandbox.run_job("p", "job", failure="OOMKilled: memory limit 512Mi exceeded")
    second = check(sandbox, monkeypatch, profiles)
    compared = baseline.compare(second.report)
    (failed,) = [f for f in compared.findings if f.rule == "job.failed"]
    (before,) = [f for f in first.report.findings if f.rule == "job.failed"]
    assert "OOMKilled" in failed.message and failed.id == before.id
    assert failed.baseline.value == "updated", failed.message


@pytest.mark.parametrize("old_drift", [False, True], ids=["baseline-now", "baseline-before"])
def test_the_same_failed_execution_read_again_is_unchanged(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, old_drift: bool
) -> None:
    sandbox = _failing(make_sandbox)
    profiles = write_profile(tmp_path / "profiles", PLAIN)
    first = check(sandbox, monkeypatch, profiles)
    raw = _raw(first)
    if old_drift:  # a baseline written before job.failed named its execution in `failed`
        data = json.loads(raw)
        for finding in data["findings"]:
            finding.pop("failed", None)
        raw = json.dumps(data).encode()
    compared = parse_baseline("last.json", raw).compare(
        check(sandbox, monkeypatch, profiles).report
    )
    (failed,) = [f for f in compared.findings if f.rule == "job.failed"]
    assert failed.baseline.value == "unchanged", failed.message
