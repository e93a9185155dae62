"""A service split across revisions, probed at its URL (revprobe91 F4). A request to the service
URL reaches one of the revisions that serve, in proportion to their traffic, and no answer says
which (`drift.probe.moved`); an untagged revision has no URL of its own. So a probe that passed
there proves one revision, not each: with a canary at 10 % that closes every socket with 1011,
`drift probe` said clean (exit 0) nine runs in ten. The revisions no probe reached on their own
are unverified (exit 3, never clean); a tag's own URL proves its revision; a failure stays a
failure."""

from __future__ import annotations

import asyncio
from pathlib import Path

from drift.check import run_check
from drift.findings import ProbeOutcome
from drift.probe.live import run_probe
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.probe.test_live import PROJECT, env

__all__ = ["env"]  # the fixture, shared

PROFILE = f"""\
project: {PROJECT}
region: us-central1
services:
  api:
    probe:
      websocket: /ws
      subprotocols: ["jwt.${{ACME_TEST_JWT}}"]
      hold: 0.2s
      timeout: 3s
"""


def _probe(tmp_path: Path, env: dict[str, str]) -> Report:
    (tmp_path / "lab.yaml").write_text(PROFILE)
    profile = load_profile(tmp_path, "lab")
    return asyncio.run(run_probe(profile, load_settings(wait=0), environ=env))


def _canary(sandbox: Sandbox, shares: tuple[int, int], tagged: bool = False) -> tuple[str, str]:
    """A new revision without REDIS_HOST (its backend closes every socket with 1011), given
    `shares` of the traffic beside the one serving now (`tagged`: each with a tag of its own)."""
    before = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    sandbox.deploy(PROJECT, "api", env={"REDIS_HOST": None})
    after = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    tags = {"stable": before, "canary": after} if tagged else {}
    sandbox.update_traffic(PROJECT, "api", {before: shares[0], after: shares[1]}, update_tags=tags)
    return before, after


def test_the_broken_revision_fails_when_it_serves_alone(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """What the split below hides: the canary fails every probe that reaches it."""
    _canary(sandbox, (0, 100))
    (probe,) = _probe(tmp_path, env).probes
    assert probe.outcome is ProbeOutcome.CLOSE_1011


def test_a_pass_at_the_url_of_a_split_service_leaves_the_others_unverified(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before, after = _canary(sandbox, (100, 0))
    sandbox.update_traffic(PROJECT, "api", {before: 100})  # one revision: a pass proves it
    report = _probe(tmp_path, env)
    assert [p.outcome for p in report.probes] == [ProbeOutcome.OK]
    assert report.exit_code == 0 and report.status == "clean"

    sandbox.update_traffic(PROJECT, "api", {before: 99, after: 1})
    report = _probe(tmp_path, env)
    (probe,) = report.probes
    if probe.outcome is ProbeOutcome.OK:  # the 99 % answered (as the seeded sandbox routes it)
        (item,) = [u for u in report.unverified if u.target == "probe"]
        assert before in item.reason and after in item.reason, item.reason
        assert report.status == "incomplete" and report.exit_code == 3
    else:  # the canary answered: a failure, said as such
        assert probe.outcome is ProbeOutcome.CLOSE_1011 and report.exit_code == 1


def test_a_revision_with_its_own_tag_url_is_proven_there(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """Each serving revision tagged: each probed at its own URL, the failure found every run,
    nothing left unverified by the split."""
    _, after = _canary(sandbox, (90, 10), tagged=True)
    report = _probe(tmp_path, env)
    by_tag = {p.tag: p for p in report.probes}
    assert by_tag["canary"].outcome is ProbeOutcome.CLOSE_1011
    assert by_tag["canary"].revision == after
    assert by_tag["stable"].outcome is ProbeOutcome.OK
    assert not [u for u in report.unverified if u.target == "probe"]
    assert report.exit_code == 1


def test_check_says_the_same(sandbox: Sandbox, env: dict[str, str], tmp_path: Path) -> None:
    before, after = _canary(sandbox, (99, 1))
    (tmp_path / "lab.yaml").write_text(PROFILE)
    profile = load_profile(tmp_path, "lab")
    report = asyncio.run(run_check(profile, load_settings(wait=0), probe=True, environ=env)).report
    (probe,) = report.probes
    if probe.outcome is ProbeOutcome.OK:
        (item,) = [u for u in report.unverified if u.target == "probe"]
        assert after in item.reason
        assert report.exit_code in (1, 3) and report.status != "clean"
