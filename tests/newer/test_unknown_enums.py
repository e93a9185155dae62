"""Review revnewer: an enum value newer than the installed client (proto3 open enums arrive
as their number). `drift.fields.access.choice` maps any number it cannot name to the
setting's DEFAULT (`mapping.get(enum_name(...), default)`), so a new IngressTraffic value is
read as `all` and a profile saying `ingress: all` is called clean — incomplete looks clean
(SPEC invariants). It should say it cannot judge (the number), never a value it did not read.

Repro: .venv/bin/python -m pytest -q tests/newer/test_unknown_enums.py -n 0"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

pytestmark = pytest.mark.sandbox


def check_lab(sandbox: Any, tmp_path: Path, setting: str, *args: str) -> Any:
    """`drift check lab ARGS` of a profile that sets one setting of the lab's service `app`."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n      {setting}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(profiles)}
    return drift("check", "lab", *args, env=env, cwd=tmp_path, timeout=120)


def test_an_ingress_the_client_cannot_name_is_not_called_all(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        world.find_service(LAB, "app").pb.ingress = 99  # an IngressTraffic added after 0.16

    sandbox._run(apply)  # noqa: SLF001
    done = check_lab(sandbox, tmp_path, "ingress: all")
    out = done.stdout + done.stderr
    # main: "lab: 0 errors, 0 warnings in 1 service — no drift (exit 0)"
    assert done.returncode != 0, out
    assert "no drift" not in out, out


JOB_AND_POOL = """\
project: p
region: us-central1
jobs:
  job:
    settings:
      execution_environment: gen2
      vpc_egress: private-ranges-only
worker_pools:
  pool:
    container: consumer
    settings:
      vpc_egress: private-ranges-only
"""


def newer_enums(sandbox: Any) -> None:
    """The job's task template and the pool (its template and revisions) with VPC access whose
    egress, and an execution environment, are numbers added after the installed client."""

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        task = world.job(world.find("p", "job", "jobs")).pb.template.template
        pool = world.owner(world.find("p", "pool", "workerPools"))
        task.execution_environment = 77
        for template in (task, pool.pb.template, *pool.revisions.values()):
            template.vpc_access.connector = "projects/p/locations/us-central1/connectors/c"
            template.vpc_access.egress = 88

    sandbox._run(apply)  # noqa: SLF001


def test_job_and_pool_enums_the_client_cannot_name_are_not_verified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    from tests.jobs.world import check, jobs_world, write_profile

    sandbox = make_sandbox(jobs_world())
    newer_enums(sandbox)
    report = check(sandbox, monkeypatch, write_profile(tmp_path / "p", JOB_AND_POOL)).report
    # main: the job's 77 read as gen2 (a job's default), both 88s as private-ranges-only
    unverified = {(u.key, u.target): u.reason for u in report.unverified}
    assert set(unverified) >= {
        ("job/job", "setting.execution_environment"),
        ("job/job", "setting.vpc_egress"),
        ("worker_pool/pool", "setting.vpc_egress"),
    }, unverified
    why = unverified[("job/job", "setting.execution_environment")]
    assert "execution_environment holds value 77" in why and "upgrade drift" in why, why
    assert "vpc_egress holds value 88" in unverified[("worker_pool/pool", "setting.vpc_egress")]
    assert report.exit_code != 0


def test_init_from_live_writes_no_guess_for_an_enum_it_cannot_name(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    import asyncio
    import datetime as dt

    from drift.onboarding.init import init_from_live
    from drift.settings import load_settings

    sandbox = make_sandbox(lab_world())

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        world.find_service(LAB, "app").pb.ingress = 99

    sandbox._run(apply)  # noqa: SLF001
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project=LAB, region="us-central1")
    asyncio.run(init_from_live("lab", settings, today=dt.date(2026, 11, 30)))
    text = (tmp_path / "lab.yaml").read_text()
    # main: "ingress: all", a value drift never read
    assert "ingress: all" not in text, text
    assert "# ingress: not written, drift cannot read it: ingress holds value 99" in text, text


def test_a_scaling_mode_the_client_cannot_name_leaves_the_bounds_unverified(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """ServiceScaling.scaling_mode beyond AUTOMATIC and MANUAL may ignore the bounds as
    MANUAL does ("Scale to exactly min instances and ignore max instances"): not read."""
    sandbox = make_sandbox(lab_world())

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        world.find_service(LAB, "app").pb.scaling.scaling_mode = 9

    sandbox._run(apply)  # noqa: SLF001
    done = check_lab(sandbox, tmp_path, "max_instances: 100", "-f", "json")
    out = done.stdout + done.stderr
    # main: clean, the unknown mode read as automatic scaling
    assert done.returncode != 0, out
    assert "the service's scaling_mode holds value 9" in out, out
