"""The journal: one JSON file per change and service in `.drift/journal/`, written before every
write to the cloud, holding what `drift rollback` needs (the service as it was, the
configuration that served, and every write drift made or began, with the service's etag and
generation before and after it).

It holds the service configuration as Cloud Run returned it: plain values and secret
*references*, never a Secret Manager value: a plain value that is a secret version's payload
drift read is recorded by that version's name instead (`drift.fix.withheld`). Files are
created with mode 0600, and `.drift/.gitignore` (`*`) keeps them out of version control. Beside
each entry a checksum file holds the SHA-256 of what drift wrote: an entry edited by anything
else is refused."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

from drift import jsontext, redact
from drift.errors import JournalError
from drift.files import file_in_the_way, kind_of
from drift.fix.entryread import checked, summed
from drift.fix.entryshape import Malformed, entry_check, foreign, named, newer
from drift.fix.entrytext import EntryText
from drift.fix.journalfiles import (
    create,
    digest,
    entry_bytes,
    listed,
    not_another,
    trusted_directory,
    unreadable,
    untrusted_entry,
    write_pair,
)
from drift.fix.withheld import PARTS, withhold
from drift.kinds import Kind
from drift.textsafe import visible

SCHEMA = "drift.journal/v1"


class State:
    PLANNED = "planned"
    CANARY_DEPLOYING = "canary-deploying"
    CANARY_READY = "canary-ready"
    CANARY_FAILED = "canary-failed"
    PINNED = "pinned"
    """The canary is ready, tagged, without traffic, and traffic is pinned (`--no-promote`)."""
    PROMOTING = "promoting"
    PROMOTED = "promoted"
    ABORTED = "aborted"
    CLEANING_UP = "cleaning-up"
    CLEANED_UP = "cleaned-up"
    """After an abort: the canary's tag removed and the routing that served restored."""
    CLEANUP_FAILED = "cleanup-failed"
    UPDATING = "updating"
    """A job or worker pool: the update in place was sent (no canary)."""
    UPDATED = "updated"
    UPDATE_FAILED = "update-failed"
    ROLLING_BACK = "rolling-back"
    ROLLED_BACK = "rolled-back"
    ROLLBACK_FAILED = "rollback-failed"


DONE = frozenset({State.ROLLED_BACK, State.CLEANED_UP})
"""States after which nothing is left to roll back."""
ROLLBACK = (State.ROLLING_BACK, State.ROLLED_BACK, State.ROLLBACK_FAILED)
CLEANUP = (State.CLEANING_UP, State.CLEANED_UP, State.CLEANUP_FAILED)
"""A restoration's states (doing, done, failed): `drift rollback`'s, a fix's cleanup's."""


def now_text() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="seconds")


