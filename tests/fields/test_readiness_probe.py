"""The catalogue's `readiness_probe` row (drift/fields/readiness.py), end to end on the sandbox:
a service's ingress container and its sidecar each with a readiness probe of its own, read,
compared with what a profile states (`none`: no probe) and fixed, each on the container the
profile describes, the rest of the probe (timings left out, an HTTP header) kept and never
shown; a token in its path shown masked; what Cloud Run's readiness probes cannot be refused at
its line; gcloud's `--readiness-probe` is the alpha track's (gcloud 528); and a TCP readiness
probe, which no document says Cloud Run refuses, under both of the sandbox's
`readiness_tcp` options."""

from __future__ import annotations

import copy
import os
import shlex
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.fields import FIELDS
from drift.fix.commands import Commands
from drift.redact import MASK
from tests.cliutil import drift_on
from tests.conftest import ClientsFor, MakeSandbox
from tests.fields import container_world as cw

TOKEN = "probe-hdr-5Rt8Wq2Zx7Lp"
"""A header value the app's readiness probe sends: never shown."""
PATH_TOKEN = "ghp_Z9y8X7w6V5u4T3s2R1q0P9o8N7m6L5k4J3i2"
"""A GitHub token's shape in a readiness probe's path: shown masked."""
APP: dict[str, Any] = {
    "readinessProbe": {
        "httpGet": {"path": "/ready", "httpHeaders": [{"name": "X-Probe-Token", "value": TOKEN}]},
        "periodSeconds": 5,
        "failureThreshold": 4,
    }
}
OTEL = {"readinessProbe": {"grpc": {"port": 4317, "service": "health"}}}
BODY = (
    "    settings:\n      readiness_probe: http /healthz port 8080\n"
    "    containers:\n      otel:\n        settings:\n          readiness_probe: none\n"
)
"""The app's probe on another path; the sidecar's taken away."""
SERVICE = f"projects/{cw.P}/locations/us-central1/services/api"


def _containers(sandbox: Any) -> dict[str, Any]:
    return {c.name: c for c in sandbox.service(cw.P, "api").template.containers}


def test_both_containers_readiness_probes_are_read_compared_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(cw.service_world(APP, OTEL))
    code, found, out = cw.findings(sandbox, tmp_path, BODY, "readiness_probe")
    assert code == 1, out
    # port 0 is the container's; no delay shown (readiness probes have none); none is `none`
    said = sorted((f["actual"], f["expected"]) for f in found)
    assert said == [
        ("grpc port 4317 service health timeout 1s period 10s failure 3", "none"),
        (
            "http /ready port 8080 header X-Probe-Token=*** timeout 1s period 5s failure 4",
            "http /healthz port 8080",
        ),
    ], out
    plan = cw.run(sandbox, tmp_path, BODY, "plan", "env")
    kept = "timings the profile leaves out stay as they are: timeout 1s period 5s failure 4"
    assert kept in plan.stdout, plan.stdout
    before = _containers(sandbox)
    done = cw.run(sandbox, tmp_path, BODY, "fix", "env", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    after = _containers(sandbox)
    probe = after["app"].readiness_probe
    assert probe.http_get.path == "/healthz"
    assert (probe.period_seconds, probe.failure_threshold) == (5, 4)
    assert [(h.name, h.value) for h in probe.http_get.http_headers] == [("X-Probe-Token", TOKEN)]
    assert "readiness_probe" not in after["otel"]
    for name in ("app", "otel"):  # nothing else of either container moved
        for part in ("image", "ports", "startup_probe", "liveness_probe", "env"):
            assert getattr(after[name], part) == getattr(before[name], part), (name, part)
    assert TOKEN not in done.stdout + done.stderr
    clean = cw.run(sandbox, tmp_path, BODY, "check", "env", "--no-history")
    assert clean.returncode == 0, clean.stdout + clean.stderr


@pytest.mark.parametrize("form", ["table", "json", "sarif", "gcloud", "yaml"])
def test_a_token_in_the_path_is_masked_and_a_header_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, form: str
) -> None:
    app = copy.deepcopy(APP)
    app["readinessProbe"]["httpGet"]["path"] = f"/ready?token={PATH_TOKEN}"
    sandbox = make_sandbox(cw.service_world(app, {}))
    body = "    settings:\n      readiness_probe: http /healthz port 8080\n"
    command = ("plan", "env", "--format", form) if form in ("gcloud", "yaml") else ()
    done = cw.run(sandbox, tmp_path, body, *(command or ("check", "env", "-f", form)))
    assert done.returncode in (0, 1), done.stdout + done.stderr
    shown = done.stdout + done.stderr
    assert PATH_TOKEN not in shown and TOKEN not in shown, shown
    if form not in ("gcloud", "yaml"):  # the script, the document: the new probe's path only
        assert f"/ready?token={MASK}" in shown, shown


