"""`drift init --from-live` lists each kind once: the services it listed to find their names
are the ones it reads (revperf finding 6: ListServices twice, one list after the other)."""

from __future__ import annotations

from pathlib import Path

from tests.rounds import bench_world, short


def test_init_lists_services_once(tmp_path: Path) -> None:
    for world in bench_world(10, tmp_path):
        code, out, calls = world.drift(
            "init", "fresh", "--from-live", "--project", "bench-project",
            "--region", "us-central1", "--profiles", "profiles",
        )  # fmt: skip
        assert code == 0, out
        counts = short(calls)
        assert counts["ListServices"] == 1, counts
        assert counts["ListJobs"] == 1 and counts["ListWorkerPools"] == 1, counts
        assert counts["GetService"] == 0, counts
        written = (world.profiles / "fresh.yaml").read_text()
        assert all(f"svc-{i:04d}:" in written for i in range(10)), written
