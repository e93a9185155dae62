"""helper-631 F1, F2: a profile raising memory alone (the common edit) on a workload whose CPU
cannot take it was planned as a clean change ("0 manual steps") and `drift fix` sent the write
Cloud Run refuses ("For 1.0 CPU, memory must be between 128Mi and 4Gi inclusive."); a job's cpu
lowered below one under 2Gi likewise. The plan now judges the template it would write
(drift/fix/cpu_memory.py): such a change is a manual step naming what to state beside it, and
fix writes nothing of it. Where the pages leave it open (each container's pair, or the instance's
sums with a sidecar) drift lets the server decide, and reports its refusal as any other."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.test_cpu_below_one import _run
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

IMAGE = "us-docker.pkg.dev/example/api:1"
SECTIONS = {"service": "services", "job": "jobs", "pool": "worker_pools"}
NAMES = {"service": "api", "job": "job", "pool": "pool"}


def _sandbox(
    make_sandbox: MakeSandbox, limits: dict[str, str], sidecar: bool = False, **options: Any
) -> Sandbox:
    """A service, a job and a worker pool (one container, or two with `sidecar`), each at
    `limits` (flat: cpu, memory)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"].update(limits)
    pool = copy.deepcopy(POOL_SPEC)
    containers = pool["template"]["containers"]
    pool["template"]["containers"] = containers if sidecar else containers[:1]
    containers[0]["resources"] = {"limits": dict(limits)}
    scenario = world(jobs={"job": job}, pools={"pool": pool}, **options)
    scenario["projects"]["p"]["services"] = {"api": {"template": {"image": IMAGE, **limits}}}
    return make_sandbox(scenario)


