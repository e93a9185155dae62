"""revfix90 F1: a teammate writes the service alone at the promotion prompt (a label, a
service-level setting: no new revision, the routing left as drift's canary pinned it), and the
operator then answers "no" (or presses Ctrl-C). The "yes" path has cleaned up keeping their
write since revown48 F2 (`untrap.left_as_pinned`); the "no" path refused to clean up at all
("drift left the canary as it is … `drift rollback --force`"), leaving drift's pin by name:
the team's next `gcloud run deploy` (traffic sent as it is) got no traffic, while the fix
exited 4, "aborted safely". SPEC invariant 9: "After an abort (declined at promotion, canary
failed, Ctrl-C), drift cleans up … `LATEST` routing is restored"; their write stays
(invariant 2, 10). A write of theirs that touched the routing is not one of these: drift's
tag removed leaves traffic pinned by name exactly as a teammate's own pin to the revision that
serves does, and theirs stands (`untrap.left_as_pinned` compares the traffic whole)."""

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
from tests.fix.conftest import LAB, ScriptedUI, entries, spec
from tests.fix.test_reread_before_write import _label_at, _latest_serves_theirs_next


def _no_trap(sandbox: Any, said: str) -> None:
    """LATEST routed as before drift, no tag of drift's, and the team's next deploy serves."""
    now = sandbox.service(LAB, "app")
    assert spec(now) == [("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 100, "")], said
    assert not any(tagged_change(t.tag) for t in now.traffic), said
    routes_latest, serving, theirs = _latest_serves_theirs_next(sandbox)
    assert routes_latest and serving == [(theirs, 100)], (serving, said)


def _cleaned_up_keeping_their_label(sandbox: Any, tmp_path: Path, said: str) -> None:
    """drift said their label stopped it and nothing is left to roll back, the label stands,
    the change is journaled cleaned up, and no trap is left (`_no_trap`)."""
    assert "they changed its labels cost-center" in said, said
    assert "nothing is left to roll back" in said and "--force" not in said, said
    assert sandbox.service(LAB, "app").labels["cost-center"] == "42", said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP, said
    _no_trap(sandbox, said)


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["no", "ctrl-c"])
def test_a_label_at_the_promotion_prompt_then_no_leaves_no_trap(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    done, label = _label_at(sandbox, clients_for(sandbox), "Move all traffic")
    ui = ScriptedUI([True, answer], on_confirm=label)
    if isinstance(answer, KeyboardInterrupt):
        with pytest.raises(Interrupted) as caught:
            lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
        code, said = caught.value.exit_code, caught.value.message
    else:
        result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
        code, said = result.exit_code, result.summary()
    assert done and code is ExitCode.ABORTED, said
    _cleaned_up_keeping_their_label(sandbox, tmp_path, said)


@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_a_label_while_the_canary_deploys_leaves_no_trap(
    make_sandbox: MakeSandbox,
    clients_for: Any,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool,
) -> None:
    """A labelling bot writes the service while drift's canary deploys (after drift's write,
    before it settles): their write made no revision and left drift's pin as it was. drift
    does not promote over it, and cleans up keeping it, whatever the answer would have been:
    before, it stopped with its pin by name in place (the team's next deploy got no traffic)
    and asked for `drift rollback --force`."""
    sandbox = make_sandbox(lab.lab_world())
    clients = clients_for(sandbox)
    done: list[bool] = []

    def label(request: Any) -> None:
        if done:
            return
        service = clients.services.get_service(name=lab.lab_name())
        service.labels["cost-center"] = "42"
        service.client, service.client_version = "label-bot", "1.0"
        clients.services.update_service(service=service).result()
        done.append(True)

    lab.after_the_canary_write(monkeypatch, label)
    ui = ScriptedUI([True, answer])
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    said = result.summary()
    assert done and result.exit_code is ExitCode.ABORTED, said
    assert len(ui.questions) == 1, ui.questions  # no promotion is asked for over their write
    _cleaned_up_keeping_their_label(sandbox, tmp_path, said)