@pytest.mark.parametrize(
    ("where", "setting", "says"),
    [
        ("", "readiness_probe: tcp port 8080", "a readiness probe is http or grpc"),
        ("", "readiness_probe: http /ready port 8080 delay 5s", "`delay`: a readiness probe"),
        ("", "readiness_probe: http /ready port 8080 period 301s", "1 to 300"),
        ("", "readiness_probe: grpc port 8080 timeout 301s period 300s", "1 to 300"),
        ("", "readiness_probe: http /ready port 8080 timeout 20s period 10s", "below timeout"),
        ("jobs", "readiness_probe: http /ready port 8080", "readiness_probe"),
        ("worker_pools", "readiness_probe: http /ready port 8080", "readiness_probe"),
    ],
)
def test_a_readiness_probe_cloud_run_has_not_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, where: str, setting: str, says: str
) -> None:
    sandbox = make_sandbox(cw.service_world({}, {}))
    head = cw.HEAD.replace("services:\n  api:", f"{where}:\n  api:") if where else cw.HEAD
    done = drift_on(
        sandbox, tmp_path, ("env", head + f"    settings:\n      {setting}\n"), "check", "env"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    assert "env.yaml:6" in done.stderr and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("section", "setting"),
    [
        ("jobs", "readiness_probe: http /ready port 8080"),
        ("worker_pools", "readiness_probe: none"),
        ("jobs", "liveness_probe: grpc port 8080"),  # a sidecar's, as the workload's is
    ],
)
def test_a_sidecars_probe_its_workload_has_not_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, section: str, setting: str
) -> None:
    """A sidecar's settings were read and compared, and a fix would write them, whatever the
    kind: a worker pool's sidecar stating a readiness probe was a finding (`none` on the pool)."""
    sandbox = make_sandbox(cw.service_world({}, {}))
    sidecar = "    containers:\n      side:\n        settings:\n"
    head = cw.HEAD.replace("services:\n  api:", f"{section}:\n  api:")
    done = drift_on(
        sandbox, tmp_path, ("env", head + sidecar + f"          {setting}\n"), "check", "env"
    )
    assert done.returncode == 2, done.stdout + done.stderr
    key = setting.split(":")[0]
    assert "env.yaml:8" in done.stderr and f"{key} is not a setting of a" in done.stderr
    assert "Traceback" not in done.stderr


GCLOUD = shutil.which("gcloud")


def _parses(line: str, tmp_path: Path) -> subprocess.CompletedProcess[str]:
    """gcloud's parser on `line` (a throwaway config: a parse error stops before any call)."""
    env = {
        **os.environ,
        "CLOUDSDK_CONFIG": str(tmp_path / "gcloud-config"),
        "CLOUDSDK_CORE_DISABLE_PROMPTS": "1",
        "CLOUDSDK_COMPONENT_MANAGER_DISABLE_UPDATE_CHECK": "1",
    }
    words = shlex.split(line)
    return subprocess.run(
        [str(GCLOUD), *words[1:]], env=env, capture_output=True, text=True, timeout=120
    )