def _profile(tmp_path: Path, kind: str, settings: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    extra = {
        "service": "",
        "job": "    env:\n      MODE: live\n      TOKEN: {secret: token}\n",
        "pool": "    container: consumer\n    env:\n      QUEUE: events\n",
    }[kind]
    (folder / "lab.yaml").write_text(
        f"project: p\nregion: us-central1\n{SECTIONS[kind]}:\n  {NAMES[kind]}:\n{extra}"
        f"    settings:\n{settings}"
    )


def _limits(sandbox: Sandbox, kind: str) -> dict[str, str]:
    if kind == "service":
        template = sandbox.service("p", "api").template
    elif kind == "job":
        template = sandbox.job("p", "job").template.template
    else:
        template = sandbox.worker_pool("p", "pool").template
    return dict(template.containers[0].resources.limits)


def _plan(sandbox: Sandbox, tmp_path: Path) -> dict[str, Any]:
    plan = _run(sandbox, tmp_path, "plan", "lab", "--format", "json")
    (workload,) = json.loads(plan.stdout)["services"]
    return dict(workload)


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
@pytest.mark.parametrize(
    ("live", "stated", "target", "said"),
    [
        (
            {"cpu": "1", "memory": "512Mi"},
            "      memory: 16Gi\n",
            "setting.memory",
            "memory 16Gi needs at least 4 CPU; Cloud Run takes 4Gi at most with 1 CPU",
        ),
        (
            {"cpu": "4", "memory": "16Gi"},
            "      cpu: 2\n",
            "setting.cpu",
            "state `memory: 8Gi` (or less) in the profile beside cpu",
        ),
        (
            {"cpu": "1", "memory": "512Mi"},
            "      cpu: 4\n",
            "setting.cpu",
            "4 CPU need at least 2Gi of memory",
        ),
        (
            {"cpu": "4", "memory": "2Gi"},
            "      memory: 1Gi\n",
            "setting.memory",
            "4 CPU need at least 2Gi of memory",
        ),
    ],
    ids=["memory-up", "cpu-down", "cpu-up", "memory-down"],
)
def test_a_change_the_kept_setting_cannot_take_is_a_manual_step(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    kind: str,
    live: dict[str, str],
    stated: str,
    target: str,
    said: str,
) -> None:
    sandbox = _sandbox(make_sandbox, live)
    _profile(tmp_path, kind, stated)
    workload = _plan(sandbox, tmp_path)
    assert workload["settings"] == [], workload
    (step,) = workload["manual"]
    assert step["target"] == target
    assert said in step["reason"], step["reason"]
    assert "would be refused (INVALID_ARGUMENT)" in step["reason"]
    before = _limits(sandbox, kind)
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes")
    assert "Invalid value specified" not in done.stdout + done.stderr  # no write was sent
    assert _limits(sandbox, kind) == before


def test_the_step_says_the_cpu_the_memory_needs(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = _sandbox(make_sandbox, {"cpu": "1", "memory": "512Mi"})
    _profile(tmp_path, "service", "      memory: 8Gi\n")
    (step,) = _plan(sandbox, tmp_path)["manual"]
    assert "the service runs 1 CPU" in step["reason"]
    assert "state `cpu: 2` in the profile beside memory" in step["reason"]
    assert step["commands"] == [
        "# gcloud run services update api --project=p --region=us-central1 --cpu=2 --memory=8Gi"
    ]


def test_a_job_cpu_lowered_below_one_under_2gi_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """F2: the jobs CPU page's "A minimum of 1 vCPU is needed to set a memory limit greater than
    1GiB" (an older copy: a job's minimum is 1 CPU): refused by every reading."""
    sandbox = _sandbox(make_sandbox, {"cpu": "1", "memory": "2Gi"})
    _profile(tmp_path, "job", "      cpu: 0.5\n")
    (step,) = _plan(sandbox, tmp_path)["manual"]
    assert step["target"] == "setting.cpu"
    assert "below 1 CPU Cloud Run requires memory 1Gi at most" in step["reason"], step
    assert "state `memory: 1Gi` (or less)" in step["reason"]
    _run(sandbox, tmp_path, "fix", "lab", "--yes")
    assert _limits(sandbox, "job") == {"cpu": "1", "memory": "2Gi"}


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
def test_both_stated_as_cloud_run_takes_them_are_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    sandbox = _sandbox(make_sandbox, {"cpu": "1", "memory": "512Mi"})
    _profile(tmp_path, kind, "      cpu: 2\n      memory: 8Gi\n")
    workload = _plan(sandbox, tmp_path)
    assert workload["manual"] == [] and len(workload["settings"]) == 2, workload
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _limits(sandbox, kind) == {"cpu": "2", "memory": "8Gi"}


@pytest.mark.parametrize(("size_of", "code"), [("container", 4), ("instance", 0)])
def test_where_a_sidecar_leaves_it_open_the_server_decides(
    make_sandbox: MakeSandbox, tmp_path: Path, size_of: str, code: int
) -> None:
    """1 CPU with 5Gi beside a 1-CPU sidecar: refused as the container's pair, taken as the
    instance's (2 CPU, 5.5Gi). Not documented which: planned, and Cloud Run's answer reported."""
    sandbox = _sandbox(
        make_sandbox, {"cpu": "1", "memory": "512Mi"}, sidecar=True, max_size_of=size_of
    )
    _profile(tmp_path, "pool", "      memory: 5Gi\n")
    workload = _plan(sandbox, tmp_path)
    assert workload["manual"] == [], workload
    assert [s["after"] for s in workload["settings"]] == ["5Gi"]
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == code, out
    if code:
        assert "For 1.0 CPU, memory must be between 512Mi and 4Gi inclusive" in out, out


@pytest.mark.parametrize("kind", ["service", "job", "pool"])
def test_only_the_memory_of_a_plan_raising_both_is_refused_before_any_write(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    """`fix --only` judges the part as what it writes: memory 8Gi without the cpu 2 the plan
    sets with it is what Cloud Run refuses (the whole plan is not)."""
    sandbox = _sandbox(make_sandbox, {"cpu": "1", "memory": "512Mi"})
    _profile(tmp_path, kind, "      cpu: 2\n      memory: 8Gi\n")
    ids = {s["name"]: s["id"] for s in _plan(sandbox, tmp_path)["settings"]}
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--only", ids["memory"])
    out = done.stdout + done.stderr
    assert done.returncode == 2, out
    assert "memory 8Gi needs at least 2 CPU" in out and f"it needs {ids['cpu']} too" in out, out
    assert "nothing was changed" in out
    assert _limits(sandbox, kind) == {"cpu": "1", "memory": "512Mi"}


def test_the_pair_fix_wrote_beside_a_sidecar_is_no_profile_error(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-642 F2: under the instance reading (`max_size_of: instance`) a pool's sidecar
    makes 1 CPU with 5Gi valid, and the plan takes `memory: 5Gi`; a profile stating `cpu: 1`
    beside it was refused at load, so `check` exited 2 on the very state `fix` wrote. Such a
    pair is noted (one container cannot take it), not refused: the check runs, clean."""
    sandbox = _sandbox(
        make_sandbox, {"cpu": "1", "memory": "512Mi"}, sidecar=True, max_size_of="instance"
    )
    _profile(tmp_path, "pool", "      memory: 5Gi\n")
    assert _run(sandbox, tmp_path, "fix", "lab", "--yes").returncode == 0
    (tmp_path / "profiles" / "lab.yaml").unlink()
    _profile(tmp_path, "pool", "      cpu: 1\n      memory: 5Gi\n")
    checked = _run(sandbox, tmp_path, "check", "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr
