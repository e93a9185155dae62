"""Which drift a failed probe is tied to, and the id of its finding (in process: hand-built
findings and probe results against a loaded profile)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.causes import NOT_CONFIGURATION, attach_causes
from drift.findings import Finding, ProbeOutcome, ProbeResult, Severity, finding_id
from drift.kinds import Kind, workload_key
from drift.profiles.loader import load_profile
from drift.profiles.model import Profile

PROFILE = """\
project: p
region: us-central1
services:
  api:
    env:
      MODE: live
    probe:
      websocket: /ws
      hold: 0.2s
jobs:
  api:
    env:
      NEEDED: x
"""


@pytest.fixture
def profile(tmp_path: Path) -> Profile:
    (tmp_path / "prod.yaml").write_text(PROFILE)
    return load_profile(tmp_path, "prod")


def missing(kind: Kind, revision: str | None) -> Finding:
    key = workload_key(kind, "api")
    return Finding(
        id=finding_id("prod", key, "env.missing", "env.NEEDED"),
        rule="env.missing",
        severity=Severity.ERROR,
        service="api",
        revision=revision,
        target="env.NEEDED",
        message="NEEDED is missing",
        expected="x",
        actual=None,
        location=None,
        kind=kind,
    )


def closed_1011(revision: str | None = "api-00001-abc", tag: str | None = None) -> ProbeResult:
    host = f"{tag}---api.run.app" if tag else "api.run.app"
    return ProbeResult(
        service="api",
        revision=revision,
        url=f"wss://{host}/ws",
        outcome=ProbeOutcome.CLOSE_1011,
        elapsed_ms=3,
        http_status=101,
        close_code=1011,
        detail="server closed with 1011",
        **({"tag": tag} if tag else {}),  # type: ignore[arg-type]
    )


def test_a_job_named_like_the_service_is_not_blamed(profile: Profile) -> None:
    job = missing(Kind.JOB, None)  # a job's findings are on no revision
    (probe,), (finding,) = attach_causes(profile, [closed_1011()], [job])
    assert probe.suspected_causes == ()
    assert probe.detail.endswith(NOT_CONFIGURATION)
    assert "job" not in finding.message
    # the same drift on the service itself is the suspect
    on_service = missing(Kind.SERVICE, "api-00001-abc")
    (probe,), _ = attach_causes(profile, [closed_1011()], [job, on_service])
    assert probe.suspected_causes == (on_service.id,)


def test_each_probed_url_has_its_own_stable_finding_id(profile: Profile) -> None:
    def ids() -> list[str]:
        probes = [
            closed_1011(None),  # the service URL, split across revisions
            closed_1011("api-00001-abc", "blue"),
            closed_1011("api-00002-def", "green"),
        ]
        _, findings = attach_causes(profile, probes, [])
        return [f.id for f in findings]

    first = ids()
    assert len(set(first)) == 3
    assert ids() == first  # the same drift, the same id, run after run
    # the service URL keeps the id it always had (baselines hold it)
    assert first[0] == finding_id("prod", "api", "probe.close_1011", "probe")
    # a tag's id follows its tag, not the revision it points to (a deploy changes that)
    _, (moved,) = attach_causes(profile, [closed_1011("api-00003-xyz", "blue")], [])
    assert moved.id == first[1]
