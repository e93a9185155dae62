"""Which environment's default compute account a revision runs as, when it is named by its
project's number (`NUMBER-compute@developer.gserviceaccount.com`; RevisionTemplate
.service_account: "If not provided, the revision will use the project's default service
account"): only the projects' numbers tell. A read made for a comparison looks up only the
projects its references name (one call each, revcalls66 F2), so the two environments' own
numbers are looked up once both reads are in, and only when such an account's number is not
known yet (revcmp89 F4). Where one could not be looked up, such an account is not verified."""

from __future__ import annotations

import asyncio
import re

from drift.compare.model import SIDES, ServiceView, Unread
from drift.live.model import LiveState
from drift.live.session import Session
from drift.profiles.model import Profile

_DEFAULT = re.compile(r"(\d+)-compute@developer\.gserviceaccount\.com")


def _number(account: object) -> str:
    found = _DEFAULT.fullmatch(str(account or ""))
    return found.group(1) if found else ""


async def place_accounts(
    session: Session, a: Profile, b: Profile, state_a: LiveState, state_b: LiveState
) -> str:
    """Look both environments' projects up (their numbers recorded in each state's
    `projects`) when a checked revision runs as a default compute account by a number no read
    placed; why one could not be ("" when both were, or none was needed)."""
    known = {t for s in (state_a, state_b) for t in s.projects}
    numbers = {
        _number(r.config.service_account)
        for s in (state_a, state_b)
        for svc in s.services.values()
        for r in svc.checked
    }
    if not numbers - known - {""}:
        return ""
    if a.project == b.project:
        why = await session.own_project(a.project, state_a)
        state_b.projects.update(state_a.projects)
        return why
    whys = await asyncio.gather(
        session.own_project(a.project, state_a), session.own_project(b.project, state_b)
    )
    return "; ".join(w for w in whys if w)


def unknown_accounts(
    projects: dict[str, str],
    views_a: dict[str, ServiceView],
    views_b: dict[str, ServiceView],
    why: str,
) -> list[Unread]:
    """A service both sides run whose revision runs as a default compute account by a number
    no read placed, when a lookup failed (`why`): whether it is the other environment's
    account is not known, never equivalent."""
    if not why:
        return []
    out = []
    for name in sorted(views_a.keys() & views_b.keys()):
        for side, views in zip(SIDES, (views_a, views_b), strict=True):
            number = _number(views[name].settings.get("service_account"))
            if number and number not in projects:
                reason = (
                    f"it runs as the default compute account of project number {number}, and "
                    f"whether that is the other environment's could not be told: {why}"
                )
                out.append(Unread(side, name, "setting.service_account", reason))
    return out
