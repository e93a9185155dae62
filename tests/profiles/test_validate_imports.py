"""`drift profiles validate` of a profile whose job states `task_count` and `max_retries` (what
`drift init` writes for every job) imported the whole Cloud Run client (helper-633 F1): the
check of a number against its proto field read the descriptor for every number of a row with
a documented maximum, not only for one past it or past int32's range."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[2]
PROBE = """
import sys
from drift.cli.root import app
try:
    code = app(sys.argv[1:], standalone_mode=False) or 0
except SystemExit as exc:
    code = exc.code
heavy = [m for m in sys.modules if m.startswith(("google", "grpc"))]
print(f"CODE={code} HEAVY={len(heavy)}")
"""
PROFILE = """\
project: p
region: us-central1
jobs:
  job:
    settings:
      task_count: {tasks}
      max_retries: 3
      parallelism: 2
"""


@pytest.mark.parametrize(("tasks", "code", "heavy"), [(10, 0, False), (20_000, 2, True)])
def test_validate_reads_no_descriptor_for_a_number_within_its_maximum(
    tmp_path: Path, tasks: int, code: int, heavy: bool
) -> None:
    (tmp_path / "prod.yaml").write_text(PROFILE.format(tasks=tasks))
    done = subprocess.run(
        [sys.executable, "-c", PROBE, "profiles", "validate", "--profiles", str(tmp_path)],
        capture_output=True, text=True, cwd=REPO, check=False,
    )  # fmt: skip
    line = done.stdout.strip().splitlines()[-1]
    assert line.startswith(f"CODE={code} "), done.stdout + done.stderr
    # within the maximum: nothing to refuse, no client read; past it, the field's own bound
    # is read to say which is less
    assert (line != f"CODE={code} HEAVY=0") is heavy, line
