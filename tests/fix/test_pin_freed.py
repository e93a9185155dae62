"""A deploy by someone else while drift's canary pins the traffic (SPEC invariant 9: drift
leaves no trap for the team's next deploy). At the promotion prompt — promoted (refused:
etag), declined or Ctrl-C'd (the cleanup refused: changed since) — their deploy is never
undone. One that sends its own whole template (Terraform) is not left with no traffic either:
one traffic-only UpdateService puts the routing back as it was before drift (LATEST 100 %)
and drops the canary's tag, keeping their template, as GetService shows; when that write is
refused too, drift says which revision gets no traffic and prints the command that frees it.
One built on the canary's template (`gcloud run deploy` sends the service as it reads it)
still holds drift's change: drift routes no traffic to it (that would serve the declined or
unproven change), and says so."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry, State
from drift.sandbox import Fault, Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries
from tests.fix.test_foreign_writes import CI_IMAGE, LATEST, OWN, freed

ANSWERS: dict[str, list[bool | BaseException]] = {
    "promoted": [True, True],
    "declined": [True, False],
    "ctrl-c": [True, KeyboardInterrupt()],
}


def deploy_at_the_prompt(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    *,
    deny: bool,
    own_template: bool = True,
) -> tuple[Sandbox, str, Entry]:
    """CI deploys while drift asks "Move all traffic…?": its own whole template (the one that
    served, a new image: Terraform), or, without `own_template`, the canary's with a new
    image (`gcloud run deploy`). With `deny`, drift may write nothing more (every
    UpdateService refused: PERMISSION_DENIED). The fix stops (exit 4): the sandbox, what drift
    said, and the change's journal entry."""
    sandbox = make_sandbox(lab.lab_world())
    own = OWN if own_template else None

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image=CI_IMAGE, env=own, client=("ci-bot", "1.2"))
            if deny:
                sandbox.inject(Fault(method="UpdateService", code="PERMISSION_DENIED"))

    ui = ScriptedUI(list(ANSWERS[answer]), on_confirm=ci)
    try:
        result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
        code, said = result.exit_code, result.summary()
    except Interrupted as exc:  # Ctrl-C at the prompt: cleaned up, then exit 4
        code, said = exc.exit_code, exc.message
    assert code is ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    return sandbox, said, entry


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_a_deploy_at_the_promotion_prompt_is_freed_not_undone(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    sandbox, said, entry = deploy_at_the_prompt(
        make_sandbox, tmp_path, monkeypatch, answer, deny=False
    )
    freed(sandbox, entry.canary_revision, entry.tag)
    assert "drift freed it with a traffic-only update, keeping their template" in said
    assert "--force" not in said
    assert entry.state == State.CLEANED_UP
    assert entry.writes[-1]["step"] == "untrap" and entry.writes[-1]["landed"] is True
    sandbox.clear_calls()
    done = lab.rollback(tmp_path)
    assert done.exit_code is ExitCode.OK and "nothing left to roll back" in done.summary()
    assert lab.updates(sandbox) == []


@pytest.mark.parametrize("answer", ["promoted", "declined"])
def test_a_pin_that_cannot_be_freed_is_said_with_the_command_that_frees_it(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    sandbox, said, entry = deploy_at_the_prompt(
        make_sandbox, tmp_path, monkeypatch, answer, deny=True
    )
    theirs = sandbox.service(LAB, "app")
    ci = theirs.latest_ready_revision.rsplit("/", 1)[-1]
    assert theirs.template.containers[0].image == CI_IMAGE
    assert lab.spec(theirs)[0][0] != LATEST and ci not in lab.shares(theirs)  # still pinned
    assert f"Their revision {ci} gets no traffic" in said, said
    assert (
        f"gcloud run services update-traffic app --to-latest --remove-tags {entry.tag} "
        f"--project {entry.project} --region {entry.region}"
    ) in said
    assert entry.writes[-1]["step"] == "untrap" and entry.writes[-1]["landed"] is False
    refused = lab.rollback(tmp_path)  # their deploy: never undone without --force
    assert refused.exit_code is ExitCode.ABORTED
    assert "was changed since drift's last write" in refused.summary()


@pytest.mark.parametrize("answer", list(ANSWERS))
def test_a_deploy_built_on_the_canary_gets_no_traffic_from_drift(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: str
) -> None:
    """`gcloud run deploy` at the prompt builds on the canary's template: their revision holds
    drift's change (MODE=live, DEBUG gone). Freeing the pin would serve it, declined or not
    proven on their image: drift writes nothing more, says why, and names the command that
    would let it serve (drift's change included) — the operator's call."""
    sandbox, said, entry = deploy_at_the_prompt(
        make_sandbox, tmp_path, monkeypatch, answer, deny=False, own_template=False
    )
    theirs = sandbox.service(LAB, "app")
    ci = theirs.latest_created_revision.rsplit("/", 1)[-1]
    assert {e.name: e.value for e in theirs.template.containers[0].env} == {"MODE": "live"}
    assert ci not in lab.shares(theirs)  # not routed to by drift
    assert not any(w["step"] == "untrap" for w in entry.writes)
    assert f"{ci} was built on drift's canary" in said and "holds drift's change" in said, said
    assert "drift freed it" not in said


def test_a_deploy_on_the_canary_that_replaced_part_of_drifts_change_says_which(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-553 F4: `gcloud run services update --update-env-vars MODE=ci` at the prompt
    builds on the canary (DEBUG removed, MODE=live: drift's change) and replaces MODE. Their
    revision holds only part of drift's change: drift said it "still holds drift's change"
    and offered to serve it "drift's change included"."""
    sandbox = make_sandbox(lab.lab_world())

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", env={"MODE": "ci"}, client=("ci-bot", "1.2"))

    ui = ScriptedUI([True, True], on_confirm=ci)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert "it still holds part of drift's change (env.DEBUG; their write replaced env.MODE)" in (
        said
    ), said
    assert "To let it serve as it is, with part of drift's change: gcloud" in said, said
    assert "it still holds drift's change" not in said, said
