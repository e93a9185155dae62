"""The real CLI on a sandbox with a one-setting profile, for the catalogue rows' end-to-end
tests: service `app` of the `lab` world (`tests.fix.conftest.lab_world`), or the job or worker
pool of `tests.sandbox.jobworld.world`."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.fix.conftest import LAB
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world


def run(sandbox: Sandbox, tmp_path: Path, setting: str, *args: str) -> Any:
    """`drift ARGS` with profile `lab` stating `setting` (its lines, indented) for `app`."""
    text = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n{setting}"
    return drift_on(sandbox, tmp_path, ("lab", text), *args)


def findings(sandbox: Sandbox, tmp_path: Path, setting: str, name: str) -> tuple[int, list[Any]]:
    """`drift check lab`'s exit code and its findings on `setting.NAME`."""
    done = run(sandbox, tmp_path, setting, "check", "lab", "--format", "json", "--no-history")
    found = json.loads(done.stdout)["findings"]
    return done.returncode, [f for f in found if f["target"] == f"setting.{name}"]


def workload_profile(kind: str, settings: str) -> str:
    """Profile `prod` stating `settings` (one per line) for `jobworld`'s job (`kind` "jobs") or
    worker pool ("worker_pools", its container `consumer` described)."""
    name = "job" if kind == "jobs" else "pool"
    chosen = "" if kind == "jobs" else "    container: consumer\n"
    lines = "".join(f"      {line}\n" for line in settings.splitlines())
    return f"project: p\nregion: us-central1\n{kind}:\n  {name}:\n{chosen}    settings:\n{lines}"


def volumes_world(volumes: list[Any], *mounts: list[Any]) -> dict[str, Any]:
    """`jobworld`'s world whose job and worker pool hold `volumes`, the pool's containers
    (consumer, agent) each mounting what `mounts` gives it in order, the job's one container
    all of them (a volume no container mounts is not read: `drift.fields.ports.mounted`)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["volumes"] = copy.deepcopy(volumes)
    job["template"]["containers"] = [{"volumeMounts": [m for its in mounts for m in its]}]
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["volumes"] = copy.deepcopy(volumes)
    for container, its in zip(pool["template"]["containers"], mounts, strict=False):
        container["volumeMounts"] = its
    return world(jobs={"job": job}, pools={"pool": pool})
