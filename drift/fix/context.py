"""What one fix works with: the prompt UI it asks through, its options, the context its steps
share, what each service ends with, and the request of its first write (the canary's)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Protocol

from drift.errors import JournalError
from drift.findings import ProbeResult
from drift.fix.base import Base
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.model import ServicePlan
from drift.fix.patch import canary_traffic, patched_template
from drift.fix.saved import SavedPlan
from drift.live.model import LiveService
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.settings import Settings


class FixUI(Protocol):
    def show_plan(self, plan: Any) -> None: ...
    def confirm(self, question: str) -> bool: ...
    def say(self, text: str) -> None: ...


@dataclass(frozen=True)
class FixOptions:
    yes: bool = False
    dry_run: bool = False
    verify: bool = True
    promote: bool = True
    from_template: bool = False
    saved: SavedPlan | None = None
    """`--plan FILE`: apply exactly that plan (its services and options), or nothing."""
    only: tuple[str, ...] = ()
    """`--only ID…`: the changes of the plan to apply (empty: all)."""


@dataclass
class ServiceOutcome:
    service: str
    canary: str
    tag: str
    state: str
    live_probe: ProbeResult | None = None
    canary_probe: ProbeResult | None = None
    confirmed: bool | None = None
    tag_url: str = ""
    message: str = ""
    aborted: bool = False
    interrupted: bool = False
    """Ctrl-C stopped it (after the cleanup, the fix ends as interrupted)."""


class Stop(Exception):
    """The fix of a service stops here; `cleanup` when a canary may exist to be removed;
    `interrupted` when Ctrl-C stopped it."""

    def __init__(
        self,
        message: str,
        state: str = State.ABORTED,
        *,
        cleanup: bool = False,
        interrupted: bool = False,
    ):
        super().__init__(message)
        self.message = message
        self.state = state
        self.cleanup = cleanup
        self.interrupted = interrupted


def journal_first(
    ctx: Context, name: str, entry: Entry, state: str, note: str, write: Write
) -> None:
    """Record a write before it is made; a journal that cannot take it stops the fix before
    anything changes."""
    try:
        ctx.journal.begin(entry, state, note, write)
    except JournalError as exc:
        raise Stop(f"{name}: {exc.message}: nothing was changed") from exc


@dataclass
class Context:
    profile: Profile
    settings: Settings
    ui: FixUI
    options: FixOptions
    session: Session
    journal: Journal
    environ: dict[str, str]


def canary_request(
    live: LiveService, sp: ServicePlan, base: Base, container: str | None, canary: str, tag: str
) -> Any:
    """The service as read, its template the configuration that serves plus the plan under
    the canary's name, and today's traffic pinned with a 0 % tag on the canary."""
    request = patched_template(live.source, sp, container, base.template)
    request.template.revision = canary
    request.traffic = canary_traffic(live.source, canary, tag)
    return request
