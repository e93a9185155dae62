"""helper-592 F1: a teammate re-routes the service while drift's promotion prompt waits
(`gcloud run services update-traffic --to-revisions A=50,B=50`, making no revision). drift
does not promote over their write (SPEC invariant 4), and keeps their routing (invariant 10);
it used to leave the rest of its canary write too: its tag on the canary, and the canary's
configuration as the service's template, which the team's next deploy builds on (invariant
9: "drift leaves no trap for the team's next deploy"). Now it cleans up on their read: its
tag removed, the template put back to the configuration that served, every target of theirs
as they set it. Where their routing reaches the canary, nothing is written."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.live.changeids import tagged_change
from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here
from tests.fix.test_cleanup_unstartable import PROFILE as SECRET_PROFILE
from tests.fix.test_cleanup_unstartable import WORLD as UNSTARTABLE

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


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_a_rollback_after_an_unproven_cleanup_does_not_undo_their_routing(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: bool
) -> None:
    """The cleanup's write lands and its answer is lost (not proven: the journal says the
    cleanup failed). A plain `drift rollback` then restored what served before drift, their
    split undone, exit 0 (helper-593 F1): it refuses now, as after any write of theirs
    (SPEC invariant 10: "unless --force"), after a "yes" as after a "no"."""
    sandbox = make_sandbox(lab.lab_world(**SPLIT))
    real = sandbox.update_traffic

    def then_lost(*args: Any, **kwargs: Any) -> Any:
        done = real(*args, **kwargs)
        sandbox.inject(Fault("UpdateService", "UNAVAILABLE", after=True, first_n=1))
        return done

    monkeypatch.setattr(sandbox, "update_traffic", then_lost)
    result, _ = _fix_rerouted_at_the_prompt(sandbox, tmp_path, monkeypatch, {0: 50, 1: 50}, answer)
    said = result.summary()
    assert "did not come out as sent" in said, said
    # the tag is gone, and a plain rollback refuses: neither is offered (helper-593)
    assert "remove only its tag" not in said and "stays with no traffic" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANUP_FAILED, said
    undone = lab.rollback(tmp_path)
    assert undone.exit_code is ExitCode.ABORTED, undone.summary()
    assert "drift's cleanup kept their routing" in undone.summary(), undone.summary()
    assert sorted(lab.shares(sandbox.service(LAB, "app")).values()) == [50, 50]


SECRET_WORLD: dict[str, Any] = copy.deepcopy(UNSTARTABLE)
SECRET_WORLD["projects"][LAB]["secrets"]["tok"]["versions"][1] = "fake-v2-4e5f"  # enabled


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_what_served_that_cannot_start_again_is_not_deployed_around_their_routing(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool,
) -> None:
    """At the prompt the version what served reads (`tok` latest: 2) is disabled and they pin
    the traffic: a revision of what served would fail. drift judged that from its plan's read
    and deployed it anyway, leaving the template on a configuration nobody can deploy from
    (helper-593 F2); it judges the versions as they are now, and writes nothing."""
    sandbox = make_sandbox(SECRET_WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, SECRET_PROFILE)
    base = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    secrets = clients_for(sandbox).secrets

    def meddle(question: str) -> None:
        if question.startswith("Move all traffic"):
            secrets.disable_secret_version(name=f"projects/{LAB}/secrets/tok/versions/2")
            sandbox.update_traffic(LAB, "app", {base: 100}, update_tags={"stable": base})

    ui = ScriptedUI([True, answer], on_confirm=meddle)
    result = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder)
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert "keeping their routing" not in said, said
    (entry,) = entries(tmp_path)
    assert [w["step"] for w in entry.writes] == ["canary"], said


def test_their_tag_on_latest_is_said_to_move_off_the_canary(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Their routing adds `preview` on LATEST at 0 %: LATEST then resolves to the canary, the
    latest ready revision. The cleanup makes it resolve to the revision of what served (SPEC
    invariant 9), which changes what their tag reaches: said (helper-593 F6)."""
    sandbox = make_sandbox(lab.lab_world(**SPLIT))

    def reroute(question: str) -> None:
        if len(ui.questions) == 2:  # the promotion prompt
            now = sandbox.service(LAB, "app")
            named = sorted({s.revision.rsplit("/", 1)[-1] for s in now.traffic_statuses} - {""})
            shares = {n: 50 for n in named if "drift" not in n}
            sandbox.update_traffic(LAB, "app", shares, update_tags={"preview": "LATEST"})

    ui = ScriptedUI([True, True], on_confirm=reroute)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert "keeping their routing" in said, said
    now = sandbox.service(LAB, "app")
    ready = now.latest_ready_revision.rsplit("/", 1)[-1]
    assert "drift" not in ready, said  # LATEST never resolves to the canary
    assert f"their preview on LATEST now reaches {ready}" in said, said
