"""Task 847: a fix's clean-up write whose answer was lost (UNAVAILABLE on each attempt, the
sandbox's fault before the server takes it) while someone else wrote the service twice between
the clean-up's read and its write: read back two generations on, drift's write not in it.

- The restoration (`restore`, through `restored.theirs`): it was "Removing the canary failed:
  … drift's write may have landed before that", journaled `cleanup-failed`, exit 4, the lock
  freed — while drift's request, carrying an etag two writes old, may still land (run v2's
  etag only "May be used to detect modification conflict during updates").
- A traffic-only write (the canary's tag removed, `cleanup._untag`): it was "not removed",
  journaled `cleanup-failed`, exit 4 — so with one write of theirs too (task 845 left the
  traffic-only writes out).

Now both are not known, as one unread: exit 3, the entry left `cleaning-up`, its lock kept,
`drift rollback CHANGE` named. Each attempt refused by the server stays a known failure."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.fix.restore
import drift.fix.restored
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Fault, Sandbox
from tests.conftest import Clients
from tests.fix import conftest as lab
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix, lab_here, rollback
from tests.fix.test_canary_lost_theirs_alone import LOST_OR_DENIED
from tests.fix.test_cleanup_unstartable import PROFILE, WORLD
from tests.sandbox.helpers import service_name


def label(clients: Clients, service: str, key: str) -> None:
    """A teammate's label on `service` (their etag current): one generation."""
    name = service_name(service) if "/" not in service else service
    now = clients.services.get_service(name=name)
    now.labels[key] = "theirs"
    clients.services.update_service(service=now).result()


def theirs_then_lost(
    monkeypatch: pytest.MonkeyPatch,
    module: Any,
    sandbox: Sandbox,
    theirs: Callable[[], None],
    code: str,
) -> None:
    """`module.update_workload`'s first call: `theirs()` writes first, then each attempt of
    drift's write is answered `code` before the server takes it."""
    real = module.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        monkeypatch.setattr(module, "update_workload", real)  # its first write only
        theirs()
        sandbox.inject(Fault("UpdateService", code))
        try:
            return await real(session, kind, request, **kw)
        finally:
            sandbox.clear_faults()

    monkeypatch.setattr(module, "update_workload", update_workload)


def not_known(code: ExitCode, said: str, tmp_path: Path, step: str) -> None:
    """The clean-up's write `step` left as begun: exit 3, `cleaning-up`, the lock kept."""
    said = " ".join(said.split())
    (entry,) = entries(tmp_path)
    assert code is ExitCode.INCOMPLETE, said
    assert entry.writes[-1]["step"] == step and entry.writes[-1]["landed"] is None, said
    assert entry.state == State.CLEANING_UP, entry.history
    assert list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock freed"
    assert f"`drift rollback {entry.change_id}` finishes it" in said, said
    assert "Removing the canary" not in said and "not removed" not in said, said  # failed


@LOST_OR_DENIED
def test_a_restoration_lost_under_two_writes_of_theirs(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
    code: str,
    known: bool,
) -> None:
    """The promotion declined; the clean-up's restoration (`restore`) lost under two labels
    of theirs. Refused on each attempt, it stays `cleanup-failed`, exit 4."""

    def two() -> None:
        for key in ("team", "again"):
            label(clients, "api", key)

    theirs_then_lost(monkeypatch, drift.fix.restore, sandbox, two, code)
    result = fix(tmp_path, env, ScriptedUI([True, False]), FixOptions(), services=["api"])
    said = " ".join(result.summary().split())
    (entry,) = entries(tmp_path)
    generation = sandbox.service(PROJECT, "api").generation
    assert generation == entry.writes[-1]["generation_before"] + 2, entry.writes
    if known:
        assert result.exit_code is ExitCode.ABORTED, said
        assert entry.state == State.CLEANUP_FAILED, entry.history
        return
    not_known(result.exit_code, said, tmp_path, "cleanup")
    assert "drift's cleanup write (the canary's tag removed, the routing that served " in said
    assert "the service reads back written since by someone else (generation " in said, said
    assert "drift's may have landed before theirs, or may land over them yet" in said, said
    refused = rollback(tmp_path)  # their labels since: refused unforced, as for one
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    forced = rollback(tmp_path, force=True)
    assert forced.exit_code is ExitCode.OK, forced.summary()
    assert sandbox.service(PROJECT, "api").labels["again"] == "theirs"


@pytest.mark.parametrize("writes", [1, 2])
def test_the_canary_untagged_lost_under_writes_of_theirs(
    reseedable: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: Any,
    writes: int,
) -> None:
    """What served cannot start (a secret version disabled: `tests/fix/test_cleanup_
    unstartable`), so the clean-up removes the canary's tag alone (`_untag`, a traffic-only
    write); `writes` labels of theirs before it, its answer lost."""
    reseedable.reset(WORLD)
    folder = lab_here(reseedable, tmp_path, monkeypatch, PROFILE)
    clients = clients_for(reseedable)
    name = reseedable.service(lab.LAB, "app").name

    def theirs() -> None:
        for key in ("team", "again")[:writes]:
            label(clients, name, key)

    theirs_then_lost(monkeypatch, drift.fix.restored, reseedable, theirs, "UNAVAILABLE")
    ui = ScriptedUI([True, False])
    try:
        result = fix(tmp_path, reseedable.environ(), ui, FixOptions(), None, "lab", folder)
        code, said = result.exit_code, result.summary()
    except Interrupted as exc:
        code, said = exc.exit_code, exc.message
    (entry,) = entries(tmp_path)
    generation = reseedable.service(lab.LAB, "app").generation
    assert generation == entry.writes[-1]["generation_before"] + writes, entry.writes
    not_known(code, said, tmp_path, "untag")
    said = " ".join(said.split())
    assert "may have landed" in said, said
    words = "drift's write not in it" if writes == 2 else "someone else's write alone"
    assert words in said, said
