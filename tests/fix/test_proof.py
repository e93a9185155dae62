"""The canary's proof (`drift.fix.prove`): `confirmed` only when what served before the fix
failed there, on the revision the canary replaces, and the canary passes."""

from __future__ import annotations

import asyncio
import shutil
import struct
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.findings import ProbeOutcome
from drift.fix.apply import FixOptions, FixResult
from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.conftest import Clients
from tests.fix.conftest import (
    PROJECT,
    ScriptedUI,
    assert_serves_as_before,
    fix,
    shows_unconfirmed,
)
from tests.probe.helpers import accept_deflate, deflated, frame, read_request, tcp_server
from tests.sandbox.helpers import service_name


def test_a_serving_probe_that_never_reached_the_service_confirms_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revprobe F3: the probe of what serves fails on the way (DNS here), the canary passes
    through its own URL: that proves nothing of the patch, so it is not `confirmed`."""
    import drift.probe.client as client

    real = client.probe_all

    async def serving_unreachable(targets: Any, **kwargs: Any) -> Any:
        results = await real(targets, **kwargs)
        if len(targets) != 2:  # the re-check's own probes, not the proof
            return results
        live, canary = results
        lost = replace(
            live,
            outcome=ProbeOutcome.UNREACHABLE,
            http_status=None,
            close_code=None,
            close_reason=None,
            detail="DNS lookup failed for api.run.app: Name or service not known",
        )
        return [lost, canary]

    monkeypatch.setattr(client, "probe_all", serving_unreachable)
    ui = ScriptedUI()
    result = fix(tmp_path, env, ui, FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.OK and result.recheck is not None
    (proof,) = result.recheck.proofs
    assert (proof.before.outcome, proof.canary.outcome) == (
        ProbeOutcome.UNREACHABLE,
        ProbeOutcome.OK,
    )
    assert proof.confirmed is False and result.outcomes[0].confirmed is False
    (said,) = [s for s in ui.said if "probe of the serving revision" in s]
    assert "the serving revision was not reached, so that proves nothing" in said
    assert "(confirmed)" not in said


def test_a_canary_the_probe_never_reached_is_not_said_to_fail(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The canary's tag URL does not resolve (DNS, a proxy, TCP: the probe never reached it):
    the fix stops and cleans up as for a failed probe, but its words do not say the canary
    failed, which nothing shows (helper-744)."""
    import drift.probe.client as client

    real = client.probe_all

    async def canary_unresolvable(targets: Any, **kwargs: Any) -> Any:
        if len(targets) == 2:  # the proof's probes: the canary's URL resolves to nothing
            targets = [targets[0], replace(targets[1], base_url="http://drift-canary.invalid")]
        return await real(targets, **kwargs)

    monkeypatch.setattr(client, "probe_all", canary_unresolvable)
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)
    said = result.summary()
    assert "the canary failed its probe" not in said
    assert "api: the canary could not be probed: the probe did not reach it, so " in said
    assert "DNS lookup failed for drift-canary.invalid" in said


