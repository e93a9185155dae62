"""`drift fix` of the probe rows (drift/fields/health.py) through the sandbox, whose new revisions
start only when their startup probe passes against what the backend serves (option
`startup_probes: served`, drift/sandbox/startup.py): a fix changes only the probe its plan
names, gcloud's script says the same change, and a fix whose canary's probe fails promotes
nothing."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import (
    HEAD,
    HTTP_HEALTHZ,
    TOKEN,
    P,
    probe_findings,
    probe_world,
)
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

ROOT = {**HTTP_HEALTHZ, "httpGet": {**HTTP_HEALTHZ["httpGet"], "path": "/"}}
"""HTTP_HEALTHZ on /, which the sandbox's backend answers too."""


def _run(sandbox: Sandbox, tmp_path: Path, probe: str, *args: str) -> Any:
    profile = ("env", HEAD + f"      startup_probe: {probe}\n")
    return drift_on(sandbox, tmp_path, profile, *args)


def _app(sandbox: Sandbox) -> Any:
    return sandbox.service(P, "api").template.containers[0]


def _serving(sandbox: Sandbox) -> list[tuple[str, int]]:
    service = sandbox.service(P, "api")
    return [
        (s.revision.rsplit("/", 1)[-1], s.percent) for s in service.traffic_statuses if s.percent
    ]


