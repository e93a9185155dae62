"""A clean-up write sent and not read back — the one that keeps their routing
(`keep_routing`), the one freeing drift's pin under their deploy (`untrap.free_pin`), the
canary's tag removed by a traffic-only update (`cleanup._untag`) — is as a canary's clean-up
not read back (README): never "failed", the entry left `cleaning-up`, its lock kept, exit 3,
"may have landed" and `drift rollback` finishing it (helper-827 R2). So is one whose answer was
lost (UNAVAILABLE on each attempt, the sandbox's fault before the server takes it) and the
service read back unchanged (`lost_answer.may_still_land`): it may still land; it was
`cleanup-failed`, a known failure (task 841). `drift rollback` then finishes it."""

from __future__ import annotations

from collections.abc import Callable
from functools import partial
from pathlib import Path
from typing import Any

import pytest

import drift.fix.restored
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, rollback
from tests.fix.test_cleanup_keeps_their_routing import SPLIT, _fix_rerouted_at_the_prompt
from tests.fix.test_cleanup_unstartable import PROFILE, WORLD, _disable_at, _startable
from tests.fix.test_foreign_writes import CI_IMAGE, OWN
from tests.fix.test_pin_freed import ANSWERS


def losing_each(patched: pytest.MonkeyPatch, sandbox: Sandbox) -> None:
    """Each clean-up write's answer lost before the server takes it (every attempt)."""
    real = drift.fix.restored.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        sandbox.inject(Fault("UpdateService", "UNAVAILABLE"))
        try:
            return await real(session, kind, request, **kw)
        finally:
            sandbox.clear_faults()

    patched.setattr(drift.fix.restored, "update_workload", update_workload)


def finished(tmp_path: Path, force: bool = False) -> None:
    """`drift rollback` ends the change: exit 0, the entry no longer `cleaning-up` (never
    `cleanup-failed`), its lock freed."""
    back = rollback(tmp_path, force=force)
    assert back.exit_code is ExitCode.OK, back.summary()
    (entry,) = entries(tmp_path)
    assert entry.state not in (State.CLEANING_UP, State.CLEANUP_FAILED), entry.history
    assert not list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))


def left_cleaning_up(
    sandbox: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    run: Callable[[], Any],
    step: str,
    lost: ClientsFor | None = None,
) -> str:
    """Run the fix (`run`), each clean-up write then unreadable (`lost`: its answer lost, the
    service unchanged); check what it left, and that `drift rollback` finishes it; its words."""
    with monkeypatch.context() as patched:
        if lost is not None:
            losing_each(patched, sandbox)
        else:
            lab.after_each_write(
                patched,
                drift.fix.restored,
                lambda request: sandbox.inject(Fault("GetService", "PERMISSION_DENIED")),
            )
        try:
            result = run()
            code, said = result.exit_code, result.summary()
        except Interrupted as exc:
            code, said = exc.exit_code, exc.message
    sandbox.clear_faults()
    said = " ".join(said.split())
    (entry,) = entries(tmp_path)
    locks = list((lab.journal(tmp_path).directory / "locks").glob("*.lock"))
    assert entry.writes[-1]["step"] == step, said
    assert entry.state == State.CLEANING_UP, said
    assert code is ExitCode.INCOMPLETE, said
    assert locks, "lock freed"
    assert "may have landed" in said and "finishes it" in said, said
    unchanged = "reads back unchanged" in said
    assert unchanged is (lost is not None) and "not applied" not in said, said
    if lost is not None:  # the lost write lands late (sent again as it was: its etag is still
        # the service's), for `drift rollback` to judge (`finished`)
        (*_, late) = [c.request for c in sandbox.calls if c.short == "UpdateService"]
        lost(sandbox).services.update_service(request=late).result(timeout=10)
    return said


@pytest.mark.parametrize("lost", [False, True], ids=["unread", "lost"])
@pytest.mark.parametrize("answer", [True, False], ids=["yes", "no"])
def test_keeping_their_routing(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: bool,
    lost: bool,
    clients_for: ClientsFor,
) -> None:
    sandbox = make_sandbox(lab.lab_world(**SPLIT))

    def run() -> Any:
        shares = {0: 50, 1: 50}
        return _fix_rerouted_at_the_prompt(sandbox, tmp_path, monkeypatch, shares, answer)[0]

    losing = clients_for if lost else None
    said = left_cleaning_up(sandbox, tmp_path, monkeypatch, run, "keep-routing", losing)
    assert "--force" not in said and "left the canary" not in said, said  # never contradicts
    if lost:  # a rollback over their routing kept is refused unforced, drift's write landed
        # or not (`restore.changed_since`, helper-593 F1), as when its answer came back
        refused = rollback(tmp_path)
        assert refused.exit_code is ExitCode.ABORTED and "kept their routing" in refused.summary()
        finished(tmp_path, force=True)


