"""A job a manifest deploys is named in its findings' messages as a live one is, `job
db-migrate`, whatever level of it a setting belongs to: the execution template's
(`parallelism`) and the task template's (`max_retries`, `task_timeout`, its variables) alike.
The manifest is the finding's `revision` and the table's heading; a message said "max_retries
on manifest:plan.json is 0" beside "parallelism on job db-migrate is 1" (helper-525 F5)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import check_offline, plan

PROFILE = """\
project: acme-chat-staging
region: us-central1
jobs:
  db-migrate:
    env:
      DATABASE_URL: {secret: database-url-prod, version: latest}
      MODE: {required: true}
    settings: {max_retries: 3, task_timeout: 600s, parallelism: 2}
"""
TARGETS = {
    "env.MODE",
    "env.DATABASE_URL",
    "setting.max_retries",
    "setting.task_timeout",
    "setting.parallelism",
}


def test_every_message_of_a_manifests_job_names_the_job(tmp_path: Path) -> None:
    done = check_offline(tmp_path, plan(), PROFILE, "-f", "json")
    assert done.returncode == 1, done.stderr
    findings = json.loads(done.stdout)["findings"]
    assert {f["target"] for f in findings} == TARGETS
    for f in findings:
        assert "job db-migrate" in f["message"], f
        assert "manifest:" not in f["message"], f
        assert f["revision"] == f"manifest:{tmp_path / 'plan.json'}", f


@pytest.mark.parametrize("fmt", ["table", "markdown", "github"])
def test_no_format_names_the_job_by_its_manifest_in_a_message(tmp_path: Path, fmt: str) -> None:
    done = check_offline(tmp_path, plan(), PROFILE, "-f", fmt)
    assert done.returncode == 1, done.stderr
    # the three settings (Markdown escapes their underscores)
    assert done.stdout.count(" on job db-migrate is ") == 3, done.stdout
    assert "on manifest:" not in done.stdout


def _deploys(kind: str, name: str, template: dict[str, Any]) -> dict[str, Any]:
    after = {"name": name, "location": "us-central1", "template": [template]}
    change = {"actions": ["create"], "before": None, "after": after, "after_unknown": {}}
    return {"address": f"{kind}.x", "mode": "managed", "type": kind, "name": "x", "change": change}


def test_a_manifests_service_pool_and_job_are_named_alike(tmp_path: Path) -> None:
    """Each by its kind and name, as the job always was: a service's and a pool's said "on
    manifest:plan.json" where the job's said "on job migrate" (helper-834 F8)."""
    env = {"containers": [{"image": "img:1", "env": [{"name": "LOG_LEVEL", "value": "DEBUG"}]}]}
    changes = [
        _deploys("google_cloud_run_v2_service", "api", env),
        _deploys("google_cloud_run_v2_worker_pool", "consumer", env),
        _deploys("google_cloud_run_v2_job", "migrate", {"template": [env]}),
    ]
    expects = "    env: {LOG_LEVEL: INFO}\n"
    profile = "project: p\nregion: us-central1\n" + "".join(
        f"{kind}:\n  {name}:\n{expects}"
        for kind, name in [("services", "api"), ("worker_pools", "consumer"), ("jobs", "migrate")]
    )
    done = check_offline(
        tmp_path, {"format_version": "1.2", "resource_changes": changes}, profile, "-f", "json"
    )
    said = {f["message"] for f in json.loads(done.stdout)["findings"]}
    assert said == {
        f"LOG_LEVEL on {who} differs from the profile"
        for who in ("service api", "worker pool consumer", "job migrate")
    }, (said, done.stderr)
