"""The catalogue's `http2` and `port` rows (drift/fields/ports.py), end to end through the real
`drift check`, `plan` and `fix` on the sandbox, on a service with a sidecar: the ingress
container's ContainerPort (helper-676 H2: a port switched to h2c, or to another number, read
clean while every request failed)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import findings as _findings
from tests.fields.labrun import run as _run
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


def _ports(sandbox: Sandbox) -> list[list[tuple[str, int]]]:
    template = sandbox.service(LAB, "app").template
    return [[(p.name, p.container_port) for p in c.ports] for c in template.containers]


def _fixed(
    sandbox: Sandbox, tmp_path: Path, line: str, name: str, actual: str, flag: str
) -> list[list[tuple[str, int]]]:
    """check finds `name` drifted (`actual`), the gcloud plan has `flag` after the ingress
    container's `--container`, fix writes it and nothing else, the re-check is clean and a
    rollback puts `actual` back; the ports as fixed."""
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
    fixed = _ports(sandbox)
    back = _run(sandbox, tmp_path, line, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _findings(sandbox, tmp_path, line, name)[1][0]["actual"] == actual
    return fixed


@pytest.mark.parametrize(
    ("name", "port", "setting", "actual", "flag", "after"),
    [
        (  # switched to h2c by hand: the app speaks HTTP/1 only
            "http2",
            {"name": "h2c", "containerPort": 9090},
            "false",
            "true",
            "--container app --no-use-http2",
            [[("http1", 9090)], []],
        ),
        (
            "http2",
            {"containerPort": 8080},
            "true",
            "false",
            "--container app --use-http2",
            [[("h2c", 8080)], []],
        ),
        # one container, no port: the sandbox fills in 8080
        ("http2", None, "true", "false", "--use-http2", [[("h2c", 8080)]]),
        (  # moved by hand: requests go where the app does not listen; its h2c name is kept
            "port",
            {"name": "h2c", "containerPort": 9090},
            "8080",
            "9090",
            "--container app --port=8080",
            [[("h2c", 8080)], []],
        ),
        ("port", None, "9090", "8080", "--port=9090", [[("", 9090)]]),
    ],
)
def test_a_drifted_port_setting_is_found_planned_and_fixed_on_the_ingress_container(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    name: str,
    port: dict[str, Any] | None,
    setting: str,
    actual: str,
    flag: str,
    after: list[list[tuple[str, int]]],
) -> None:
    sandbox = make_sandbox(_service(port))
    line = f"      {name}: {setting}\n"
    assert _fixed(sandbox, tmp_path, line, name, actual, flag) == after


def test_http1_and_an_unnamed_port_are_the_same_and_clean(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    for port in ({"name": "http1", "containerPort": 8080}, {"containerPort": 8080}, None):
        sandbox = make_sandbox(_service(port))
        assert _findings(sandbox, tmp_path, "      http2: false\n", "http2") == (0, [])


@pytest.mark.parametrize("port", [{"containerPort": 8080}, None])
def test_port_8080_is_the_default_and_clean(
    make_sandbox: MakeSandbox, tmp_path: Path, port: dict[str, Any] | None
) -> None:
    sandbox = make_sandbox(_service(port))
    assert _findings(sandbox, tmp_path, "      port: 8080\n", "port") == (0, [])


def test_a_port_over_65535_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    done = _run(make_sandbox(_service(None)), tmp_path, "      port: 70000\n", "check", "lab")
    assert done.returncode == 2 and "lab.yaml:6" in done.stderr, done.stdout + done.stderr
    assert "above the 65535 Cloud Run takes" in done.stderr and "Traceback" not in done.stderr


def test_init_from_live_writes_the_ingress_port_and_http2(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service({"name": "h2c", "containerPort": 9090}))
    where = ("--project", LAB, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "      http2: true\n" in written and "      port: 9090\n" in written, written


def test_the_gcloud_plan_names_the_container_with_the_port_whichever_the_profile_describes(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-689 M1: the flags followed the profile's `container:` (`--container app
    --no-use-http2 --port=8080`: a port given to a second container), where fix writes the
    container with the port."""
    proxy = {"name": "proxy", "image": IMAGE, "ports": [{"name": "h2c", "containerPort": 9000}]}
    containers = [{"name": "app", "image": IMAGE}, proxy]
    sandbox = make_sandbox(lab_world(template={"image": IMAGE, "api": {"containers": containers}}))
    text = (
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    container: app\n"
        "    settings:\n      port: 8080\n      http2: false\n"
    )
    script = drift_on(sandbox, tmp_path, ("lab", text), "plan", "lab", "--format", "gcloud")
    words = " ".join(script.stdout.replace("\\\n", " ").split())
    flags = words.split("--container proxy ", 1)[-1]
    assert "--container proxy" in words and "--container app" not in words, script.stdout
    assert "--no-use-http2" in flags and "--port=8080" in flags, script.stdout
