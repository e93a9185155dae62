"""Routing survives every path of a fix (SPEC invariant 9), judged from the sandbox's
`traffic_statuses` and revisions: a LATEST-routed service is LATEST-routed after a completed
fix; after an abort (declined at promotion, the canary failing its probe or not becoming
ready, Ctrl-C or kill -9 followed by rollback) the canary's tag is gone and LATEST resolves to
a revision with the configuration that served before, never to the canary; splits and pinned
services keep every other target, tag and percent; `--no-promote` keeps the pin on purpose
and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients, MakeSandbox
from tests.fix.conftest import (
    LAB,
    PROJECT,
    ScriptedUI,
    assert_serves_as_before,
    entries,
    fix,
    lab_fix,
    lab_world,
    rollback,
    shares,
    spec,
)

V0 = "us-docker.pkg.dev/lab/app:v0"


def test_a_completed_fix_keeps_latest_routing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "web")
    assert spec(before) == [("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 100, "")]
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["web"])
    assert result.exit_code is ExitCode.OK
    after = sandbox.service(PROJECT, "web")
    assert spec(after) == spec(before)
    assert shares(after) == {result.outcomes[0].canary: 100}


def test_declined_promotion_puts_back_latest_routing(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "web")
    result = fix(tmp_path, env, ScriptedUI([True, False]), FixOptions(), services=["web"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "promotion declined" in outcome.message and "restored the routing" in outcome.message
    assert_serves_as_before(sandbox, PROJECT, "web", before, outcome.canary)
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert rollback(tmp_path).restored == []  # nothing left to roll back


def test_a_canary_that_is_not_ready_is_cleaned_up(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    before = sandbox.service(PROJECT, "auth")

    def break_canary(question: str) -> None:  # the canary's new secret cannot be read
        clients.secrets.disable_secret_version(
            name=f"projects/{PROJECT}/secrets/e2e-oauth-simulation-key-staging/versions/1"
        )

    ui = ScriptedUI([True], on_confirm=break_canary)
    result = fix(tmp_path, env, ui, FixOptions(), services=["auth"])
    assert result.exit_code is ExitCode.ABORTED
    (outcome,) = result.outcomes
    assert "is not ready" in outcome.message
    assert_serves_as_before(sandbox, PROJECT, "auth", before, outcome.canary)
    after = sandbox.service(PROJECT, "auth")
    assert after.latest_created_revision == after.latest_ready_revision  # no failed template


def test_ctrl_c_at_the_promotion_prompt_cleans_up(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """Ctrl-C at the promotion prompt is an abort (SPEC invariant 9): the same cleanup as a
    "no", then exit 4 with one line saying so."""
    before = sandbox.service(PROJECT, "web")
    with pytest.raises(Interrupted) as caught:
        fix(tmp_path, env, ScriptedUI([True, KeyboardInterrupt()]), FixOptions(), ["web"])
    (entry,) = entries(tmp_path)
    assert caught.value.exit_code is ExitCode.ABORTED
    message = caught.value.message
    assert message.startswith(
        "interrupted: web: Ctrl-C at the promotion prompt; cleaned up: the canary's tag is "
        "removed and the routing that served is restored (what serves: LATEST 100% → "
    ), message
    assert message.endswith("nothing is left to roll back") and "\n" not in message
    assert_serves_as_before(sandbox, PROJECT, "web", before, entry.canary_revision)
    assert entry.state == State.CLEANED_UP  # the journal is accurate
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*"))  # released
    assert rollback(tmp_path).restored == []  # nothing left to roll back


def test_no_promote_keeps_the_pin_and_says_how_to_finish(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    before = sandbox.service(PROJECT, "web")
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True, promote=False), ["web"])
    (outcome,) = result.outcomes
    served = before.latest_ready_revision.rsplit("/", 1)[-1]
    assert f"Traffic stays pinned to {served}" in outcome.message
    assert "revision.pinned" in outcome.message
    assert "--to-latest --remove-tags drift-" in outcome.message
    assert f"`drift rollback {result.change_id}`" in outcome.message
    middle = sandbox.service(PROJECT, "web")
    assert [(t.revision, t.percent) for t in middle.traffic if t.percent] == [(served, 100)]
    assert any(t.tag == outcome.tag and t.revision == outcome.canary for t in middle.traffic)
    (entry,) = entries(tmp_path)
    assert entry.state == State.PINNED
    assert rollback(tmp_path).exit_code is ExitCode.OK
    assert_serves_as_before(sandbox, PROJECT, "web", before, outcome.canary)


SPLIT = [{"latest": True, "percent": 90}, {"revision": 1, "percent": 10, "tag": "old"}]
PINNED = [{"revision": 2, "percent": 100}]


@pytest.fixture(params=[SPLIT, PINNED], ids=["split", "pinned"])
def routed(request: pytest.FixtureRequest, make_sandbox: MakeSandbox) -> Sandbox:
    """A service whose traffic is split between LATEST and an older tagged revision, or
    pinned to a revision by name."""
    return make_sandbox(lab_world(history=[{"image": V0}], traffic=request.param))


def test_a_completed_fix_keeps_every_other_target(
    routed: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = routed
    before = sandbox.service(LAB, "app")
    ui = ScriptedUI()
    result = lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    canary = result.outcomes[0].canary
    after = sandbox.service(LAB, "app")
    # the promoted canary is what serves, no canary: a pin that was the team's is not reported
    assert result.recheck is not None
    assert not [f for f in result.recheck.findings if f.rule == "revision.pinned"]
    if len(before.traffic) == 2:  # split: LATEST stays LATEST (the canary), the rest as it was
        old = before.traffic[1].revision
        assert (
            f"the other revisions serving keep their traffic and configuration: {old} 10%"
            in (ui.said[0])
        )
        # the revision left at 10 % still drifts: the re-check says so
        assert result.exit_code is ExitCode.DRIFT, result.summary()
        assert spec(after) == spec(before)
        assert shares(after) == {canary: 90, old: 10}
    else:  # pinned: the canary takes the pinned revision's place
        assert result.exit_code is ExitCode.OK, result.summary()
        assert spec(after) == [("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", canary, 100, "")]


def test_an_abort_keeps_every_other_target(
    routed: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = routed
    before = sandbox.service(LAB, "app")
    result = lab_fix(tmp_path, sandbox, ScriptedUI([True, False]), FixOptions(), monkeypatch)
    assert result.exit_code is ExitCode.ABORTED
    assert_serves_as_before(sandbox, LAB, "app", before, result.outcomes[0].canary)


PINNED_SPLIT = [{"revision": 2, "percent": 70}, {"revision": 1, "percent": 30, "tag": "old"}]


@pytest.mark.parametrize("shape", ["latest", "split", "pinned", "pinned-split"])
def test_no_promote_says_how_to_finish_as_a_promotion_would(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The printed `update-traffic` names every target with traffic at the percentage a
    promotion gives it (gcloud rescales a serving revision left out; `--to-latest` or
    `CANARY=100` alone would take the others' traffic)."""
    traffic = {"latest": None, "split": SPLIT, "pinned": PINNED, "pinned-split": PINNED_SPLIT}[
        shape
    ]
    sandbox = make_sandbox(lab_world(history=[{"image": V0}], traffic=traffic))
    old = sandbox.service(LAB, "app").traffic[-1].revision
    options = FixOptions(yes=True, promote=False)
    (outcome,) = lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch).outcomes
    flags = {
        "latest": "--to-latest",
        "split": f"--to-revisions LATEST=90,{old}=10",
        "pinned": f"--to-revisions {outcome.canary}=100",
        "pinned-split": f"--to-revisions {outcome.canary}=70,{old}=30",
    }[shape]
    finish = (
        f"gcloud run services update-traffic app {flags} --remove-tags {outcome.tag} "
        f"--project {LAB} --region us-central1)"
    )
    assert finish in outcome.message, outcome.message


