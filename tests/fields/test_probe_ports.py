"""A plan moving a service's port says where each probe of its ingress container on the old port
ends (drift/fields/health_rules.py `port_note`, judged on the workload the fix writes): gcloud's
`--port`, as `drift fix`, moves a TCP startup probe on the old port (config_changes.py
`ContainerPortChange`); a probe whose port is 0 follows the container's; an HTTP or gRPC probe on
the old port by number stays there. helper-706 F13: such a probe stayed unsaid; F5: the note said
a TCP probe moves where the profile states it stays."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world

LIVENESS = {"httpGet": {"path": "/", "port": 8080}}
"""An HTTP liveness probe on port 8080 by number (as a probe fix writes one)."""


def _plan(sandbox: Sandbox, tmp_path: Path, settings: str) -> str:
    done = drift_on(sandbox, tmp_path, ("env", HEAD + settings), "plan", "env")
    assert "Traceback" not in done.stderr, done.stderr
    return " ".join(done.stdout.split())


def _app(sandbox: Sandbox) -> Any:
    return sandbox.service(P, "api").template.containers[0]


def test_a_probe_left_on_the_old_port_is_said(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(probe_world(None, LIVENESS))  # the default TCP startup probe too
    plan = _plan(sandbox, tmp_path, "      port: 9090\n")
    assert "api: the TCP startup probe on port 8080 moves to 9090 with it; the HTTP liveness " in (
        plan
    )
    stays = (
        "probe on port 8080 stays on port 8080, not the port requests reach (9090), as gcloud's "
        "--port leaves it (it moves a TCP startup probe only): state the probe on port 9090"
    )
    assert stays in plan, plan
    done = drift_on(sandbox, tmp_path, ("env", HEAD + "      port: 9090\n"), "fix", "env", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    app = _app(sandbox)  # as the plan said
    assert (app.startup_probe.tcp_socket.port, app.liveness_probe.http_get.port) == (9090, 8080)


def test_a_probe_on_the_containers_port_follows_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world({"httpGet": {"path": "/"}}))  # port 0: the container's
    plan = _plan(sandbox, tmp_path, "      port: 9090\n")
    assert "api: the HTTP startup probe on port 8080 moves to 9090 with it" in plan, plan


def test_a_probe_the_profile_keeps_on_the_old_port_is_said_to_stay(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(None))
    probe = "tcp port 8080 timeout 240s period 240s"
    plan = _plan(sandbox, tmp_path, f"      port: 9090\n      startup_probe: {probe}\n")
    said = (
        "api: the TCP startup probe on port 8080 stays on port 8080, not the port requests reach "
        "(9090), as the profile states"
    )
    assert said in plan and "moves to 9090" not in plan, plan


def test_a_plan_keeping_the_port_says_nothing_of_probes(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(None, LIVENESS))
    plan = _plan(sandbox, tmp_path, "      port: 8080\n      startup_probe: tcp port 8080\n")
    assert "probe on port" not in plan, plan
