"""revwild F2: `drift init … --service worker-pool/NAME` (gcloud's group is `gcloud run
worker-pools`, its docs say "worker pool"), `--service jobs/NAME` (`gcloud run jobs`): drift
takes the unknown prefix as part of a *service* name, calls GetService on
`services/worker-pool/NAME`, gets INVALID_ARGUMENT and exits 3 "could not read … nothing was
written" — an incomplete read, as if Cloud Run had failed.

Where: drift/kinds.py `split_key()` — a key whose prefix is not a kind is a service named
with a `/`, though `workload_key()`'s own docstring says "no Cloud Run name holds a `/`"
(Service.name: "the last segment … must be a valid DNS label"; google/cloud/run/v2/service.proto).
Expected (README exit codes: "2 bad input"): exit 2, one line naming the spelling drift takes
(`worker_pool/NAME`, `job/NAME`), and no API call."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from tests.cliutil import drift

SHAPES = default_scenario_path().with_name("real-shapes.yaml")


@pytest.mark.parametrize(
    ("typed", "meant"),
    [("worker-pool/queue-consumer", "worker_pool/"), ("jobs/migrate-db", "job/")],
)
def test_a_kind_prefix_spelled_as_gcloud_spells_it_is_bad_input(
    tmp_path: Path, typed: str, meant: str
) -> None:
    with Sandbox(SHAPES) as sandbox:
        done = drift(
            "init", "prod", "--from-live", "--project", "acme-prod", "--region", "us-central1",
            "--service", typed, "--profiles", str(tmp_path), env=sandbox.environ(),
        )  # fmt: skip
        calls = sandbox.call_counts()
    assert "Traceback" not in done.stderr
    assert done.returncode == 2, (done.returncode, done.stderr)
    assert meant in done.stderr, done.stderr
    assert calls["GetService"] == 0, calls
