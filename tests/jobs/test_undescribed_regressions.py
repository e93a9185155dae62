"""Regressions of helper-619 F4's undescribed containers (a job's or worker pool's several
containers, none with a port, none named with `container:`), found by helper-624: a setting
whose write needs "the" container (F2), a `since` run across a revision whose main rules were
not judged (F1), and a `same_as` naming a variable of such a workload (F3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.fields import FIELDS
from drift.kinds import Kind
from drift.live.normalize import template_config
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

AGENT = {"name": "agent", "image": "img/agent:1", "env": [{"name": "LEVEL", "value": "info"}]}


def _two(kind: Kind) -> Any:
    """A job or pool running two containers, none with a port."""
    from google.cloud import run_v2

    containers = [
        run_v2.Container(name="agent", image="a"),
        run_v2.Container(name="app", image="b"),
    ]
    if kind is Kind.JOB:
        task = run_v2.TaskTemplate(containers=containers)
        return run_v2.Job(template=run_v2.ExecutionTemplate(template=task))
    return run_v2.WorkerPool(template=run_v2.WorkerPoolRevisionTemplate(containers=containers))


ROWS = [
    (name, kind, example)
    for name, field in FIELDS.items()
    for kind in (Kind.JOB, Kind.WORKER_POOL)
    if kind in field.kinds
    for example in field.examples
]


@pytest.mark.parametrize(("name", "kind", "example"), ROWS)
def test_no_row_is_written_on_a_guessed_container(name: str, kind: Kind, example: Any) -> None:
    """Every row a plan may write on such a workload (one it reads there) is written without a
    container (`patched_template`'s `into=None`); one whose write needs the container the
    profile describes is not read there (not judged, not planned: helper-624 F2)."""
    workload = _two(kind)
    config = template_config(workload, container=None, kind=kind)
    assert config.undescribed
    if name in config.unreadable:
        return
    FIELDS[name].write(workload, None, FIELDS[name].parse(example))


def _gpu_world() -> dict[str, Any]:
    app = {"name": "app", "image": "img/app:1", "env": [{"name": "QUEUE", "value": "prod"}]}
    body = {"instances": 1, "template": {"containers": [AGENT, app]}}
    project = {"number": 111, "region": "us-central1", "worker_pools": {"pool": body}}
    return {"options": {"seed": 3}, "projects": {"acme": project}}


GPU_PROFILE = (
    "project: acme\nregion: us-central1\nworker_pools:\n  pool:\n    settings:\n"
    "      gpu_type: nvidia-l4\n"
)


@pytest.mark.parametrize(
    "args",
    [
        ("check", "prod", "--format", "json"),
        ("plan", "prod"),
        ("plan", "prod", "--format", "json"),
        ("plan", "prod", "--format", "gcloud"),
        ("fix", "prod", "--yes"),
    ],
)
def test_a_gpu_type_on_an_undescribed_pool_is_said_not_crashed(
    make_sandbox: MakeSandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    """helper-624 F2: `gpu_type` where no container has a GPU gives one to the container the
    profile describes; on [agent, app], none with a port and none named, that one cannot be
    told. No internal error: the GPU type is unverified, and the plan says it is not planned."""
    sandbox = make_sandbox(_gpu_world())
    done = drift_on(sandbox, tmp_path, ("prod", GPU_PROFILE), *args)
    assert done.returncode != 2, done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr
    if args[0] == "check":
        assert done.returncode == 3, done.stdout
        report = json.loads(done.stdout)
        targets = {u["target"] for u in report["unverified"]}
        assert "setting.gpu_type" in targets, report["unverified"]
    elif args[-1] == "prod":
        assert "gpu_type is not planned" in done.stdout, done.stdout
    assert [c.short for c in sandbox.calls if c.short == "UpdateWorkerPool"] == []


DEBUG = {"name": "consumer", "image": "img/c:1", "env": [{"name": "MODE", "value": "debug"}]}
LIVE = {"name": "consumer", "image": "img/c:1", "env": [{"name": "MODE", "value": "live"}]}


def test_since_does_not_call_an_undescribed_revision_good(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-624 F1: the pool ran MODE=live (alice), then [agent, consumer] with MODE=debug
    for ten days (bob), now [consumer] MODE=debug (the agent removed). Bob's revision had no
    container the profile's `env` could be told to describe: its main rules were not judged,
    which is not clean. `since` does not run past it: never bob's revision as `last_good`
    (with the sidecar's removal as the drift's start)."""
    body = {
        "instances": 1,
        "template": {"containers": [DEBUG]},
        "history": [
            {"created": "20d", "creator": "alice@x.io", "containers": [LIVE]},
            {"created": "10d", "creator": "bob@x.io", "containers": [AGENT, DEBUG]},
        ],
    }
    project = {"number": 111, "region": "us-central1", "worker_pools": {"pool": body}}
    sandbox = make_sandbox({"options": {"seed": 3}, "projects": {"acme": project}})
    profile = (
        "project: acme\nregion: us-central1\nworker_pools:\n  pool:\n    env:\n      MODE: live\n"
    )
    done = drift_on(sandbox, tmp_path, ("prod", profile), "check", "prod", "--format", "json")
    assert done.returncode == 1, done.stderr
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if f["target"] == "env.MODE"]
    since = finding.get("since") or {}
    assert not since.get("last_good"), since


def _same_as_world(swap: bool) -> dict[str, Any]:
    app = {
        "name": "app",
        "image": "img/api:1",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "DB_HOST", "value": "db-a"}],
    }
    worker = {"name": "worker", "image": "img/w:1", "env": [{"name": "DB_HOST", "value": "db-a"}]}
    job = {"template": {"containers": [worker, AGENT] if swap else [AGENT, worker]}}
    services = {"api": {"template": {"containers": [app]}}}
    acme = {"number": 111, "region": "us-central1", "services": services, "jobs": {"jb": job}}
    return {"options": {"seed": 2}, "projects": {"acme": acme}}


SAME_AS = """project: acme
region: us-central1
services:
  api:
    env:
      DB_HOST: {same_as: jb.DB_HOST}
jobs:
  jb:
    env:
      DB_HOST: {optional: true}
"""


@pytest.mark.parametrize("swap", [False, True])
@pytest.mark.parametrize("only", [(), ("--service", "api")])
def test_same_as_an_undescribed_job_is_unverified(
    make_sandbox: MakeSandbox, tmp_path: Path, swap: bool, only: tuple[str, ...]
) -> None:
    """helper-624 F3: `same_as: jb.DB_HOST` where jb runs [agent, worker], none with a port
    and none named: which container its `env` is cannot be told, so neither what it holds.
    Not `env.inconsistent` ("jb does not set it"), not clean: unverified, in either order and
    with `--service api` too."""
    sandbox = make_sandbox(_same_as_world(swap))
    args = ("check", "prod", "--format", "json", *only)
    done = drift_on(sandbox, tmp_path, ("prod", SAME_AS), *args)
    assert done.returncode == 3, done.stdout + done.stderr
    report = json.loads(done.stdout)
    assert [f for f in report["findings"] if f["rule"] == "env.inconsistent"] == []
    said = [u["reason"] for u in report["unverified"] if u["target"] == "env.DB_HOST"]
    assert len(said) == 1 and "same_as job jb.DB_HOST not compared" in said[0], report["unverified"]
    assert "agent, worker" in said[0] or "worker, agent" in said[0], said
