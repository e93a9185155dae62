"""The journal: one JSON file per change in `.drift/journal/`, written before every write to
the cloud, holding what `drift rollback` needs (the service and traffic as they were).

It holds the service configuration as Cloud Run returned it: plain values and secret
*references*, never a Secret Manager value. Files are created with mode 0600."""

from __future__ import annotations

import datetime as dt
import json
import os
import secrets
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from drift import redact
from drift.errors import UsageError

SCHEMA = "drift.journal/v1"


class State:
    PLANNED = "planned"
    CANARY_DEPLOYING = "canary-deploying"
    CANARY_READY = "canary-ready"
    CANARY_FAILED = "canary-failed"
    PROMOTING = "promoting"
    PROMOTED = "promoted"
    ABORTED = "aborted"
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"
    ROLLBACK_FAILED = "rollback-failed"


def new_change_id(now: dt.datetime | None = None) -> str:
    """Sortable and short enough for a Cloud Run tag (`drift-<id>`)."""
    now = now or dt.datetime.now(dt.UTC)
    return f"{now:%Y%m%d-%H%M%S}-{secrets.token_hex(2)}"


@dataclass
class Entry:
    change_id: str
    environment: str
    project: str
    region: str
    service: str
    full_name: str
    etag_before: str
    service_before: dict[str, Any]
    """run_v2.Service as JSON, exactly as read before the change."""
    canary_revision: str
    tag: str
    changes: list[str]
    state: str = State.PLANNED
    history: list[dict[str, str]] = field(default_factory=list)
    schema: str = SCHEMA

    @property
    def traffic_before(self) -> list[dict[str, Any]]:
        return list(self.service_before.get("traffic", []))


class Journal:
    def __init__(self, directory: Path) -> None:
        self.directory = directory

    def record(self, entry: Entry, state: str, note: str = "") -> None:
        """Write the entry with its new state before the step it announces."""
        entry.state = state
        stamp = dt.datetime.now(dt.UTC).isoformat(timespec="seconds")
        # a note may quote a server's error message, which may quote a secret value
        entry.history.append({"at": stamp, "state": state, "note": redact.scrub(note)})
        self.directory.mkdir(parents=True, exist_ok=True, mode=0o700)
        target = self._file(entry)
        tmp = target.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as out:
            json.dump(asdict(entry), out, indent=2, sort_keys=True)
            out.write("\n")
            out.flush()
            os.fsync(out.fileno())
        os.replace(tmp, target)

    def _file(self, entry: Entry) -> Path:
        return self.directory / f"{_safe(entry.change_id)}--{_safe(entry.service)}.json"

    def entries(self) -> list[Entry]:
        if not self.directory.is_dir():
            return []
        out = []
        for path in sorted(self.directory.glob("*.json")):
            try:
                data = json.loads(path.read_text())
                if data.get("schema") != SCHEMA:
                    continue
                out.append(Entry(**data))
            except (OSError, ValueError, TypeError) as exc:
                raise UsageError(f"journal file {path} is unreadable: {exc}") from exc
        return sorted(out, key=lambda e: (e.change_id, e.service))

    def change(self, change_id: str | None) -> list[Entry]:
        """The entries of one change (one per service), the latest change by default."""
        entries = self.entries()
        if not entries:
            raise UsageError(f"no change recorded in {self.directory}: nothing to roll back")
        wanted = change_id or entries[-1].change_id
        found = [e for e in entries if e.change_id == wanted]
        if not found:
            known = ", ".join(sorted({e.change_id for e in entries})[-5:])
            raise UsageError(f"no change {wanted!r} in {self.directory} (latest: {known})")
        return found


def _safe(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "-_")
