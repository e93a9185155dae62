"""The canary's proof on a service manually scaled to 0 instances: "Traffic sent to those
revisions will get the same error as if the revisions were disabled"
(run/docs/configuring/services/manual-scaling), so what serves fails whatever its
configuration, and the canary, promoted, would get no instance either. Nothing is confirmed.
Whether the canary, reached only through its tag, gets an instance at 0 is not documented (the
page's tag-only rule gives it one): the sandbox does either (`manual_zero_tags`), and both are
run. Served, the fix goes on unconfirmed, saying why; refused, the canary is not promoted
(exit 4, cleaned up) and the words say the count, not a failed configuration."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.blanks import blank, word
from drift.errors import ExitCode
from drift.findings import ProbeOutcome, ProbeResult
from drift.fix.apply import FixOptions, FixResult
from drift.fix.commands import Commands
from drift.fix.prove import _scaled
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from tests.conftest import ClientsFor
from tests.fix.conftest import ScriptedUI, fix, fix_env, shows_unconfirmed
from tests.fix.test_write_during_the_probe import _during_the_proof
from tests.profilecopy import staging_with
from tests.sandbox.helpers import PARENT, PROJECT, REGION

SCALED = "the service is manually scaled to 0 instances"
MANUAL = run_v2.ServiceScaling.ScalingMode.MANUAL


def _fix(
    sandbox: Sandbox,
    tags: str,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    count: int = 0,
    profiles: Path | None = None,
) -> tuple[ScriptedUI, FixResult]:
    """`drift fix e2e --yes --service api`, api manually scaled to `count` instances."""
    scenario = sandbox.scenario.model_copy(deep=True)
    scenario.options.manual_zero_tags = tags  # type: ignore[assignment]
    api = scenario.projects[PROJECT].services["api"]
    scaling = {"scaling_mode": "MANUAL", "manual_instance_count": count}
    api.api = {**(api.api or {}), "scaling": scaling}
    # the canary copies api's own minimum (1), which starts at 0 too (sandbox, helper-792 F6):
    # none, so that `manual_zero_tags` decides
    api.template.min_instances = 0
    sandbox.reset(scenario)
    env = fix_env(sandbox, monkeypatch, tmp_path)
    ui = ScriptedUI()
    return ui, fix(tmp_path, env, ui, FixOptions(yes=True), services=["api"], profiles=profiles)


def test_a_canary_served_through_its_tag_confirms_nothing(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: "probe of the serving revision: rejected; of the canary: ok; the patch fixes
    the failure (confirmed)"."""
    ui, result = _fix(reseedable, "served", tmp_path, monkeypatch)
    assert result.recheck is not None, result.summary()
    (proof,) = result.recheck.proofs
    assert proof.before.outcome is ProbeOutcome.REJECTED and proof.canary.ok
    assert proof.confirmed is None and result.outcomes[0].confirmed is None
    (said,) = [s for s in ui.said if "probe of the serving revision" in s]
    assert said.startswith("api: probe of the serving revision: rejected; of the canary: ok;")
    assert f"; not confirmed: {SCALED}" in said and "(confirmed)" not in said
    assert "promoted it gets none either" in proof.note
    # the command drift's builder gives (helper-792 F1: the GA track, without --project/--region)
    scale = Commands(PROJECT, REGION, "api")
    assert f"(`{scale.update(word('--scaling=', blank('COUNT')))}`)" in proof.note, proof.note
    assert f"(`{scale.update('--scaling=auto')}`)" in proof.note
    shows_unconfirmed(result.recheck, proof, f"{SCALED}: Cloud Run gives its revisions")
    # promoted, the canary has no instance either: the re-check's probe says the count
    assert result.exit_code is ExitCode.DRIFT
    (probed,) = result.recheck.probes
    assert probed.outcome is ProbeOutcome.REJECTED and SCALED in probed.detail
    # staging's bounds (min 1, max 20) want automatic scaling: that drift explains it (F2)
    targets = {f.id: f.target for f in result.recheck.findings}
    suspects = sorted(targets[c] for c in probed.suspected_causes)
    assert suspects == ["setting.max_instances", "setting.min_instances"]


