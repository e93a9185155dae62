"""A small world for the jobs and worker pools tests: project `p` (number 3) whose runtime
account `runner@` reads every secret of `p` (a project-level grant), and project `q` (number 4)
whose secret `locked` it may not read."""

from __future__ import annotations

import copy
from typing import Any

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
PARENT = "projects/p/locations/us-central1"
JOB = f"{PARENT}/jobs/job"
POOL = f"{PARENT}/workerPools/pool"
SECRETS: dict[str, Any] = {
    "token": {"versions": ["fake-token-v1"]},
    "rotated": {"versions": ["fake-rotated-v1", {"value": "fake-rotated-v2", "state": "DISABLED"}]},
}
JOB_SPEC: dict[str, Any] = {
    "template": {
        "image": "us-docker.pkg.dev/example/migrate:1",
        "service_account": RUNNER,
        "env": {"MODE": "live", "TOKEN": {"secret": "token"}},
    }
}
POOL_SPEC: dict[str, Any] = {
    "instances": 2,
    "template": {
        "serviceAccount": RUNNER,
        "containers": [
            {
                "name": "consumer",
                "image": "us-docker.pkg.dev/example/consumer:1",
                "env": [{"name": "QUEUE", "value": "events"}],
            },
            {
                "name": "agent",
                "image": "us-docker.pkg.dev/example/agent:1",
                "env": [
                    {
                        "name": "AGENT_TOKEN",
                        "valueSource": {"secretKeyRef": {"secret": "token", "version": "latest"}},
                    }
                ],
            },
        ],
    },
    "history": [{"image": "us-docker.pkg.dev/example/consumer:0"}],
}


def world(
    *,
    jobs: dict[str, Any] | None = None,
    pools: dict[str, Any] | None = None,
    **options: Any,
) -> dict[str, Any]:
    project = {  # copies: a test that changes its world changes no other test's
        "number": 3,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{RUNNER}"]},
        "secrets": copy.deepcopy(SECRETS),
        "jobs": {"job": copy.deepcopy(JOB_SPEC)} if jobs is None else jobs,
        "worker_pools": {"pool": copy.deepcopy(POOL_SPEC)} if pools is None else pools,
    }
    locked = {"number": 4, "secrets": {"locked": {"versions": ["fake-locked-v1"]}}}
    return {"options": options, "projects": {"p": project, "q": locked}}


def sandbox_of(make_sandbox: MakeSandbox, **kwargs: Any) -> Sandbox:
    return make_sandbox(world(**kwargs))


def short(name: str) -> str:
    return name.rsplit("/", 1)[-1]