def test_a_fix_moves_the_probe_to_a_served_path_and_keeps_the_rest(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(ROOT))
    script = _run(sandbox, tmp_path, "http /healthz port 8080", "plan", "env", "--format", "gcloud")
    # gcloud's flag would drop the probe's header: the script leaves it to drift fix
    assert "cannot keep the HTTP headers the startup probe sends" in script.stdout, script.stdout
    table = _run(sandbox, tmp_path, "http /healthz port 8080", "plan", "env")
    kept = (
        "timings the profile leaves out stay as they are: delay 0s timeout 1s period 5s failure 12"
    )
    assert kept in table.stdout, table.stdout
    before = _app(sandbox)
    done = _run(sandbox, tmp_path, "http /healthz port 8080", "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    after = _app(sandbox)
    probe = after.startup_probe
    assert probe.http_get.path == "/healthz"
    # the timings and the header the profile does not name are as they were
    assert (probe.period_seconds, probe.failure_threshold) == (5, 12)
    assert [(h.name, h.value) for h in probe.http_get.http_headers] == [("X-Probe-Token", TOKEN)]
    assert (after.image, list(after.ports)) == (before.image, list(before.ports))
    assert TOKEN not in done.stdout + done.stderr
    clean = _run(sandbox, tmp_path, "http /healthz port 8080", "check", "env", "--no-history")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    back = _run(sandbox, tmp_path, "http /healthz port 8080", "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _app(sandbox).startup_probe.http_get.path == "/"


def test_a_fix_whose_canary_probe_fails_promotes_nothing(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    serving = _serving(sandbox)
    done = _run(sandbox, tmp_path, "http /ready port 8080", "fix", "env", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4, out
    assert 'STARTUP HTTP probe failed 12 times consecutively for container "app"' in out, out
    # what serves runs the probe that served (drift took the canary out of the template)
    for name, _ in _serving(sandbox) + serving:
        assert sandbox.revision(P, "api", name).containers[0].startup_probe.http_get.path == (
            "/healthz"
        )
    failed = sandbox.revision(P, "api", re.findall(r"Revision '([^']+)' is not ready", out)[0])
    ready = next(c for c in failed.conditions if c.type_ == "Ready")
    assert ready.state == run_v2.Condition.State.CONDITION_FAILED
    assert ready.revision_reason == run_v2.Condition.RevisionReason.HEALTH_CHECK_CONTAINER_ERROR
    assert failed.containers[0].startup_probe.http_get.path == "/ready"
    report = _run(sandbox, tmp_path, "http /ready port 8080", "check", "env", "-f", "json")
    assert [f["actual"].split()[1] for f in probe_findings(report.stdout)] == ["/healthz"]
    assert json.loads(report.stdout)["findings"], report.stdout


def test_a_fix_of_the_port_moves_the_default_probe_with_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """As gcloud's --port does (ContainerPortChange): a TCP startup probe left on the old port
    fails every new revision, so the canary never started and nothing was fixed."""
    world = probe_world(None)
    world["projects"][P]["services"]["api"]["template"]["api"]["containers"][0]["ports"] = [
        {"containerPort": 9090}
    ]
    sandbox = make_sandbox(world)
    assert _app(sandbox).startup_probe.tcp_socket.port == 9090  # the default, on its port
    profile = ("env", HEAD + "      port: 8080\n")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "the TCP startup probe on port 9090 moves to 8080 with it" in plan.stdout, plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    app = _app(sandbox)
    assert (app.ports[0].container_port, app.startup_probe.tcp_socket.port) == (8080, 8080)


def _jobs_world() -> dict[str, Any]:
    job = copy.deepcopy(JOB_SPEC)
    template = job["template"]
    app = {"image": template.pop("image"), "startupProbe": {"tcpSocket": {"port": 8080}}}
    template["api"] = {"containers": [app]}
    template.pop("env")
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["containers"][0]["livenessProbe"] = {"grpc": {"port": 9000}}
    return world(jobs={"job": job}, pools={"pool": pool})


NAMED = {"jobs": "job:", "worker_pools": "pool:\n    container: consumer"}
"""How a profile names the job, and the pool's container its probes are the consumer's."""


@pytest.mark.parametrize(
    ("section", "setting"), [("jobs", "startup_probe"), ("worker_pools", "liveness_probe")]
)
def test_a_job_or_pools_probe_is_drift_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, setting: str
) -> None:
    sandbox = make_sandbox(_jobs_world())
    named = NAMED[section]
    body = f"    settings:\n      {setting}: http /healthz port 8080\n"
    profile = ("prod", f"project: p\nregion: us-central1\n{section}:\n  {named}\n{body}")
    checked = drift_on(sandbox, tmp_path, profile, "check", "prod", "--format", "json")
    assert checked.returncode == 1 and len(probe_findings(checked.stdout)) == 1, checked.stdout
    script = drift_on(sandbox, tmp_path, profile, "plan", "prod", "--format", "gcloud")
    assert "-probe=" not in script.stdout.replace("# ", ""), script.stdout  # no such flag (528)
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    if section == "jobs":
        container = sandbox.job("p", "job").template.template.containers[0]
    else:
        container = sandbox.worker_pool("p", "pool").template.containers[0]
    assert getattr(container, setting).http_get.path == "/healthz"


def test_a_jobs_liveness_probe_is_no_setting_it_has(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_jobs_world())
    body = "    settings:\n      liveness_probe: http /healthz port 8080\n"
    profile = ("prod", f"project: p\nregion: us-central1\njobs:\n  job:\n{body}")
    done = drift_on(sandbox, tmp_path, profile, "check", "prod")
    said = "liveness_probe is a setting of services and worker pools, not of a job"
    assert done.returncode == 2 and said in done.stderr, done.stdout + done.stderr


def test_a_sidecars_probe_is_its_own(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    world = probe_world(None)
    otel = {"name": "otel", "image": "us-docker.pkg.dev/p1/r/otel:1"}
    otel["startupProbe"] = {"tcpSocket": {"port": 13133}}
    world["projects"][P]["services"]["api"]["template"]["api"]["containers"].append(otel)
    sandbox = make_sandbox(world)
    body = (
        "    containers:\n      otel:\n        settings:\n          startup_probe: tcp port 4317\n"
    )
    profile = ("env", HEAD.removesuffix("    settings:\n") + body)
    checked = drift_on(sandbox, tmp_path, profile, "check", "env", "-f", "json")
    (finding,) = probe_findings(checked.stdout)
    assert (checked.returncode, finding["container"]) == (1, "otel"), checked.stdout
    assert finding["actual"] == "tcp port 13133 delay 0s timeout 1s period 10s failure 3"
    app = _app(sandbox).startup_probe
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    app_now, otel_now = sandbox.service(P, "api").template.containers
    assert (app_now.startup_probe, otel_now.startup_probe.tcp_socket.port) == (app, 4317)
