"""A startup probe's bounds judged against the template the fix writes, its GPU as the plan
leaves it, and never a refusal of what the live workload already runs (helper-794 A1–A4;
drift/fix/startup_bounds.py). The services' healthchecks page: delay, period and timeout "from
… to 600 seconds (1800 for GPU)", and the failure threshold times the period "cannot exceed 600
seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/configuring/healthchecks); no page says
Cloud Run refuses a probe over that time, so a profile stating one is a note where it loads,
and the fix writes one only where it is what runs. The sandbox refuses a period over the
per-field bound (drift/sandbox/container_rules.py) and takes any failure threshold."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift, drift_on
from tests.conftest import MakeSandbox
from tests.fields.container_world import run, service_world
from tests.fields.test_health_checks import HEAD, P, probe_world

TCP = {"tcpSocket": {"port": 8080}}
L4 = {"limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}, "cpuIdle": False}
"""An L4 GPU on the GPU page's minimum instance (4 CPU, 16 GiB), CPU always allocated."""
LIVE_720 = {**TCP, "timeoutSeconds": 240, "periodSeconds": 240, "failureThreshold": 3}
"""A probe Cloud Run takes on a service without a GPU: each timing within 600 s, 720 s in all."""
GPU_LESS = "over 600 s without a GPU"
PERIOD_900 = "startup_probe: tcp port 8080 timeout 900s period 900s failure 1"
"""A probe Cloud Run takes on a service with a GPU only (900 s in all)."""


def _world(startup: dict[str, Any], *, gpu: bool) -> Any:
    """Service `api` whose container `app` has the startup probe `startup`, with an L4 GPU on
    4 CPU and 16 GiB where `gpu`, else those alone."""
    world = probe_world(startup)
    template = world["projects"][P]["services"]["api"]["template"]["api"]
    limits = L4["limits"] if gpu else {"cpu": "4", "memory": "16Gi"}
    template["containers"][0]["resources"] = {**L4, "limits": limits}
    if gpu:
        template["nodeSelector"] = {"accelerator": "nvidia-l4"}
    return world


def _env(settings: str) -> tuple[str, str]:
    return ("env", HEAD + "".join(f"      {line}\n" for line in settings.split(";")))


def _held(sandbox: Any) -> tuple[bool, tuple[int, int, int]]:
    """Whether the live service has a GPU, and its startup probe's timeout, period, failure."""
    template = sandbox.service(P, "api").template
    probe = template.containers[0].startup_probe
    return bool(template.node_selector.accelerator), (
        probe.timeout_seconds,
        probe.period_seconds,
        probe.failure_threshold,
    )


