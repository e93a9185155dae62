"""A promotion whose answer was lost (UNAVAILABLE after the call was carried out), and a
teammate's deploy before drift reads the service back: two generations past the canary's.
drift decides from what it reads (`drift.fix.promotion_lost`): a routing that names the canary
as the promotion sent it proves the promotion landed (a completed fix, their change named: as
when the answer came back, helper-661 A3); anything else may have landed or not: exit 3,
never 4 ("nothing changed"). Before, both were exit 4."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import ApiError, ExitCode
from drift.fix.apply import FixOptions, FixResult
from drift.fix.journal import State
from drift.fix.promotion_lost import UNREAD
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries

CI_IMAGE = "us-docker.pkg.dev/lab/app:v2-from-ci"
PINNED = [{"revision": 1, "percent": 100}]
"""What serves, named: the promotion names the canary in its place."""


def promoted_at(tmp_path: Path, generation: int) -> dict[str, Any]:
    """The fix's one journal entry, `promoted` by its promotion, journaled landed at
    `generation`: that write as recorded."""
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED, entry.history
    promotion: dict[str, Any] = entry.writes[-1]
    assert (promotion["step"], promotion["landed"], promotion["generation_after"]) == (
        "promotion",
        True,
        generation,
    )
    return promotion


def lost_then_deployed(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> FixResult:
    """`drift fix lab --yes`: its promotion lands, a CI deploy (traffic kept as it is) lands
    after it, then drift's call answers UNAVAILABLE."""
    writes: list[Any] = []

    def then(request: Any) -> None:
        writes.append(request)
        if len(writes) == 2:  # the promotion has landed
            sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("ci-bot", "1.2"))
            raise ApiError("UpdateService", request.name, "UNAVAILABLE", "the answer was lost")

    lab.after_the_canary_write(monkeypatch, then)
    return lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)


def test_a_lost_promotion_proven_by_its_routing_is_a_completed_fix(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world(traffic=PINNED))
    result = lost_then_deployed(sandbox, tmp_path, monkeypatch)
    (outcome,) = result.outcomes
    said = result.summary()
    assert result.exit_code is not ExitCode.ABORTED, said  # was 4
    assert result.exit_code is not ExitCode.INCOMPLETE, said  # proven: the re-check's code
    assert result.recheck is not None, said
    assert f"app: traffic moved to {outcome.canary} (generation 3), then the service was " in (said)
    assert "changed meanwhile by someone else (generation 3 → 4, last modified by " in said
    assert "may have landed" not in said and "nothing was changed" not in said, said
    assert not outcome.aborted and outcome.state == State.PROMOTED
    assert promoted_at(tmp_path, 3)["etag_after"] == UNREAD  # never read from their write
    refused = lab.rollback(tmp_path)  # their deploy stands: refused unforced
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    assert "was changed since drift's last write" in refused.summary()
    assert sandbox.service(LAB, "app").template.containers[0].image == CI_IMAGE
