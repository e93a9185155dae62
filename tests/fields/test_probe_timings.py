"""A probe's period below its timeout, which Cloud Run refuses (k8s.min.proto Probe.period_seconds
"Must be greater or equal than timeout_seconds"; the sandbox refuses it too): refused at the
profile's line where the line states both; where a timing the profile leaves out is kept from
the live probe (Cloud Run's default startup probe's timeout 240s beside `period 5s`), the plan
says so as a manual step and nothing of the probe is written (helper-706 F11: the fix wrote a
probe Cloud Run refuses, and gcloud's script said `timeoutSeconds=240,periodSeconds=5`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world

KEPT = "tcp port 8080 period 5s"
SAYS = "would run with timeout 240s kept from the live probe, and Cloud Run refuses a probe whose"


def _profile(settings: str) -> tuple[str, str]:
    return ("env", HEAD + settings)


@pytest.mark.parametrize(
    "setting",
    [
        "startup_probe: tcp port 8080 timeout 10s period 5s",
        "liveness_probe: http /healthz port 8080 timeout 30s period 20s",
    ],
)
def test_a_line_stating_a_period_below_its_timeout_is_refused(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str
) -> None:
    sandbox = make_sandbox(probe_world(None))
    for args in (("profiles", "validate"), ("check", "env", "--no-history")):
        done = drift_on(sandbox, tmp_path, _profile(f"      {setting}\n"), *args)
        out = done.stdout + done.stderr
        assert done.returncode == 2 and "env.yaml:6" in out, out
        assert "below timeout" in out and "Must be greater or equal than timeout_seconds" in out
        assert "Traceback" not in out


def test_a_period_below_the_live_timeout_kept_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(None))  # Cloud Run's default startup probe, 240s/240s
    probe = sandbox.service(P, "api").template.containers[0].startup_probe
    profile = _profile(f"      startup_probe: {KEPT}\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "manual" in plan.stdout and SAYS in plan.stdout, plan.stdout
    assert "set  setting startup_probe" not in plan.stdout, plan.stdout
    script = drift_on(sandbox, tmp_path, profile, "plan", "env", "--format", "gcloud").stdout
    assert "periodSeconds=5" not in script and "--startup-probe" not in script, script
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert SAYS in done.stdout + done.stderr and "Traceback" not in done.stderr
    assert sandbox.service(P, "api").template.containers[0].startup_probe == probe


@pytest.mark.parametrize(
    ("live", "setting"),
    [
        # the default probe's timings all stated: the period at the timeout is taken
        (None, "tcp port 8080 timeout 5s period 5s"),
        # another kind: the timings left out are the proto's (timeout 1s), not the live ones
        ({"httpGet": {"path": "/"}, "timeoutSeconds": 30, "periodSeconds": 30}, KEPT),
    ],
)
def test_a_probe_cloud_run_takes_is_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, live: dict[str, Any] | None, setting: str
) -> None:
    sandbox = make_sandbox(probe_world(live))
    profile = _profile(f"      startup_probe: {setting}\n")
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0 and "0 manual steps" in done.stdout, done.stdout + done.stderr
    probe = sandbox.service(P, "api").template.containers[0].startup_probe
    assert (probe.tcp_socket.port, probe.period_seconds) == (8080, 5)


def test_a_sidecars_probe_is_judged_on_its_own_timings(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    world = probe_world(None)
    otel = {"name": "otel", "image": "us-docker.pkg.dev/p1/r/otel:1"}
    otel["startupProbe"] = {"tcpSocket": {"port": 13133}, "timeoutSeconds": 30, "periodSeconds": 30}
    world["projects"][P]["services"]["api"]["template"]["api"]["containers"].append(otel)
    sandbox = make_sandbox(world)
    body = "    containers:\n      otel:\n        settings:\n          startup_probe: "
    profile = ("env", HEAD.removesuffix("    settings:\n") + body + "tcp port 13133 period 10s\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "container otel's startup probe tcp port 13133 period 10s would run with timeout 30s"
    assert said in plan.stdout and "set  setting startup_probe" not in plan.stdout, plan.stdout