@pytest.mark.parametrize("lost", [False, True], ids=["unread", "lost"])
@pytest.mark.parametrize("answer", list(ANSWERS))
def test_freeing_the_pin(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: str,
    lost: bool,
    clients_for: ClientsFor,
) -> None:
    sandbox = make_sandbox(lab.lab_world())

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image=CI_IMAGE, env=OWN, client=("ci-bot", "1.2"))

    ui = ScriptedUI(list(ANSWERS[answer]), on_confirm=ci)
    run = partial(lab.lab_fix, tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    losing = clients_for if lost else None
    said = left_cleaning_up(sandbox, tmp_path, monkeypatch, run, "untrap", losing)
    assert "could not free it" not in said, said
    if lost:
        finished(tmp_path)


@pytest.mark.parametrize("lost", [False, True], ids=["unread", "lost"])
@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_removing_the_tag_alone(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    answer: Any,
    lost: bool,
    clients_for: ClientsFor,
) -> None:
    reseedable.reset(WORLD)
    folder = lab_here(reseedable, tmp_path, monkeypatch, PROFILE)
    ui = ScriptedUI([True, answer])
    run = partial(fix, tmp_path, reseedable.environ(), ui, FixOptions(), None, "lab", folder)
    losing = clients_for if lost else None
    said = left_cleaning_up(reseedable, tmp_path, monkeypatch, run, "untag", losing)
    assert "maybe not removed" not in said, said
    if lost:  # refused while what served cannot start (`restore`), as before: never failed
        refused = rollback(tmp_path)
        assert refused.exit_code is ExitCode.ABORTED, refused.summary()
        assert "cannot start the configuration that served" in refused.summary()
        (entry,) = entries(tmp_path)
        assert entry.state == State.CLEANING_UP, entry.history


def test_pinning_by_name_lost_is_not_known(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """`restore.pin_by_name` (its own test, helper-841 left it none): a rollback whose
    restored revision fails unforeseen (a version disabled at its prompt) pins the traffic by
    name; that pin's answer lost on each attempt and the service read back unchanged, it may
    still land: not known (`restored.pin_unproven`), never `rollback-failed` — exit 3, the
    entry left `rolling-back`, its lock kept, `drift rollback CHANGE` named first and pinning
    by hand after it. The late pin lands; once the version is enabled again, `drift rollback`
    finishes the change."""
    folder = _startable(reseedable, tmp_path, monkeypatch)
    options = FixOptions(promote=False)
    fix(tmp_path, reseedable.environ(), ScriptedUI([True]), options, None, "lab", folder)
    assert entries(tmp_path)[0].state == State.PINNED
    ui = ScriptedUI([True], on_confirm=_disable_at(reseedable, clients_for, ""))
    with monkeypatch.context() as patched:
        losing_each(patched, reseedable)
        rolled = rollback(tmp_path, ui)
    said = " ".join(rolled.summary().split())
    (entry,) = entries(tmp_path)
    assert rolled.exit_code is ExitCode.INCOMPLETE, said
    assert "reads back unchanged" in said and f"drift rollback {entry.change_id}" in said, said
    # what to do first, `drift rollback CHANGE`, then pinning by hand as the other way (task
    # 847: it said "drift could not pin …: pin it by hand" before naming the rollback)
    assert "drift could not pin" not in said and "pin of the traffic by name on " in said, said
    again = said.index(f"run `drift rollback {entry.change_id}` again (or pin it by hand with `")
    assert said.count("pin it by hand") == 1 and again < said.index("pin it by hand"), said
    assert entry.state == State.ROLLING_BACK and entry.writes[-1]["landed"] is None, said
    assert [w["step"] for w in entry.writes] == ["canary", "rollback", "rollback"], said
    assert entry.writes[-2]["landed"] is True, entry.writes  # restored; the pin lost
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock freed"
    (*_, late) = [c.request for c in reseedable.calls if c.short == "UpdateService"]
    clients_for(reseedable).services.update_service(request=late).result(timeout=10)
    clients_for(reseedable).secrets.enable_secret_version(
        name=f"projects/{LAB}/secrets/tok/versions/2"
    )
    finished(tmp_path)


def test_a_clean_up_pinning_by_name_lost_names_the_rollback_first(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """The same pin made by a fix's clean-up (Ctrl-C at the promotion prompt, the version
    disabled while it waited: tests/fix/test_cleanup_unstartable.py), its answer lost: exit 3,
    `cleaning-up`, `drift rollback CHANGE` first, pinning by hand as the other way (task 847:
    "drift could not pin …: pin it by hand" came first)."""
    folder = _startable(reseedable, tmp_path, monkeypatch)
    meanwhile = _disable_at(reseedable, clients_for, "Move all traffic")
    ui = ScriptedUI([True, KeyboardInterrupt()], on_confirm=meanwhile)
    with monkeypatch.context() as patched, pytest.raises(Interrupted) as raised:
        losing_each(patched, reseedable)
        fix(tmp_path, reseedable.environ(), ui, FixOptions(), None, "lab", folder)
    said = " ".join(raised.value.message.split())
    (entry,) = entries(tmp_path)
    assert raised.value.exit_code is ExitCode.INCOMPLETE, said
    assert entry.state == State.CLEANING_UP and entry.writes[-1]["landed"] is None, said
    assert "drift could not pin" not in said and "pin of the traffic by name on " in said, said
    first = said.index(f"`drift rollback {entry.change_id}` finishes it")
    assert first < said.index(", or pin it by hand with `gcloud run services update-traffic"), said
