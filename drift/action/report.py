"""The JSON report a check wrote (`--json FILE`), read back for the action: what is new,
what was resolved, what still drifts. Its text is masked already, and is treated as untrusted
all the same (it is shown where people are notified)."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from drift import jsontext
from drift.errors import UsageError
from drift.files import regular_bytes
from drift.report import REPORT_SCHEMA

ALERTS = ("new", "updated")


@dataclass(frozen=True)
class RunReport:
    """A `drift.report/v1` document, with what an alert needs to know about it."""

    path: str
    data: dict[str, Any]

    @property
    def environment(self) -> str:
        return str(self.data.get("environment", ""))

    @property
    def scope(self) -> list[str]:
        """What the run covered when it was not the live configuration of every workload of
        the environment (`manifest`, `probe`, `service=api`); empty for a check of all of it."""
        value = self.data.get("scope")
        return [str(v) for v in value] if isinstance(value, list) else []

    @property
    def compared(self) -> bool:
        """Whether the run was compared with a baseline (a first run was not)."""
        return "resolved" in self.data

    @property
    def findings(self) -> list[dict[str, Any]]:
        """The findings that count (not silenced by `ignore`)."""
        return [f for f in _items(self.data, "findings") if not f.get("ignored")]

    @property
    def unverified(self) -> list[dict[str, Any]]:
        return _items(self.data, "unverified")

    @property
    def resolved(self) -> list[dict[str, Any]]:
        return _items(self.data, "resolved")

    @property
    def unchecked(self) -> list[dict[str, Any]]:
        """The baseline's findings this run did not check again (`{"finding", "reason"}`: a
        service it did not check, a revision a manifest run does not read): neither found
        again nor resolved, they still stand as far as anyone knows."""
        return [u for u in _items(self.data, "unchecked") if isinstance(u.get("finding"), dict)]

    @property
    def new(self) -> list[dict[str, Any]]:
        """New and updated findings; every finding when there was no baseline to compare
        with (nothing was known before a first run)."""
        if not self.compared:
            return self.findings
        return [f for f in self.findings if f.get("baseline") in ALERTS]

    @property
    def new_unverified(self) -> list[dict[str, Any]]:
        """Items that could be read before and cannot now (all of them on a first run)."""
        if not self.compared:
            return self.unverified
        return [u for u in self.unverified if u.get("baseline") == "new"]

    @property
    def alerting(self) -> bool:
        """Something is new: worth telling people about."""
        return bool(self.new or self.new_unverified)

    @property
    def status(self) -> str:
        """`incomplete` when anything could not be verified (drift found or not: the SARIF of
        such a run lacks what could not be read, and uploading it would close those alerts),
        else the report's own `clean` or `drift`."""
        if self.unverified:
            return "incomplete"
        return "drift" if self.data.get("status") == "drift" else "clean"

    @property
    def all_clear(self) -> bool:
        """Nothing drifts, everything was read, and every finding of the baseline was checked
        again: whatever was reported is resolved."""
        return not self.findings and not self.unverified and not self.unchecked


MAX_BYTES = 64 * 1024 * 1024
"""A report larger than this is refused (as a baseline is: drift.baseline.MAX_BYTES)."""


def read_report(path: str) -> RunReport:
    """The report at `path` (a file, or a gs://BUCKET/OBJECT the run's credentials can
    read); one clear message if it is not a drift JSON report."""
    if not path.strip():  # the action's `report` output when drift wrote none (exit 2)
        raise UsageError("no report named (an empty path): drift wrote none, or name its file")
    try:
        data = jsontext.loads(_read(path).decode("utf-8"))
    except OSError as exc:  # its reason, not "[Errno 2] No such file or directory: 'r.json'"
        raise UsageError(f"cannot read the report {path}: {exc.strerror or exc}") from None
    except (UnicodeDecodeError, ValueError, RecursionError) as exc:
        raise UsageError(f"cannot read the report {path}: {exc}") from None
    if not isinstance(data, dict) or data.get("schema") != REPORT_SCHEMA:
        raise UsageError(f"{path} is not a {REPORT_SCHEMA} report (write it with --json FILE)")
    return RunReport(path, data)


def _read(path: str) -> bytes:
    """The report's bytes, a local file's refused past `MAX_BYTES` as a Cloud Storage
    object's is (and a FIFO or device at once: `regular_bytes`), never read whole into
    memory first (helper-567 note)."""
    if not path.lower().startswith("gs://"):
        raw = regular_bytes(Path(path), MAX_BYTES + 1)
        if len(raw) > MAX_BYTES:
            raise UsageError(
                f"the report {path} is over {MAX_BYTES // (1024 * 1024)} MiB: not a drift JSON "
                "report"
            )
        return raw
    from drift.cli.output import fetch
    from drift.live.session import Access
    from drift.live.storage import parse_object

    return fetch(parse_object(path), MAX_BYTES, Access())


def _items(data: dict[str, Any], key: str) -> list[dict[str, Any]]:
    value = data.get(key)
    if not isinstance(value, list):
        return []
    return [item for item in value if isinstance(item, dict)]
