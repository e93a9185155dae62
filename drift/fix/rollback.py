"""`drift rollback`: restore the service template and traffic a change's journal recorded."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from drift.errors import Aborted, ApiError
from drift.fix.apply import FixUI
from drift.fix.journal import Entry, Journal, State
from drift.fix.patch import copy_service
from drift.fix.update import get_service, update_service
from drift.live.session import Session
from drift.settings import Settings

SKIP = {State.ROLLED_BACK: "already rolled back", State.PLANNED: "nothing was written"}


@dataclass
class RollbackResult:
    change_id: str
    restored: list[str] = field(default_factory=list)
    skipped: list[str] = field(default_factory=list)


async def run_rollback(
    settings: Settings, ui: FixUI, change_id: str | None, *, yes: bool
) -> RollbackResult:
    journal = Journal(settings.journal_dir)
    entries = journal.change(change_id)
    result = RollbackResult(entries[0].change_id)
    todo: list[Entry] = []
    for entry in entries:
        why = SKIP.get(entry.state)
        if entry.state == State.ABORTED and not _wrote(entry):
            why = "aborted before anything was written"
        if why:
            result.skipped.append(f"{entry.service}: {why}")
            ui.say(f"{entry.service}: skipped ({why})")
        else:
            todo.append(entry)
            ui.say(
                f"{entry.service}: restore the template and traffic from before change "
                f"{entry.change_id} (state: {entry.state}; changed: {', '.join(entry.changes)})"
            )
    if not todo:
        return result
    if not yes and not ui.confirm(
        f"Roll back change {result.change_id} on {', '.join(e.service for e in todo)}?"
    ):
        raise Aborted("declined: nothing was changed")
    async with Session(settings.access()) as session:
        for entry in todo:
            await _restore(session, journal, entry)
            result.restored.append(entry.service)
            ui.say(f"{entry.service}: restored")
    return result


def _wrote(entry: Entry) -> bool:
    return any(
        h["state"] in (State.CANARY_READY, State.PROMOTING, State.PROMOTED, State.CANARY_FAILED)
        for h in entry.history
    )


def restore_request(current: Any, entry: Entry) -> Any:
    """The service as it is now, with the template and traffic recorded before the change."""
    from google.cloud import run_v2

    before = run_v2.Service.from_json(_dumps(entry.service_before), ignore_unknown_fields=True)
    restore = copy_service(current)
    restore.template = before.template
    restore.template.revision = ""  # a new revision with the old configuration
    restore.traffic = list(before.traffic)
    if "setting.ingress" in entry.changes:
        restore.ingress = before.ingress
    del restore.traffic_statuses[:]
    return restore


async def _restore(session: Session, journal: Journal, entry: Entry) -> None:
    name = entry.full_name
    try:
        current = await get_service(session, name)
    except ApiError as exc:
        raise Aborted(
            f"{entry.service}: cannot read the service to restore it ({exc.reason}); nothing "
            "was changed: run `drift rollback` again"
        ) from exc
    restore = restore_request(current, entry)
    journal.record(entry, State.ROLLING_BACK, f"restoring the template from {entry.etag_before}")
    try:
        await update_service(session, restore)
    except ApiError as exc:
        # The answer or the operation may be what was lost: the service tells.
        try:
            now = await get_service(session, name)
        except ApiError:
            now = None
        if now is None or not _restored(now, restore):
            journal.record(entry, State.ROLLBACK_FAILED, exc.reason)
            raise Aborted(
                f"{entry.service}: rollback failed: {exc.reason}; run `drift rollback "
                f"{entry.change_id}` again"
            ) from exc
    journal.record(entry, State.ROLLED_BACK, "template and traffic restored")


def _restored(now: Any, restore: Any) -> bool:
    """Whether the service carries the restored template and traffic (its new revision's
    name aside)."""
    from google.cloud import run_v2

    template = run_v2.RevisionTemplate.serialize(now.template)
    wanted = run_v2.RevisionTemplate.serialize(restore.template)
    named = run_v2.RevisionTemplate.deserialize(template)
    named.revision = ""
    return run_v2.RevisionTemplate.serialize(named) == wanted and [
        run_v2.TrafficTarget.serialize(t) for t in now.traffic
    ] == [run_v2.TrafficTarget.serialize(t) for t in restore.traffic]


def _dumps(data: dict[str, Any]) -> str:
    import json

    return json.dumps(data)
