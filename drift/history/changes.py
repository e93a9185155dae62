"""What one revision changed against the one before it: variables added, removed or changed
(masked exactly as findings mask them), secret references repointed (in env and in mounts, in
every container), settings from the catalogue, and images. No secret value is ever read."""

from __future__ import annotations

from collections.abc import Callable, Collection, Iterable, Iterator
from typing import TYPE_CHECKING

from drift.credentials import looks_like_credential
from drift.diff.describe import describe_live, hidden_values
from drift.fields import CONTAINER_SETTINGS, FIELDS, Field, SettingValue
from drift.fields.base import project_token
from drift.fields.defaulted import said_default
from drift.history.model import Action, Change, Kind
from drift.live.model import (
    ContainerConfig,
    EnvVar,
    RevisionConfig,
    RevisionVariables,
    SecretMount,
)
from drift.live.projects import NAMING
from drift.live.remember import referenced
from drift.live.state import LiveState
from drift.profiles.model import ServiceProfile, VarRule
from drift.redact import CHANGED, MASK
from drift.refs import SecretRef, shown_mode

if TYPE_CHECKING:
    from drift.live.access import AccessDecisions

Show = Callable[[EnvVar], str]
Delta = tuple[Action, str | None, str | None]
Same = Callable[[SecretRef, SecretRef], bool]
COMPARED_SETTINGS = tuple(
    name for name, field in FIELDS.items() if field.level != "service" and name != "image"
)
"""Settings a revision carries. Service-level ones (ingress, …) are the service's, the same
for every revision read; images are compared per container."""


class Masking:
    """Which plain values a service's history must not show: those findings would mask (the
    profile expects a secret there, or its value is a credential), any plain value that
    looks like a credential, and any plain value of a variable that is a Secret Manager
    reference in any revision read (`drift.live.remember.referenced`, the one rule `drift
    check` applies too: `inlined`): a value that replaces (or is replaced by) a reference is
    very likely that secret's value, read or not. Decided on the data, before any format
    renders it (table, json, markdown alike)."""

    def __init__(self, profile: ServiceProfile, configs: Iterable[RevisionVariables] = ()) -> None:
        configs = tuple(configs)
        rule_sets = (profile.env, *(rules.env for rules in profile.sidecars.values()))
        self.expected = frozenset(
            v for rules in rule_sets for v, rule in rules.items() if _expects_secret(rule)
        )
        """Variables some rule of the profile (the main container's `env`, or any sidecar's)
        expects to be a secret: masked in every container of every revision (helper-619 F1).
        An older revision may hold one in a container under another name (a sidecar renamed
        since, a variable moved between the main container and a sidecar, either way), and
        which container it was then is no more than a guess; masking a plain value a rule
        of another container would show is the safe side (more hidden, never less)."""
        self.referenced = referenced(configs)
        """Variables (in any container: a renamed container keeps its secrets) that are a
        secret reference in some revision read: all of them, not only the `--limit` shown,
        so what is masked never depends on how many are shown."""
        self.hidden = hidden_values(configs)
        """The plain values some revision read hides whole as its own variable's value
        (`hidden_values`: a password moved to a variable whose name says nothing)."""

    def secret(self, var: str) -> bool:
        """Whether a plain value of `var`, in whichever container of whichever revision, is
        never shown: a secret reference somewhere (`referenced`) or expected to be one by a
        rule of any container (`expected`)."""
        return var in self.referenced or var in self.expected

    def shown(self) -> Show:
        """How a variable is shown, in whichever container of whichever revision."""

        def show(var: EnvVar) -> str:
            hidden = var.ref is None and (var.value or "").strip() in self.hidden
            return describe_live(var, secret=hidden or self.secret(var.name))

        return show


def _expects_secret(rule: VarRule) -> bool:
    return rule.expects_secret or (
        rule.value is not None and looks_like_credential(rule.name, rule.value)
    )


