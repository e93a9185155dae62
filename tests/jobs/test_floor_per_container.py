"""Whether a job's or a worker pool's floors ("The minimum memory setting is 512 MiB", "The
minimum vCPU setting is 1 vCPU": cloud.google.com/run/docs/configuring/workerpools/
memory-limits, …/workerpools/cpu) bound each container or the instance's containers together
is not documented; the sandbox does either (scenario option `min_size_of`). drift holds the
main container's profile value to the floor and leaves a sidecar's to Cloud Run: a pool fix
that sets a sidecar's memory to 256Mi lands where the instance's sum is what counts, and where
each container's is, Cloud Run refuses it: exit 4, nothing written, Cloud Run's words."""

from __future__ import annotations

import copy
from pathlib import Path

import grpc
import pytest
from google.api_core import exceptions

from tests.conftest import MakeSandbox
from tests.jobs.test_fix_missing_image import run
from tests.jobs.world import POOL_HEAD
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

PROFILE = (
    POOL_HEAD
    + """\
    env:
      QUEUE: events
    containers:
      agent:
        settings:
          memory: 256Mi
"""
)


@pytest.mark.parametrize("reading", ["instance", "container"])
def test_a_sidecar_below_the_floor_is_cloud_runs_to_refuse(
    reading: str, make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(min_size_of=reading))
    before = sandbox.worker_pool("p", "pool")
    done = run(sandbox, tmp_path, PROFILE, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    after = sandbox.worker_pool("p", "pool")
    memory = {c.name: c.resources.limits.get("memory", "") for c in after.template.containers}
    if reading == "instance":  # 512Mi + 256Mi together: above the floor
        assert done.returncode == 0, out
        assert memory["agent"] == "256Mi", memory
        assert run(sandbox, tmp_path, PROFILE, "check", "prod").returncode == 0
    else:
        assert done.returncode == 4, out
        assert "UpdateWorkerPool" in out and "INVALID_ARGUMENT" in out, out
        assert "container agent" in out and "below the minimum of 512Mi" in out, out
        assert after.generation == before.generation and after.template == before.template


@pytest.mark.parametrize("reading", ["instance", "container"])
def test_the_sandbox_reads_the_floor_as_the_option_says(
    reading: str, make_sandbox: MakeSandbox
) -> None:
    from google.cloud import run_v2
    from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport
    from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

    job_spec = copy.deepcopy(JOB_SPEC)
    sandbox = make_sandbox(
        world(jobs={"job": job_spec}, pools={"pool": copy.deepcopy(POOL_SPEC)}, min_size_of=reading)
    )
    job = sandbox.job("p", "job")
    main = job.template.template.containers[0]
    job.template.template.containers.append(
        run_v2.Container(name="proxy", image=main.image, resources={"limits": {"memory": "256Mi"}})
    )
    main.resources.limits["memory"] = "1Gi"
    pool = sandbox.worker_pool("p", "pool")
    pool.template.containers[1].resources.limits["cpu"] = "500m"  # with the consumer's 1: 1.5
    channel = grpc.insecure_channel(sandbox.address)
    try:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        pools = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        if reading == "instance":
            jobs.update_job(job=job).result()
            pools.update_worker_pool(worker_pool=pool).result()
            assert (
                sandbox.worker_pool("p", "pool").template.containers[1].resources.limits["cpu"]
                == "500m"
            )
        else:
            with pytest.raises(exceptions.InvalidArgument, match="container proxy.*512Mi"):
                jobs.update_job(job=job).result()
            with pytest.raises(exceptions.InvalidArgument, match="container agent.*1 CPU"):
                pools.update_worker_pool(worker_pool=pool).result()
    finally:
        channel.close()
