"""`drift fix --format json|sarif` as CI runs it (`> report.json`): stdout carries the report
alone, whole; the plan, the progress and the outcome go to stderr."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_cli, lab_world


@pytest.mark.parametrize("fmt", ["json", "sarif"])
def test_a_machine_format_keeps_stdout_for_the_document(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    sandbox = make_sandbox(lab_world())
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--format", fmt)
    assert done.returncode == 0, done.stderr
    document = json.loads(done.stdout)  # nothing before or after it
    if fmt == "json":
        assert document["status"] == "clean"
    else:
        assert document["runs"][0]["tool"]["driver"]["name"] == "drift"
    for prose in ("Plan for lab", "deploying canary revision", "re-check after the fix:"):
        assert prose in done.stderr and prose not in done.stdout, prose
