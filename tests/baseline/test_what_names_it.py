"""A drift whose what-fails is named only in its words is `updated` against a baseline when
that changes, never `unchanged` (revbase80 "Not done"): `revision.pinned` naming another of
drift's canaries (one change's canary removed, another's left pinned), as `secret.disabled`
names its version (fixbase80)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT = "acme-chat-staging"

pytestmark = pytest.mark.sandbox


def _check(sandbox: Sandbox, *args: str) -> Any:
    return drift("check", "staging", "--format", "json", *args, env=sandbox.environ())


def _pinned(report: str) -> dict[str, Any]:
    findings = json.loads(report)["findings"]
    (found,) = [f for f in findings if f["rule"] == "revision.pinned" and f["service"] == "api"]
    return found


def canary(deployed: Any) -> str:
    return str(deployed.latest_created_revision).rsplit("/", 1)[-1]


def _without_failed(report: Path, to: Path) -> str:
    data = json.loads(report.read_text())
    for finding in data["findings"]:
        finding.pop("failed", None)
    to.write_text(json.dumps(data))
    return str(to)


def test_another_canary_left_pinned_is_updated(sandbox: Sandbox, tmp_path: Path) -> None:
    last = tmp_path / "last.json"
    first, second = "20261201-101010-aaaaa", "20261202-101010-bbbbb"
    # `drift fix --no-promote`'s shape: the canary at 0 % behind its tag, traffic pinned
    one = sandbox.deploy(
        PROJECT, "api", env={"FEATURE_FLAGS": "a"}, no_traffic=True, tag=f"drift-{first}"
    )
    done = _check(sandbox, "--output", str(last))
    before = _pinned(last.read_text())
    older = _without_failed(last, tmp_path / "older.json")  # a drift that did not record it
    baseline = ["--baseline", str(last), "--fail-on-new"]
    assert _pinned(_check(sandbox, *baseline).stdout)["baseline"] == "unchanged"
    assert _pinned(_check(sandbox, "--baseline", older).stdout)["baseline"] == "unchanged"

    statuses = sandbox.service(PROJECT, "api").traffic_statuses
    served = {s.revision: s.percent for s in statuses if s.percent}
    sandbox.update_traffic(PROJECT, "api", served, remove_tags=(f"drift-{first}",))  # gone
    two = sandbox.deploy(
        PROJECT, "api", env={"FEATURE_FLAGS": "b"}, no_traffic=True, tag=f"drift-{second}"
    )
    again = _check(sandbox, *baseline)
    found = _pinned(again.stdout)
    assert found["id"] == before["id"] and found["message"] != before["message"], found
    assert f"canary {canary(two)} exists" in found["message"], found
    assert found["baseline"] == "updated", found
    assert _pinned(_check(sandbox, "--baseline", older).stdout)["baseline"] == "updated"
    assert (before["failed"], found["failed"]) == ([canary(one)], [canary(two)])
    assert again.returncode == 1, (done.stderr, again.stderr)


# A condition that grants one version of k only: IAM names each version
# `projects/NUMBER/secrets/SECRET/versions/VERSION` (resource.name,
# cloud.google.com/iam/docs/conditions-resource-attributes#resource-name).
ACCESSOR = "roles/secretmanager.secretAccessor"
ACCOUNT = "api@p.iam.gserviceaccount.com"


def _granted_only(version: str) -> dict[str, Any]:
    """Secret k (versions 1 and 2), both used by api, whose account a condition grants
    `version` only."""
    condition = {"expression": f'resource.name.endsWith("/versions/{version}")'}
    iam = [{"role": ACCESSOR, "members": [f"serviceAccount:{ACCOUNT}"], "condition": condition}]
    env = {"ONE": {"secret": "k", "version": "1"}, "TWO": {"secret": "k", "version": "2"}}
    template = {"image": "x/api:1", "service_account": ACCOUNT, "env": env}
    secrets = {"k": {"versions": ["fake-value-0a1b2c3d", "fake-value-9z8y7x6w"], "iam": iam}}
    services = {"api": {"template": template}}
    return {"projects": {"p": {"number": 5, "secrets": secrets, "services": services}}}


def test_another_version_a_condition_denies_is_updated(reseedable: Sandbox, tmp_path: Path) -> None:
    profiles, last = tmp_path / "profiles", tmp_path / "last.json"
    profiles.mkdir()
    (profiles / "prod.yaml").write_text("project: p\nregion: us-central1\nservices:\n  api: {}\n")

    def check(*args: str) -> Any:
        argv = ("check", "prod", "--profiles", str(profiles), "--format", "json", *args)
        return drift(*argv, env=reseedable.environ())

    def denied(report: str) -> dict[str, Any]:
        findings = json.loads(report)["findings"]
        (found,) = [f for f in findings if f["rule"] == "secret.no_access"]
        return found

    reseedable.reset(_granted_only("1"))
    done = check("--output", str(last))
    before = denied(last.read_text())
    assert "on k version 2 (used by TWO)" in before["message"], before
    older = _without_failed(last, tmp_path / "older.json")
    baseline = ["--baseline", str(last), "--fail-on-new"]
    assert denied(check(*baseline).stdout)["baseline"] == "unchanged"
    assert denied(check("--baseline", older).stdout)["baseline"] == "unchanged"

    reseedable.reset(_granted_only("2"))  # the condition now grants the other version
    again = check(*baseline)
    found = denied(again.stdout)
    assert "on k version 1 (used by ONE)" in found["message"], found
    assert found["id"] == before["id"], (found, before)
    assert found["baseline"] == "updated", found
    assert again.returncode == 1, (done.stderr, again.stderr)
    assert denied(check("--baseline", older).stdout)["baseline"] == "updated"
