"""The resources two environments must not share: the state their counterpart workloads
(services, jobs, worker pools) reach, one row of `SHARED` per setting, each compared as a set
whatever volume holds it:

- `cloudsql_instances` (drift/fields/cloudsql.py): Cloud SQL instances by connection name,
  PROJECT_ID:REGION:INSTANCE_ID ("Connecting to Cloud SQL from Cloud Run",
  cloud.google.com/sql/docs/mysql/connect-run), which names the project holding it;
- `storage_buckets`, `nfs_shares` (drift/fields/storage.py): the Cloud Storage buckets and NFS
  shares (SERVER:/PATH) its volumes mount. A bucket's name names no project (one namespace
  for all, cloud.google.com/storage/docs/buckets#naming), nor does a share.

What a row says:

- `value.shared`: an item both sides' counterpart uses (staging on production's database,
  bucket or share), whichever project holds it: state is never parity. An NFS server is
  compared as written (by its address): the same private address in two environments' own
  networks is said shared too, as an equal address in a variable is (`points_at_backend`);
- `value.foreign`: an item of one side, not already said shared, that is in the other side's
  project (its `project` part, where its form has one) or names the other side's project or
  environment (`acme-prod:us-central1:orders`, `acme-prod-uploads`, `10.0.0.2:/prod` in
  staging; `markers.mentions`, as for every other value).

Only between two deployments (`Context.same_deployment`), as every value that should differ:
two environments of one project and region read the same workloads (e2e built on staging), and
sharing is what they mean. Two regions of one project are two deployments, whose sharing the
project is said (`deployment.shared_project`), and one item both use is said too, as the very
same secret both reference is `secret.shared`: the project's name is no side's marker then,
so an item of it is never foreign."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from drift.compare.model import SIDES, Difference, Kind, ServiceView, Side
from drift.compare.sides import Sides, other_side
from drift.fields import FIELDS, SettingValue
from drift.fields.lists import items
from drift.fields.storage import split_mode
from drift.fields.storage_names import share_key


def _instance_project(instance: str) -> str:
    """The project of PROJECT:REGION:INSTANCE (a domain-scoped one, `example.com:p`, whole)."""
    return instance.rsplit(":", 2)[0] if instance.count(":") >= 2 else ""


def _mounted(value: str) -> list[str]:
    """The buckets (shares) of a value, whatever mode each is mounted in (`bucket:ro`): one
    mounted read-only by one side and read-write by the other is still one both reach."""
    return [split_mode(i)[0] for i in items(value)]


@dataclass(frozen=True)
class Resource:
    """One row: a setting whose items two environments must not share, and its words."""

    setting: str
    verb: str
    """What a workload does with an item (`connects to`)."""
    noun: str
    """What an item is called (`Cloud SQL instance`; plural with an `s`)."""
    project: Callable[[str], str] = lambda _: ""
    """The project an item names by its form ("": none)."""
    key: Callable[[str], str] = str.lower
    """An item as compared (two spellings of one item, one key)."""
    split: Callable[[str], list[str]] = items
    """The items of the setting's value (a compared text, `lists.joined`)."""

    @property
    def target(self) -> str:
        return f"setting.{self.setting}"

    def of(self, value: SettingValue | None) -> list[str]:
        """The items a view's value holds (none where it states none, or no value)."""
        return self.split(value) if isinstance(value, str) else []

    def keys(self, value: SettingValue | None) -> set[str]:
        return {self.key(i) for i in self.of(value)}

    def named(self, names: list[str]) -> str:
        return f"{self.noun}{'' if len(names) == 1 else 's'} " + ", ".join(names)


SHARED = (
    Resource("cloudsql_instances", "connects to", "Cloud SQL instance", _instance_project),
    Resource("storage_buckets", "mounts", "Cloud Storage bucket", split=_mounted),
    Resource("nfs_shares", "mounts", "NFS share", key=share_key, split=_mounted),
)