@dataclass
class Write:
    """One write drift made (or began: `landed` None when it never learned the outcome)."""

    step: str
    etag_before: str
    generation_before: int
    revision: str
    """`template.revision` sent: the canary's name, or "" (Cloud Run names the revision)."""
    template_key: str
    """A digest of the configuration sent (see `drift.fix.routing.template_key`)."""
    traffic: list[list[Any]]
    """The traffic sent, as (type, revision, percent, tag)."""
    landed: bool | None = None
    etag_after: str = ""
    generation_after: int = 0
    literal: bool = True
    """`template_key` digests plain values as written, as drift has since f753cd92; False for
    a write a journal of the drift before holds (no such key), whose digest expanded
    `$(NAME)`: only such a digest is matched the earlier way too (`drift.fix.legacy_key`)."""
    parts: dict[str, Any] = field(default_factory=dict)
    """A digest of each part outside the template a write sent, by name, and of a job whole
    (`drift.fix.kept_since.parts_sent`; no value); stored only if any, as older drifts read."""

    @classmethod
    def read(cls, data: dict[str, Any]) -> Write:
        """A write as a journal holds it (an older journal's without `literal`)."""
        return cls(**{"literal": False, **data})

    def stored(self) -> dict[str, Any]:
        """The write as the journal holds it (`parts` only when there is one)."""
        return {k: v for k, v in asdict(self).items() if k != "parts" or v}


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
    created_at: str = ""
    by: str = ""
    """Who made the change: the credentials' account when known, else the OS user."""
    client_version: str = ""
    base_revision: str = ""
    """The serving revision the canary was built on ("" when built on the template)."""
    base_template: dict[str, Any] = field(default_factory=dict)
    """run_v2.RevisionTemplate as JSON: the configuration that served, unpatched — what an
    abort's cleanup and `rollback` deploy so that LATEST resolves to it again."""
    service_before_pb: str = ""
    """`service_before` serialized, base64 (`drift.fix.wire`): what a rollback restores from,
    the fields this client does not know included ("" in entries of a drift before it: the
    JSON then)."""
    base_template_pb: str = ""
    """`base_template` serialized, base64, likewise."""
    on_template: bool = False
    writes: list[dict[str, Any]] = field(default_factory=list)
    kind: str = "service"
    """`service`, `job` or `worker_pool` (`service_before` is then a run_v2.Job or
    WorkerPool, updated in place: no canary, no tag)."""
    undone_by: str = ""  # the change whose forced rollback undid this one too
    backend: str = ""
    """Where the change was made (`drift.live.clients.backend`: the sandbox's address or Google
    Cloud's universe); a rollback from anywhere else is refused ("" in entries of a drift
    before it: not judged)."""
    withheld: list[dict[str, Any]] = field(default_factory=list)
    """The plain variables of `service_before`/`base_template` (and their bytes) whose value
    is a secret version's payload, recorded by the version's name instead of the value
    (`drift.fix.withheld`: written only when there is one, so other entries stay as older
    drifts read them)."""
    hidden: list[str] = field(default_factory=list)
    """`CONTAINER/VARIABLE` of the plain variables of `service_before`/`base_template` whose
    value the fix's plan never showed for no name or shape of its own (a password renamed:
    `drift.fix.masked`), so that a rollback masks it too; names only, never a value (written
    only when there is one)."""
    filled: bool = field(default=False, compare=False, repr=False)
    """Set when read: the `withheld` values were read again and put back (not stored)."""
    problem: str = field(default="", compare=False, repr=False)
    """Set when read: why the entry cannot be trusted (not stored)."""
    unreadable: bool = field(default=False, compare=False, repr=False)
    """Set when read: the file is not an entry drift can read (`problem` says why); only its
    name is known (not stored)."""
    source: str = field(default="", compare=False, repr=False)
    """Set when read: the file it was read from (not stored), which later records write
    again (an older drift named its files otherwise: see `Journal.file`)."""
    read_as: str = field(default="", compare=False, repr=False)
    """Set when read: the SHA-256 of the file's bytes (not stored): `Journal.again`."""
    keys: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    """Digests worked out of its content, by that content (`recorded.base_key`; not stored)."""

    @property
    def generation_before(self) -> int:
        return int(self.service_before.get("generation", 0) or 0)

    def last_write(self) -> Write | None:
        return Write.read(self.writes[-1]) if self.writes else None

    def landed_writes(self) -> list[Write]:
        return [Write.read(w) for w in self.writes if w.get("landed")]

    @property
    def wrote(self) -> bool:
        """Whether any write may have reached the service."""
        return any(w.get("landed") is not False for w in self.writes)

    def to_json(self) -> dict[str, Any]:
        data = {k: v if k in PARTS else _plain(v) for k, v in vars(self).items() if k in NAMES}
        withhold(data)  # no plain copy of a secret (SPEC safety invariant 1); PARTS: replaced
        for optional in ("withheld", "hidden"):  # as older drifts read the entry when empty
            if not data[optional]:
                del data[optional]
        return data

    @property
    def identity(self) -> tuple[str, str, str]:
        """What one entry is of: a change of one workload (its kind and resource name)."""
        return self.change_id, self.kind, self.full_name


UNSTORED = ("filled", "problem", "unreadable", "source", "read_as", "keys")
_STORED = tuple(f for f in fields(Entry) if f.name not in UNSTORED)
NAMES = {f.name for f in _STORED}


def _plain(value: Any) -> Any:
    """A deep copy of the entry's JSON values (every dict and list made anew; strings,
    numbers and the rest shared, as they cannot change): what `asdict` made of them,
    without its generic walk (`copy.deepcopy` of every leaf)."""
    if isinstance(value, dict):
        return {k: _plain(v) for k, v in value.items()}
    if isinstance(value, list):
        return [_plain(v) for v in value]
    return value


