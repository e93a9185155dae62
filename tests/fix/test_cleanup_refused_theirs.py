"""helper-661 A4 (SPEC invariant 9): a teammate labels the service while drift probes its canary
(caught by the proof's read after its probes, which the promotion under `--yes` is built on
(helper-796 N1): drift cleans up as at a declined prompt,
keeping their label), and writes it once more between the cleanup's read and its
UpdateService. A server that refuses the cleanup's stale etag (AIP-154's ABORTED; sandbox
`stale_etag: aborted`) took nothing of it. When their second write made no revision and left
drift's pin byte for byte (a label), the pin is drift's still: drift cleans up once more on
the service as they left it, keeping both their writes, and the service is routed to LATEST
as before drift. Before, drift took its own pin for their routing (`keep_routing`) and left
the service pinned by name, with nothing left to roll back — the trap of the team's next
deploy. A second write that re-routes (a 0 % tag) is their routing, kept as it is
(`keep_routing`, tests/fix/test_cleanup_keeps_their_routing.py). A server that lets the stale
etag through (`stale_etag: ignored`) took drift's cleanup over their second write: said; as
drift's write names only what it sets (`update_mask`: the template, the traffic), their second
label stays (review 848 F1/F2; it was erased before)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.prove
import drift.fix.restore
from drift.fix.journal import State
from drift.live.changeids import tagged_change
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, config, entries, ready_config, spec, updates
from tests.fix.test_promotion_refused_theirs import LATEST, fix_cli, their_write
from tests.sandbox.helpers import service_name


def label(clients: Clients, key: str) -> None:
    service = clients.services.get_service(name=service_name("api"))
    service.labels[key] = "theirs"
    clients.services.update_service(service=service).result()


def before_the_proof_reads(monkeypatch: pytest.MonkeyPatch, action: Any) -> list[str]:
    """Run `action` once, right before the proof reads the service after its probes (the read
    the promotion under `--yes` is built on: helper-796 N1)."""
    read, done = drift.fix.prove.get_service, []

    async def get_service(session: Any, name: str) -> Any:
        if not done:
            done.append("first")
            action()
        return await read(session, name)

    monkeypatch.setattr(drift.fix.prove, "get_service", get_service)
    return done


def twice(clients: Clients, monkeypatch: pytest.MonkeyPatch, second: str) -> None:
    """A label right before the proof's read after its probes; `second` (a label `again`, or
    a 0 % tag) right before the cleanup's first write."""
    write = drift.fix.restore.update_workload
    done = before_the_proof_reads(monkeypatch, lambda: label(clients, "team"))

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if "first" in done and "second" not in done:
            done.append("second")
            if second == "label":
                label(clients, "again")
            else:
                their_write(clients, "tag")
        return await write(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.restore, "update_workload", update_workload)


def test_a_cleanup_refused_for_their_second_label_is_made_again(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sandbox.service(PROJECT, "api")
    served = ready_config(sandbox, before)
    twice(clients, monkeypatch, "label")
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert "drift cleans up again, keeping their change" in said, said
    assert "pinned by name" not in said and "keeping their routing" not in said, said
    now = sandbox.service(PROJECT, "api")
    assert (now.labels["team"], now.labels["again"]) == ("theirs", "theirs")
    assert spec(now) == spec(before) == [(LATEST, "", 100, "")]  # not pinned by name
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", True),
        ("cleanup", False),  # refused: their second label came first
        ("cleanup", True),
    ]
    ready = now.latest_ready_revision.split("/")[-1]
    assert ready != entry.canary_revision
    assert config(sandbox.revision(PROJECT, "api", ready)) == served
    sandbox.clear_calls()
    back = fix_cli(env, tmp_path, "rollback", "--yes")
    assert back.returncode == 0 and "nothing left to roll back" in back.stdout, back.stdout
    assert updates(sandbox) == []


def test_a_cleanup_refused_for_their_tag_keeps_their_routing(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: their second write re-routes (a tag): their routing stands as they set
    it, drift's tag and template undone around it, once."""
    twice(clients, monkeypatch, "tag")
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert "cleans up again" not in said and "keeping their routing" in said, said
    now = sandbox.service(PROJECT, "api")
    assert now.labels["team"] == "theirs"
    assert any(t.tag == "theirs" for t in now.traffic_statuses)
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP


def test_a_cleanup_let_through_over_their_second_label_is_said(
    lenient: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: the server took drift's stale cleanup write over their second label,
    which stays (drift's write does not name the labels: review 848 F1), and is said to."""
    sandbox = lenient
    before = sandbox.service(PROJECT, "api")
    twice(clients, monkeypatch, "label")
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert "cleans up again" not in said, said
    assert "drift's cleanup write" in said and "landed over their write" in said, said
    assert "their labels again stays (drift's write does not set it)" in said, said
    assert "replaced their write" not in said, said
    now = sandbox.service(PROJECT, "api")
    assert (now.labels["team"], now.labels["again"]) == ("theirs", "theirs")
    assert spec(now) == spec(before)


def test_a_cleanup_that_landed_then_their_label(
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """helper-661 A3's shape in the cleanup: its write lands (answered one generation on, as
    sent), then a label of theirs before drift reads it back: cleaned up at the answer's
    generation, their label stands, nothing is left to roll back (not "removing the canary
    failed … `drift rollback` tries again")."""
    before = sandbox.service(PROJECT, "api")
    write = drift.fix.restore.update_workload
    answered: list[int] = []
    before_the_proof_reads(monkeypatch, lambda: label(clients, "team"))

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        answer = await write(session, kind, request, **kw)
        if not answered:
            answered.append(int(answer.generation))
            label(clients, "again")
        return answer

    monkeypatch.setattr(drift.fix.restore, "update_workload", update_workload)
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    (gen,) = answered
    assert f"restored (generation {gen}), then changed by someone else" in said, said
    assert "nothing is left to roll back" in said and "tries again" not in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP
    assert (entry.writes[-1]["landed"], entry.writes[-1]["generation_after"]) == (True, gen)
    now = sandbox.service(PROJECT, "api")
    assert (now.labels["team"], now.labels["again"]) == ("theirs", "theirs")
    assert spec(now) == spec(before)
    sandbox.clear_calls()
    back = fix_cli(env, tmp_path, "rollback", "--yes")
    assert back.returncode == 0 and "nothing left to roll back" in back.stdout, back.stdout
    assert updates(sandbox) == []