def test_a_live_services_own_window_stated_beside_no_gpu_is_checked(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A4: the service runs 240 s × 3 (720 s) without a GPU; the profile states that probe and
    `gpu_type: none`. Before, refused at its line: `check` exited 2 for the environment."""
    sandbox = make_sandbox(probe_world(LIVE_720))
    profile = _env("gpu_type: none;startup_probe: tcp port 8080 timeout 240s period 240s failure 3")
    done = drift_on(sandbox, tmp_path, profile, "profiles", "validate")
    out = done.stdout + done.stderr
    assert done.returncode == 0 and "env.yaml:7: note: " in out, out
    assert '"cannot exceed 600 seconds (1800 for GPU)"' in out, out
    done = drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history")
    assert done.returncode == 0, done.stdout + done.stderr
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "nothing to change" in plan.stdout, plan.stdout


@pytest.mark.parametrize(("failure", "written"), [(3, True), (4, False)])
def test_a_probe_rewritten_with_the_window_it_runs_is_written(
    make_sandbox: MakeSandbox, tmp_path: Path, failure: int, written: bool
) -> None:
    """A stated probe keeping the 720 s the service runs (its timeout changed) is written as it
    is (never a refusal to leave it); one lengthening it to 960 s is a manual step, nothing
    written. Before, a line stating 720 s beside no GPU was refused where the profile loads."""
    sandbox = make_sandbox(probe_world(LIVE_720))
    profile = _env(f"startup_probe: tcp port 8080 timeout 120s period 240s failure {failure}")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert ("1 change in 1 service, 0 manual steps" in plan.stdout) is written, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == (0 if written else 1), done.stdout + done.stderr
    assert _held(sandbox) == (False, (120, 240, 3) if written else (240, 240, 3))


def test_init_from_live_copies_a_gpu_services_window_over_1800_s(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A4: `init --from-live` of a GPU service running 240 s × 8 (1920 s) refused the whole
    draft (exit 2); it copies what is live, and the profile checks clean."""
    sandbox = make_sandbox(_world({**LIVE_720, "failureThreshold": 8}, gpu=True))
    env = sandbox.environ()
    done = drift("init", "env", "--from-live", "--project", P, "--region", "us-central1",
                 env=env, cwd=tmp_path)  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    assert "period 240s failure 8" in (tmp_path / "profiles" / "env.yaml").read_text()
    done = drift("check", "env", "--no-history", env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_gpu_the_plan_adds_takes_its_900_s_probe(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A1: judged with the GPU the plan writes, a 900 s probe beside it is written in the same
    fix. Before, judged with the live template's (none): a manual step, a second fix needed."""
    sandbox = make_sandbox(_world({**TCP, "periodSeconds": 5}, gpu=False))
    profile = _env("gpu_type: nvidia-l4;" + PERIOD_900)
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "2 changes in 1 service, 0 manual steps" in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _held(sandbox) == (True, (900, 900, 1))


def test_a_gpu_the_plan_cannot_add_leaves_its_900_s_probe_unwritten(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The GPU is a manual step (1 CPU: under the L4's 4), so the 900 s probe judged beside it
    would run without one: a manual step too, nothing written (no INVALID_ARGUMENT)."""
    sandbox = make_sandbox(probe_world({**TCP, "periodSeconds": 5}))
    profile = _env("gpu_type: nvidia-l4;" + PERIOD_900)
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "0 changes, 2 manual steps" in plan.stdout and GPU_LESS in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert sandbox.service(P, "api").template.containers[0].startup_probe.period_seconds == 5


@pytest.mark.parametrize(
    ("live", "said"),
    [
        ({**TCP, "timeoutSeconds": 900, "periodSeconds": 900}, "its period 900s is " + GPU_LESS),
        ({**LIVE_720, "failureThreshold": 5}, "its period, 1200 s, is " + GPU_LESS),
    ],
)
def test_a_gpu_the_plan_takes_away_under_a_probe_over_the_bound_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path, live: dict[str, Any], said: str
) -> None:
    """A2, A3: the live GPU service's probe is over what a service without one takes (a 900 s
    period, or 240 s × 5). Before, the plan said 0 manual steps, and the fix was refused with
    INVALID_ARGUMENT (exit 4), or wrote the 1200 s without the GPU."""
    sandbox = make_sandbox(_world(live, gpu=True))
    before = _held(sandbox)
    plan = drift_on(sandbox, tmp_path, _env("gpu_type: none"), "plan", "env")
    assert "manual  setting.gpu_type: api: gpu_type none: container app's" in plan.stdout
    assert said in plan.stdout and "0 changes, 1 manual step" in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, _env("gpu_type: none"), "fix", "env", "--yes")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert _held(sandbox) == before


def test_a_gpu_taken_away_beside_a_probe_within_the_bound_is_written(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world({**TCP, "timeoutSeconds": 900, "periodSeconds": 900}, gpu=True))
    profile = _env("gpu_type: none;startup_probe: tcp port 8080 timeout 600s period 600s failure 1")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "2 changes in 1 service, 0 manual steps" in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _held(sandbox) == (False, (600, 600, 1))


@pytest.mark.parametrize(
    ("otel", "written"), [("period 10s", True), ("timeout 900s period 900s failure 1", False)]
)
def test_a_gpu_left_out_drops_only_the_probes_over_their_bound(
    make_sandbox: MakeSandbox, tmp_path: Path, otel: str, written: bool
) -> None:
    """The GPU the profile adds is a manual step (too small an instance), so app's stated 900 s
    probe is judged without it: a step naming app. otel's own stated probe is judged alone:
    within every bound, it is written; over one, a step of its own naming otel. Before
    (helper-800 A-M1), every container's probe change was dropped and only app was named."""
    live = {"tcpSocket": {"port": 9090}, "periodSeconds": 5}
    sandbox = make_sandbox(
        service_world({"startupProbe": {**TCP, "periodSeconds": 5}}, {"startupProbe": live})
    )
    body = f"    settings:\n      gpu_type: nvidia-l4\n      {PERIOD_900}\n    containers:\n"
    body += f"      otel:\n        settings:\n          startup_probe: tcp port 9090 {otel}\n"
    plan = run(sandbox, tmp_path, body, "plan", "env")
    probes = [line for line in plan.stdout.splitlines() if "manual  setting.startup_probe" in line]
    named = {line.split("container ")[1].split("'")[0]: line for line in probes}
    assert len(probes) == len(named) == (1 if written else 2), plan.stdout
    assert "or what gpu_type's step says the GPU requires" in named["app"], plan.stdout
    assert written or "9090 delay 0s timeout 900s period 900s failure 1: its" in named["otel"]
    assert ("set  setting otel/startup_probe" in plan.stdout) is written, plan.stdout
    done = run(sandbox, tmp_path, body, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 1 and "Traceback" not in done.stderr, done.stdout + done.stderr
    containers = sandbox.service(P, "api").template.containers
    periods = [c.startup_probe.period_seconds for c in containers]
    assert periods == [5, 10 if written else 5], done.stdout


def test_a_gpu_a_probe_keeps_keeps_the_instance_it_needs(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`gpu_type: none` with the CPU and memory a service without a GPU takes, under a live
    900 s probe: the GPU stays (its step), so cpu 1 and memory 512Mi, judged again under it,
    are steps too; plan and fix agree, nothing is written. Before (helper-800 A-M2), they were
    planned, and the fix was refused: INVALID_ARGUMENT, exit 4."""
    sandbox = make_sandbox(_world({**TCP, "timeoutSeconds": 900, "periodSeconds": 900}, gpu=True))
    profile = _env("gpu_type: none;cpu: 1;memory: 512Mi")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = plan.stdout
    assert "0 changes, 3 manual steps" in said and "the GPU stays while gpu_type's" in said, said
    steps = [line.split(":")[0].split()[-1] for line in said.splitlines() if "  manual  " in line]
    assert steps == ["setting.gpu_type", "setting.cpu", "setting.memory"], said
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 1 and "0 changes, 3 manual steps" in done.stdout, done.stdout
    limits = sandbox.service(P, "api").template.containers[0].resources.limits
    assert _held(sandbox)[0] and (limits["cpu"], limits["memory"]) == ("4", "16Gi")


def test_a_gpu_taken_away_names_every_container_over_the_bound(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Both containers run a 900 s period under the live L4: the gpu_type step names each (one
    step: the GPU is one). Before, it named app alone, and a fix of app's left otel's unsaid."""
    over = {"timeoutSeconds": 900, "periodSeconds": 900}
    world = service_world(
        {"startupProbe": {**TCP, **over}, "resources": L4},
        {"startupProbe": {"tcpSocket": {"port": 9090}, **over}},
        nodeSelector={"accelerator": "nvidia-l4"},
    )
    sandbox = make_sandbox(world)
    plan = run(sandbox, tmp_path, "    settings:\n      gpu_type: none\n", "plan", "env")
    assert "0 changes, 1 manual step" in plan.stdout, plan.stdout
    step = next(line for line in plan.stdout.splitlines() if "manual  setting.gpu_type" in line)
    assert "container app's startup" in step and "; container otel's startup" in step, step
    assert "state each a startup probe within it" in step, step
