"""`drift init --service NAME` of a job or a worker pool (helper-532): "no service migrate-db in
acme-prod/us-central1" with "is the region right?" sent the operator to the wrong place; the
job of that name is listed, and the `--service job/migrate-db` that describes it is said."""

from __future__ import annotations

from pathlib import Path

from drift.sandbox import Sandbox, default_scenario_path
from tests.cliutil import drift

WHERE = ("--project", "acme-prod", "--region", "us-central1")


def _init(sandbox: Sandbox, cwd: Path, *names: str) -> tuple[int, str]:
    (cwd / "profiles").mkdir(parents=True)
    chosen = [arg for name in names for arg in ("-s", name)]
    done = drift("init", "prod", "--from-live", *WHERE, *chosen, env=sandbox.environ(), cwd=cwd)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stderr


def test_a_job_named_as_a_service_is_said_with_its_kind(tmp_path: Path) -> None:
    with Sandbox(default_scenario_path().with_name("real-shapes.yaml")) as sandbox:
        code, said = _init(sandbox, tmp_path, "migrate-db")
        assert code == 2 and not (tmp_path / "profiles" / "prod.yaml").exists()
        assert "no service migrate-db in acme-prod/us-central1: nothing was written" in said
        assert "hint: migrate-db is a job there: --service job/migrate-db" in said
        assert "region" not in said.split("hint:")[1]
        # a name of no workload at all: the region may be the wrong one
        code, said = _init(sandbox, tmp_path / "other", "nothing-here")
        assert code == 2 and "is the region (set by --region) right?" in said