STATES = frozenset(v for k, v in vars(State).items() if k.isupper())
_SHAPE = entry_check(Entry, Write, STATES, [k.value for k in Kind])


def promoted(entry: Entry) -> bool:
    """Whether a promotion of the entry's canary was begun: from then on it may have served."""
    return any(step.get("state") in (State.PROMOTING, State.PROMOTED) for step in entry.history)


def may_have_served(entry: Entry) -> bool:
    """Whether the entry's canary may have held traffic: a promotion begun whose write is not
    recorded as not landed (one refused, or read back as someone else's alone, never served)."""
    return any(w.get("step") == "promotion" and w.get("landed") is not False for w in entry.writes)


class Journal:
    def __init__(self, directory: Path, named: Callable[[str], bool] | None = None) -> None:
        self.directory, self.named = directory, named
        """Which files `entries` reads (by name: `drift.fix.journalview`); None: every one."""
        self.again: Sequence[Entry] = ()
        """What an earlier read gave, changed since by `record` alone (a rollback's read
        under its locks): `entries` takes an entry of it that it trusted as it is, where
        its file holds the same bytes (their SHA-256, never a timestamp) and still matches
        its checksum, its file neither decoded nor judged again."""
        self.text = EntryText()

    def open(self) -> Journal:
        """Create the directory (and `.drift/.gitignore`): `drift.fix.journalfiles.create`."""
        create(self.directory)
        return self

    def record(self, entry: Entry, state: str, note: str = "") -> None:
        """Write the entry in its new state before the step it announces (JournalError: not)."""
        was, entry.state = entry.state, state
        # a note may quote a server's error, which may quote a secret, whole or cut (`echo`)
        note = redact.scrub(redact.mask(note, echo=True))
        entry.history.append({"at": now_text(), "state": state, "note": note})
        target = self.file(entry)
        try:  # to_json: SecretUnrecordable, a secret it cannot withhold (`withheld.withhold`)
            data = (self.text(entry.to_json()) + "\n").encode()  # json.dumps(indent=2, sorted)
            existing = target.read_bytes() if target.is_file() else None
            not_another(target, existing, entry.identity, entry.full_name)
            previous = digest(existing) if existing is not None else None
            new = digest(data)
            both = "\n".join(d for d in (previous, new) if d).encode()
            write_pair(target, data, both, new.encode())
        except (OSError, JournalError) as exc:  # the file is as it was: so is the entry
            entry.state = was
            entry.history.pop()
            if isinstance(exc, JournalError):
                raise
            raise JournalError(
                f"cannot write the journal entry {target}: {exc.strerror or exc}"
            ) from exc

    def begin(self, entry: Entry, state: str, note: str, write: Write) -> None:
        """Record a write about to be sent (its outcome unknown until `landed`)."""
        entry.writes.append(write.stored())
        try:
            self.record(entry, state, note)
        except JournalError:
            entry.writes.pop()  # not recorded: not begun
            raise

    def landed(
        self, entry: Entry, state: str, note: str, *, etag: str = "", generation: int = 0
    ) -> None:
        """Record how the last write ended: `etag`/`generation` read after it landed, or none."""
        last = entry.writes[-1]
        was = dict(last)
        last["landed"] = bool(etag)
        last["etag_after"], last["generation_after"] = etag, generation
        try:
            self.record(entry, state, note)
        except JournalError:
            last.update(was)  # as the file says: the outcome not recorded
            raise

    def file(self, entry: Entry) -> Path:
        """`CHANGE--KIND--NAME.json` (`--service--app`, `--job--app`): the kind stands in a
        place of its own, so a service `job-app` and a job `app` never share a file. An
        entry read from a file keeps it (an older drift wrote `CHANGE--NAME.json` for a
        service and `CHANGE--KIND-NAME.json` for the others)."""
        if entry.source:
            return Path(entry.source)
        return (
            self.directory / f"{_safe(entry.change_id)}--{entry.kind}--{_safe(entry.service)}.json"
        )

    def entries(self) -> list[Entry]:
        """Every entry, oldest change first; an entry that does not match its checksum (or
        has none) carries `problem`. A file that is not an entry as drift writes it (cut
        short, a field of the wrong type or shape) is one too, `unreadable`: its problem
        names the file (and the field); it stops only the rollback of its own change.
        Only the files `named` takes, each read alike; an entry of `again` as it is, where
        its file is as read."""
        try:
            blocker = file_in_the_way(self.directory)
        except OSError as exc:
            raise unreadable(self.directory, "the journal", exc) from exc
        if blocker is not None:
            what = f"{blocker} is {kind_of(blocker)}"
            raise JournalError(f"cannot read the journal {self.directory}: {what}, not a directory")
        trusted_directory(self.directory)
        out: list[Entry] = []
        kept = {e.source: e for e in self.again if e.read_as and not (e.problem or e.filled)}
        for path in listed(self.directory, ".json", "the journal", self.named):
            if why := untrusted_entry(path):  # never read: its content is not drift's
                out.append(_unreadable(path, why))
                continue
            try:
                raw, accepted = summed(path, entry_bytes)  # a pipe, a huge file: refused
                if (same := kept.get(str(path))) and _unchanged(same, path, raw, accepted):
                    out.append(same)
                    continue
                data = jsontext.loads(raw)
            except (OSError, ValueError, RecursionError) as exc:
                out.append(_unreadable(path, f"journal file {path} is unreadable: {exc}"))
                continue
            if why := foreign(data, SCHEMA):  # refused, never passed over: rollback needs it
                out.append(_unreadable(path, f"journal file {path}: {why}", data))
                continue
            try:
                _SHAPE(data, "")
            except Malformed as exc:  # never a TypeError later (invariant 7)
                out.append(_unreadable(path, f"journal file {path}: {exc}", data))
                continue
            if unknown := sorted(k for k in data if k not in NAMES):
                out.append(_unreadable(path, newer(path, unknown), data))
                continue
            entry = Entry(**{k: v for k, v in data.items() if k in NAMES})
            entry.problem, entry.source = checked(path, raw, data, accepted), str(path)
            entry.read_as = digest(raw)
            if not entry.problem:  # names drift prints, as a profile's (helper-646 O2)
                redact.register_public(entry.project, entry.region, entry.service)
            out.append(entry)
        return sorted(_one_each(out), key=lambda e: (e.change_id, e.service))


