"""Terraform plans made to measure from tests/data/manifest/plan.json, and `drift check
--offline` on them with a profile of the test's own (nothing read from Google Cloud: what is
checked is how the plan is read)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from tests.cliutil import drift
from tests.manifest.conftest import PLAN

API_ONLY = """\
project: acme-chat-staging
region: us-central1
services:
  api:
    settings: {min_instances: 1, max_instances: 20}
"""
"""A profile that expects of the plan's api only what it runs with."""


def plan() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(PLAN.read_text())
    return data


def change_of(data: dict[str, Any], address: str) -> dict[str, Any]:
    return next(rc for rc in data["resource_changes"] if rc["address"] == address)


def known_api(data: dict[str, Any]) -> dict[str, Any]:
    """google_cloud_run_v2_service.api with every value known and no secret reference (so
    that --offline leaves nothing of it unverified): clean against `API_ONLY`."""
    api = change_of(data, "google_cloud_run_v2_service.api")
    c = api["change"]
    c["after_unknown"] = {}
    for container in c["after"]["template"][0]["containers"]:
        container["env"] = [
            e
            for e in container["env"]
            if not (e.get("value_source") and e["value_source"][0].get("secret_key_ref"))
        ]
        for e in container["env"]:
            if e["name"] == "REDIS_HOST":
                e["value"] = "10.0.0.3"
    return api


def moved_without_a_block(data: dict[str, Any], before: Any) -> dict[str, Any]:
    """`data` with api (`known_api`) destroyed (its state before it: `before`) and created again
    at module.app.google_cloud_run_v2_service.api, no `moved` block: the same Cloud Run service.
    `data`, changed in place."""
    api = known_api(data)
    gone = copy.deepcopy(api)
    gone["change"]["actions"] = ["delete"]
    gone["change"]["before"] = before
    gone["change"]["after"] = None
    created = copy.deepcopy(api)
    created["address"] = "module.app.google_cloud_run_v2_service.api"
    created["module_address"] = "module.app"
    created["change"]["actions"] = ["create"]
    data["resource_changes"] = [gone, created]
    return data


def check_offline(tmp: Path, data: dict[str, Any], profile: str, *args: str) -> Any:
    """`drift check staging -m plan.json --offline ARGS` with `profile` as staging's."""
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "staging.yaml").write_text(profile)
    manifest = tmp / "plan.json"
    manifest.write_text(json.dumps(data))
    done = drift(
        "check", "staging", "--profiles", str(tmp / "profiles"), "-m", str(manifest),
        "--offline", *args,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def check_written(tmp: Path, data: dict[str, Any], profile: str, fmt: str) -> tuple[Any, str]:
    """`check_offline` in format `fmt` into a file (`--output`): the run, and the file."""
    out = tmp / "report.out"
    done = check_offline(tmp, data, profile, "-f", fmt, "--output", str(out))
    return done, out.read_text()


def check_live(
    sb: Any, tmp: Path, data: dict[str, Any], *args: str, profile: str = API_ONLY
) -> Any:
    """`drift check staging -m plan.json -f json ARGS` against the sandbox `sb`, with `profile`
    as staging's (what the plan changes beside the workloads is judged with what is read)."""
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "staging.yaml").write_text(profile)
    (tmp / "plan.json").write_text(json.dumps(data))
    done = drift(
        "check", "staging", "--profiles", "profiles", "-m", "plan.json", "-f", "json", *args,
        env=sb.environ(), cwd=tmp,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done
