"""The canary's proof when the serving revision left the WebSocket handshake unanswered (helper-744
L1): a cold start over the probe's timeout hangs alike (sandbox option `cold_start_ms`), while
the canary, just deployed, has an instance running. The serving revision is probed once more,
after the canary's probe: answered this time, nothing is confirmed and the proof says why;
hung again, the fix is confirmed and says it hung twice."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.findings import ProbeOutcome
from drift.fix.apply import FixOptions, FixResult
from drift.sandbox import Sandbox
from tests.fix.conftest import ScriptedUI, fix, fix_env, shows_unconfirmed
from tests.profilecopy import held_briefly
from tests.sandbox.helpers import cold_start

TIMEOUT = "timeout: 1s"
"""api's probe timeout here: a cold start longer than it hangs the handshake."""


def _profiles(tmp_path: Path) -> Path:
    """The repository's profiles (api held 0.2 s), api's probe timing out after 1 s."""
    root = tmp_path / "profiles"
    root.mkdir()
    for path in held_briefly().iterdir():
        root.joinpath(path.name).write_text(path.read_text())
    base = root / "base.yaml"
    text = base.read_text()
    assert text.count("hold: 0.2s") == 1
    base.write_text(text.replace("hold: 0.2s", f"hold: 0.2s\n      {TIMEOUT}"))
    return root


def _fix(
    sandbox: Sandbox, ms: int, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[ScriptedUI, FixResult]:
    """`drift fix e2e --yes --service api` (api's probe timing out after 1 s) on the sandbox
    with option `cold_start_ms` at `ms`, api seeded with no min instances (the profile wants
    1: the canary is deployed with 1), so that its serving revision, idle, has none running."""
    cold_start(sandbox, ms, idle=("api",))
    env = fix_env(sandbox, monkeypatch, tmp_path)
    ui = ScriptedUI()
    result = fix(
        tmp_path, env, ui, FixOptions(yes=True), services=["api"], profiles=_profiles(tmp_path)
    )
    return ui, result


def test_a_hang_the_serving_revision_answers_when_probed_again_confirms_nothing(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serving revision, idle (no instance), takes 1.5 s to start one: the proof's first
    probe hangs (1 s timeout). Probed again after the canary's probe, the instance it started
    is running and answers (close 1011, the failure the fix is for): the first hang may have
    been a cold start, so nothing is confirmed. Before, "the patch fixes the failure
    (confirmed)"."""
    ui, result = _fix(reseedable, 1500, tmp_path, monkeypatch)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    (proof,) = result.recheck.proofs
    assert proof.before.outcome is ProbeOutcome.UNREACHABLE and proof.before.handshake_hung
    assert proof.canary.ok
    assert proof.confirmed is None and result.outcomes[0].confirmed is None
    assert "the first hang may have been a cold start" in proof.note
    assert "probed again after the canary's probe, it answered: close_1011 (" in proof.note
    (said,) = [s for s in ui.said if "probe of the serving revision" in s]
    assert said.startswith("api: probe of the serving revision: unreachable; of the canary: ok;")
    assert "; not confirmed: the serving revision left the WebSocket handshake" in said
    assert "(confirmed)" not in said
    shows_unconfirmed(
        result.recheck,
        proof,
        "the serving revision left the WebSocket handshake unanswered within the probe's "
        "timeout, but probed again after the canary's probe, it answered: close_1011 (",
    )


def test_a_hang_the_serving_revision_keeps_when_probed_again_is_confirmed(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The serving revision takes 30 s to start an instance: probed again after the canary's
    probe, it hangs again. The failure was seen twice: confirmed, and the line says so."""
    ui, result = _fix(reseedable, 30_000, tmp_path, monkeypatch)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    (proof,) = result.recheck.proofs
    assert proof.before.outcome is ProbeOutcome.UNREACHABLE and proof.before.handshake_hung
    assert proof.confirmed is True and proof.note == ""
    assert proof.before.detail.endswith(
        "; probed again after the canary's probe, it left the handshake unanswered again"
    )
    (said,) = [s for s in ui.said if "probe of the serving revision" in s]
    assert said == (
        "api: probe of the serving revision: unreachable (its handshake unanswered twice, "
        "before and after the canary's probe); of the canary: ok; the patch fixes the "
        "failure (confirmed)"
    )


def test_a_serving_revision_with_an_instance_running_is_probed_once(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No cold start (option 0, as before): the serving revision answers the first probe
    (close 1011), the fix is confirmed as before and says nothing of a second probe."""
    ui, result = _fix(reseedable, 0, tmp_path, monkeypatch)
    assert result.recheck is not None, [o.message for o in result.outcomes]
    (proof,) = result.recheck.proofs
    assert proof.before.outcome is ProbeOutcome.CLOSE_1011 and proof.canary.ok
    assert proof.confirmed is True and proof.note == ""
    assert "probed again" not in proof.before.detail
    (said,) = [s for s in ui.said if "probe of the serving revision" in s]
    assert said == (
        "api: probe of the serving revision: close_1011; of the canary: ok; the patch fixes "
        "the failure (confirmed)"
    )
