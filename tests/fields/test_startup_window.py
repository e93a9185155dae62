"""A startup probe's failure threshold times its period (helper-710 F2, helper-722 F9). The
newest copy of the jobs' healthchecks page: that time "can't exceed 600 seconds (1800 for GPU)";
every copy of the worker pools' page: "a maximum of 240 seconds" (older copies of the jobs' page
said 240 too; `probe_bounds.window_bound`); the newest copy of the services' page: that time
"cannot exceed 600 seconds (1800 for GPU)" (no older copy gave one). A profile line stating both
over its kind's bound (a job's or service's 1800 s unless the profile says it has no GPU,
`gpu_type: none`) is a note at its line (helper-794 A4: no page says Cloud Run refuses one);
a job's over 240 s within the bound is a note too. Where
the fix would combine a stated one with the live probe's other (a live period 240s beside
`failure 3`), the plan makes one over the bound (a job's or service's GPU as its template has
it) a manual step, and nothing of the probe is written; within it, the plan says the time and
the fix writes it (a service's: Cloud Run's default probe, period 240s, beside `failure 2`:
480 s; beside `failure 3`, 720 s, over a service's 600 s without a GPU: a manual step)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

POOL_RULE = "is a maximum of 240 seconds"
JOB_RULE = "can't exceed 600 seconds (1800 for GPU)"
SERVICE_RULE = '"cannot exceed 600 seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/'
PROTO_RULE = 'run v2\'s Probe: "Maximum value for startup probe is 240"'
OLDER = "over 240 s, the bound older copies of the page gave; the newest: "
LONG = {
    "tcpSocket": {"port": 8080},
    "timeoutSeconds": 240,
    "periodSeconds": 240,
    "failureThreshold": 1,
}
"""A live startup probe whose period is 240 s (Cloud Run's default probe's timings)."""
GPU = {"resources": {"limits": {"cpu": "4", "memory": "16Gi", "nvidia.com/gpu": "1"}}}
"""What a job's container holds with a GPU (the GPU pages' L4 minimum: 4 CPU, 16 GiB)."""


def _world(*, gpu: bool = False, **options: Any) -> dict[str, Any]:
    """Job `job` (with an L4 GPU where `gpu`) and pool `pool` (consumer, sidecar agent), each
    container's startup probe `LONG`; the scenario's `options`."""
    job = copy.deepcopy(JOB_SPEC)
    template = job["template"]
    container = {"image": template.pop("image"), "startupProbe": LONG, **(GPU if gpu else {})}
    template["api"] = {"containers": [container]}
    if gpu:
        template["api"]["nodeSelector"] = {"accelerator": "nvidia-l4"}
    template.pop("env")
    pool = copy.deepcopy(POOL_SPEC)
    for container in pool["template"]["containers"]:
        container["startupProbe"] = LONG
    return world(jobs={"job": job}, pools={"pool": pool}, **options)


def _profile(section: str, settings: str, sidecar: str = "") -> tuple[str, str]:
    """`section`'s workload stating `settings` (the pool's for its consumer), and its sidecar
    agent `sidecar`."""
    named = "job:" if section == "jobs" else "pool:\n    container: consumer"
    body = f"    settings:\n      {settings}\n" if settings else ""
    if sidecar:
        body += f"    containers:\n      agent:\n        settings:\n          {sidecar}\n"
    return ("prod", f"project: p\nregion: us-central1\n{section}:\n  {named}\n{body}")


WINDOWS = [
    ("jobs", "startup_probe: tcp port 8080 period 240s failure 8", "", 6, JOB_RULE),  # 1920
    (
        "jobs",
        "gpu_type: none\n      startup_probe: tcp port 8080 period 240s failure 3",
        "",
        7,
        JOB_RULE,  # 720 s, over 600 s: the profile says the job has no GPU
    ),
    (
        "worker_pools",
        "startup_probe: http /ready port 8080 period 10s failure 25",
        "",
        7,
        POOL_RULE,
    ),
    ("worker_pools", "", "startup_probe: tcp port 8080 period 240s failure 2", 9, POOL_RULE),
    ("env", "gpu_type: none\n      startup_probe: tcp port 8080 period 240s failure 3", "", 7, ""),
    ("env", "startup_probe: tcp port 8080 period 600s failure 4", "", 6, ""),  # 2400 s
]
"""A line whose failure threshold times its period is over its kind's bound (`env`: a
service's, `SERVICE_RULE`), at its line."""