def test_a_canary_refused_too_is_not_promoted_and_the_count_is_said(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Before: "the canary failed its probe", as if its configuration did."""
    ui, result = _fix(reseedable, "refused", tmp_path, monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    (outcome,) = result.outcomes
    assert outcome.confirmed is None and outcome.canary_probe is not None
    assert outcome.canary_probe.outcome is ProbeOutcome.REJECTED
    assert f"the canary could not be proven: {SCALED}" in outcome.message, outcome.message
    assert "the canary failed its probe" not in result.summary()
    assert not any("(confirmed)" in s for s in ui.said)


@pytest.mark.parametrize("tags", ["served", "refused"])
def test_a_count_of_0_the_profile_states_is_not_undone(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, tags: str
) -> None:
    """api runs manually at 2 and the profile states `manual_instances: 0` (disabled on
    purpose): the canary's write sets the count at once, so the proof runs at 0. Before
    (helper-792 F3): "to serve, give api instances", undoing the profile, and refused, "then
    run drift fix again", which stops the same way every time."""
    bounds = "      min_instances: 1\n      max_instances: 20\n"
    profiles = staging_with(tmp_path, bounds, "      manual_instances: 0\n")
    ui, result = _fix(reseedable, tags, tmp_path, monkeypatch, count=2, profiles=profiles)
    (outcome,) = result.outcomes
    assert outcome.confirmed is None, result.summary()
    said = "\n".join([*ui.said, outcome.message, outcome.proof_note])
    assert "give api instances" not in said and "drift fix again" not in said, said
    assert "the profile scales api manually to 0 instances (`manual_instances: 0`)" in said
    if tags == "served":
        assert "promoted it gets none either, as the profile wants" in outcome.proof_note
        assert result.recheck is not None  # its probe: the count the profile states, no advice
        (probed,) = result.recheck.probes
        assert "as the profile states (`manual_instances: 0`)" in probed.detail, probed.detail
        assert "give it instances" not in probed.detail
        return
    assert result.exit_code is ExitCode.ABORTED
    assert "promote it without the probe (drift fix --no-verify)" in outcome.message


def test_scaled_to_0_while_probed_confirms_nothing(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients_for: ClientsFor
) -> None:
    """A scheduler (the manual-scaling page's own example) sets api's count to 0 after the
    canary's write was read back and before the proof's probes: what serves fails with the
    error of a disabled revision whatever the patch. Before (helper-792 F4): "the patch fixes
    the failure (confirmed)"; the proof now reads the service again after its probes."""
    import drift.probe.client

    reseedable.reset(reseedable.scenario)
    clients, real = clients_for(reseedable), drift.probe.client.probe_all

    async def scaled_first(*args: Any, **kw: Any) -> Any:
        monkeypatch.setattr(drift.probe.client, "probe_all", real)  # once
        api = clients.services.get_service(name=f"{PARENT}/services/api")
        api.scaling = run_v2.ServiceScaling(scaling_mode=MANUAL, manual_instance_count=0)
        clients.services.update_service(service=api).result(timeout=10)
        return await real(*args, **kw)

    monkeypatch.setattr(drift.probe.client, "probe_all", scaled_first)
    env = fix_env(reseedable, monkeypatch, tmp_path)
    ui = ScriptedUI()
    result = fix(tmp_path, env, ui, FixOptions(yes=True, promote=False), services=["api"])
    (outcome,) = result.outcomes
    assert outcome.live_probe is not None and outcome.live_probe.http_status == 503
    assert outcome.confirmed is None, outcome.proof_note
    assert not any("(confirmed)" in s for s in ui.said), ui.said
    assert outcome.proof_note.startswith("the service changed while it was probed (generation")
    assert SCALED in outcome.proof_note


def test_a_service_not_read_again_after_the_probes_confirms_nothing(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The read after the proof's probes refused: what answered them is not known, so the
    failure the canary would fix is not confirmed (before: no such read, "(confirmed)")."""
    reseedable.reset(reseedable.scenario)
    refused = Fault(method="GetService", code="PERMISSION_DENIED", first_n=1)
    _during_the_proof(monkeypatch, lambda: reseedable.inject(refused))
    env = fix_env(reseedable, monkeypatch, tmp_path)
    ui = ScriptedUI()
    result = fix(tmp_path, env, ui, FixOptions(yes=True, promote=False), services=["api"])
    (outcome,) = result.outcomes
    assert outcome.live_probe is not None and not outcome.live_probe.ok and outcome.canary_probe
    assert outcome.canary_probe.ok and outcome.confirmed is None, outcome.proof_note
    assert outcome.proof_note.startswith("the service could not be read again after the probes")


AT_ZERO = (SCALED, ": to serve, give api instances", "to serve, …, then run drift fix again")
"""What `prove._zero_words` gives a service at 0 whose profile does not state the count."""


@pytest.mark.parametrize("status", [302, 403, 404, 429, 500, 503])
def test_only_a_5xx_or_429_says_the_canary_got_no_instance(status: int) -> None:
    """At 0, a canary reached through its tag may get an instance (the page's tag-only rule):
    a 3xx or another 4xx is then its own app's answer or the door's, as check reads a status
    (`causes_scaling.zero_note`). Before (helper-792 F5): "Cloud Run gave the canary no
    instance either" for any status."""
    canary = ProbeResult(
        "api", "api-drift-x", "wss://t---api.run.app/ws", ProbeOutcome.REJECTED, 3,
        http_status=status,
    )  # fmt: skip
    said = _scaled(AT_ZERO, canary)
    if status == 429 or status >= 500:
        assert said.startswith(f"the canary could not be proven: {SCALED}, and Cloud Run may")
        assert "gave the canary no instance either, so" not in said  # a possibility (N2)
    else:
        assert said == ""  # `_failed`'s words then


@pytest.mark.parametrize("status", [429, 500, 503])
def test_a_canary_with_minimum_instances_of_its_own_fails_as_its_own(status: int) -> None:
    """The canary copies the serving revision's minimum instances, which start even at 0 (the
    manual-scaling page's tag-only rule): a 5xx or a 429 from it is its own app's or its
    configuration's, said as any failed probe, with no advice to skip the probe (helper-803)."""
    canary = ProbeResult(
        "api", "api-drift-x", "wss://t---api.run.app/ws", ProbeOutcome.REJECTED, 3,
        http_status=status,
    )  # fmt: skip
    assert _scaled(AT_ZERO, canary, kept=1) == ""
    assert _scaled(AT_ZERO, canary, kept=0).startswith("the canary could not be proven")
