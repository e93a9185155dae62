"""helper-617 F2: a job's or a worker pool's profile stating less memory than 512 MiB (or a
pool less than 1 CPU) loaded, was planned, and `drift fix` wrote it and re-checked clean,
while Cloud Run documents those floors: "The minimum memory setting is 512 MiB"
(cloud.google.com/run/docs/configuring/workerpools/memory-limits); jobs run in the second
generation only, whose minimum is 512 MiB (…/configuring/jobs/memory-limits); "The minimum
vCPU setting is 1 vCPU" (…/configuring/workerpools/cpu). Such a profile is now refused at its
line (the main container's setting), and the sandbox refuses such a write as Cloud Run does
(whether a floor is each container's or the instance's is not documented: the sandbox refuses
what every reading refuses, the instance's sum below it); a service keeps its own floors (128Mi
in the first generation, 0.08 CPU)."""

from __future__ import annotations

import copy
from pathlib import Path

import grpc
import pytest
from google.api_core import exceptions

from drift.profiles.loader import validate_directory
from tests.conftest import MakeSandbox
from tests.jobs.world import write_profile
from tests.profilecopy import API_HEAD
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

PROFILE = (
    API_HEAD
    + """\
    settings:
      memory: 256Mi
      cpu: '0.5'
jobs:
  job:
    settings:
      memory: {job_memory}
worker_pools:
  pool:
    settings:
      cpu: '{pool_cpu}'
      memory: {pool_memory}
"""
)


@pytest.mark.parametrize(
    ("values", "line", "said"),
    [
        ({"job_memory": "256Mi"}, 11, "job: memory 256Mi"),
        ({"pool_memory": "256Mi"}, 16, "pool: memory 256Mi"),
        ({"pool_cpu": "0.5"}, 15, "pool: cpu 500m"),
    ],
)
def test_below_the_kinds_floor_is_refused_at_its_line(
    tmp_path: Path, values: dict[str, str], line: int, said: str
) -> None:
    fine = {"job_memory": "512Mi", "pool_cpu": "1", "pool_memory": "512Mi"}
    profiles = write_profile(tmp_path / "ok", PROFILE.format(**fine))
    assert validate_directory(profiles)[1] == []  # the service's 256Mi and 0.5 CPU: fine
    profiles = write_profile(tmp_path / "profiles", PROFILE.format(**(fine | values)))
    (problem,) = validate_directory(profiles)[1]
    assert problem.line == line, problem
    assert problem.message.startswith(said) and "takes at the least" in problem.message


def test_the_sandbox_refuses_such_a_write(make_sandbox: MakeSandbox) -> None:
    from google.cloud import run_v2
    from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport
    from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

    sandbox = make_sandbox(
        world(jobs={"job": copy.deepcopy(JOB_SPEC)}, pools={"pool": copy.deepcopy(POOL_SPEC)})
    )
    job = sandbox.job("p", "job")
    job.template.template.containers[0].resources.limits["memory"] = "256Mi"
    pool = sandbox.worker_pool("p", "pool")
    for container in pool.template.containers:  # the instance's CPU, every container's: 0.5
        container.resources.limits["cpu"] = "250m"
    channel = grpc.insecure_channel(sandbox.address)
    try:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        with pytest.raises(exceptions.InvalidArgument, match="below the minimum of 512Mi"):
            jobs.update_job(job=job).result()
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        with pytest.raises(exceptions.InvalidArgument, match="minimum of 1 CPU"):
            pools.update_worker_pool(worker_pool=pool).result()
    finally:
        channel.close()
