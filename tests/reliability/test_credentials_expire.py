"""Credentials that stop working (UNAUTHENTICATED: a one-hour CI token expiring) after `fix`
or `rollback` has written: what was written is still said, and the run ends incomplete (exit 3:
the fix's re-check, SPEC invariant 6; the rollback's write, sent and not read back, may have
landed), never "nothing was checked" (2) with the change id unsaid."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Journal, State
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox, mint_test_jwt
from drift.settings import Settings
from tests.cliutil import REPO
from tests.reliability.conftest import ScriptedUI, fast_settings

PROJECT = "acme-chat-staging"
EXPIRED = Fault("*", "UNAUTHENTICATED", message="Request had invalid credentials.")


@pytest.fixture
def settings(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Settings:
    monkeypatch.setenv(
        "ACME_TEST_JWT", mint_test_jwt(sandbox.secret_value(PROJECT, "jwt-secret-staging"))
    )
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    return fast_settings(journal_dir=tmp_path / "journal")


def fix(settings: Settings, ui: ScriptedUI, options: FixOptions):  # type: ignore[no-untyped-def]
    profile = load_profile(REPO / "profiles", "e2e")
    return asyncio.run(run_fix(profile, settings, ui, options, services=["web"]))


@contextmanager
def expire_after(sandbox: Sandbox, method: str) -> Iterator[None]:
    """Every call fails UNAUTHENTICATED from the moment a `method` call arrives (its answer is
    held half a second, so the fault is in force before the client's next call)."""
    seen = sum(c.short == method for c in sandbox.calls)
    sandbox.inject(Fault(method, None, latency_ms=500, after=True))
    stop = threading.Event()

    def watch() -> None:
        while not stop.wait(0.01):
            if sum(c.short == method for c in sandbox.calls) > seen:
                sandbox.inject(EXPIRED)
                return

    thread = threading.Thread(target=watch, daemon=True)
    thread.start()
    try:
        yield
    finally:
        stop.set()
        thread.join()


def test_a_fix_whose_recheck_cannot_authenticate_says_what_it_changed(
    sandbox: Sandbox, settings: Settings
) -> None:
    def expire(question: str) -> None:
        if question.startswith("Move all traffic"):  # the promotion lists no secret
            sandbox.inject(Fault("ListSecrets", "UNAUTHENTICATED"))  # re-check

    result = fix(settings, ScriptedUI([True, True], on_confirm=expire), FixOptions())
    (outcome,) = result.outcomes
    assert outcome.state == State.PROMOTED and not outcome.aborted
    assert result.recheck is None
    summary = result.summary()
    assert outcome.message and outcome.message in summary  # traffic moved: said
    assert f"change {result.change_id} recorded in" in summary
    assert "re-check after the fix could not be read" in summary and "UNAUTHENTICATED" in summary
    assert result.exit_code is ExitCode.INCOMPLETE


@pytest.mark.timeout(60)  # a hang guard: the expired credentials are not retried for minutes
def test_a_rollback_whose_read_back_cannot_authenticate_is_not_proven(
    sandbox: Sandbox, settings: Settings
) -> None:
    done = fix(settings, ScriptedUI(), FixOptions(yes=True))
    assert done.exit_code is ExitCode.OK, done.summary()
    ui = ScriptedUI()
    with expire_after(sandbox, "UpdateService"):
        rolled = asyncio.run(run_rollback(settings, ui, None, yes=True))
    # Its write was sent, then nothing could be read: it may have landed. It was journaled
    # rollback-failed, exit 4 ("nothing changed, or rolled back"), its lock freed (c46db5be:
    # "not left doing", from when a doing state meant only a process that was stopped); now
    # as a job's or pool's restoring write (helper-809 F2, helper-821): not known, exit 3, the
    # entry left `rolling-back` and its lock kept until `drift rollback` run again finishes it
    text = " ".join(rolled.summary().split())
    assert rolled.exit_code is ExitCode.INCOMPLETE, text
    assert not rolled.failed, text  # one line says it, and its lock kept (helper-827 D)
    (failed,) = [n for n in rolled.notes if "the rollback of web" in n]
    assert "the rollback of web was sent (GetOperation " in failed, failed  # its answer: lost
    assert "); the service could not be read back (GetService " in failed, failed
    assert "UNAUTHENTICATED" in failed and "it may have landed" in failed, failed
    assert "run `drift rollback " in failed and not rolled.restored, failed
    assert "restored nothing proven" in text and "drift keeps its lock" in text, text
    (entry,) = Journal(settings.journal_dir).entries()
    assert entry.state == State.ROLLING_BACK, entry.history
    sandbox.clear_faults()
    again = asyncio.run(run_rollback(settings, ScriptedUI(), None, yes=True))
    assert again.exit_code is ExitCode.OK, again.summary()
    assert Journal(settings.journal_dir).entries()[0].state == State.ROLLED_BACK
