"""The canary's proof (`drift.fix.prove`): `confirmed` only when what served before the fix
failed there, on the revision the canary replaces, and the canary passes."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.findings import ProbeOutcome
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.fix.conftest import ScriptedUI, fix


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
