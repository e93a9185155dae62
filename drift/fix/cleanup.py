"""The cleanup after a service's fix stops with a canary deployed (declined, canary failed,
Ctrl-C at the promotion prompt): the canary's tag removed and the routing that served put
back (`restore`), and what the fix says about where the service stands."""

from __future__ import annotations

from collections.abc import Callable

from drift.errors import JournalError
from drift.fix.context import Fixer, Stop
from drift.fix.journal import State
from drift.fix.restore import restore

CLEANUP = (State.CLEANING_UP, State.CLEANED_UP, State.CLEANUP_FAILED)


async def clean_up(fixer: Fixer, stop: Stop, journal_failed: Callable[[JournalError], str]) -> None:
    """Remove the canary of `fixer` after `stop`, and set its outcome's message and `where`.
    `journal_failed` says where things stand when the journal cannot take the cleanup."""
    outcome, change = fixer.outcome, fixer.change_id
    fixer.where = (
        f"{stop.message}; the canary {outcome.canary} was being removed (tag "
        f"{outcome.tag}); `drift rollback {change}` finishes it"
    )
    if stop.interrupted:
        fixer.ctx.ui.say(
            f"{stop.message}: removing the canary's tag and restoring the routing that "
            "served (Ctrl-C again stops this)"
        )
    try:
        done = await restore(
            fixer.ctx.session, fixer.ctx.journal, fixer.entry, step="cleanup", states=CLEANUP
        )
    except JournalError as exc:  # before the cleanup's write: nothing was written
        outcome.message = f"{stop.message}. {journal_failed(exc)}"
        return
    outcome.state = fixer.entry.state
    if done.refused:  # someone else wrote: undoing it is the operator's call
        outcome.message = (
            f"{stop.message}. drift left the canary {outcome.canary} as it is: {done.text}; "
            f"`drift rollback {change} --force` removes it and restores the routing that "
            "served (undoing their change too)"
        )
        fixer.where = outcome.message
    elif done.unjournaled:  # written, but the journal does not say how it ended
        did = (
            f"drift removed the canary's tag and restored the routing (what serves: {done.text})"
            if done.ok
            else f"removing the canary {outcome.canary} failed: {done.text}"
        )
        outcome.message = (
            f"{stop.message}. {did}, but {done.unjournaled}: the journal still says "
            f"{fixer.entry.state}; once it is writable, `drift rollback {change}` finds the "
            "service as it is and records it"
        )
        fixer.where = outcome.message
    elif done.ok:
        outcome.message = (
            f"{stop.message}. drift removed the canary's tag and restored the routing "
            f"(what serves: {done.text}); nothing is left to roll back"
        )
        fixer.where = (
            f"{stop.message}; cleaned up: the canary's tag is removed and the routing that "
            f"served is restored (what serves: {done.text}); nothing is left to roll back"
        )
    else:
        outcome.message = (
            f"{stop.message}. Removing the canary {outcome.canary} failed: {done.text}; "
            f"`drift rollback {change}` tries again"
        )
        fixer.where = outcome.message
