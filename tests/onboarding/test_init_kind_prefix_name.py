"""revown42 F2 (Usability): 4bc558f made `--service jobs/NAME` bad input (exit 2, no API call)
because "no Cloud Run name holds a `/`" (drift/kinds.py `split_key`). A right prefix with a
wrong name is still sent to the API: `--service job/` (empty name: GetJob on
`…/jobs/`) and `--service job/a/b` (a slash in the name) each end in exit 3 "could not read
job …: INVALID_ARGUMENT" — an incomplete read, as if Cloud Run had failed (README exit codes:
2 bad input, 3 incomplete), the very thing revwild F2 fixed for the prefix.
Where: drift/kinds.py:80-85 (`split_key` returns `Kind(kind), name` whatever `name` is) and
drift/onboarding/init.py:117 (the key goes to GetJob)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import drift

SHAPES = default_scenario_path().with_name("real-shapes.yaml")


@pytest.mark.parametrize("typed", ["job/", "worker_pool/", "job/migrate-db/x"])
def test_a_kind_with_no_name_or_a_slashed_name_is_bad_input(tmp_path: Path, typed: str) -> None:
    with Sandbox(SHAPES) as sandbox:
        done = drift(
            "init", "prod", "--from-live", "--project", "acme-prod", "--region", "us-central1",
            "--service", typed, "--profiles", str(tmp_path), env=sandbox.environ(),
        )  # fmt: skip
        calls = sandbox.call_counts()
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert calls["GetJob"] == 0 and calls["GetWorkerPool"] == 0, calls
