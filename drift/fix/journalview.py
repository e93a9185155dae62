"""The journal's entries read as they are asked for: those of one change, the newest of one
workload, or all. A journal is never pruned (a year of an on-call team's fixes is thousands of
entries of 13-20 KB), and reading an entry is decoding and judging it all (its shape, its
checksum): `drift check` and `drift history` ask only of the changes whose canaries they list,
`drift fix` of those and of the workloads it writes, so each reads what it asks for alone,
whatever the journal's length; `drift rollback CHANGE` reads the change's workloads' history
(`change_and_workloads`), not every service's.

A file is found by the name drift gives it (`Journal.file`: `CHANGE--KIND--NAME.json`, an older
drift's `CHANGE--NAME.json` or `CHANGE--KIND-NAME.json`), then read as `Journal.entries` reads
every one, and taken only when what it holds is what was asked: a file someone renamed is
found under its name alone (`drift rollback CHANGE` reads every file once it finds a workload
changed since with no later change of drift's among its files: `rollback_check.check`). A
journal that cannot be read is one with no entries here, as `drift.fix.served.journal_entries`
says of it (what these callers say then comes from what serves)."""

from __future__ import annotations

from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, overload

from drift.errors import DriftError

if TYPE_CHECKING:
    from drift.fix.journal import Entry

# drift.fix.journal is imported when an entry is first read: `drift check` makes a view for
# every run and asks it only of a canary its histories list (`drift.fix.served`)


class JournalView(Sequence["Entry"]):
    """The entries of the journal in `directory` (a `Sequence`: all of them, read at the first
    use as such), and those of one change or workload, each read once, when first asked."""

    def __init__(self, directory: Path) -> None:
        self.directory = directory
        self._all: list[Entry] | None = None
        self._changes: dict[str, list[Entry]] = {}
        self._newest: dict[tuple[str, str], Entry | None] = {}
        self._listed: list[str] | None = None

    def _read(self, named: Callable[[str], bool] | None = None) -> list[Entry]:
        from drift.fix.journal import Journal

        try:
            return Journal(self.directory, named).entries()
        except DriftError:
            return []

    def all(self) -> list[Entry]:
        """Every entry, as `Journal.entries` reads them."""
        if self._all is None:
            self._all = self._read()
        return self._all

    def change(self, change_id: str) -> list[Entry]:
        """The entries of change `change_id` (its files: `CHANGE--…`)."""
        if self._all is not None:
            return [e for e in self._all if e.change_id == change_id]
        if change_id not in self._changes:
            prefix = f"{change_id}--"
            found = self._read(lambda name: name.startswith(prefix))
            self._changes[change_id] = [e for e in found if e.change_id == change_id]
        return self._changes[change_id]

    def newest(self, kind: str, full_name: str) -> Entry | None:
        """The trusted entry of workload `full_name` of the latest change that has one (in the
        order of their ids, the order changes began: `drift.live.changeids.new_change_id`),
        its files read latest change first until one is."""
        key = (kind, full_name)
        if key in self._newest:
            return self._newest[key]
        if self._all is not None:
            self._newest[key] = latest(self._all, kind, full_name)
            return self._newest[key]
        by_change: dict[str, set[str]] = {}
        mine = file_names(kind, full_name)
        for name in self._names():
            change, _, rest = name.removesuffix(".json").partition("--")
            if rest in mine:
                by_change.setdefault(change, set()).add(name)
        found = None
        for change in sorted(by_change, reverse=True):
            files = by_change[change]
            if found := latest(self._read(files.__contains__), kind, full_name):
                break
        self._newest[key] = found
        return found

    def _names(self) -> list[str]:
        """The names of the journal's entry files, listed once."""
        from drift.fix.journalfiles import listed

        if self._listed is None:
            try:
                self._listed = [p.name for p in listed(self.directory, ".json", "the journal")]
            except DriftError:
                self._listed = []
        return self._listed

    def __iter__(self) -> Iterator[Entry]:
        return iter(self.all())

    def __len__(self) -> int:
        return len(self.all())

    @overload
    def __getitem__(self, index: int) -> Entry: ...

    @overload
    def __getitem__(self, index: slice) -> Sequence[Entry]: ...

    def __getitem__(self, index: int | slice) -> Entry | Sequence[Entry]:
        return self.all()[index]


def file_names(kind: str, full_name: str) -> tuple[str, ...]:
    """What follows `CHANGE--` in the names of the workload's files, this drift's and an
    older drift's (`Journal.file`)."""
    name = "".join(c for c in full_name.rsplit("/", 1)[-1] if c.isalnum() or c in "-_")
    older = name if kind == "service" else f"{kind}-{name}"
    return f"{kind}--{name}", older


def change_and_workloads(directory: Path, change_id: str) -> Callable[[str], bool] | None:
    """Which files `drift rollback CHANGE` reads (`Journal.named`): the change's, and
    its workloads' (every later change of theirs is judged against it: `drift.fix.since`);
    None, every file, where the change has none here or one that cannot be read (what is said
    then names the others)."""
    from drift.fix.journal import Journal

    prefix = f"{change_id}--"
    found = Journal(directory, lambda name: name.startswith(prefix)).entries()
    if not found or any(e.unreadable for e in found):
        return None
    theirs = {rest for e in found for rest in file_names(e.kind, e.full_name)}

    def named(name: str) -> bool:
        return name.startswith(prefix) or name.removesuffix(".json").partition("--")[2] in theirs

    return named


def latest(entries: Sequence[Entry], kind: str, full_name: str) -> Entry | None:
    """The trusted entry of workload `full_name` of the latest change among `entries`."""
    mine = [e for e in entries if (e.kind, e.full_name) == (kind, full_name) and not e.problem]
    return max(mine, key=lambda e: (e.change_id, e.created_at)) if mine else None


def of_change(entries: Sequence[Entry], change_id: str) -> Sequence[Entry]:
    """The entries of change `change_id` among `entries` (a view reads those alone)."""
    if isinstance(entries, JournalView):
        return entries.change(change_id)
    return [e for e in entries if e.change_id == change_id]


def newest_of(entries: Sequence[Entry], kind: str, full_name: str) -> Entry | None:
    """`latest` of `entries` (a view reads the workload's files, latest change first)."""
    if isinstance(entries, JournalView):
        return entries.newest(kind, full_name)
    return latest(entries, kind, full_name)
