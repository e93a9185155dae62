"""A manifest whose traffic stays on a revision it does not describe (helper-544 F3): the usual
Terraform no-traffic deploy keeps a named revision at 100 % and gives the new one a tag. That
revision serves once the plan is applied, so the gate reads it as it runs now (one
GetRevision) and judges it by the same rules as the live check does; before, only the
deploy's own revision was checked and a drifted one kept serving behind an exit 0."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import yaml

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.conftest import MakeSandbox
from tests.manifest.conftest import PLAN
from tests.manifest.plans import API_ONLY, known_api, plan
from tests.manifest.test_check_manifest import (
    POOL_PROFILE,
    POOL_YAML,
    check,
    checked,
    profiles_of,
)

PROJECT = "acme-chat-staging"
STAGING = str(REPO / "profiles")
GET_REVISION = "google.cloud.run.v2.Revisions/GetRevision"
DEFAULT = REPO / "drift" / "sandbox" / "scenarios" / "default.yaml"


def _pinned_plan(tmp_path: Path, revision: str, data: dict[str, Any] | None = None) -> str:
    """The repository's plan with api's traffic kept on `revision` (100 %) and the revision
    the deploy creates reached through a tag only."""
    data = json.loads(PLAN.read_text()) if data is None else data
    (api,) = [c for c in data["resource_changes"] if c["address"].endswith(".api")]
    api["change"]["after"]["traffic"] = [
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": revision,
         "percent": 100, "tag": ""},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "revision": "", "percent": 0,
         "tag": "candidate"},
    ]  # fmt: skip
    path = tmp_path / "plan.json"
    path.write_text(json.dumps(data))
    return str(path)


def _config_findings(doc: dict[str, Any], revision: str) -> set[tuple[str, str]]:
    return {
        (f["rule"], f["target"])
        for f in doc["findings"]
        if f["service"] == "api" and revision in (f["revision"] or "").split(", ")
        and f["rule"].split(".")[0] in ("env", "secret", "setting")
    }  # fmt: skip


def test_the_revision_the_traffic_keeps_is_judged_as_the_live_check_judges_it(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    serving = sandbox.service(PROJECT, "api").traffic_statuses[0].revision
    live = json.loads(check(sandbox, "staging", "--profiles", STAGING, "-f", "json").stdout)
    expected = _config_findings(live, serving)
    assert expected, live["findings"]  # the default world's api drifts: something to find

    done, doc = checked(sandbox, "staging", STAGING, _pinned_plan(tmp_path, serving))
    assert done.returncode == 1, done.stderr
    assert _config_findings(doc, serving) == expected
    calls = [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run")]
    assert calls == [GET_REVISION], calls  # that revision alone, once
    said = " ".join(" ".join(doc["notes"]).split())
    assert (
        f"traffic stays on {serving}; what is checked is the revision the deploy creates for "
        "api, which gets no traffic, and that revision as it runs now"
    ) in said, said


def test_a_kept_revision_that_cannot_be_read_is_not_verified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A clean plan (API_ONLY's api) whose traffic stays on a revision the service does not
    have: exit 3 with the API's answer, never 0."""
    data = plan()
    data["resource_changes"] = [known_api(data)]
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text(API_ONLY)
    manifest = _pinned_plan(tmp_path, "api-00099-gone", data)
    done, doc = checked(sandbox, "staging", str(profiles), manifest)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert doc["findings"] == []
    ((target, reason),) = [(u["target"], u["reason"]) for u in doc["unverified"]]
    assert target == "revision.api-00099-gone"
    assert reason.startswith("serves 100 % of the traffic once deployed (the manifest keeps it "
                             "there); GetRevision projects/"), reason  # fmt: skip
    assert "NOT_FOUND" in reason, reason


def test_a_clean_kept_revision_leaves_the_gate_clean(sandbox: Sandbox, tmp_path: Path) -> None:
    """The same clean plan kept on a revision that runs what the profile expects: exit 0."""
    data = plan()
    data["resource_changes"] = [known_api(data)]
    profiles = tmp_path / "profiles"
    profiles.mkdir()
    (profiles / "staging.yaml").write_text(API_ONLY)
    serving = sandbox.service(PROJECT, "api").traffic_statuses[0].revision
    live = check(sandbox, "staging", "--profiles", str(profiles), "-f", "json")
    assert live.returncode == 0, live.stdout  # the live api runs what API_ONLY expects
    done, doc = checked(sandbox, "staging", str(profiles), _pinned_plan(tmp_path, serving, data))
    assert done.returncode == 0, (doc["findings"], doc["unverified"])


def test_a_worker_pools_kept_revision_is_read_and_judged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A worker pool's instance split kept on a named revision: read under workerPools/, its
    variables judged (the kept revision lacks BATCH as the manifest's does, and sets QUEUE
    to another value than the manifest's)."""
    scenario = yaml.safe_load(DEFAULT.read_text())
    scenario["projects"][PROJECT]["worker_pools"] = {
        "consumer": {
            "instances": 3,
            "template": {"containers": [{"name": "consumer", "image": "gcr.io/example/c:1",
                                         "env": [{"name": "QUEUE", "value": "old-events"}]}]},
        }
    }  # fmt: skip
    sandbox = make_sandbox(scenario)
    kept = sandbox.revision(PROJECT, "consumer", worker_pool=True).name.rsplit("/", 1)[-1]
    profiles = profiles_of(tmp_path, "pools", POOL_PROFILE)
    manifest = tmp_path / "pool.yaml"
    manifest.write_text(POOL_YAML.format(count=3, split=f"revisionName: {kept}\n    percent: 100"))
    done, doc = checked(sandbox, "pools", profiles, str(manifest))
    assert done.returncode == 1, done.stderr
    # the same drift on both revisions is one finding naming the kept one too (`also on`)
    on_kept = {
        (f["rule"], f["target"])
        for f in doc["findings"]
        if kept in f["revision"] or f"also on {kept}" in f["message"]
    }
    assert on_kept == {
        ("env.missing", "env.BATCH"),
        ("env.value", "env.QUEUE"),  # old-events: the manifest's own is as the profile says
        ("revision.rollout", f"revision.{kept}"),  # it differs from what the deploy creates
    }, doc["findings"]
    assert doc["unverified"] == []
    calls = [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run")]
    assert calls == [GET_REVISION], calls
