"""`drift probe` of a profile whose probed service does not exist exits 1 with a
`service.missing` error, and its summary line — the last line of the table, the github format
and the step summary — says what set that exit code. It once said "nothing to probe", the words
of a run with nothing wrong in it: a run that compared no configuration was judged by its
probes alone, its findings ignored (revcode4 F3)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.findings import FailOn, Severity
from drift.format.summary import summary_line
from drift.report import Report
from drift.sandbox import Sandbox
from tests.format.conftest import CLOSE_1011, FAILED_PROBE, OK_PROBE, make_finding, make_report
from tests.probe.test_live import env, ghost_probed

__all__ = ["env"]  # the fixture, shared

GONE = make_finding("service.missing", Severity.ERROR, "auth", "service", "auth does not exist")


def test_a_missing_probed_service_is_not_nothing_to_probe(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    report = ghost_probed(env, tmp_path)
    assert report.exit_code == 1
    line = summary_line(report)
    assert "nothing to probe" not in line, line
    assert line == "x: 0 probes in 1 service, 1 error — service.missing (exit 1)"


def _probe_report(findings: tuple[Any, ...], probes: tuple[Any, ...], **kw: Any) -> Report:
    return replace(make_report(findings, probes=probes, **kw), compared=False)


@pytest.mark.parametrize(
    ("report", "line"),
    [
        (
            _probe_report((), ()),
            "staging: 0 probes in 3 services — nothing to probe (exit 0)",
        ),
        (
            _probe_report((), (OK_PROBE,)),
            "staging: 1 probe in 3 services — all passed (exit 0)",
        ),
        (
            _probe_report((CLOSE_1011,), (OK_PROBE, FAILED_PROBE)),
            "staging: 2 probes in 3 services, 1 failed — a probe failed (exit 1)",
        ),
        (  # a failed probe and a service that is not there: both said
            _probe_report((CLOSE_1011, GONE), (FAILED_PROBE,)),
            "staging: 1 probe in 3 services, 1 failed, 1 error "
            "— a probe failed; service.missing (exit 1)",
        ),
        (  # below --fail-on it is still said, as `check` says "drift (exit 0)"
            _probe_report((GONE,), (OK_PROBE,), fail_on=FailOn.NEVER),
            "staging: 1 probe in 3 services, 1 error — service.missing (exit 0)",
        ),
    ],
)
def test_a_probe_runs_summary_names_what_set_its_exit_code(report: Report, line: str) -> None:
    assert summary_line(report) == line
