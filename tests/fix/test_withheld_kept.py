"""task 843: `withheld.withhold` keeps what it worked out of an entry's configurations, which a
fix writes again unchanged at each step. What is kept never outlives what it was worked out
of: a payload drift reads between two writes of an entry is withheld from the second, and the
entry's own configuration is never changed by writing it."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift import redact
from drift.fix.journal import Entry, Journal, State

VERSION = "projects/p/secrets/s/versions/1"
PAYLOAD = "zq8vx2mlk9pwr4ty"
_SERVICE: dict[str, Any] = {
    "name": "projects/p/locations/r/services/app",
    "template": {"containers": [{"env": [{"name": "COPY", "value": PAYLOAD}]}]},
}


def _entry() -> Entry:
    service = copy.deepcopy(_SERVICE)
    return Entry(
        "c1", "prod", "p", "r", "app", _SERVICE["name"], "e1", service, "app-c1", "c1", ["x"]
    )


def test_a_payload_read_after_a_write_is_withheld_from_the_next(tmp_path: Path) -> None:
    journal, entry = Journal(tmp_path / "journal").open(), _entry()
    journal.record(entry, State.PLANNED)  # no secret read yet: an ordinary value
    assert PAYLOAD in journal.file(entry).read_text()

    redact.register_payload(PAYLOAD.encode(), VERSION)
    journal.record(entry, State.CANARY_DEPLOYING)
    written = journal.file(entry).read_text()
    assert PAYLOAD not in written
    assert json.loads(written)["withheld"] == [
        {
            "field": "service_before",
            "path": ["template", "containers", 0, "env", 0],
            "pieces": [{"version": VERSION, "form": "whole"}],
        }
    ]
    assert entry.service_before == _SERVICE  # the entry itself as it was read


def test_each_write_of_an_unchanged_entry_withholds_alike(tmp_path: Path) -> None:
    redact.register_payload(PAYLOAD.encode(), VERSION)
    journal, entry = Journal(tmp_path / "journal").open(), _entry()
    texts = []
    for state in (State.PLANNED, State.CANARY_DEPLOYING, State.CANARY_READY):
        journal.record(entry, state)
        texts.append(json.loads(journal.file(entry).read_text()))
    assert all(PAYLOAD not in json.dumps(t) for t in texts)
    parts = ("service_before", "withheld")
    assert [{p: t[p] for p in parts} for t in texts[1:]] == [{p: texts[0][p] for p in parts}] * 2
    assert entry.service_before == _SERVICE and entry.withheld == []


def test_a_new_registry_is_never_answered_from_another(tmp_path: Path) -> None:
    """A process's registry replaced (each test's, here): what was worked out with the payloads
    of the one before is not taken for the new one's, however many it had read."""
    journal, entry = Journal(tmp_path / "journal").open(), _entry()
    redact.register_payload(PAYLOAD.encode(), VERSION)
    journal.record(entry, State.PLANNED)
    assert PAYLOAD not in journal.file(entry).read_text()

    redact._known = redact.Secrets()  # restored by the autouse fixture's monkeypatch
    redact.register_payload(b"another-payload-77", "projects/p/secrets/t/versions/1")  # as many
    journal.record(entry, State.CANARY_DEPLOYING)
    assert PAYLOAD in journal.file(entry).read_text()  # no secret known now: as it is
