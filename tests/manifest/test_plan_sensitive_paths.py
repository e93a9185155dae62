"""A probe's HTTP path and an NFS volume's export path that a Terraform plan marks sensitive
(`after_sensitive`: a path built from a sensitive variable, `/healthz?key=${var.probe_key}`) are
never shown, as every other value it marks: `path` named a value's place only where it is a
secret volume item's file (`volumes.secret.items.path`), yet every leaf called `path` was
left shown (drift.manifest.terraform `IDENTIFIERS`), so the rows that read such a path
(`startup_probe`, `liveness_probe`, `nfs_shares`) printed it whole in every format
(helper-706 F12)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

PROBE_PATH = "/healthz?key=opensesame-4471"
EXPORT_PATH = "/exports/team-omega-77"
"""Values of no credential's shape: what masks them is the plan's mark alone."""


def _probe(path: str) -> list[dict[str, Any]]:
    action = [{"path": path, "port": 8080, "http_headers": []}]
    timings = {"initial_delay_seconds": 0, "timeout_seconds": 1, "period_seconds": 10}
    return [{"http_get": action, "tcp_socket": [], "grpc": [], "failure_threshold": 3, **timings}]


def _plan_marking(row: str) -> dict[str, Any]:
    """The repository's plan, api's `row` read from a path the plan marks sensitive."""
    data = plan()
    api = known_api(data)
    data["resource_changes"] = [api]
    template = api["change"]["after"]["template"][0]
    container = template["containers"][0]
    if row == "nfs_shares":
        nfs = [{"server": "10.0.0.2", "path": EXPORT_PATH, "read_only": False}]
        template["volumes"] = [{"name": "share", "nfs": nfs}]
        container["volume_mounts"] = [{"name": "share", "mount_path": "/share"}]
        marks: dict[str, Any] = {"volumes": [{"nfs": [{"path": True}]}]}
    else:
        container[row] = _probe(PROBE_PATH)
        marks = {"containers": [{row: [{"http_get": [{"path": True}]}]}]}
    api["change"]["after_sensitive"] = {"template": [marks]}
    return data


@pytest.mark.parametrize(
    ("row", "stated"),
    [
        ("startup_probe", "'http /healthz port 8080'"),
        ("liveness_probe", "'http /live port 8080'"),
        ("nfs_shares", "'10.0.0.2:/exports/staging'"),
    ],
)
@pytest.mark.parametrize("fmt", ["json", "table"])
def test_a_path_the_plan_marks_sensitive_is_compared_and_never_shown(
    tmp_path: Path, row: str, stated: str, fmt: str
) -> None:
    profile = API_ONLY.replace("max_instances: 20}", f"max_instances: 20, {row}: {stated}}}")
    done = check_offline(tmp_path, _plan_marking(row), profile, "-f", fmt)
    assert done.returncode == 1, done.stdout + done.stderr  # compared: it differs
    said = done.stdout + done.stderr
    assert PROBE_PATH not in said and EXPORT_PATH not in said, said
    assert "opensesame" not in said and "team-omega" not in said, said
    if fmt == "json":
        (finding,) = [f for f in json.loads(done.stdout)["findings"] if not f["ignored"]]
        assert (finding["target"], finding["actual"]) == (f"setting.{row}", "***"), finding