class Naming:
    """How a history names projects, one project one name, as `check` and `since` judge: what
    GetProject told of the projects the revisions name (`LiveState.projects`, learnt by
    `AccessDecisions.name_projects` and `name_settings`; nothing learnt, names compare as
    written)."""

    def __init__(
        self,
        state: LiveState | None = None,
        access: AccessDecisions | None = None,
        where: tuple[str, str] = ("", ""),
    ) -> None:
        self.state = state if state is not None else LiveState()
        self.access = access
        self.where = where
        """The workloads' project and region (a short name is theirs)."""

    def same_ref(self, a: SecretRef, b: SecretRef) -> bool:
        """Two secret references name one secret: a project spelt otherwise, by number or by
        id, omitted for its own, is no repoint (`LiveState.same_ref`); undecided, a repoint
        (its words name both references as written)."""
        return a == b or self.state.same_ref(a, b, self.where[0]) is True

    def respell(self, settings: dict[str, SettingValue]) -> None:
        """Each value of a row naming a project (`NAMING`) as `check` names it
        (`LiveState.setting_name`: its project by id where GetProject told it, short for the
        own project's and region's); as written where nothing was learnt."""
        for field in NAMING:
            if (value := settings.get(field.name)) is not None:
                settings[field.name] = self.state.setting_name(field, value, *self.where)

    def undecided(self, setting: str, a: SettingValue, b: SettingValue) -> str:
        """Why two values of a row naming a project may be one resource respelt (one by
        number, the other by id, no GetProject matched them: `LiveState.same_setting` None),
        "" when they are told apart (or one: `respell` named them alike)."""
        field = FIELDS[setting]
        if not field.names_project or self.state.same_setting(field, a, b, *self.where) is not None:
            return ""
        tokens = (project_token(a) or self.where[0], project_token(b) or self.where[0])
        why = self.access.unmatched(tokens) if self.access is not None else "no GetProject made"
        return (
            f"the same resource if {tokens[0]} and {tokens[1]} are one project, which "
            f"could not be told ({why})"
        )


def changes(
    before: RevisionConfig,
    after: RevisionConfig,
    masking: Masking,
    naming: Naming | None = None,
    extra: tuple[str, ...] = (),
) -> tuple[Change, ...]:
    """Every difference from `before` to `after`: containers in `after`'s order (then those
    only `before` had), each with its variables and mounts by name, then its image; then the
    settings, but one that either could not be read (`RevisionConfig.unreadable`). `naming`:
    how projects are named (`Naming`: a project spelt otherwise, by number or by id, omitted
    for its own, is no repoint, and no setting change; one that could not be told is said
    `undecided`, never a change); `extra`: settings of the workload's level compared too (a
    job's task count and parallelism, which each execution carries)."""
    naming = naming if naming is not None else Naming()
    same = naming.same_ref
    several = len(before.containers) > 1 or len(after.containers) > 1
    names = [c.name for c in after.containers] + [c.name for c in before.containers]
    out: list[Change] = []
    for name in dict.fromkeys(names):
        old = before.named(name) if before.has(name) else None
        new = after.named(name) if after.has(name) else None
        shows = (masking.shown(), masking.shown())
        out += _container(name, old, new, several, shows, same)
        if old is not None and new is not None and _own(name, before, after):
            out += _own_settings(name, old, new, masking.hidden)
    for setting in (*COMPARED_SETTINGS, *extra):
        if setting in before.unreadable or setting in after.unreadable:
            continue  # no value read on one side: no change to tell (not "removed")
        old_value, new_value = before.settings.get(setting), after.settings.get(setting)
        if old_value != new_value:
            row = FIELDS[setting]
            why = (
                naming.undecided(setting, old_value, new_value)
                if old_value is not None and new_value is not None
                else ""
            )
            out.append(
                Change(
                    Kind.SETTING,
                    Action.UNDECIDED if why else Action.CHANGED,
                    f"setting.{setting}",
                    None if old_value is None else _shown(row, old_value, masking.hidden),
                    None if new_value is None else _shown(row, new_value, masking.hidden),
                    why=why,
                )
            )
    return tuple(out)


