"""revwild F2: `drift init … --service worker-pool/NAME` (gcloud's group is `gcloud run
worker-pools`, its docs say "worker pool"), `--service jobs/NAME` (`gcloud run jobs`): drift
takes the unknown prefix as part of a *service* name, calls GetService on
`services/worker-pool/NAME`, gets INVALID_ARGUMENT and exits 3 "could not read … nothing was
written" — an incomplete read, as if Cloud Run had failed.

Where: drift/kinds.py `split_key()` — a key whose prefix is not a kind is a service named
with a `/`, though `workload_key()`'s own docstring says "no Cloud Run name holds a `/`"
(Service.name: "the last segment … must be a valid DNS label"; google/cloud/run/v2/service.proto).
Expected (README exit codes: "2 bad input"): exit 2, one line naming the spelling drift takes
(`worker_pool/NAME`, `job/NAME`), and no API call.

revown42 F2 (Usability): 4bc558f made `--service jobs/NAME` bad input (exit 2, no API call)
because "no Cloud Run name holds a `/`" (drift/kinds.py `split_key`). A right prefix with a
wrong name is still sent to the API: `--service job/` (empty name: GetJob on
`…/jobs/`) and `--service job/a/b` (a slash in the name) each end in exit 3 "could not read
job …: INVALID_ARGUMENT" — an incomplete read, as if Cloud Run had failed (README exit codes:
2 bad input, 3 incomplete), the very thing revwild F2 fixed for the prefix.
Where: drift/kinds.py:80-85 (`split_key` returns `Kind(kind), name` whatever `name` is) and
drift/onboarding/init.py:117 (the key goes to GetJob)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import drift

SHAPES = default_scenario_path().with_name("real-shapes.yaml")


def init_with(typed: str, tmp_path: Path) -> tuple[Any, Any]:
    """`drift init prod --from-live --service TYPED` on the real shapes; what it did, and the
    sandbox's call counts."""
    with Sandbox(SHAPES) as sandbox:
        done = drift(
            "init", "prod", "--from-live", "--project", "acme-prod", "--region", "us-central1",
            "--service", typed, "--profiles", str(tmp_path), env=sandbox.environ(),
        )  # fmt: skip
        return done, sandbox.call_counts()


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("worker-pool/queue-consumer", "worker_pool/"), ("jobs/migrate-db", "job/")],
)
def test_a_kind_prefix_spelled_as_gcloud_spells_it_is_bad_input(
    tmp_path: Path, typed: str, meant: str
) -> None:
    done, calls = init_with(typed, tmp_path)
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert meant in done.stderr, done.stderr
    assert calls["GetService"] == 0, calls


@pytest.mark.parametrize("typed", ["job/", "worker_pool/", "job/migrate-db/x"])
def test_a_kind_with_no_name_or_a_slashed_name_is_bad_input(tmp_path: Path, typed: str) -> None:
    done, calls = init_with(typed, tmp_path)
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert calls["GetJob"] == 0 and calls["GetWorkerPool"] == 0, calls