TIMINGS = [
    # a job's or pool's startup delay, period and timeout: run v2's Probe's 240 s, which no
    # page of theirs raises (a service's: 600 s, tests/fields/test_startup_bounds.py)
    ("jobs", "startup_probe: tcp port 8080 period 241s failure 1", "", 6, PROTO_RULE),
    ("jobs", "startup_probe: tcp port 8080 delay 241s", "", 6, PROTO_RULE),
    ("worker_pools", "startup_probe: tcp port 8080 period 241s failure 1", "", 7, PROTO_RULE),
    ("worker_pools", "", "startup_probe: tcp port 8080 delay 300s", 9, PROTO_RULE),
]
"""A line whose delay, period or timeout is over its kind's most: refused at its line."""


@pytest.mark.parametrize(
    ("section", "settings", "sidecar", "line", "rule", "refused"),
    [*((*w, False) for w in WINDOWS), *((*t, True) for t in TIMINGS)],
)
def test_a_line_over_its_bound_is_said_at_it(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    section: str,
    settings: str,
    sidecar: str,
    line: int,
    rule: str,
    refused: bool,
) -> None:
    """A window over its bound: the pages bound that time, but none says Cloud Run refuses a
    probe over it, and a live workload may run one (helper-794 A4): a note at its line, never
    refused, so the environment's checks run (before: refused, exit 2 for the environment).
    A timing over its most: refused at its line."""
    sandbox = make_sandbox(_world())
    if section == "env":
        profile, rule = ("prod", HEAD.replace(P, "p") + f"      {settings}\n"), SERVICE_RULE
    else:
        profile = _profile(section, settings, sidecar)
    for args in (("profiles", "validate"), ("check", "prod", "--no-history")):
        done = drift_on(sandbox, tmp_path, profile, *args)
        out = done.stdout + done.stderr
        assert (done.returncode == 2) is refused, out
        assert f"prod.yaml:{line}" in out and rule in out and "Traceback" not in out, out
        assert refused or "no page says Cloud Run refuses" in out, out


def test_the_note_names_its_line_once(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """helper-722 F3: the message named its file:line twice, once before and once inside."""
    profile = _profile("worker_pools", "", "startup_probe: tcp port 8080 period 240s failure 2")
    done = drift_on(make_sandbox(_world()), tmp_path, profile, "profiles", "validate")
    assert done.returncode == 0
    assert (done.stdout + done.stderr).strip() == (
        "1 profile valid: prod\n"
        "profiles/prod.yaml:9: note: pool: container agent's startup_probe tcp port 8080 period "
        "240s failure 2: its failure threshold times its period is 480 s, over 240 s: a worker "
        "pool's startup probe time \"is a maximum of 240 seconds, calculated as "
        'failureThreshold * periodSeconds" (cloud.google.com/run/docs/configuring/workerpools/'
        "healthchecks); no page says Cloud Run refuses a longer one; drift fix writes one only "
        "where it runs already"
    )


@pytest.mark.parametrize(
    ("settings", "gpu_said"),
    [
        ("startup_probe: tcp port 8080 period 100s failure 3", False),  # 300 s
        ("startup_probe: tcp port 8080 period 240s failure 3", True),  # 720 s: a GPU's only
        ("gpu_type: nvidia-l4\n      startup_probe: tcp port 8080 period 240s failure 3", False),
    ],
)
def test_a_jobs_line_over_240_s_within_its_bound_is_a_note(
    make_sandbox: MakeSandbox, tmp_path: Path, settings: str, gpu_said: bool
) -> None:
    """The newest jobs' page takes up to 600 s (1800 with a GPU): said, never refused, so the
    environment's checks run (helper-722 F9)."""
    sandbox = make_sandbox(_world())
    profile = _profile("jobs", settings)
    done = drift_on(sandbox, tmp_path, profile, "profiles", "validate")
    out = done.stdout + done.stderr
    assert done.returncode == 0 and OLDER + "a job's startup probe time" in out, out
    assert JOB_RULE in out and ("for a job with a GPU only" in out) is gpu_said, out
    done = drift_on(sandbox, tmp_path, profile, "check", "prod", "--no-history")
    assert done.returncode != 2 and "Traceback" not in done.stderr, done.stdout + done.stderr


@pytest.mark.parametrize(
    "profile",
    [
        _profile("jobs", "startup_probe: tcp port 8080 period 80s failure 3"),  # 240 s: taken
        _profile("jobs", "startup_probe: tcp port 8080 delay 240s period 240s failure 1"),
        _profile("worker_pools", "startup_probe: tcp port 8080 delay 240s timeout 240s failure 1"),
        ("env", HEAD + "      startup_probe: tcp port 8080 period 240s failure 3\n"),  # service
        ("env", HEAD + "      startup_probe: tcp port 8080 period 600s failure 3\n"),  # a GPU's
    ],
)
def test_a_window_of_240_s_or_a_services_is_not_refused(
    make_sandbox: MakeSandbox, tmp_path: Path, profile: tuple[str, str]
) -> None:
    sandbox = make_sandbox(_world())
    done = drift_on(sandbox, tmp_path, profile, "profiles", "validate")
    assert done.returncode == 0, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("section", "settings", "sidecar", "said"),
    [
        (
            "jobs",
            "startup_probe: tcp port 8080 failure 3",
            "",
            "container job-1's startup probe tcp port 8080 failure 3 would run with period 240s "
            "kept from the live probe",
        ),
        (
            "worker_pools",
            "",
            "startup_probe: tcp port 8080 failure 2",
            "container agent's startup probe tcp port 8080 failure 2 would run with period 240s",
        ),
    ],
)
def test_a_failure_threshold_beside_the_live_period_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, settings: str, sidecar: str, said: str
) -> None:
    sandbox = make_sandbox(_world())
    profile = _profile(section, settings, sidecar)
    plan = drift_on(sandbox, tmp_path, profile, "plan", "prod")
    rule = JOB_RULE if section == "jobs" else POOL_RULE
    assert "manual" in plan.stdout and said in plan.stdout and rule in plan.stdout, plan.stdout
    assert "set  setting startup_probe" not in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    assert said in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr
    if section == "jobs":
        containers = sandbox.job("p", "job").template.template.containers
    else:
        containers = sandbox.worker_pool("p", "pool").template.containers
    held = [(c.startup_probe.period_seconds, c.startup_probe.failure_threshold) for c in containers]
    assert held == [(240, 1)] * len(containers)


