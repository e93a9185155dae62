"""What `drift rollback CHANGE` (the journal alone) leaves of a change the journal holds only in
part (helper-771 R3). A rollback from the live services (`drift.fix.recover`) journals a
service's rebuilt entry (`recover_entry.rebuilt`) once it writes it: the services it was not
asked (`--service`), or left refused, are in no journal, and may still carry the change's
canary, their traffic pinned. Rolled back from the journal, only its entries are known: once
those are rolled back, "nothing left to roll back" (exit 0) would make a change half rolled
back look done. So, before anything is written, the services where those entries are (the
journal's project and region) are listed once: those that carry the canary are named, with
the command that rolls them back, and the rollback exits 4, as one that leaves a service not
serving what served before does (SPEC invariant 10). A list that cannot be read says so,
with the same command, and exits 4 too: incomplete never looks clean."""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

from drift.errors import DriftError, ExitCode
from drift.fix.journal import Entry, Journal
from drift.fix.journalfiles import listed
from drift.fix.recover import canary_of
from drift.fix.recover_entry import rebuilt
from drift.fix.rollback_restore import RollbackResult
from drift.live.backendid import elsewhere
from drift.live.clients import backend
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.settings import Settings
from drift.textsafe import visible
from drift.yamlfile import display_path


async def left_live(
    settings: Settings,
    change_id: str | None,
    services: Sequence[str] | None,
    live: Profile | None,
) -> str:
    """What a rollback of `change_id` (the latest: None) from the journal alone leaves of it
    ("" where the journal holds all of it, or what it holds was not rebuilt from the live
    services; where the rollback is of `services` alone, or rebuilt from `live`, which reads
    every service of the profile itself): the services that still carry its canary, and the
    command that rolls them back."""
    if live is not None or services:
        return ""
    try:
        held = _held(settings.journal(), change_id)
    except DriftError:  # the rollback reads it again, and says why it cannot
        return ""
    change = held[0].change_id if held else ""
    if not held or not all(rebuilt(e) for e in held):
        return ""
    if any(elsewhere(e.backend, backend()) for e in held):  # the rollback stops, saying so
        return ""
    first, names = held[0], list(dict.fromkeys(e.service for e in held))
    command = f"drift rollback {visible(change)} --from-live {visible(first.environment)}"
    if Path(settings.profiles_dir).resolve() != Path("profiles").resolve():
        command += f" --profiles {visible(display_path(Path(settings.profiles_dir)))}"
    command += f" --project {visible(first.project)} --region {visible(first.region)}"
    holds = (
        f"the journal holds only {', '.join(names)} of change {visible(change)} (rebuilt from "
        "the live services by `--from-live`, which journals only the services it writes)"
    )
    try:
        async with Session(settings.access()) as session:
            found = await session.list_services(first.project, first.region)
    except DriftError as exc:
        return (
            f"{holds}; whether another service of {visible(first.environment)} still carries "
            f"its canary cannot be told ({exc.message}): `{command}` rolls back any that does"
        )
    left = [n for n, s in found.items() if n not in names and canary_of(n, s, change)[0]]
    if not left:
        return ""
    carry = "carries" if len(left) == 1 else "carry"
    return (
        f"not rolled back: {visible(', '.join(left))} still {carry} the canary of change "
        f"{visible(change)}; {holds}: `{command}` rolls "
        f"{'it' if len(left) == 1 else 'them'} back"
    )


def _held(directory: Path, change_id: str | None) -> list[Entry]:
    """The entries of `change_id` (the latest: None), its own files alone: those of its
    workloads' other changes are the rollback's to read (a year of journal read twice doubled
    a rollback's CPU: `make bench`). The latest is named by the newest file's change; where an
    entry there says another (a file renamed), every file is read, as the rollback picks."""
    if change_id is None:
        names = listed(directory, ".json", "the journal")
        change_id = names[-1].name.partition("--")[0] if names else ""
        held = _of(directory, change_id) if change_id else []
        if held and all(e.change_id == change_id for e in held):
            return held
        entries = Journal(directory).entries()
        change_id = entries[-1].change_id if entries else ""
        return [e for e in entries if e.change_id == change_id]
    return _of(directory, change_id)


def _of(directory: Path, change_id: str) -> list[Entry]:
    prefix = f"{change_id}--"
    entries = Journal(directory, lambda name: name.startswith(prefix)).entries()
    return [e for e in entries if e.change_id == change_id]


def with_left(left: str, result: RollbackResult) -> RollbackResult:
    """`result`, with what `left_live` found left said: never exit 0 then, nor "nothing
    left to roll back" where the journal had nothing of it left."""
    if not left:
        return result
    if result.exit_code is ExitCode.OK and not (result.restored or result.as_before):
        result.message = (
            f"change {visible(result.change_id)}: nothing of it is left in the journal to roll back"
        )
    result.notes.append(left)
    result.exit_code = ExitCode.ABORTED
    return result
