"""helper-835 F3 (failed before): a baseline edited by hand — an entry's `id` pasted from
another report, or an entry listed twice with another value — made one drift both reported
(`[new]` or `unchanged`) and "Resolved since the baseline" (in the text, the GitHub notice and
`summary.resolved`). A baseline finding whose workload, rule, target, container and tag this
run reports is never resolved: one finding, one verdict, and a note says why."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from tests.baseline.test_began_again_known import flag_off
from tests.conftest import MakeSandbox
from tests.history.cli import run

NOTE = (
    "1 finding of the baseline under an id this run does not give (edited by hand, listed "
    "twice, or a traffic split that ended) reported again under this run's: not resolved"
)


def _foreign(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [{**findings[0], "id": "0000000000000000"}]


def _twice(findings: list[dict[str, Any]]) -> list[dict[str, Any]]:
    return [*findings, {**findings[0], "actual": "maybe"}]


@pytest.mark.parametrize(("edit", "said"), [(_foreign, "new"), (_twice, "unchanged")])
def test_a_finding_reported_again_is_not_resolved(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    edit: Callable[[list[dict[str, Any]]], list[dict[str, Any]]],
    said: str,
) -> None:
    sandbox, folder = flag_off(make_sandbox, tmp_path)
    last = tmp_path / "last.json"
    assert run(sandbox, folder, "check", "prod", "--json", str(last)).returncode == 1
    written = json.loads(last.read_text())
    last.write_text(json.dumps({**written, "findings": edit(written["findings"])}))
    compared = ("check", "prod", "--baseline", str(last))
    report = json.loads(run(sandbox, folder, *compared, "--format", "json").stdout)
    assert [f["baseline"] for f in report["findings"]] == [said], report["findings"]
    assert report["resolved"] == [] and report["summary"]["resolved"] == 0, report["resolved"]
    assert NOTE in report["notes"], report["notes"]
    for fmt in ("table", "github", "markdown"):
        out = run(sandbox, folder, *compared, "--format", fmt).stdout
        assert "Resolved" not in out and "drift resolved" not in out, out
