"""What two environments say as deployments, whatever their variables: reading one project
and region (meant when one profile is built on the other, e2e on staging; else a copy never
edited), sharing a project, and naming services that are in neither (each side's reason)."""

from __future__ import annotations

from typing import Protocol

from drift.compare.model import SIDES, Difference, Kind, Side, Unread
from drift.findings import Scope


class Context(Protocol):
    """What of `drift.compare.rules.Context` these read (which imports this module)."""

    a: Scope
    b: Scope
    same_deployment: bool
    built_on: bool
    absent: dict[Side, dict[str, str]]
    nowhere: list[str]

    def env(self, side: Side) -> Scope: ...


def notes(ctx: Context) -> tuple[str, ...]:
    """Said of one deployment that one profile is built on: shared values are expected."""
    if ctx.same_deployment and ctx.built_on:
        return (
            f"{ctx.a.environment} and {ctx.b.environment} both read {ctx.a.where}: the same "
            "services, so shared values are expected and not looked for",
        )
    return ()


def shared_project(ctx: Context) -> list[Difference]:
    """`value.shared` on `project`: two environments, neither built on the other, that read
    the very same services (a profile copied and not edited is never "equivalent":
    helper-531 HIGH-1), or two deployments of one project (its secrets, IAM and quotas)."""
    a, b = ctx.a, ctx.b
    if ctx.same_deployment and not ctx.built_on:
        message = (
            f"{a.environment} and {b.environment} both read {a.where}: one deployment, not "
            "two, and neither profile extends the other (set each environment's own project "
            "or region, or build one on the other with extends)"
        )
        return [Difference(Kind.VALUE_SHARED, None, "project", message, a.where, b.where)]
    if not ctx.same_deployment and a.project == b.project:
        message = (
            f"{a.environment} and {b.environment} share project {a.project} (its secrets, IAM "
            "and quotas)"
        )
        return [Difference(Kind.VALUE_SHARED, None, "project", message, a.project, b.project)]
    return []


def nowhere_notes(ctx: Context) -> list[str]:
    """Why each service of `nowhere` was not compared, in a note: both environments agree on
    it (it is in neither), while others were compared."""
    return [
        f"{name} was not compared: it is in neither environment ({ctx.a.environment}: "
        f"{ctx.absent['a'].get(name, 'absent')}; {ctx.b.environment}: "
        f"{ctx.absent['b'].get(name, 'absent')})"
        for name in ctx.nowhere
    ]


def nowhere_unread(ctx: Context) -> list[Unread]:
    """Each service of `nowhere`, on each side, with why it is not there, when no service at
    all was compared: never "equivalent" nor exit 0 (helper-531 MEDIUM-1: both profiles
    naming the wrong region was "nothing to compare", exit 0)."""
    return [
        Unread(side, name, "service", f"not compared: {why} (nor in the other environment)")
        for name in ctx.nowhere
        for side in SIDES
        if (why := ctx.absent[side].get(name, f"not in {ctx.env(side).environment}"))
    ]
