"""Which environment's default compute account a revision runs as, when it is named by its
project's number (`NUMBER-compute@developer.gserviceaccount.com`; RevisionTemplate
.service_account: "If not provided, the revision will use the project's default service
account"): only the projects' numbers tell. A read made for a comparison looks up only the
projects its references name (one call each, revcalls66 F2), so the two environments' own
numbers are looked up once both reads are in, and only when such an account's number is not
known yet (revcmp89 F4). Where one could not be looked up, such an account is not verified.

A plain value can name a project by its number alone too: a Cloud Run URL is
`https://SERVICE-PROJECT_NUMBER.REGION.run.app` (the "deterministic URL",
cloud.google.com/run/docs/triggering/https-request), so production calling staging's api by
its URL names staging only by number. The projects are looked up as well when a value of two
different projects' workloads holds a number no read placed (revcmp93 F1); where they could
not be, what such a value names is not verified either."""

from __future__ import annotations

import asyncio
import re

from drift.compare.model import SIDES, ServiceView, Unread
from drift.compare.rules import NAMES_PROJECT
from drift.live.session import Session
from drift.live.state import LiveState
from drift.profiles.model import Profile

_DEFAULT = re.compile(r"(\d+)-compute@developer\.gserviceaccount\.com")
_NUMBER = re.compile(r"(?<![A-Za-z0-9])\d{9,}(?![A-Za-z0-9])")
"""A run of digits that may be a project's number (in practice 12 digits; never fewer than
9 looked for, so that a port, a size or a count never costs a lookup)."""


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
    if a.project != b.project:  # one project's numbers name no other environment
        numbers |= {n for s in (state_a, state_b) for n in _value_numbers(s)}
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


def _value_numbers(state: LiveState) -> set[str]:
    """The numbers the plain values and the rows that can name a project (a VPC connector,
    `projects/{project}/…`, where "{project} can be project id or number",
    VpcAccess.connector) of `state`'s checked revisions hold."""
    out: set[str] = set()
    for svc in state.services.values():
        for r in svc.checked:
            texts = [str(r.config.settings.get(k) or "") for k in NAMES_PROJECT]
            texts += [
                v.value or "" for c in r.config.containers for v in c.env.values() if v.ref is None
            ]
            out.update(n for text in texts for n in _NUMBER.findall(text))
    return out


def unknown_accounts(
    projects: dict[str, str],
    views_a: dict[str, ServiceView],
    views_b: dict[str, ServiceView],
    why: str,
) -> list[Unread]:
    """A service both sides run whose revision runs as a default compute account by a number
    no read placed, or holds such a number in a plain value, when a lookup failed (`why`):
    whether it is the other environment's account or project is not known, never
    equivalent."""
    return [
        Unread(side, name, target, reason)
        for name in sorted(views_a.keys() & views_b.keys())
        for side, views in zip(SIDES, (views_a, views_b), strict=True)
        for target, reason in view_unplaced(projects, views[name], why)
    ]


def view_unplaced(projects: dict[str, str], view: ServiceView, why: str) -> list[tuple[str, str]]:
    """`unknown_accounts` of one view (a revision another split or tag reaches too): each
    target and why it is not verified."""
    if not why:
        return []
    out = []
    number = _number(view.settings.get("service_account"))
    if number and number not in projects:
        reason = (
            f"it runs as the default compute account of project number {number}, and "
            f"whether that is the other environment's could not be told: {why}"
        )
        out.append(("setting.service_account", reason))
    for setting in NAMES_PROJECT:
        held = _NUMBER.findall(str(view.settings.get(setting) or ""))
        if setting != "service_account" and [n for n in held if n not in projects]:
            reason = (
                f"it names project number {held[0]}, and whether that is the other "
                f"environment's could not be told: {why}"
            )
            out.append((f"setting.{setting}", reason))
    for key, var in view.env.items():
        unplaced = [n for n in _NUMBER.findall(var.value or "") if n not in projects]
        if key[1] == "env" and unplaced:
            reason = (
                "its value holds a number that may be a project's (not shown), and "
                f"whether it is the other environment's could not be told: {why}"
            )
            out.append((f"env.{var.name}", reason))
    return out
