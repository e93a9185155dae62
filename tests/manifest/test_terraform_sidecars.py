"""A new multi-container `google_cloud_run_v2_service` in a Terraform plan: what an unknown
port hides. Which container gets requests is the one with a port, so only a `ports` list
Terraform cannot tell yet hides the containers; a port's `name` ("http1" or "h2c", run v2
ContainerPort; "Optional, Computed" in the provider's schema, so unknown on every create) or
its number is nothing drift compares, and every rule is judged."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.manifest.conftest import read
from tests.test_check_sidecars import APP_INGRESS, OTEL, world

WHY = "not known until apply (plan.json: resource_changes[0].change.after.template[0]"


def log_level_profiles(tmp_path: Path) -> Path:
    """A profiles directory whose `prod` wants LOG_LEVEL INFO in `shop`'s main container and
    info in its `otel` sidecar."""
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text(
        "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n    env:\n"
        "      LOG_LEVEL: INFO\n    containers:\n      otel:\n        env:\n"
        "          LOG_LEVEL: info\n"
    )
    return profiles


def terraform_plan(app_ports: Any, app_unknown: dict[str, Any]) -> dict[str, Any]:
    """`terraform show -json` of a new service: app (the port: `app_ports`, with
    `app_unknown` its marks in `after_unknown`) in front of the otel sidecar."""
    otel = {
        "name": "otel",
        "image": OTEL["image"],
        "ports": [],
        "env": [
            {"name": "LOG_LEVEL", "value": "debug", "value_source": []},
            {
                "name": "OTEL_TOKEN",
                "value": "",
                "value_source": [{"secret_key_ref": [{"secret": "otel-token", "version": "1"}]}],
            },
        ],
        "volume_mounts": [],
    }
    app = {
        "name": "app",
        "image": APP_INGRESS["image"],
        "depends_on": ["otel"],
        "env": [{"name": "LOG_LEVEL", "value": "DEBUG", "value_source": []}],
        "volume_mounts": [],
    }
    if app_ports is not None:
        app["ports"] = app_ports
    after = {
        "name": "shop",
        "location": "us-central1",
        "project": "acme-prod",
        "template": [{"containers": [app, otel], "volumes": []}],
    }
    unknown = {"template": [{"containers": [app_unknown, {}]}]}
    change = {"actions": ["create"], "before": None, "after": after, "after_unknown": unknown}
    return {
        "format_version": "1.2",
        "terraform_version": "1.9.5",
        "complete": True,
        "resource_changes": [
            {
                "address": "google_cloud_run_v2_service.shop",
                "mode": "managed",
                "type": "google_cloud_run_v2_service",
                "name": "shop",
                "provider_name": "registry.terraform.io/hashicorp/google",
                "change": change,
            }
        ],
    }


def check_plan(
    sandbox: Any, profiles: Path, plan: dict[str, Any], tmp_path: Path
) -> tuple[Any, dict[str, Any], set[tuple[str, str, str | None]]]:
    """`drift check prod -m PLAN -f json`: the process, its JSON report, and each finding as
    (rule, target, container)."""
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(plan))
    done = drift(
        "check", "prod", "--profiles", str(profiles), "-m", str(path), "-f", "json",
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    return done, doc, {(f["rule"], f["target"], f.get("container")) for f in doc["findings"]}


PORTED = ("port", "startup_probe", "liveness_probe", "readiness_probe")
"""The rows a container's port number decides (`setting.port`, and the probes on it)."""


@pytest.mark.parametrize(
    ("ports", "marks", "hidden"),
    [
        # `ports { container_port = 8080 }`: the name is the provider's to choose
        # (the port's own rows are: `setting.http2` its name, `setting.port` its number)
        (
            [{"container_port": 8080}],
            {"ports": [{"name": True}]},
            {("setting.http2", ".containers[0].ports[0].name)")},
        ),
        (
            [{}],
            {"ports": [{"container_port": True, "name": True}]},
            {
                ("setting.http2", ".containers[0].ports[0].name)"),
                # a probe's port 0 is the container's, a service's default probe is on it
                *((f"setting.{n}", ".containers[0].ports[0].container_port)") for n in PORTED),
            },
        ),
        (  # an entry, unknown: a port all the same
            [None],
            {"ports": [True]},
            {(f"setting.{n}", ".containers[0].ports[0])") for n in ("http2", *PORTED)},
        ),
        # whether app has a port at all: which container gets requests is not known
        (
            None,
            {"ports": True},
            {("*", ".containers[0].ports)")}
            | {(f"setting.{n}", ".containers[0].ports)") for n in ("http2", *PORTED)},
        ),
        (
            [{"container_port": 8080}],
            {"name": True},
            {("*", ".containers[0].name)")},
        ),
    ],
)
def test_only_what_can_move_the_ingress_container_hides_the_containers(
    ports: Any, marks: dict[str, Any], hidden: set[tuple[str, str]]
) -> None:
    service = read(json.dumps(terraform_plan(ports, marks)), "plan.json").workloads[0]
    assert {(u.target, u.why.removeprefix(WHY)) for u in service.unknown} == hidden


def test_an_unknown_port_name_does_not_hide_any_container_drift(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Every new multi-container service was "could not verify" (exit 3) and none of its drift
    was seen: here app's LOG_LEVEL DEBUG and the sidecar's LOG_LEVEL debug."""
    sandbox = make_sandbox(world(APP_INGRESS, OTEL))
    profiles = log_level_profiles(tmp_path)
    plan = terraform_plan([{"container_port": 8080}], {"ports": [{"name": True}]})
    done, doc, seen = check_plan(sandbox, profiles, plan, tmp_path)
    assert ("env.value", "env.LOG_LEVEL", "app") in seen, doc["unverified"]
    assert ("env.value", "env.LOG_LEVEL", "otel") in seen, doc["unverified"]
    assert doc["unverified"] == []
    assert done.returncode == 1
