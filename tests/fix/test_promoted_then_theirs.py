"""helper-661 A3 (the promotion's half): drift's promotion lands (its operation answers the
service one generation on, as sent), then a teammate writes the service before drift reads it
back. The fix is complete — the canary was promoted, the journal says `promoted` — so it ends
as a completed fix does: its re-check runs and gives the exit code (0 when their write left no
drift, 1 when it did), with a line naming their write, which stands. Before, it ended with
exit 4 ("aborted safely … with nothing changed") and no re-check. Through the real CLI, on the
sandbox, their write made with the official client (a label) or as `gcloud run services
update --update-env-vars` makes it (`Sandbox.set_env`)."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

import drift.fix.canary
from drift.fix.journal import State
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, after_each_write, entries, lab_cli, lab_name, lab_world


def after_the_promotion(monkeypatch: pytest.MonkeyPatch, theirs: Callable[[], None]) -> None:
    """`theirs()` runs once drift's promotion (its second write) has landed and answered,
    before drift reads the service back."""
    sent: list[Any] = []

    def then(request: Any) -> None:
        sent.append(request)
        if len(sent) == 2:
            theirs()

    after_each_write(monkeypatch, drift.fix.canary, then)


@pytest.mark.parametrize("what", ["label", "debug"])
def test_a_write_after_the_promotion_ends_a_completed_fix(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    what: str,
) -> None:
    sandbox = make_sandbox(lab_world())
    services = clients_for(sandbox).services

    def label() -> None:
        service = services.get_service(name=lab_name())
        service.labels["team"] = "chat"
        services.update_service(service=service).result()

    def debug() -> None:  # the profile forbids DEBUG: their change leaves drift
        sandbox.set_env(LAB, "app", "DEBUG", "true")

    after_the_promotion(monkeypatch, label if what == "label" else debug)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    said = done.stdout + done.stderr
    (entry,) = entries(tmp_path)
    canary = entry.canary_revision
    assert done.returncode == (0 if what == "label" else 1), said  # the re-check's: was 4
    assert f"app: traffic moved to {canary} (generation " in said, said
    assert "then the service was changed meanwhile by someone else (generation " in said, said
    assert "their change stands (what serves now: " in said, said
    assert "re-check after the fix:" in said, said  # it ran
    assert ("forbidden" in said) is (what == "debug"), said
    assert entry.state == State.PROMOTED, entry.history
    assert not list((tmp_path / ".drift" / "journal" / "locks").glob("*.lock"))
    now = sandbox.service(LAB, "app")
    if what == "label":  # their label kept, and the canary serves
        assert now.labels["team"] == "chat"
        assert [s.revision for s in now.traffic_statuses if s.percent] == [canary]
    back = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    kept = f"`drift rollback {entry.change_id}` undoes drift's change and keeps theirs"
    assert (kept in said) is (what == "label"), said
    if what == "label":  # what the rollback keeps: it goes on, keeping it (helper-661 A7)
        assert back.returncode == 0, back.stdout + back.stderr
        assert "their labels team stays" in back.stdout, back.stdout
        assert sandbox.service(LAB, "app").labels["team"] == "chat"
    else:  # their deploy stands: a rollback refuses unforced
        assert back.returncode == 4, back.stdout + back.stderr
        assert "changed since" in back.stdout + back.stderr
