"""A baseline's finding counts as resolved only where this run looked again, and the same
drift keeps its id (README "Drift over time"): findings on a tag `check_tags` now leaves out
are carried, not resolved; so is `job.failed` when the execution could not be read; a
reference repinned from `latest` to the very version it stood for, and another project's secret
named by number when GetProject is refused, are the baseline's drift under its id, not "new"
beside "resolved"; a finding a hand-merged baseline lists twice counts once (helper-567 F1-F5,
each of which failed on b20d5d6b)."""

from __future__ import annotations

import json
import shutil
from pathlib import Path
from typing import Any

import grpc
import pytest

from drift.sandbox.scenario import shipped_scenario
from tests.cliutil import REPO, drift
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

SHAPES = REPO / "tests" / "data" / "shapes" / "profiles"
JOBS = """
jobs:
  e2e-runner:
    env:
      E2E_OAUTH_SIMULATION_KEY: {secret: e2e-oauth-key}
"""


def _profiles(tmp_path: Path, extra: str = "", edit: Any = None) -> None:
    folder = tmp_path / "profiles"
    if folder.exists():
        shutil.rmtree(folder)
    shutil.copytree(SHAPES, folder)
    text = (folder / "prod.yaml").read_text() + extra
    (folder / "prod.yaml").write_text(edit(text) if edit else text)


def _check(sandbox: Any, tmp_path: Path, *args: str) -> dict[str, Any]:
    env = {**sandbox.environ(), "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift(
        "check", "prod", "--wait", "0", "--format", "json", "--profiles", "profiles", *args,
        env=env, cwd=tmp_path, timeout=120,
    )  # fmt: skip
    assert done.stdout, done.stderr
    report: dict[str, Any] = json.loads(done.stdout)
    report["exit"] = done.returncode
    return report


def _ids(items: list[dict[str, Any]]) -> set[str]:
    return {f["id"] for f in items}


# --- F1 ------------------------------------------------------------------------------------
def test_findings_on_a_tag_check_tags_now_leaves_out_are_not_resolved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """chat's `e2e` tag (chat-00002-def at 0 %, TESTING=1, …) is still there and reachable;
    the profile now says `check_tags: none`, and the run's own note says the revision 'was not
    checked'. README "Drift over time": "A finding counts as resolved only where this run
    looked again: … its target verified — every revision it was found on"."""
    sandbox = make_sandbox(shipped_scenario(Path("real-shapes")))
    _profiles(tmp_path)
    before = _check(sandbox, tmp_path)
    tagged = {f["id"] for f in before["findings"] if f.get("tag") == "e2e"}
    assert tagged, before["findings"]
    (tmp_path / "base.json").write_text(json.dumps(before))

    _profiles(tmp_path, edit=lambda t: t.replace("  chat:\n", "  chat:\n    check_tags: none\n"))
    now = _check(sandbox, tmp_path, "--baseline", "base.json")
    assert any("tag e2e is left out" in n for n in now["notes"]), now["notes"]
    wrongly = tagged & _ids(now["resolved"])
    assert not wrongly, f"{len(wrongly)} findings on the unchecked tag listed resolved"
    assert tagged <= {u["finding"]["id"] for u in now["unchecked"]}


# --- F2 ------------------------------------------------------------------------------------
def test_job_failed_is_not_resolved_when_the_execution_could_not_be_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """e2e-runner's latest execution failed (`job.failed`, target `execution`). Next run
    GetExecution is denied: the reader records the unverified item under target `job.failed`
    (drift/live/reader.py:254), the finding's target is `execution` (drift/diff/jobs.py:38),
    so drift.rechecked.not_checked_again never matches them and the finding is 'resolved'."""
    sandbox = make_sandbox(shipped_scenario(Path("real-shapes")))
    _profiles(tmp_path, JOBS)
    before = _check(sandbox, tmp_path)
    (failed,) = [f for f in before["findings"] if f["rule"] == "job.failed"]
    (tmp_path / "base.json").write_text(json.dumps(before))

    from drift.sandbox import Fault

    sandbox.inject(Fault(method="GetExecution", code="PERMISSION_DENIED"))
    now = _check(sandbox, tmp_path, "--baseline", "base.json")
    assert any(u["service"] == "e2e-runner" for u in now["unverified"]), now["unverified"]
    assert failed["id"] not in _ids(now["resolved"]), "job.failed listed resolved, execution unread"
    assert failed["id"] in {u["finding"]["id"] for u in now["unchecked"]}


# --- F3 ------------------------------------------------------------------------------------
ACCOUNT = "api@p-acme.iam.gserviceaccount.com"
V2 = "projects/p-acme/secrets/k/versions/2"


