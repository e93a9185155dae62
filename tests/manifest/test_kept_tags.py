"""A revision a manifest's traffic keeps reachable only through a traffic tag at 0 % (helper-600
F1): once deployed it still has its own URL, and the live check checks it (`check_tags`, all
by default). The gate judges it as the live check does, its findings carrying the tag; offline
it is not verified (exit 3). Before, only revisions kept with a share were read: a drifted
tagged revision passed the gate (exit 0) and failed the first live check after the deploy."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.manifest.conftest import LOCATED_API
from tests.manifest.plans import API_ONLY, check_live, check_offline, known_api, plan
from tests.manifest.test_check_manifest import checked, profiles_of

GET_REVISION = "google.cloud.run.v2.Revisions/GetRevision"
OLD = "api-00001-idq"  # the sandbox's first api revision: SECRET_KEY is secret-key-staging:2
SECRET = '    env:\n      SECRET_KEY: {secret: secret-key-staging, version: "3"}\n'
PROFILE = API_ONLY + SECRET

KNATIVE = (
    LOCATED_API
    + """\
      serviceAccountName: api@acme-chat-staging.iam.gserviceaccount.com
      containers:
      - image: gcr.io/acme/api:1
        env:
        - name: SECRET_KEY
          valueFrom: {secretKeyRef: {name: secret-key-staging, key: "3"}}
  traffic:
  - {latestRevision: true, percent: 100}
  - {revisionName: %s, percent: 0, tag: old}
"""
)
KNATIVE_PROFILE = "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n" + SECRET


def _plan(revision: str = OLD, tag: str = "old") -> dict[str, Any]:
    """The repository's plan with api clean against `PROFILE`, all of its traffic on LATEST
    and `revision` kept at 0 % through `tag`."""
    data = plan()
    api = known_api(data)
    after = api["change"]["after"]
    after["template"][0]["containers"][0]["env"].append(
        {"name": "SECRET_KEY", "value": None,
         "value_source": [{"secret_key_ref": [{"secret": "secret-key-staging", "version": "3"}]}]}
    )  # fmt: skip
    after["traffic"] = [
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "revision": "", "percent": 100,
         "tag": ""},
        {"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", "revision": revision, "percent": 0,
         "tag": tag},
    ]  # fmt: skip
    data["resource_changes"] = [api]
    return data


def _on_old(doc: dict[str, Any]) -> set[tuple[str, str, str | None]]:
    return {
        (f["rule"], f["target"], f.get("tag"))
        for f in doc["findings"]
        if OLD in (f["revision"] or "") or f"{OLD} (tag old)" in f["message"]
    }


def test_a_plans_revision_kept_through_a_tag_is_read_and_its_findings_carry_the_tag(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    sandbox.clear_calls()
    done = check_live(sandbox, tmp_path, _plan(), profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert ("env.secret_ref", "env.SECRET_KEY", "old") in _on_old(doc), doc["findings"]
    calls = [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run")]
    assert calls == [GET_REVISION], calls
    said = " ".join(" ".join(doc["notes"]).split())
    assert (
        f"google_cloud_run_v2_service.api: the traffic keeps {OLD} (tag old) reachable at 0 % "
        "through its own URL; checked as it runs now"
    ) in said, said
    # the deploy's own revision is clean: every finding is the tagged revision's
    assert all(f.get("tag") == "old" for f in doc["findings"]), doc["findings"]


def test_a_knative_services_revision_kept_through_a_tag_is_read(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profiles = profiles_of(tmp_path, "staging", KNATIVE_PROFILE)
    manifest = tmp_path / "svc.yaml"
    manifest.write_text(KNATIVE % OLD)
    done, doc = checked(sandbox, "staging", profiles, str(manifest))
    assert done.returncode == 1, (done.stdout, done.stderr)
    assert ("env.secret_ref", "env.SECRET_KEY", "old") in _on_old(doc), doc["findings"]
    assert all(f.get("tag") == "old" for f in doc["findings"]), doc["findings"]
    calls = [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run")]
    assert calls == [GET_REVISION], calls


def test_a_tagged_revision_that_cannot_be_read_is_not_verified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    done = check_live(sandbox, tmp_path, _plan("api-00099-gone"), profile=PROFILE)
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert doc["findings"] == []
    ((target, reason),) = [(u["target"], u["reason"]) for u in doc["unverified"]]
    assert target == "revision.api-00099-gone"
    assert reason.startswith(
        "reachable through tag old once deployed (the manifest keeps it, at 0 %); GetRevision"
    ), reason
    assert "NOT_FOUND" in reason, reason


@pytest.mark.parametrize("check_tags", ["none", "[e2e]"])
def test_a_tag_check_tags_leaves_out_is_not_read(
    sandbox: Sandbox, tmp_path: Path, check_tags: str
) -> None:
    """As the live check: a tag the profile's `check_tags` leaves out reaches nothing checked."""
    profile = PROFILE.replace("  api:\n", f"  api:\n    check_tags: {check_tags}\n")
    sandbox.clear_calls()
    done = check_live(sandbox, tmp_path, _plan(), profile=profile)
    doc = json.loads(done.stdout)
    assert done.returncode == 0, (doc["findings"], doc["unverified"], done.stderr)
    calls = [c.method for c in sandbox.calls if c.method.startswith("google.cloud.run")]
    assert GET_REVISION not in calls, calls
    # said, as the live check says it (helper-604 left it silent)
    said = [" ".join(n.split()) for n in doc["notes"]]
    where = "google_cloud_run_v2_service.api"
    left = (
        f"{where}: check_tags leaves out tag old: {OLD}, which only it reaches once deployed "
        "(its own URL), is not checked"
    )
    assert any(n.endswith(left) for n in said), said
    missing = [n for n in said if "which the traffic does not have" in n]
    if check_tags == "[e2e]":
        assert missing and missing[0].endswith(
            f"{where}: check_tags names tag e2e, which the traffic does not have: no revision "
            "checked for it"
        ), said
    else:
        assert not missing, said