def test_the_script_updates_the_probe_with_gcloud_alphas_flag(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """gcloud 528 has `--readiness-probe` in `AlphaUpdate` alone; the sidecar's follows
    `--container otel` (its ContainerArgGroup), the app's probe leaves out the delay it has no
    key for."""
    sandbox = make_sandbox(cw.service_world({}, OTEL))
    body = (
        "    settings:\n      readiness_probe: grpc port 8080 period 5s\n"
        "    containers:\n      otel:\n        settings:\n"
        "          readiness_probe: http /ready port 4317\n"
    )
    script = cw.script(sandbox, tmp_path, body)
    line = next(part for part in script.split(" gcloud ") if "--readiness-probe" in part)
    assert line.startswith("alpha run services update api "), script
    assert "--readiness-probe=grpc.port=8080,periodSeconds=5 " in line, line
    otel = "--container otel --readiness-probe=httpGet.path=/ready,httpGet.port=4317"
    assert otel in line, line
    # what the probe leaves out is what a readiness probe has: no delay
    assert "the probe's timeout, failure the profile leaves out: Cloud Run's defaults" in line
    if GCLOUD is not None:
        said = _parses("gcloud " + line.split(" #")[0], tmp_path)
        assert "unrecognized arguments" not in said.stderr, said.stderr
        assert said.returncode != 2, said.stderr  # 2: a usage error; past it, an account


@pytest.mark.parametrize(
    ("flags", "track"),
    [
        (("--readiness-probe=httpGet.path=/ready",), "gcloud alpha run services update"),
        (("--readiness-probe=", "--mesh=m"), "gcloud alpha run services update"),
        (("--liveness-probe=grpc.port=8080",), "gcloud run services update"),
    ],
)
def test_a_manual_step_with_the_readiness_flag_is_gcloud_alphas(
    flags: tuple[str, ...], track: str
) -> None:
    line = Commands("p", "us-central1", "api").update(*flags)
    assert line.startswith(f"{track} api "), line
    assert FIELDS["readiness_probe"].gcloud("none") == "--readiness-probe="


def _update(clients: Any, probe: run_v2.Probe) -> Any:
    service = clients.services.get_service(name=SERVICE)
    service.template.containers[0].readiness_probe = probe
    request = run_v2.UpdateServiceRequest(service=service)
    return clients.services.update_service(request=request).result(timeout=30)


TCP = run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(port=8080))


@pytest.mark.parametrize("option", ["taken", "refused"])
def test_a_tcp_readiness_probe_is_as_the_option_says_and_drift_fixes_it_to_http(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, option: str
) -> None:
    sandbox = make_sandbox(cw.service_world({}, {}, {"readiness_tcp": option}))
    clients = clients_for(sandbox)
    # the page's bounds, whichever the option: period and timeout at most 300
    with pytest.raises(exceptions.InvalidArgument, match="from 1 to 300"):
        _update(clients, run_v2.Probe(http_get=run_v2.HTTPGetAction(), period_seconds=301))
    body = "    settings:\n      readiness_probe: http /ready port 8080\n"
    if option == "refused":
        with pytest.raises(exceptions.InvalidArgument, match="not tcpSocket"):
            _update(clients, TCP)
        assert "readiness_probe" not in _containers(sandbox)["app"]
    else:
        _update(clients, TCP)  # stored as sent, read as it is
        actual, _ = cw.drifted(sandbox, tmp_path, body, "readiness_probe")
        assert actual == "tcp port 8080 timeout 1s period 10s failure 3"
    cw.fixed(sandbox, tmp_path, body)  # what the profile states is taken under both
    probe = _containers(sandbox)["app"].readiness_probe
    assert (probe.http_get.path, "tcp_socket" in probe) == ("/ready", False)
    clean = cw.run(sandbox, tmp_path, body, "check", "env", "--no-history")
    assert clean.returncode == 0, clean.stdout + clean.stderr


def test_a_delay_set_through_the_api_is_shown_and_kept(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """No document gives a readiness probe an initial delay, yet the API's Probe has one: read
    and shown where set, kept by a fix that keeps the probe's kind, and gcloud's flag, which
    cannot say it, leaves the change to drift fix."""
    ready = {"httpGet": {"path": "/ready"}, "initialDelaySeconds": 7}
    sandbox = make_sandbox(cw.service_world({"readinessProbe": ready}, {}))
    body = "    settings:\n      readiness_probe: http /healthz port 8080\n"
    actual, _ = cw.drifted(sandbox, tmp_path, body, "readiness_probe")
    assert actual == "http /ready port 8080 delay 7s timeout 1s period 10s failure 3"
    script = cw.script(sandbox, tmp_path, body)
    assert "gcloud alpha run services update" not in script, script
    assert "cannot keep the initial delay the readiness probe has" in script, script
    cw.fixed(sandbox, tmp_path, body)
    probe = _containers(sandbox)["app"].readiness_probe
    assert (probe.http_get.path, probe.initial_delay_seconds) == ("/healthz", 7)
