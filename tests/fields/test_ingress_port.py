"""The catalogue's `http2` and `port` rows (drift/fields/ports.py), end to end through the real
`drift check`, `plan` and `fix` on the sandbox, on a service with a sidecar: the ingress
container's ContainerPort (helper-676 H2: a port switched to h2c, or to another number, read
clean while every request failed)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"
SIDECAR = {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:1"}


def _service(port: dict[str, Any] | None) -> dict[str, Any]:
    app: dict[str, Any] = {"name": "app", "image": IMAGE, "env": [{"name": "MODE", "value": "x"}]}
    containers = [app]
    if port is not None:  # with a sidecar: the ingress container is the one with the port
        app["ports"] = [port]
        containers.append(SIDECAR)
    return lab_world(template={"image": IMAGE, "api": {"containers": containers}})


def _run(sandbox: Sandbox, tmp_path: Path, setting: str, *args: str) -> Any:
    text = f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n{setting}"
    return drift_on(sandbox, tmp_path, ("lab", text), *args)


def _findings(sandbox: Sandbox, tmp_path: Path, setting: str, name: str) -> tuple[int, list[Any]]:
    done = _run(sandbox, tmp_path, setting, "check", "lab", "--format", "json", "--no-history")
    found = json.loads(done.stdout)["findings"]
    return done.returncode, [f for f in found if f["target"] == f"setting.{name}"]


def _ports(sandbox: Sandbox) -> list[list[tuple[str, int]]]:
    template = sandbox.service(LAB, "app").template
    return [[(p.name, p.container_port) for p in c.ports] for c in template.containers]


def _fixed(
    sandbox: Sandbox, tmp_path: Path, line: str, name: str, actual: str, flag: str
) -> list[list[tuple[str, int]]]:
    """check finds `name` drifted (`actual`), the gcloud plan has `flag` after the ingress
    container's `--container`, fix writes it and nothing else, and the re-check is clean."""
    code, (finding,) = _findings(sandbox, tmp_path, line, name)
    assert code == 1 and finding["actual"] == actual, finding
    script = _run(sandbox, tmp_path, line, "plan", "lab", "--format", "gcloud")
    words = " ".join(script.stdout.replace("\\\n", " ").split())
    assert flag in words, script.stdout + script.stderr
    before = sandbox.service(LAB, "app").template
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    after = sandbox.service(LAB, "app").template
    for was, now in zip(before.containers, after.containers, strict=True):
        assert (was.name, was.image, list(was.env)) == (now.name, now.image, list(now.env))
    assert _findings(sandbox, tmp_path, line, name) == (0, [])
    return _ports(sandbox)


@pytest.mark.parametrize(
    ("port", "setting", "actual", "flag", "after"),
    [
        (  # switched to h2c by hand: the app speaks HTTP/1 only
            {"name": "h2c", "containerPort": 9090},
            "false",
            "true",
            "--container app --no-use-http2",
            [[("http1", 9090)], []],
        ),
        (
            {"containerPort": 8080},
            "true",
            "false",
            "--container app --use-http2",
            [[("h2c", 8080)], []],
        ),
        (None, "true", "false", "--use-http2", [[("h2c", 8080)]]),  # no port: 8080 filled in
    ],
)
def test_a_drifted_http2_is_found_planned_and_fixed_on_the_ingress_container(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    port: dict[str, Any] | None,
    setting: str,
    actual: str,
    flag: str,
    after: list[list[tuple[str, int]]],
) -> None:
    sandbox = make_sandbox(_service(port))
    line = f"      http2: {setting}\n"
    assert _fixed(sandbox, tmp_path, line, "http2", actual, flag) == after


def test_http1_and_an_unnamed_port_are_the_same_and_clean(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    for port in ({"name": "http1", "containerPort": 8080}, {"containerPort": 8080}, None):
        sandbox = make_sandbox(_service(port))
        assert _findings(sandbox, tmp_path, "      http2: false\n", "http2") == (0, [])
