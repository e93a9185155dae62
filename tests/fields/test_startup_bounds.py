"""A startup probe's initial delay, period and timeout, each bounded as Google's newest pages say
(helper-709 "Left open" 1). The services' healthchecks page: "Specify a value from 0 seconds to
600 seconds (1800 for GPU)" (delay), "from 1 second to 600 seconds (1800 for GPU)" (period),
"from 1 to 600 (1800 for GPU)" (timeout). run v2's Probe still says "Maximum value for startup
probe is 240" of the delay and the period, which no jobs' or worker pools' page raises: theirs
stay at 240 (tests/fields/test_startup_window.py: refused at its line). A service's 600 s
(1800 s with a GPU, or where the profile does not say) is read, compared and written; one over
it is refused at its line, or, where the GPU of the template the fix writes says so, is a manual
step and nothing is written (tests/fields/test_startup_gpu_plan.py: a GPU the plan adds or
takes away). Before, every startup probe's delay or period over 240 s was refused at its
line, a service's valid 600 s too, and the sandbox refused it."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.fields.probe_bounds import startup_most
from drift.kinds import Kind
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world
from tests.fields.test_startup_window import LONG

RULE = '"600 seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/configuring/healthchecks)'
LIVE_600 = {**LONG, "timeoutSeconds": 600, "periodSeconds": 600}
"""A live startup probe a service may have: period and timeout 600 s (the newest page's most)."""


def _env(settings: str) -> tuple[str, str]:
    return ("env", HEAD + "".join(f"      {line}\n" for line in settings.split(";")))


def test_the_bounds_per_kind_and_gpu() -> None:
    assert [startup_most(Kind.SERVICE, gpu) for gpu in (False, True, None)] == [600, 1800, 1800]
    assert {startup_most(kind, None) for kind in (Kind.JOB, Kind.WORKER_POOL)} == {240}


@pytest.mark.parametrize(
    "settings",
    [
        "startup_probe: tcp port 8080 timeout 600s period 600s failure 1",
        "startup_probe: tcp port 8080 delay 600s timeout 240s period 240s failure 1",
        "gpu_type: none;startup_probe: tcp port 8080 timeout 600s period 600s failure 1",
        "startup_probe: tcp port 8080 timeout 1800s period 1800s failure 1",  # a GPU's, if any
    ],
)
def test_a_services_startup_probe_up_to_600_seconds_is_taken(
    make_sandbox: MakeSandbox, tmp_path: Path, settings: str
) -> None:
    """A live service whose startup probe runs every 600 s, and a profile saying so: clean."""
    sandbox = make_sandbox(probe_world(LIVE_600))
    profile = _env(settings)
    done = drift_on(sandbox, tmp_path, profile, "profiles", "validate")
    assert done.returncode == 0, done.stdout + done.stderr
    done = drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history", "-f", "json")
    assert done.returncode in (0, 1) and "Traceback" not in done.stderr, done.stderr
    if "delay" not in settings and "1800" not in settings:
        assert done.returncode == 0, done.stdout


def test_a_live_600_second_probe_reads_and_a_fix_writes_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The fix writes a service's 600 s period, the sandbox (Google's page) takes it, and the
    re-check is clean."""
    sandbox = make_sandbox(probe_world({"tcpSocket": {"port": 8080}, "periodSeconds": 5}))
    profile = _env("startup_probe: tcp port 8080 delay 300s timeout 600s period 600s failure 1")
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    probe = sandbox.service(P, "api").template.containers[0].startup_probe
    held = (probe.initial_delay_seconds, probe.timeout_seconds, probe.period_seconds)
    assert held == (300, 600, 600)


@pytest.mark.parametrize(
    ("settings", "line", "said"),
    [
        (
            "gpu_type: none;startup_probe: tcp port 8080 timeout 601s period 601s failure 1",
            7,
            "its period 601s is over 600 s (it has no GPU): a service's startup probe's initial "
            f"delay, period and timeout are each at most {RULE}",
        ),
        ("gpu_type: none;startup_probe: tcp port 8080 delay 700s", 7, "its delay 700s is over 600"),
        ("startup_probe: tcp port 8080 period 1801s failure 1", 6, "period 1801: a startup"),
    ],
)
def test_a_services_startup_probe_over_its_bound_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, settings: str, line: int, said: str
) -> None:
    sandbox = make_sandbox(probe_world(LIVE_600))
    done = drift_on(sandbox, tmp_path, _env(settings), "profiles", "validate")
    out = done.stdout + done.stderr
    assert done.returncode == 2 and f"env.yaml:{line}" in out and said in out, out
    assert "Traceback" not in out


def test_a_period_over_a_gpu_less_services_bound_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The profile does not say the GPU (1800 s at load); the live service has none: its 900 s
    is no period Cloud Run takes, so the plan leaves it to a person and the fix writes nothing
    of the probe."""
    live = {"tcpSocket": {"port": 8080}, "periodSeconds": 5}
    sandbox = make_sandbox(probe_world(live))
    profile = _env("startup_probe: tcp port 8080 period 900s")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "container app's startup probe tcp port 8080 period 900s: its period 900s is over 600 s"
    said += " (it has no GPU)"
    assert said in plan.stdout and "not written" in plan.stdout, plan.stdout
    assert "set  setting startup_probe" not in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert "Traceback" not in done.stderr, done.stderr
    assert sandbox.service(P, "api").template.containers[0].startup_probe.period_seconds == 5