@pytest.mark.parametrize("option", ["taken", "refused"])
@pytest.mark.parametrize(
    ("failure", "gpu"),
    [(2, False), (3, True)],  # 480 s within 600 s; 720 s within a GPU job's 1800 s
)
def test_a_failure_threshold_beside_the_live_period_within_a_jobs_bound_is_written(
    make_sandbox: MakeSandbox, tmp_path: Path, failure: int, gpu: bool, option: str
) -> None:
    """Written under the newest jobs' page; where Cloud Run refuses it as the older copies'
    240 s would (the sandbox's `startup_window: refused`), nothing changes and the run says
    why with exit 4."""
    sandbox = make_sandbox(_world(gpu=gpu, startup_window=option))
    profile = _profile("jobs", f"startup_probe: tcp port 8080 failure {failure}")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "prod")
    whole = 240 * failure
    said = f"gives the container {whole} s to start (failure {failure} × period 240s), {OLDER}"
    assert said in plan.stdout and "0 manual steps" in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    (container,) = sandbox.job("p", "job").template.template.containers
    held = container.startup_probe
    if option == "refused":
        assert done.returncode == 4 and "can't exceed 240 seconds" in out, out
        assert (held.period_seconds, held.failure_threshold) == (240, 1), out
        return
    assert done.returncode == 0, out
    assert (held.period_seconds, held.failure_threshold) == (240, failure)


def test_a_failure_threshold_on_a_services_default_probe_is_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(None))  # Cloud Run's default probe: period 240s
    profile = ("env", HEAD + "      startup_probe: tcp port 8080 failure 2\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "the probe then gives the container 480 s to start (failure 2 × period 240s)"
    assert said in plan.stdout and "0 manual steps" in plan.stdout, plan.stdout


def test_a_services_window_over_600_s_without_a_gpu_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The newest services' page: that time "cannot exceed 600 seconds (1800 for GPU)". The
    live service has no GPU: its default probe's period 240s beside `failure 3` (720 s) is not
    written. Before, the plan said the 720 s and the fix wrote it."""
    sandbox = make_sandbox(probe_world(None))
    profile = ("env", HEAD + "      startup_probe: tcp port 8080 failure 3\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "container app's startup probe tcp port 8080 failure 3 would run with period 240s"
    assert said in plan.stdout and SERVICE_RULE in plan.stdout, plan.stdout
    assert "set  setting startup_probe" not in plan.stdout, plan.stdout
    drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert sandbox.service(P, "api").template.containers[0].startup_probe.failure_threshold == 1