def _unchanged(entry: Entry, path: Path, raw: bytes, accepted: list[str] | None) -> bool:
    """Whether the trusted `entry`, read from `path` before, is what `raw` holds still, its
    checksum file taking it still (its names registered again, as a first read does)."""
    if entry.read_as != digest(raw) or checked(path, raw, {}, accepted):
        return False
    redact.register_public(entry.project, entry.region, entry.service)
    return True


def _one_each(entries: list[Entry]) -> list[Entry]:
    """One entry per change and workload. A drift before c693650 names a service's entry
    `CHANGE--NAME.json`: rolling back this drift's change, it records that there, beside
    `CHANGE--service--NAME.json` (same schema). The one recorded last stands for both (a
    rollback after the promotion: rolled back); one that cannot be trusted is kept too."""
    latest = {e.identity: e for e in sorted((e for e in entries if not e.problem), key=_last)}
    return [e for e in entries if e.problem] + list(latest.values())


def _last(entry: Entry) -> tuple[str, int, bool]:  # a tie: the restoration's record wins
    at = entry.history[-1].get("at", "") if entry.history else ""
    return at, len(entry.history), entry.state in ROLLBACK


def _unreadable(path: Path, problem: str, data: Any = None) -> Entry:
    """A file drift cannot read as an entry, known by its name (`CHANGE--KIND--NAME.json`, an
    older drift's `CHANGE--NAME.json`) and the `full_name` its JSON holds, if it parsed."""
    change, _, who = path.stem.partition("--")
    kind, _, name = who.partition("--")
    kinds, full = [k.value for k in Kind], named(data)
    entry = Entry(change, "", "", "", name if kind in kinds else who, full, "", {}, "", "", [])
    entry.kind = kind if kind in kinds else Kind.SERVICE.value
    entry.problem, entry.source, entry.unreadable = visible(problem), str(path), True
    return entry


def _safe(text: str) -> str:
    return "".join(c for c in text if c.isalnum() or c in "-_")
