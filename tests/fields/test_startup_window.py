"""A startup probe's failure threshold times its period (helper-710 F2, drift's side). The jobs'
and worker pools' healthchecks pages: that time "can't exceed 240 seconds" (a later copy of the
jobs' page says 600, 1800 for GPU; drift keeps 240, `probe_text.STARTUP_WINDOW_S`). A job's or
worker pool's profile line stating both over it is refused at its line; where the fix would
combine a stated one with the live probe's other (a live period 240s beside `failure 3`), the
plan makes it a manual step and nothing of the probe is written. The services' page bounds no
such time: a service's is said in the plan (Cloud Run's default probe, period 240s, beside
`failure 3`: 720 s) and written."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, probe_world
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

RULE = "can't exceed 240 seconds"
LONG = {
    "tcpSocket": {"port": 8080},
    "timeoutSeconds": 240,
    "periodSeconds": 240,
    "failureThreshold": 1,
}
"""A live startup probe whose period is 240 s (Cloud Run's default probe's timings)."""


def _world() -> dict[str, Any]:
    """Job `job` and pool `pool` (consumer, sidecar agent), each container's startup probe
    `LONG`."""
    job = copy.deepcopy(JOB_SPEC)
    template = job["template"]
    template["api"] = {"containers": [{"image": template.pop("image"), "startupProbe": LONG}]}
    template.pop("env")
    pool = copy.deepcopy(POOL_SPEC)
    for container in pool["template"]["containers"]:
        container["startupProbe"] = LONG
    return world(jobs={"job": job}, pools={"pool": pool})


def _profile(section: str, settings: str, sidecar: str = "") -> tuple[str, str]:
    """`section`'s workload stating `settings` (the pool's for its consumer), and its sidecar
    agent `sidecar`."""
    named = "job:" if section == "jobs" else "pool:\n    container: consumer"
    body = f"    settings:\n      {settings}\n" if settings else ""
    if sidecar:
        body += f"    containers:\n      agent:\n        settings:\n          {sidecar}\n"
    return ("prod", f"project: p\nregion: us-central1\n{section}:\n  {named}\n{body}")


@pytest.mark.parametrize(
    ("section", "settings", "sidecar", "line"),
    [
        ("jobs", "startup_probe: tcp port 8080 period 100s failure 3", "", 6),
        ("worker_pools", "startup_probe: http /ready port 8080 period 10s failure 25", "", 7),
        ("worker_pools", "", "startup_probe: tcp port 8080 period 240s failure 2", 9),
    ],
)
def test_a_jobs_or_pools_line_over_the_window_is_refused_at_it(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, settings: str, sidecar: str, line: int
) -> None:
    sandbox = make_sandbox(_world())
    profile = _profile(section, settings, sidecar)
    for args in (("profiles", "validate"), ("check", "prod", "--no-history")):
        done = drift_on(sandbox, tmp_path, profile, *args)
        out = done.stdout + done.stderr
        assert done.returncode == 2 and f"prod.yaml:{line}" in out and RULE in out, out
        assert "Traceback" not in out


def test_the_refusal_names_its_line_once(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """helper-722 F3: the message named its file:line twice, once before and once inside."""
    profile = _profile("worker_pools", "", "startup_probe: tcp port 8080 period 240s failure 2")
    done = drift_on(make_sandbox(_world()), tmp_path, profile, "profiles", "validate")
    assert done.returncode == 2
    assert (done.stdout + done.stderr).strip() == (
        "profiles/prod.yaml:9: pool: container agent's startup_probe tcp port 8080 period 240s "
        "failure 2: its failure threshold times its period is 480 s, over 240 s: a job's or "
        "worker pool's startup probe time \"is calculated as failureThreshold * periodSeconds "
        "and can't exceed 240 seconds\" (cloud.google.com/run/docs/configuring/jobs/"
        "healthchecks, …/workerpools/healthchecks); state a shorter period or fewer failures"
    )


@pytest.mark.parametrize(
    "profile",
    [
        _profile("jobs", "startup_probe: tcp port 8080 period 80s failure 3"),  # 240 s: taken
        ("env", HEAD + "      startup_probe: tcp port 8080 period 240s failure 3\n"),  # service
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
    assert "manual" in plan.stdout and said in plan.stdout and RULE in plan.stdout, plan.stdout
    assert "set  setting startup_probe" not in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    assert said in done.stdout and "Traceback" not in done.stderr, done.stdout + done.stderr
    if section == "jobs":
        containers = sandbox.job("p", "job").template.template.containers
    else:
        containers = sandbox.worker_pool("p", "pool").template.containers
    held = [(c.startup_probe.period_seconds, c.startup_probe.failure_threshold) for c in containers]
    assert held == [(240, 1)] * len(containers)


def test_a_failure_threshold_on_a_services_default_probe_is_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(None))  # Cloud Run's default probe: period 240s
    profile = ("env", HEAD + "      startup_probe: tcp port 8080 failure 3\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "the probe then gives the container 720 s to start (failure 3 × period 240s)"
    assert said in plan.stdout and "0 manual steps" in plan.stdout, plan.stdout
