"""A command's sessions share one set of clients (`drift.live.session.one_set_of_clients`):
`fix --yes` opens five sessions (the check, the reads of the secret versions its journal
entries reference, the canaries' deploy, the re-check, the probe of what moved) and `check
--probe` two; against Google each client made is a channel of its own, a TCP and TLS
handshake. Counted around drift's own client factories, in a run in this process: one Cloud
Run pair and one Secret Manager client a command, each closed once as it ends; an
interactive fix, a set anew after each prompt."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

import drift.live.clients as made_here
from drift.live.session import Session
from tests.cliutil import REPO, drift


def counted(monkeypatch: pytest.MonkeyPatch) -> Counter[str]:
    """What the next runs make, open and close: drift's factories and methods, counted."""
    counts: Counter[str] = Counter()

    def count(owner: Any, name: str, what: str) -> None:
        original = getattr(owner, name)

        def counting(*args: Any, **kwargs: Any) -> Any:
            counts[what] += 1
            return original(*args, **kwargs)

        monkeypatch.setattr(owner, name, counting)

    count(made_here, "make_clients", "run clients")
    count(made_here, "_secrets_client", "secrets client")
    count(made_here.Clients, "close", "closed")
    count(Session, "__aenter__", "sessions")
    return counts


@pytest.mark.parametrize(
    ("args", "code", "sessions"),
    [(("fix", "staging", "--yes"), 0, 5), (("check", "staging", "--probe"), 1, 2)],
    ids=["fix-yes", "check-probe"],
)
def test_one_set_of_clients_a_command(
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: tuple[str, ...],
    code: int,
    sessions: int,
) -> None:
    counts = counted(monkeypatch)
    where = {**env, "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift(*args, "--profiles", str(REPO / "profiles"), env=where, cwd=tmp_path)
    assert done.returncode == code, done.stdout + done.stderr
    assert counts == {
        "sessions": sessions,
        "run clients": 1,
        "secrets client": 1,
        "closed": 1,
    }


def test_the_clients_are_closed_when_a_ctrl_c_ends_the_command(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A Ctrl-C as the fix's re-check begins (after the check, the canaries and the
    promotions): the command ends there, and the clients its sessions shared are closed
    once, as it ends."""
    import signal

    from drift.fix import apply

    checked = apply.run_check

    async def run_check(*args: Any, **kwargs: Any) -> Any:
        signal.raise_signal(signal.SIGINT)
        return await checked(*args, **kwargs)

    monkeypatch.setattr(apply, "run_check", run_check)
    counts = counted(monkeypatch)
    where = {**env, "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--yes", "--profiles", str(REPO / "profiles"), env=where)
    assert done.returncode == 3 and "interrupted" in done.stderr, done.stdout + done.stderr
    assert counts == {"sessions": 4, "run clients": 1, "secrets client": 1, "closed": 1}


def test_an_interactive_fix_makes_its_clients_anew_after_each_prompt(
    env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift fix staging` answered "y" at a terminal (`PromptUI` as it is, the terminal and
    the typed line stood in for): after each question a person answered, the command goes
    on on new connections (`drift.live.session.after_a_prompt`; helper-820 F3). Sets: the
    check's; after "Deploy…?", the canaries'; after each service's "Move all traffic…?", one
    more. Each is closed once, as the command ends."""
    from drift.cli import prompt

    monkeypatch.setattr(prompt, "_terminal", lambda stream: True)
    monkeypatch.setattr(prompt, "_answer", lambda deadline=None: "y\n")
    counts = counted(monkeypatch)
    where = {**env, "DRIFT_JOURNAL_DIR": str(tmp_path / "journal")}
    done = drift("fix", "staging", "--profiles", str(REPO / "profiles"), env=where, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.count("traffic moved to") == 2, done.stdout + done.stderr
    # the check's set (and its reads of the versions the entries reference, before the first
    # prompt), the canaries' (api's deploy), web's deploy after api's promotion prompt, and
    # the promotions' and re-check's after web's; Secret Manager read by the two checks
    assert counts == {"sessions": 5, "run clients": 4, "secrets client": 2, "closed": 4}
