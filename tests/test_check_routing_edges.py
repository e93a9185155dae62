"""Which revisions `drift check` judges on routing edges: a revision reached through a checked
and an unchecked tag is named by the checked one (its ignore matches); a failed template is
never taken for the serving revision, even once the failed revision is deleted (the service
then says latest created = latest ready, settled, but its terminal condition failed); a serving
revision that cannot be read is still the one traffic stays on."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.revisions.transports import RevisionsGrpcTransport

from drift.check import CheckResult
from drift.sandbox import Sandbox
from tests.test_check_shapes import check as check_profiles

IMG = "us-central1-docker.pkg.dev/p/apps/"


def check(
    sb: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str
) -> CheckResult:
    """`check` of the profile `prod` of text `profile` against `sb`."""
    (tmp_path / "prod.yaml").write_text(profile)
    return check_profiles(sb, monkeypatch, profiles=tmp_path)


def delete_latest_created(sb: Sandbox, service: str) -> Any:
    """Delete the service's latest created revision through the Revisions API (a team
    cleaning up a failed one); the service as read after."""
    svc = sb.service("p", service)
    channel = grpc.insecure_channel(sb.address)
    revisions = run_v2.RevisionsClient(transport=RevisionsGrpcTransport(channel=channel))
    revisions.delete_revision(name=svc.latest_created_revision).result()
    channel.close()
    return sb.service("p", service)


def world(services: dict[str, Any], **options: Any) -> dict[str, Any]:
    return {
        "options": options,
        "faults": options.pop("faults", []),
        "projects": {"p": {"number": 111, "region": "us-central1", "services": services}},
    }


# A 0 % revision reached through two tags, one checked (check_tags: [e2e]) and one not.
TWO_TAGS = {
    "twotags": {
        "template": {"image": IMG + "b:2", "env": {"MODE": "good"}},
        "history": [{"image": IMG + "b:1", "env": {"MODE": "bad"}}],
        "traffic": [
            {"latest": True, "percent": 100},
            {"revision": 1, "percent": 0, "tag": "preview"},
            {"revision": 1, "percent": 0, "tag": "e2e"},
        ],
    }
}
TWO_TAGS_PROFILE = """project: p
region: us-central1
check_tags: [e2e]
ignore:
  - {service: twotags, rule: env.value, tag: e2e, reason: the e2e revision runs MODE=bad on purpose}
services:
  twotags:
    env:
      MODE: good
"""


def test_a_revision_reached_through_a_checked_tag_is_named_by_that_tag(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    with Sandbox(world(TWO_TAGS)) as sb:
        result = check(sb, monkeypatch, tmp_path, TWO_TAGS_PROFILE)
    [f] = [f for f in result.report.findings if f.rule == "env.value"]
    # check_tags: [e2e] -- the revision is checked because of `e2e`; `preview` is not checked
    assert f.tag == "e2e", f"finding names the unchecked tag {f.tag!r}"
    assert f.ignored, "the ignore naming tag e2e does not silence it"
    assert result.report.exit_code == 0


# The failed latest revision deleted afterwards: the template no longer describes anything
#    that serves, yet latest_created == latest_ready and observed_generation == generation.
FAILED = {
    "api": {
        "template": {"image": IMG + "a:2", "env": {"MODE": "good"}},
        "history": [{"image": IMG + "a:1", "env": {"MODE": "bad"}}],
        "failed": "The user-provided container failed to start and listen on the port",
    }
}
FAILED_PROFILE = """project: p
region: us-central1
services:
  api:
    env:
      MODE: good
"""


def test_a_failed_template_is_never_taken_for_the_serving_revision(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    options = {"delete_latest_created": "allowed", "failed_observed_generation": "generation"}
    with Sandbox(world(FAILED, **options)) as sb:
        before = check(sb, monkeypatch, tmp_path, FAILED_PROFILE)
        assert [f.rule for f in before.report.findings] == ["revision.rollout", "env.value"]
        svc = delete_latest_created(sb, "api")
        assert svc.latest_created_revision == svc.latest_ready_revision
        assert svc.terminal_condition.state.name == "CONDITION_FAILED"
        after = check(sb, monkeypatch, tmp_path, FAILED_PROFILE)
        serving_env = {
            e.name: e.value for e in sb.revision("p", "api", "api-00001-vtk").containers[0].env
        }
    assert serving_env["MODE"] == "bad"  # what serves 100 % still drifts
    assert after.report.status != "clean", "drift judged the failed template as api-00001-vtk"
    assert ("env.value", "api-00001-vtk") in [(f.rule, f.revision) for f in after.report.findings]


# The serving revision cannot be read while the latest created one failed.
def test_an_unread_serving_revision_is_not_said_to_serve_nothing(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    fault = {"method": "GetRevision", "code": "PERMISSION_DENIED", "match": "api-00001"}
    with Sandbox(world(FAILED, faults=[fault])) as sb:
        result = check(sb, monkeypatch, tmp_path, FAILED_PROFILE)
    [rollout] = [f for f in result.report.findings if f.rule == "revision.rollout"]
    assert "no revision serves traffic" not in rollout.message  # api-00001-vtk serves 100 %
    assert "traffic stays on api-00001-" in rollout.message, rollout.message
    assert "not verified" in rollout.message
    assert [u.target for u in result.report.unverified] == [f"revision.{rollout.revision}"]