def test_a_canary_that_closes_with_a_message_over_drifts_limit_is_not_promoted(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-758 R1: the canary answers `pong`, then sends a message over drift's reading
    limit and its own close 1000 in the same write, as a canary that closes every socket
    would. Before, that close was taken as an answer to drift's 1009: the canary passed, the
    fix was confirmed and promoted."""
    import drift.probe.client as client

    real = client.probe_all
    monkeypatch.setattr(client, "MAX_MESSAGE", 2**20)

    async def canary(
        reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: asyncio.Event
    ) -> None:
        request = await read_request(reader)
        accept_deflate(writer, request, request["sec-websocket-protocol"])
        bye = frame(0x8, struct.pack("!H", 1000) + b"bye")
        writer.write(frame(0x1, b"pong") + deflated(b"x" * 1_500_000) + bye)
        await writer.drain()
        await stop.wait()

    async def canary_closes(targets: Any, **kwargs: Any) -> Any:
        if len(targets) != 2:  # the re-check's own probes, not the proof
            return await real(targets, **kwargs)
        async with tcp_server(canary) as base:
            return await real([targets[0], replace(targets[1], base_url=base)], **kwargs)

    monkeypatch.setattr(client, "probe_all", canary_closes)
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    assert_serves_as_before(sandbox, PROJECT, "api", before, outcome.canary)
    said = result.summary()
    assert "api: the canary failed its probe" in said, said
    assert "server closed with 1000" in said, said


def _tag(clients: Clients, revision: str, tag: str = "e2e") -> None:
    """`gcloud run services update-traffic api --set-tags e2e=REVISION`: a 0 % target with the
    tag, what E2E suites deploy to test there (traffic otherwise as it was)."""
    service = clients.services.get_service(name=service_name("api"))
    service.traffic.append(
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=revision,
            percent=0,
            tag=tag,
        )
    )
    clients.services.update_service(service=service).result()


def _probing_tag(tmp_path: Path, tag: str = "e2e") -> Path:
    """The repository's profiles, the e2e profile's probe of api on `tag`."""
    where = tmp_path / "profiles"
    shutil.copytree(REPO / "profiles", where)
    e2e = where / "e2e.yaml"
    probe = "    probe:\n      headers: {X-Test-Type: e2e}\n"
    assert probe in e2e.read_text()
    e2e.write_text(e2e.read_text().replace(probe, f"{probe}      tag: {tag}\n"))
    return where


def _fix_probing_tag(tmp_path: Path, env: dict[str, str]) -> tuple[ScriptedUI, FixResult]:
    """`drift fix e2e --yes --service api` with the e2e profile's probe of api on tag e2e."""
    ui = ScriptedUI()
    options = FixOptions(yes=True)
    return ui, fix(tmp_path, env, ui, options, services=["api"], profiles=_probing_tag(tmp_path))


def test_a_probe_tag_on_another_revision_confirms_nothing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """revprobe F4: with `probe: {tag: e2e}`, `check` probes the revision e2e points to. The
    fix's "before" probe is that one too (not the service URL); the canary replaces what
    serves, not it, so the two probes are of different revisions: `confirmed` is null and the
    proof says why, naming the tag — never presented as a proof."""
    served = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    older = sorted(
        r.name.rsplit("/", 1)[-1]
        for r in clients.revisions.list_revisions(parent=service_name("api"))
    )[1]  # api-00002: the CI deploy, without the E2E variables (it closes with 1011 too)
    assert older != served
    _tag(clients, older)
    ui, result = _fix_probing_tag(tmp_path, env)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    (proof,) = result.recheck.proofs
    assert (proof.before.revision, proof.before.tag) == (older, "e2e")
    assert proof.before.outcome is ProbeOutcome.CLOSE_1011 and proof.canary.ok
    assert proof.confirmed is None and result.outcomes[0].confirmed is None
    assert proof.before.confirmed is None and proof.canary.confirmed is None
    assert proof.note.startswith(f"the profile probes tag e2e, which points to {older}; ")
    assert f"the canary replaces {served}, not it" in proof.note
    (said,) = [s for s in ui.said if "probe of tag e2e" in s]
    assert f"probe of tag e2e ({older}): close_1011; of the canary: ok; not confirmed" in said
    assert "(confirmed)" not in said
    shows_unconfirmed(result.recheck, proof, "the profile probes tag e2e")


def test_a_probe_tag_on_the_revision_the_canary_replaces_is_probed_before_the_fix(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """The tag points to what serves: "before" is probed through the tag's URL, as `check`
    probes it, and the proof holds (the same revision, before and after the patch)."""
    served = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    _tag(clients, served)
    ui, result = _fix_probing_tag(tmp_path, env)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    (proof,) = result.recheck.proofs
    assert (proof.before.revision, proof.before.tag) == (served, "e2e")
    service_port = sandbox.service(PROJECT, "api").uri.rsplit(":", 1)[-1]
    assert f":{service_port}/" not in proof.before.url  # the tag's own URL, as `check` probes
    assert proof.before.outcome is ProbeOutcome.CLOSE_1011 and proof.canary.ok
    assert proof.confirmed is True and proof.note == ""
    assert any(f"probe of tag e2e ({served}): close_1011" in s for s in ui.said)


def test_a_probe_tag_the_service_lacks_is_not_replaced_by_the_service_url(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """`check` probes nothing for a tag the service does not have (unverified): the fix does
    not stand the service URL in for it either. The canary is probed (it must pass); nothing
    is confirmed, and the fix says why, naming the tag."""
    ui, result = _fix_probing_tag(tmp_path, env)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    assert result.recheck.proofs == ()
    (outcome,) = result.outcomes
    assert outcome.confirmed is None and outcome.live_probe is None
    assert outcome.canary_probe is not None and outcome.canary_probe.ok
    (said,) = [s for s in ui.said if "probe of the canary" in s]
    assert said.startswith(
        "api: probe of the canary: ok; not confirmed: the profile probes tag e2e"
    )
    assert "which has no URL on api now" in said


def test_a_confirmed_fix_says_the_probed_tag_keeps_the_unpatched_revision(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    """revown12 F2: e2e, the tag the profile probes, is a REVISION tag on what serves. The
    promotion leaves it there (unpatched), so its probe keeps failing after a confirmed fix:
    the plan says so before the "yes" (a step `tag.e2e` with the command, the canary's name to
    fill in) and the fix's result gives the command with the canary's name. Drift does not
    move the tag itself."""
    served = sandbox.service(PROJECT, "api").latest_ready_revision.rsplit("/", 1)[-1]
    _tag(clients, served)
    ui, result = _fix_probing_tag(tmp_path, env)
    (outcome,) = result.outcomes
    assert outcome.state == "promoted" and outcome.confirmed is True, outcome.message
    (plan,) = ui.plans
    (step,) = [m for s in plan.services for m in s.manual if m.target == "tag.e2e"]
    assert f"tag e2e, which the profile probes, points at {served}" in step.reason
    assert "drift does not move it" in step.reason
    assert "`drift rollback` of the fix then refuses until given --force" in step.reason
    assert step.commands == (
        f"gcloud run services update-traffic api --project={PROJECT} "
        "--region=us-central1 --update-tags=e2e=<CANARY>",
    )
    canary = outcome.canary
    assert f"tag e2e, which the profile probes, stays on {served} (unpatched)" in outcome.message
    assert "`drift rollback` of this change needs --force" in outcome.message
    assert outcome.message.endswith(
        f"gcloud run services update-traffic api --project={PROJECT} "
        f"--region=us-central1 --update-tags=e2e={canary}"
    )
    # the tag is where it was: drift does not move it
    (tagged,) = [t for t in sandbox.service(PROJECT, "api").traffic if t.tag == "e2e"]
    assert tagged.revision.rsplit("/", 1)[-1] == served