def test_a_tag_check_tags_keeps_says_nothing_of_what_it_leaves_out(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    profile = PROFILE.replace("  api:\n", "  api:\n    check_tags: [old]\n")
    done = check_live(sandbox, tmp_path, _plan(), profile=profile)
    doc = json.loads(done.stdout)
    said = " ".join(doc["notes"])
    assert "leaves out" not in said and "does not have" not in said, said
    assert "reachable at 0 % through its own URL; checked as it runs now" in " ".join(
        said.split()
    ), said


def test_offline_a_plans_tagged_revision_is_not_verified(tmp_path: Path) -> None:
    done = check_offline(tmp_path, _plan(), API_ONLY, "-f", "json")
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)
    reasons = {u["target"]: u["reason"] for u in doc["unverified"]}
    assert reasons[f"revision.{OLD}"] == (
        "reachable through tag old once deployed (the manifest keeps it, at 0 %); not read "
        "(--offline)"
    ), reasons


def test_offline_a_knative_services_tagged_revision_is_not_verified(tmp_path: Path) -> None:
    profiles = profiles_of(
        tmp_path,
        "staging",
        "project: acme-chat-staging\nregion: us-central1\nservices:\n  api:\n"
        "    env:\n      ENVIRONMENT: staging\n",
    )
    manifest = tmp_path / "svc.yaml"
    manifest.write_text(
        (KNATIVE % OLD).replace(
            "        - name: SECRET_KEY\n"
            '          valueFrom: {secretKeyRef: {name: secret-key-staging, key: "3"}}\n',
            "        - {name: ENVIRONMENT, value: staging}\n",
        )
    )
    done = drift(
        "check", "staging", "--profiles", profiles, "-m", str(manifest), "--offline", "-f",
        "json",
    )  # fmt: skip
    doc = json.loads(done.stdout)
    assert done.returncode == 3, (done.stdout, done.stderr)
    assert [u["target"] for u in doc["unverified"]] == [f"revision.{OLD}"], doc["unverified"]
    said = " ".join(" ".join(doc["notes"]).split())
    assert f"{OLD} (tag old) reachable at 0 % through its own URL; not verified" in said, said
