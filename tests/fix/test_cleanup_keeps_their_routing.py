"""helper-592 F1: a teammate re-routes the service while drift's promotion prompt waits
(`gcloud run services update-traffic --to-revisions A=50,B=50`, making no revision). drift
does not promote over their write (SPEC invariant 4), and keeps their routing (invariant 10);
it used to leave the rest of its canary write too: its tag on the canary, and the canary's
configuration as the service's template, which the team's next deploy builds on (invariant
9: "drift leaves no trap for the team's next deploy"). Now it cleans up on their read: its
tag removed, the template put back to the configuration that served, every target of theirs
as they set it. Where their routing reaches the canary, nothing is written."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.live.changeids import tagged_change
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries

SPLIT = {
    "history": [{"image": "us-docker.pkg.dev/lab/app:v0"}],
    "traffic": [{"revision": 1, "percent": 20, "tag": "e2e"}, {"latest": True, "percent": 80}],
}
"""The lab service with 20 % on app-00001 (tagged e2e), 80 % on LATEST."""


def _env(revision: Any) -> dict[str, str]:
    return {v.name: v.value for v in revision.containers[0].env}


def _fix_rerouted_at_the_prompt(
    sandbox: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    shares: dict[str, int],
    answer: Any = True,
) -> tuple[Any, dict[str, str]]:
    revisions: dict[str, str] = {}

    def reroute(question: str) -> None:
        if len(ui.questions) == 2:  # the promotion prompt
            now = sandbox.service(LAB, "app")
            revisions.update((s.revision, "") for s in now.traffic_statuses if s.revision)
            named = sorted(r.rsplit("/", 1)[-1] for r in revisions)
            sandbox.update_traffic(LAB, "app", {named[i]: p for i, p in shares.items()})

    ui = ScriptedUI([True, answer], on_confirm=reroute)
    if isinstance(answer, KeyboardInterrupt):
        with pytest.raises(Interrupted) as caught:
            lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
        return caught.value, revisions
    return lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch), revisions


@pytest.mark.parametrize("answer", [True, False, KeyboardInterrupt()], ids=["yes", "no", "ctrl-c"])
def test_their_split_at_the_promotion_prompt_is_kept_and_drifts_write_undone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    sandbox = make_sandbox(lab.lab_world(**SPLIT))
    served = _env(sandbox.service(LAB, "app").template)
    result, _ = _fix_rerouted_at_the_prompt(sandbox, tmp_path, monkeypatch, {0: 50, 1: 50}, answer)
    said = result.message if isinstance(answer, KeyboardInterrupt) else result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert "keeping their routing" in said and "nothing is left to roll back" in said, said
    assert "--force" not in said, said
    now = sandbox.service(LAB, "app")
    assert sorted(lab.shares(now).values()) == [50, 50], said  # their split, as they set it
    assert not any("drift" in r for r in lab.shares(now)), said  # the canary serves nothing
    assert [t.tag for t in now.traffic if t.tag] == ["e2e"], said  # theirs only
    assert not any(tagged_change(t.tag) for t in now.traffic), said
    assert _env(now.template) == served, said  # the configuration that served, not drift's
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP, said
    # the team's next deploy builds on what served, never on the declined change
    after = sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")
    assert _env(after.template) == served


def test_their_routing_that_reaches_the_canary_is_left_as_it_is(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """They send 10 % to drift's canary by name: what serves is theirs to change; drift
    writes nothing more and says how to undo it."""
    sandbox = make_sandbox(lab.lab_world(**SPLIT))
    result, _ = _fix_rerouted_at_the_prompt(sandbox, tmp_path, monkeypatch, {0: 45, 1: 45, 2: 10})
    (outcome,) = result.outcomes
    said = outcome.message
    assert result.exit_code is ExitCode.ABORTED, said
    assert "keeping their routing" not in said, said
    assert lab.shares(sandbox.service(LAB, "app")).get(outcome.canary) == 10, said
    (entry,) = entries(tmp_path)
    assert entry.state != State.CLEANED_UP, said