@pytest.mark.parametrize("shape", ["latest", "split", "pinned", "pinned-split"])
def test_the_promotion_question_names_the_share_it_moves(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, shape: str
) -> None:
    """The promotion moves the base revision's share (LATEST's, or the targets naming it) and
    leaves every other target's: its question says so, never "all traffic" while a revision
    keeps its share (helper-700 F1)."""
    traffic = {"latest": None, "split": SPLIT, "pinned": PINNED, "pinned-split": PINNED_SPLIT}[
        shape
    ]
    sandbox = make_sandbox(lab_world(history=[{"image": V0}], traffic=traffic))
    old = sandbox.service(LAB, "app").traffic[-1].revision
    ui = ScriptedUI([True, True])
    (outcome,) = lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch).outcomes
    canary = outcome.canary
    question = ui.questions[1]
    if shape in ("latest", "pinned"):
        assert question.startswith(f"Move all traffic of app to {canary}"), question
        assert shares(sandbox.service(LAB, "app")) == {canary: 100}
        return
    moved, kept = {"split": (90, 10), "pinned-split": (70, 30)}[shape]
    assert "all traffic" not in question, question
    assert question.startswith(f"Move {moved}% of the traffic of app"), question
    assert f"to {canary}" in question and f"{old} keeps its {kept}%" in question, question
    assert shares(sandbox.service(LAB, "app")) == {canary: moved, old: kept}
