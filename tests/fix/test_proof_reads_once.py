"""The proof reads the service again right after its probes (a write meanwhile, a count set to 0,
proves nothing: helper-793 F4); what follows at once answers the same question, "changed since
the probes?", and is judged on that read, not on a second GetService (helper-796 N1): a failed
canary's check that its tag is still there, and a promotion under `--yes`, whose etag is then
that read's (at a prompt the promotion still reads after it)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.fix import test_proof_manual_zero as zero
from tests.fix.conftest import ScriptedUI, fix, fix_env
from tests.fix.test_write_during_the_probe import _during_the_proof


def _after_the_probes(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch) -> list[int]:
    """Where the sandbox's calls stand when the proof's probes are done (filled then)."""
    mark: list[int] = []
    _during_the_proof(monkeypatch, lambda: mark.append(len(sandbox.calls)))
    return mark


def _up_to_the_next_write(sandbox: Sandbox, start: int) -> list[str]:
    calls = [c.short for c in sandbox.calls[start:]]
    ends = [i for i, c in enumerate(calls) if c.startswith(("Update", "Delete", "List"))]
    return calls[: ends[0] + 1] if ends else calls


def test_the_proof_reads_the_service_once_before_the_no_promote_re_check(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    reseedable.reset(reseedable.scenario)
    mark = _after_the_probes(reseedable, monkeypatch)
    env = fix_env(reseedable, monkeypatch, tmp_path)
    options = FixOptions(yes=True, promote=False)
    result = fix(tmp_path, env, ScriptedUI(), options, services=["api"])
    assert result.outcomes[0].canary_probe is not None, result.summary()
    seen = _up_to_the_next_write(reseedable, mark[0])
    assert seen[0] == "GetService" and "GetService" not in seen[1:], seen


def test_a_failed_canary_is_read_once_after_its_probe(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    mark = _after_the_probes(reseedable, monkeypatch)
    _, result = zero._fix(reseedable, "refused", tmp_path, monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    seen = _up_to_the_next_write(reseedable, mark[0])
    assert seen[:2] == ["GetService", "GetRevision"], seen  # the proof's read, the cleanup's


def test_a_promotion_under_yes_is_built_on_the_proof_s_read(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Under `--yes` the promotion follows the proof's read with nothing waited: that read is
    the one its etag comes from, not a second GetService at the same instant."""
    reseedable.reset(reseedable.scenario)
    mark = _after_the_probes(reseedable, monkeypatch)
    env = fix_env(reseedable, monkeypatch, tmp_path)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    assert result.outcomes[0].canary_probe is not None, result.summary()
    assert _up_to_the_next_write(reseedable, mark[0]) == ["GetService", "UpdateService"]
