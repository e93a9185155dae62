"""helper-661 A3, the rollback's half: `drift rollback --yes` of a completed fix; its
UpdateService lands (its operation's answer is the service one generation on, as sent), then,
before drift reads the service back, a teammate writes it (their etag current: any server
takes it, whatever `stale_etag` says): a label, a 0 % tag, or a deploy.

drift's restoration landed, as its answer says: the journal records it rolled back at the
answer's generation, and drift says "restored (generation N), then changed by someone else
(…): their change stands". The exit code judges what serves afterwards (SPEC invariant 10,
`traffic_statuses`): what served before (their label) → 0; anything else (their tag, their
deploy) → 4, naming what serves. A rollback run again has nothing left to do. Before:
"restored nothing", "not proven restored … may have landed before that", journaled
rollback-failed, exit 4; and a second rollback said at once that nothing is written and
that it refuses (changed since), so only --force could close the entry."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.restore
import drift.fix.workload_restore
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, after_each_write, entries, updates
from tests.fix.test_inplace_refused_theirs import SOLO, solo_updated
from tests.fix.test_promotion_refused_theirs import fix_cli, their_write


def theirs(sandbox: Sandbox, clients: Clients, what: str) -> None:
    if what == "deploy":  # `gcloud run deploy` of the template as it is, one variable more
        sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
    else:
        their_write(clients, what)


def stands(sandbox: Sandbox, what: str) -> bool:
    now = sandbox.service(PROJECT, "api")
    if what == "label":
        return now.labels.get("team") == "theirs"
    if what == "tag":
        return any(t.tag == "theirs" for t in now.traffic_statuses)
    return any(
        v.name == "LOG_LEVEL" and v.value == "WARNING" for v in now.template.containers[0].env
    )


def after_the_restoration(
    sandbox: Sandbox, clients: Clients, monkeypatch: pytest.MonkeyPatch, what: str
) -> list[int]:
    """Their write, once, right after drift's restoration is answered: the generation the
    answer gave the service (read as their write starts) is kept."""
    answered: list[int] = []

    def then(request: Any) -> None:
        if not answered:
            answered.append(int(sandbox.service(PROJECT, "api").generation))
            theirs(sandbox, clients, what)

    after_each_write(monkeypatch, drift.fix.restore, then)
    after_each_write(monkeypatch, drift.fix.workload_restore, then)
    return answered


def closed(sandbox: Sandbox, env: dict[str, str], tmp_path: Path, gen: int, what: str) -> None:
    """The entry is rolled back at drift's generation, and a rollback run again writes
    nothing and refuses nothing."""
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK
    last = entry.writes[-1]
    assert (last["step"], last["landed"], last["generation_after"]) == ("rollback", True, gen)
    sandbox.clear_calls()
    again = fix_cli(env, tmp_path, "rollback", "--yes")
    assert again.returncode == 0, again.stdout + again.stderr
    assert "nothing left to roll back" in again.stdout, again.stdout
    assert updates(sandbox) == []
    assert stands(sandbox, what)


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
@pytest.mark.parametrize("what", ["label", "tag", "deploy"])
def test_a_rollback_that_landed_then_their_write(
    what: str,
    stale_etag: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED, done.stdout + done.stderr
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    answered = after_the_restoration(sandbox, clients, monkeypatch, what)
    back = fix_cli(env, tmp_path, "rollback", "--yes")
    said = back.stdout + back.stderr
    (gen,) = answered
    assert f"api: restored (generation {gen}), then changed by someone else (generation " in said
    assert "their change stands" in said, said
    assert "not proven restored" not in said and "restored nothing" not in said, said
    assert "may have landed" not in said, said
    assert f"rollback of {entry.change_id}: restored api" in said, said
    assert stands(sandbox, what)
    now = sandbox.service(PROJECT, "api")
    served = {e.name for e in now.template.containers[0].env}
    assert "E2E_TEST_MODE" not in served and "TESTING" in served  # drift's restoration
    if what == "label":  # what serves is what served before: a success
        assert back.returncode == 0, said
    else:  # what serves is not what served before: said, exit 4
        assert back.returncode == 4, said
        assert "what serves: " in said and "api-" in said.rsplit("what serves: ", 1)[1]
    closed(sandbox, env, tmp_path, gen, what)


@pytest.mark.parametrize("stale_etag", ["aborted", "ignored"])
def test_a_rollback_in_place_that_landed_then_their_label(
    stale_etag: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The same for a rollback of an update in place (a service's ingress): one write."""
    solo_updated(sandbox, tmp_path)
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)
    answered = after_the_restoration(sandbox, clients, monkeypatch, "label")
    back = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    said = back.stdout + back.stderr
    (gen,) = answered
    assert back.returncode == 0, said
    assert f"api: restored (generation {gen}), then changed by someone else" in said, said
    assert "their change stands" in said and "not proven" not in said, said
    assert sandbox.service(PROJECT, "api").ingress.name == "INGRESS_TRAFFIC_ALL"
    closed(sandbox, env, tmp_path, gen, "label")