def _container(
    name: str,
    old: ContainerConfig | None,
    new: ContainerConfig | None,
    several: bool,
    shows: tuple[Show, Show],
    same: Same,
) -> Iterator[Change]:
    label = name if several else None
    if old is None or new is None:
        action = Action.ADDED if old is None else Action.REMOVED
        yield Change(
            Kind.CONTAINER,
            action,
            f"container.{name}",
            old.image if old is not None else None,
            new.image if new is not None else None,
            label,
        )
    old_env = old.env if old is not None else {}
    new_env = new.env if new is not None else {}
    for var in sorted(old_env.keys() | new_env.keys()):
        change = _variable(old_env.get(var), new_env.get(var), *shows, same)
        if change is not None:
            yield Change(Kind.ENV, change[0], f"env.{var}", change[1], change[2], label)
    old_mounts = old.mounts if old is not None else {}
    new_mounts = new.mounts if new is not None else {}
    for path in sorted(old_mounts.keys() | new_mounts.keys()):
        change = _mount(old_mounts.get(path), new_mounts.get(path), same)
        if change is not None:
            yield Change(Kind.MOUNT, change[0], f"mount.{path}", change[1], change[2], label)
    if old is not None and new is not None and old.image != new.image:
        yield Change(Kind.IMAGE, Action.CHANGED, "image", old.image, new.image, label)


def _own(name: str, before: RevisionConfig, after: RevisionConfig) -> bool:
    """Whether container `name`'s own limits are told by name: a sidecar's, or any container's
    where either revision's main one cannot be told (`RevisionConfig.undescribed`: the
    workload's limits are not read there, so a change of them is no setting change)."""
    return name not in (before.primary, after.primary) or bool(
        before.undescribed or after.undescribed
    )


def _own_settings(
    name: str, old: ContainerConfig, new: ContainerConfig, hidden: Collection[str]
) -> Iterator[Change]:
    """A sidecar's own limits changed (`ContainerConfig.settings`; its image is `_container`'s,
    the main container's limits the workload's settings): what `check` judges of it, with
    `since` naming that revision (helper-548 F3). `hidden`: values never shown
    (`Masking.hidden`: a password on a command line, `Field.shown`)."""
    for key in CONTAINER_SETTINGS:
        if key == "image" or key in old.unreadable or key in new.unreadable:
            continue
        before, after = old.settings.get(key), new.settings.get(key)
        if before != after:
            was = None if before is None else _shown(FIELDS[key], before, hidden)
            now = None if after is None else _shown(FIELDS[key], after, hidden)
            yield Change(Kind.SETTING, Action.CHANGED, f"setting.{key}", was, now, name)


def _shown(row: Field, value: SettingValue, hidden: Collection[str]) -> str:
    """A setting's value as a change shows it: Cloud Run's default where none is set said to
    be that (`said_default`: helper-739 F4)."""
    return row.shown(value, hidden) + said_default(value)


def _variable(
    old: EnvVar | None, new: EnvVar | None, show_old: Show, show_new: Show, same: Same
) -> Delta | None:
    if old == new:
        return None
    if old is None:
        assert new is not None
        return (Action.ADDED, None, show_new(new))
    if new is None:
        return (Action.REMOVED, show_old(old), None)
    if old.ref is not None and new.ref is not None:
        return None if same(old.ref, new.ref) else (Action.REPOINTED, str(old.ref), str(new.ref))
    before, after = show_old(old), show_new(new)
    if old.ref is None and new.ref is None and MASK in (before, after):
        # a masked value tells only that it changed, never what it was or became
        return (Action.CHANGED, MASK, CHANGED)
    return (Action.CHANGED, before, after)


def _mount(old: SecretMount | None, new: SecretMount | None, same: Same) -> Delta | None:
    if old is None and new is None:
        return None
    if old is None:
        assert new is not None
        return (Action.ADDED, None, str(new.ref))
    if new is None:
        return (Action.REMOVED, str(old.ref), None)
    if not same(old.ref, new.ref):
        return (Action.REPOINTED, str(old.ref), str(new.ref))
    if old.mode != new.mode:  # the file's permissions (`mount.mode`): 0400 widened to 0444
        return (Action.CHANGED, f"mode {shown_mode(old.mode)}", f"mode {shown_mode(new.mode)}")
    return None