def _one_secret_world() -> dict[str, Any]:
    template = {
        "image": "us-docker.pkg.dev/p-acme/r/api:1",
        "service_account": ACCOUNT,
        "env": {"MODE": "live", "K": {"secret": "k"}},
    }
    secret = {
        "versions": [{"value": "fake-k-v1-0123456789abcdef"}, {"value": "fake-k-v2-0123456789ab"}],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    return {
        "projects": {
            "p-acme": {
                "number": 5,
                "region": "us-central1",
                "services": {"api": {"template": template}},
                "secrets": {"k": secret},
            }
        }
    }


def test_the_same_disabled_version_pinned_instead_of_latest_keeps_its_id(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """K -> k:latest (= version 2, DISABLED): secret.disabled, failed ['version 2'], bare id. A
    deploy pins K -> k:2: the same version, the same state, the only drift of the target. Its
    id now names the version (drift/diff/secrets.py `_pinned`), so it is `new` and the
    baseline's finding `resolved`. README "Findings": the id is a fingerprint of environment,
    service, rule and target; "Where one target holds two drifts of one rule, the id also
    names what tells them apart" — here the target holds one."""
    from google.cloud import secretmanager_v1
    from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
        SecretManagerServiceGrpcTransport,
    )

    sandbox = make_sandbox(_one_secret_world())
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p-acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: live\n"
    )
    channel = grpc.insecure_channel(sandbox.address)
    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    try:
        client.disable_secret_version(name=V2)
        before = _check(sandbox, tmp_path)
        (tmp_path / "base.json").write_text(json.dumps(before))
        client.enable_secret_version(name=V2)
        sandbox.deploy("p-acme", "api", secrets={"K": "k:2"})
        client.disable_secret_version(name=V2)
        now = _check(sandbox, tmp_path, "--baseline", "base.json")
    finally:
        channel.close()
    (was,) = [f for f in before["findings"] if f["rule"] == "secret.disabled"]
    (found,) = [f for f in now["findings"] if f["rule"] == "secret.disabled"]
    assert found["failed"] == was["failed"] == ["version 2"]
    assert (found["id"], found["baseline"], now["resolved"]) == (was["id"], "unchanged", [])


# --- F4 (known, left by revown47) ----------------------------------------------------------
def test_only_getproject_denied_the_same_secret_drift_is_not_resolved(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Another project's secret referenced by number; the baseline named it
    `secret.acme-shared/k`. A run refused only GetProject names it `secret.222/k`: drift cannot
    tell whether that is the baseline's project or another whose secret has the same name
    (helper-568 F2: merging them hid a drift of another project). So the new one is `new`, and
    the baseline's is carried as not checked again ("maybe it"), never `resolved` (helper-567
    F4: it was resolved beside itself, SARIF closing its alert)."""
    from tests.baseline.test_other_project_by_number_unread import (
        DENY_PROJECT,
        _baseline,
        _world,
    )
    from tests.baseline.test_other_project_by_number_unread import _check as check

    _baseline(make_sandbox, tmp_path)
    env = make_sandbox(_world([DENY_PROJECT])).environ()
    now = check(tmp_path, env, "--baseline", "base.json", "--fail-on-new")
    assert now["resolved"] == [], now["resolved"]
    (carried,) = [u for u in now["unchecked"] if u["finding"]["target"] == "secret.acme-shared/k"]
    assert "secret.222/k (maybe it, its project known by number only)" in carried["reason"]
    assert [f["baseline"] for f in now["findings"] if f["target"] == "secret.222/k"] == ["new"]


# --- F5 ------------------------------------------------------------------------------------
def test_a_finding_listed_twice_in_the_baseline_counts_once(sandbox: Any, tmp_path: Path) -> None:
    """drift.baseline.parse_baseline dedupes `findings` ("a finding listed twice (reports
    merged by hand) is one, never 'resolved' beside itself") but appends `unchecked` entries
    undeduped: one finding in `findings` and twice in `unchecked` is resolved 3 times
    (summary.resolved 3) or carried forward 3 times (and three SARIF results with one
    fingerprint). README: `resolved` "lists the findings of the baseline that are gone"."""
    first = drift("check", "staging", "--format", "json", env=sandbox.environ())
    report = json.loads(first.stdout)
    gone = dict(report["findings"][0], id="00000000000000aa", target="env.GONE", message="gone")
    report["findings"].append(gone)
    report["unchecked"] = [{"finding": gone, "reason": "x"}, {"finding": gone, "reason": "y"}]
    (tmp_path / "dup.json").write_text(json.dumps(report))
    now = json.loads(
        drift(
            "check", "staging", "--format", "json", "--baseline", str(tmp_path / "dup.json"),
            env=sandbox.environ(),
        ).stdout
    )  # fmt: skip
    assert [f["target"] for f in now["resolved"]] == ["env.GONE"], now["summary"]
