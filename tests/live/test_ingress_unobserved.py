"""Service.ingress on output: "returns the currently observed ingress settings, or
INGRESS_TRAFFIC_UNSPECIFIED if no revision is active" (run v2 service.proto). A service whose
only revision failed answers UNSPECIFIED whatever it was written with; drift read that as the
default `all`, and told a profile stating `internal` "ingress is all, the profile says
internal" of a service closed to the internet (note 44, helper-547 F4). It is now not read:
the setting unverified, with why. A manifest (no `uid`: no answer of the API) still reads an
unset ingress as what a deploy creates, `all`."""

from __future__ import annotations

from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.fields import Source, read_settings, unreadable_settings
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.test_check_routing_edges import IMG, check, world

PROFILE = """project: p
region: us-central1
services:
  api:
    settings:
      ingress: {ingress}
    env:
      MODE: good
"""


def _failed_first(ingress: str) -> dict[str, object]:
    return world(
        {
            "api": {
                "ingress": ingress,
                "template": {"image": IMG + "a:1", "env": {"MODE": "good"}},
                "failed": "The user-provided container failed to start and listen on the port.",
            }
        }
    )


def test_init_writes_no_ingress_for_a_service_with_no_active_revision(tmp_path: Path) -> None:
    """Written `internal`, its only revision failed: the API answers UNSPECIFIED, and `init`
    wrote `ingress: all` (a profile the service's next ready revision drifts from, and that
    tells the team their internal service is public). Now the line is a comment saying why,
    and the entry does not call the failed revision the serving one."""
    with Sandbox(_failed_first("internal")) as sb:
        svc = sb.service("p", "api")
        assert not svc.latest_ready_revision
        assert svc.ingress == run_v2.IngressTraffic.INGRESS_TRAFFIC_UNSPECIFIED
        failed = svc.latest_created_revision.rsplit("/", 1)[-1]
        done = drift(
            "init", "prod", "--from-live", "--project", "p", "--region", "us-central1",
            "--profiles", str(tmp_path), env=sb.environ(),
        )  # fmt: skip
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "prod.yaml").read_text()
    assert "ingress: all" not in text
    assert "# ingress: not written, drift cannot read it: Cloud Run reports no ingress" in text
    assert "no revision of the service is active" in done.stdout
    assert f"api:  # no revision serves traffic: described from revision {failed}" in text
    assert "serving revision" not in text


def test_once_a_revision_is_ready_the_ingress_written_is_read(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The same service with a ready revision: its ingress is observed, `internal`, and a
    profile stating `all` has the finding."""
    scenario = world(
        {
            "api": {
                "ingress": "internal",
                "template": {"image": IMG + "a:1", "env": {"MODE": "good"}},
            }
        }
    )
    with Sandbox(scenario) as sb:
        result = check(sb, monkeypatch, tmp_path, PROFILE.format(ingress="all"))
    [finding] = [f for f in result.report.findings if f.target == "setting.ingress"]
    assert finding.actual == "internal"
    assert not result.report.unverified


def test_a_manifest_service_without_ingress_reads_as_all() -> None:
    """No `uid`: a Service a manifest builds, not one the API answered."""
    built = run_v2.Service()._pb
    template = run_v2.RevisionTemplate()._pb
    assert "ingress" not in unreadable_settings(Source(built, template, None))
    assert read_settings(Source(built, template, None))["ingress"] == "all"
    answered = run_v2.Service(uid="4c1b1c4e-0000-4000-8000-000000000001")._pb
    assert "ingress" in unreadable_settings(Source(answered, template, None))
