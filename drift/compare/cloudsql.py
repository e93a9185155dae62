"""The Cloud SQL instances two environments' counterpart workloads connect to (the
`cloudsql_instances` row, drift/fields/cloudsql.py: each an instance connection name,
PROJECT_ID:REGION:INSTANCE_ID, "Connecting to Cloud SQL from Cloud Run",
cloud.google.com/sql/docs/mysql/connect-run), compared as a set whatever volume holds them:

- `value.shared`: an instance both sides' service, job or worker pool connect to (staging on
  production's database), whichever project it is in: a database is state, never parity;
- `value.foreign`: an instance of one side that names the other side's project or environment
  (`acme-prod:us-central1:orders` in staging; `markers.mentions`, its `:` a separator of ids),
  one not already said shared.

Only between two deployments (`Context.same_deployment`), as every value that should differ:
two environments of one project and region read the same workloads (e2e built on staging), and
sharing is what they mean. Two regions of one project are two deployments, whose sharing the
project is said (`deployment.shared_project`), and one instance both use is said too, as the
very same secret both reference is `secret.shared`: the project's name is no side's marker then,
so an instance of it is never foreign."""

from __future__ import annotations

from drift.compare.model import SIDES, Difference, Kind, ServiceView, Side
from drift.compare.sides import Sides
from drift.fields import FIELDS, SettingValue
from drift.fields.lists import items

SETTING = "cloudsql_instances"
TARGET = f"setting.{SETTING}"


def instances(value: SettingValue | None) -> list[str]:
    """The instances a view's value holds (none where it states none, or no value)."""
    return items(value) if isinstance(value, str) else []


def shown(value: SettingValue | None) -> str | None:
    """The value as every output shows it (`none`), None where the side has no value."""
    return None if value is None else FIELDS[SETTING].shown(value)


def compared(ctx: Sides, a: ServiceView, b: ServiceView) -> list[Difference]:
    """What two counterpart workloads' Cloud SQL instances say: those both connect to, and
    each side's (not shared) that names the other side."""
    value_a, value_b = a.settings.get(SETTING), b.settings.get(SETTING)
    both = (shown(value_a), shown(value_b))
    mine_b = {i.lower() for i in instances(value_b)}
    shared = [i for i in instances(value_a) if i.lower() in mine_b]
    # whose database it is, where its name tells (production's, in both)
    whose = [_whose(ctx, i) for i in shared]
    out = []
    if shared:
        out.append(
            Difference(
                Kind.VALUE_SHARED,
                a.name,
                TARGET,
                f"{a.name} connects to Cloud SQL {_instance(whose)} in both "
                f"{ctx.a.environment} and {ctx.b.environment}",
                *both,
            )
        )
    said = {i.lower() for i in shared}
    for side, value in zip(SIDES, (value_a, value_b), strict=True):
        rest = [i for i in instances(value) if i.lower() not in said]
        out += foreign(ctx, side, a.name, rest, ctx.env(side).environment, both)
    return out


def elsewhere(
    ctx: Sides, side: Side, main: ServiceView, other: ServiceView, where: str
) -> list[Difference]:
    """`foreign` of another revision `side` serves or tags (`where`: which, and how it is
    reached): its instances the compared revision (`main`) does not connect to (said there)."""
    value = other.settings.get(SETTING)
    seen = {i.lower() for i in instances(main.settings.get(SETTING))}
    rest = [i for i in instances(value) if i.lower() not in seen]
    both = (shown(value), None) if side == "a" else (None, shown(value))
    return foreign(ctx, side, main.name, rest, where, both)


def foreign(
    ctx: Sides,
    side: Side,
    service: str,
    connected: list[str],
    where: str,
    both: tuple[str | None, str | None],
) -> list[Difference]:
    """`value.foreign`, one for the row, when an instance of `connected` (of `side`, in
    `where`) names the other side's project or environment."""
    named = [(i, found) for i in connected if (found := ctx.names_other(side, i))]
    if not named:
        return []
    said = "; ".join(f"{_instance([i])}, which names {found}" for i, found in named)
    return [
        Difference(
            Kind.VALUE_FOREIGN,
            service,
            TARGET,
            f"{service} in {where} connects to Cloud SQL {said}",
            *both,
            side,
        )  # fmt: skip
    ]


def _whose(ctx: Sides, instance: str) -> str:
    """`instance`, with the environment or project of either side it names."""
    named = ctx.names_other("a", instance) or ctx.names_other("b", instance)
    return f"{instance} ({named})" if named else instance


def _instance(names: list[str]) -> str:
    return ("instance " if len(names) == 1 else "instances ") + ", ".join(names)
