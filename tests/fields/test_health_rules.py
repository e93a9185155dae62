"""What the probe rows say beside the rest of a profile and a plan (drift/fields/health_rules.py):
a service's `startup_probe: none` is refused where the profile describes its ingress container
(Cloud Run gives that container its default TCP startup probe, so none is never what runs), and
an HTTP probe beside `http2: true` is said, in `profiles validate`, a check and a plan (Cloud
Run's HTTP probes need HTTP/1), never refused."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cliutil import drift, drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, HTTP_HEALTHZ, P, probe_world

DEFAULT = "`tcp port {} timeout 240s period 240s failure 1`"
HTTP1 = "Cloud Run's HTTP probes need HTTP/1: \"your service must use HTTP/1"


def _validate(tmp_path: Path, text: str) -> tuple[int, str]:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "env.yaml").write_text(text)
    done = drift("profiles", "validate", str(folder), cwd=tmp_path)
    assert "Traceback" not in done.stderr, done.stderr
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize(
    ("settings", "port"),
    [
        ("      startup_probe: none\n", "PORT"),
        ("      port: 9090\n      startup_probe: none\n", "9090"),
    ],
)
def test_a_services_startup_probe_none_is_refused_naming_the_default(
    tmp_path: Path, settings: str, port: str
) -> None:
    code, out = _validate(tmp_path, HEAD + settings)
    assert code == 2, out
    line = 5 + settings.count("\n")
    assert f"env.yaml:{line}" in out and "startup_probe none" in out, out
    assert DEFAULT.format(port) in out and "never what a service runs" in out, out


@pytest.mark.parametrize(
    "text",
    [  # a job's or a pool's container has no default probe; nor has a sidecar
        f"project: {P}\nregion: us-central1\njobs:\n  job:\n    settings:\n"
        "      startup_probe: none\n",
        HEAD.removesuffix("    settings:\n")
        + "    containers:\n      otel:\n        settings:\n          startup_probe: none\n",
    ],
)
def test_startup_probe_none_where_no_default_applies_is_taken(tmp_path: Path, text: str) -> None:
    code, out = _validate(tmp_path, text)
    assert code == 0, out


def test_a_named_containers_startup_probe_none_is_a_note(tmp_path: Path) -> None:
    """`container: NAME` may name a sidecar, which gets no default: said, not refused."""
    text = HEAD.replace("    settings:\n", "    container: app\n    settings:\n")
    code, out = _validate(tmp_path, text + "      startup_probe: none\n")
    assert code == 0, out
    assert "if container app is the one requests reach" in out and DEFAULT.format("PORT") in out


@pytest.mark.parametrize(
    ("probe", "noted"),
    [
        ("startup_probe: http /healthz port 8080", True),
        ("liveness_probe: http /healthz port 8080", True),
        ("startup_probe: tcp port 8080", False),
        ("liveness_probe: grpc port 8080", False),
        ("readiness_probe: http /ready port 8080", True),
        ("readiness_probe: grpc port 8080", False),
    ],
)
def test_an_http_probe_beside_http2_is_a_note(tmp_path: Path, probe: str, noted: bool) -> None:
    code, out = _validate(tmp_path, HEAD + f"      http2: true\n      {probe}\n")
    assert code == 0, out
    assert (HTTP1 in out and "beside http2: true (profiles/env.yaml:6)" in out) is noted, out


def test_a_check_says_it_too(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    settings = "      http2: true\n      startup_probe: http /healthz port 8080\n"
    done = drift_on(sandbox, tmp_path, ("env", HEAD + settings), "check", "env", "-f", "json")
    notes = json.loads(done.stdout)["notes"]
    assert any(HTTP1 in n for n in notes), notes


def _h2c(world: dict) -> dict:
    app = world["projects"][P]["services"]["api"]["template"]["api"]["containers"][0]
    app["ports"] = [{"containerPort": 8080, "name": "h2c"}]
    return world


@pytest.mark.parametrize(
    ("world", "settings", "noted"),
    [  # a fix that would write an HTTP probe beside h2c, whichever setting it changes
        (probe_world(HTTP_HEALTHZ), "http2: true", True),
        (_h2c(probe_world(None)), "startup_probe: http /healthz port 8080", True),
        (_h2c(probe_world(None)), "liveness_probe: http /healthz port 8080", True),
        (_h2c(probe_world(None)), "readiness_probe: http /ready port 8080", True),
        (_h2c(probe_world(HTTP_HEALTHZ)), "startup_probe: tcp port 8080", False),
        (probe_world(HTTP_HEALTHZ), "startup_probe: http /ready port 8080", False),
    ],
)
def test_a_plan_writing_an_http_probe_beside_h2c_says_so(
    make_sandbox: MakeSandbox, tmp_path: Path, world: dict, settings: str, noted: bool
) -> None:
    sandbox = make_sandbox(world)
    profile = ("env", HEAD + f"      {settings}\n")
    done = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert done.returncode == 1, done.stdout + done.stderr
    said = "api: after the fix, the ingress container has an HTTP"
    assert (said in done.stdout and HTTP1 in done.stdout) is noted, done.stdout