def _shown(row: Resource, value: SettingValue | None) -> str | None:
    """The value as every output shows it (`none`), None where the side has no value."""
    return None if value is None else FIELDS[row.setting].shown(value)


def compared(ctx: Sides, a: ServiceView, b: ServiceView) -> list[Difference]:
    """What two counterpart workloads' rows say: the items both use, and each side's (not
    shared) that are the other side's."""
    return [d for row in SHARED for d in _compared(ctx, row, a, b)]


def _compared(ctx: Sides, row: Resource, a: ServiceView, b: ServiceView) -> list[Difference]:
    value_a, value_b = a.settings.get(row.setting), b.settings.get(row.setting)
    both = (_shown(row, value_a), _shown(row, value_b))
    theirs = row.keys(value_b)
    shared = [i for i in row.of(value_a) if row.key(i) in theirs]
    out = []
    if shared:
        # whose it is, where its form or name tells (production's, in both)
        whose = [_whose(ctx, row, i) for i in shared]
        out.append(
            Difference(
                Kind.VALUE_SHARED,
                a.name,
                row.target,
                f"{a.name} {row.verb} {row.named(whose)} in both {ctx.a.environment} and "
                f"{ctx.b.environment}",
                *both,
            )
        )
    said = {row.key(i) for i in shared}
    for side, value in zip(SIDES, (value_a, value_b), strict=True):
        rest = [i for i in row.of(value) if row.key(i) not in said]
        out += _foreign(ctx, row, side, a.name, rest, ctx.env(side).environment, both)
    return out


def elsewhere(
    ctx: Sides, side: Side, main: ServiceView, other: ServiceView, where: str
) -> list[Difference]:
    """`value.foreign` of another revision `side` serves or tags (`where`: which, and how it is
    reached): its items the compared revision (`main`) does not use (said there)."""
    out = []
    for row in SHARED:
        value = other.settings.get(row.setting)
        seen = row.keys(main.settings.get(row.setting))
        rest = [i for i in row.of(value) if row.key(i) not in seen]
        both = (_shown(row, value), None) if side == "a" else (None, _shown(row, value))
        out += _foreign(ctx, row, side, main.name, rest, where, both)
    return out


def _foreign(
    ctx: Sides,
    row: Resource,
    side: Side,
    service: str,
    used: list[str],
    where: str,
    both: tuple[str | None, str | None],
) -> list[Difference]:
    """`value.foreign`, one for the row, when an item of `used` (of `side`, in `where`) is the
    other side's."""
    named = [(i, found) for i in used if (found := _theirs(ctx, row, side, i))]
    if not named:
        return []
    said = "; ".join(f"{row.named([i])}, which names {found}" for i, found in named)
    return [
        Difference(
            Kind.VALUE_FOREIGN,
            service,
            row.target,
            f"{service} in {where} {row.verb} {said}",
            *both,
            side,
        )  # fmt: skip
    ]


def _theirs(ctx: Sides, row: Resource, side: Side, item: str) -> str | None:
    """The other side's project or environment, as a message names it, when `item` (of
    `side`) is in that project (its form says) or names it."""
    if _owner(ctx, row.project(item)) == other_side(side):
        other = ctx.env(other_side(side))
        return f"{other.environment}'s project {other.project}"
    return ctx.names_other(side, item)


def _owner(ctx: Sides, project: str) -> Side | None:
    """The one side whose project `project` is (None: neither's, or both's)."""
    owners = [s for s in SIDES if project and ctx.env(s).project.lower() == project.lower()]
    return owners[0] if len(owners) == 1 else None


def _whose(ctx: Sides, row: Resource, item: str) -> str:
    """`item`, with the project of either side it is in (its form says), or the environment
    or project it is named for (a bucket's name says nothing of where it is)."""
    owner = _owner(ctx, row.project(item))
    if owner is not None:
        env = ctx.env(owner)
        return f"{item} ({env.environment}'s project {env.project})"
    named = ctx.names_other("a", item) or ctx.names_other("b", item)
    return f"{item} (named for {named})" if named else item
