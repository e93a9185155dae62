"""One view for both sources: each service's variables and settings, from a profile or live."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from dataclasses import replace

from drift.compare.model import EnvKey, ServiceView, Shape, VarView
from drift.credentials import looks_like_credential
from drift.diff.context import moved_of
from drift.diff.describe import describe_live, describe_rule
from drift.fields import FIELDS
from drift.kinds import key_label
from drift.live.model import RevisionConfig, SecretMount, ServingRevision
from drift.live.state import LiveState
from drift.profiles.model import Profile, ServiceProfile, VarRule

UNMOUNTED = ""
"""The container key of a secret volume's file no container mounts: the main container's
(`paired` keys that one "", on both sides alike), under a name no mount path has."""


def profile_views(profile: Profile, names: Iterable[str]) -> dict[str, ServiceView]:
    views = {}
    for n in (n for n in names if n in profile.services):
        service = profile.services[n]
        env: dict[EnvKey, VarView] = {}
        for rules in service.containers:
            container = rules.name or ""
            prefix = f"{container}:" if container else ""
            for rule in rules.env.values():
                env[container, "env", rule.name] = _rule_view(rule, prefix + rule.name)
            for path, mount in rules.mounts.items():
                name = f"{prefix}mount:{path}"
                shown = str(mount.ref) + (" (optional)" if mount.optional else "")
                env[container, "mount", path] = VarView(
                    name, Shape.SECRET, not mount.optional, shown, secret=mount.ref, mode=mount.mode
                )
        settings = {k: FIELDS[k].normalise(s.value) for k, s in service.settings.items()}
        # each container the profile names (a sidecar), which `check` requires to exist
        # (`container.missing`), even one with no rules or only optional ones
        named = {r.name: f"a container named {r.name}" for r in service.containers if r.name}
        views[n] = ServiceView(n, env, settings, named)
    return views


def _rule_view(rule: VarRule, name: str) -> VarView:
    if rule.forbidden:
        return VarView(name, Shape.FORBIDDEN, False, "forbidden")
    shown = describe_rule(rule) + ("" if rule.must_exist else " (optional)")
    if rule.ref is not None:
        return VarView(name, Shape.SECRET, rule.must_exist, shown, secret=rule.ref)
    if rule.value is not None:
        return VarView(name, Shape.PLAIN, rule.must_exist, shown, value=rule.value)
    return VarView(name, Shape.CONSTRAINT, rule.must_exist, shown)


def live_views(state: LiveState, profile: Profile) -> dict[str, ServiceView]:
    """Each service as its main serving revision runs it (the template if none serves), its
    plain values masked as `check` masks them against `profile` (a plain value where the
    profile expects a secret shows as `***`, however short). Every container is keyed by its
    name, `primary` naming the main one: `paired` keys both sides' views alike.

    One revision per service: compare pairs two environments' services, and the other
    revisions a user reaches (a tag at 0 %, a traffic split) have no counterpart to pair with
    (a tag of one environment is rarely in the other). `compared_revisions` says which;
    `other_revisions` gives theirs, for what needs no pair."""
    views = {}
    for name, live in state.services.items():
        config = live.serving[0].config if live.serving else live.template
        views[name] = config_view(name, config, profile, _moved(state, name))
    return views


def _moved(state: LiveState, name: str) -> frozenset[str]:
    """The workload's passwords renamed (`moved_in`), masked as `check` masks them."""
    return moved_of(state, name, state.services[name])


def config_view(
    name: str, config: RevisionConfig, profile: Profile, moved: frozenset[str] = frozenset()
) -> ServiceView:
    """One revision's (or template's) view, its plain values masked against `profile` and
    where `moved` holds them (a password renamed)."""
    secret = _expects_secret(profile.services.get(name), config)
    env: dict[EnvKey, VarView] = {}
    for container in config.containers:
        key = container.name
        for v in container.env.values():
            renamed = v.ref is None and (v.value or "").strip() in moved
            hidden = (container.name, v.name) in secret or renamed
            env[key, "env", v.name] = VarView(
                v.name,
                Shape.SECRET if v.ref is not None else Shape.PLAIN,
                True,
                describe_live(v, secret=hidden),
                value=v.value if v.ref is None else None,
                secret=v.ref,
                hidden=hidden,
            )
        for path, mount in container.mounts.items():
            env[key, "mount", path] = _mount_view(mount)
    # a secret volume no container mounts is still a reference of the service (Cloud Run
    # checks "all the secrets you use" at deploy, and `check` checks it): its file is
    # compared as a mount of no container, by its `volume NAME (ITEM)` (never a path)
    for mount in config.unmounted:
        env[UNMOUNTED, "mount", mount.path] = _mount_view(mount)
    containers = {c.name: c.image for c in config.containers}
    return ServiceView(name, env, dict(config.settings), containers, config.primary)


def _mount_view(mount: SecretMount) -> VarView:
    """A live secret file, with the mode its files are created with (`mount.mode`)."""
    name = f"mount:{mount.path}"
    return VarView(name, Shape.SECRET, True, str(mount.ref), secret=mount.ref, mode=mount.mode)


def other_revisions(
    state: LiveState, profile: Profile, names: Collection[str]
) -> dict[str, tuple[ServiceView, list[tuple[str, ServiceView]]]]:
    """Per service of `names` a user also reaches through another revision (a traffic or
    instance split, a tag): the compared revision's view and each other one's, with how it is
    reached (`api-00001-vtk (10 %)`), every view with its main container keyed "" (as
    `paired` keys it). No pair for these, but what one of them names of the other
    environment is as foreign as the compared revision's (`Context.foreign_elsewhere`)."""
    out = {}
    for name, live in sorted(state.services.items()):
        others = live.checked[1:] if live.serving else live.checked
        if name not in names or not others:
            continue
        main = live.serving[0].config if live.serving else live.template
        moved = _moved(state, name)
        out[name] = (
            _main_keyed(config_view(name, main, profile, moved)),
            [(_reach(r), _main_keyed(config_view(name, r.config, profile, moved))) for r in others],
        )
    return out


def split_unlike(
    state: LiveState,
    reached: dict[str, tuple[ServiceView, list[tuple[str, ServiceView]]]],
    own: str,
) -> list[tuple[str, str]]:
    """Per service `reached` otherwise (`other_revisions`), each other revision that serves a
    share of its traffic (not a tag at 0 %) with another configuration than the compared one
    (its variables, their values or secrets, its settings, its containers; not its images:
    a gradual rollout of the same configuration is parity), with what to say of it: 40 % of
    requests running without a variable, or with another database's host, is no parity to
    call "equivalent" (helper-531 MEDIUM-2; helper-581 F1: only the names were compared)."""
    out = []
    for name, (main, others) in reached.items():
        live = state.services[name]
        shares = {_reach(r): r for r in live.serving[1:] if r.percent}
        for reach, view in others:
            if reach in shares and (differ := _differing(main, view, state, own)):
                out.append(
                    (
                        name,
                        f"{reach} serves traffic with another configuration than the "
                        f"revision compared, {live.serving[0].name} ({', '.join(differ)}): "
                        "not compared",
                    )
                )
    return out


def _differing(main: ServiceView, other: ServiceView, state: LiveState, own: str) -> list[str]:
    """What another revision runs with otherwise than the compared one, as `split_unlike`
    names it: its variables (values, secrets), its files' modes, its settings as the
    catalogue compares them, each way (a default account named on one and left unset on the
    other are one; a probe sending a header the other's does not is not), its containers by
    name; not its images (a rollout of one configuration is parity), nor the main container's
    name (helper-583 F3), nor how a secret's project is spelt
    (`own`'s omitted, by id, by number: `LiveState.same_ref`, helper-584 F3)."""

    def alike(a: VarView | None, b: VarView | None) -> bool:
        if a == b:
            return True
        if a is None or b is None or a.secret is None or b.secret is None:
            return False
        return (a.shape, a.value, a.hidden, a.mode) == (
            b.shape,
            b.value,
            b.hidden,
            b.mode,
        ) and bool(state.same_ref(a.secret, b.secret, own))

    out = [
        f"env.{(other.env.get(key) or main.env[key]).name}"
        for key in sorted(main.env.keys() | other.env.keys())
        if not alike(main.env.get(key), other.env.get(key))
    ]
    for key in sorted(main.settings.keys() | other.settings.keys()):
        mine, theirs = main.settings.get(key), other.settings.get(key)
        if key == "image" or mine == theirs:
            continue
        field = FIELDS.get(key)
        if field is None or mine is None or theirs is None:
            out.append(f"setting.{key}")
        elif not (field.equivalent(mine, theirs) and field.equivalent(theirs, mine)):
            out.append(f"setting.{key}")  # both ways: a probe's compares the headers `mine` sends
    if sorted(main.sidecars) != sorted(other.sidecars):
        out.append("containers")
    return out


def _main_keyed(view: ServiceView) -> ServiceView:
    return _keyed(view, {**{c: c for c in view.sidecars}, view.primary: ""})


def paired(a: ServiceView, b: ServiceView) -> tuple[ServiceView, ServiceView]:
    """Two live views of one service with their containers keyed alike: a container is the
    same container on both sides when it has the same name (`Container.name`, "Name of the
    container specified as a DNS_LABEL", run v2 k8s_min.proto), in whatever order they are
    listed: a worker pool or a job has no ingress container, so which one is "main" there is
    only the order. The main containers are paired when neither found its name on the other
    side (a single unnamed container, or the main one renamed). The pair of main containers
    is keyed "" and its variables shown by name alone; every other container by its name
    (`otel:TOKEN`). `sidecars` then holds every container but that pair: one on a side only
    is `container.only_in` (a new front container that took the port, too)."""
    keys_a = {name: name for name in a.sidecars}
    keys_b = {name: name for name in b.sidecars}
    if a.primary == b.primary or (a.primary not in b.sidecars and b.primary not in a.sidecars):
        keys_a[a.primary] = keys_b[b.primary] = ""
    return _keyed(a, keys_a), _keyed(b, keys_b)


def _keyed(view: ServiceView, keys: dict[str, str]) -> ServiceView:
    """`view` with its containers keyed by `keys` (old key -> new key)."""
    env: dict[EnvKey, VarView] = {}
    for (container, kind, name), var in view.env.items():
        key = keys.get(container, container)
        shown = name if kind == "env" else f"mount:{name}"
        env[key, kind, name] = replace(var, name=f"{key}:{shown}" if key else shown)
    sidecars = {keys[c]: image for c, image in view.sidecars.items() if keys[c]}
    return replace(view, env=env, sidecars=sidecars)


def _expects_secret(service: ServiceProfile | None, config: RevisionConfig) -> set[tuple[str, str]]:
    """(container, variable) of each variable whose plain value `check` would not show: the
    profile expects a secret there, or its expected value looks like a credential — in every
    container of the revision, whichever rule set says it (a renamed sidecar, a variable
    moved, a job's or pool's containers none of which `env` can be told to describe:
    helper-624 F4, as `drift history` masks it): more hidden, never less."""
    if service is None:
        return set()
    names = {
        rule.name
        for rules in service.containers
        for rule in rules.env.values()
        if rule.expects_secret
        or (rule.value is not None and looks_like_credential(rule.name, rule.value))
    }
    return {(container.name, name) for container in config.containers for name in names}


def unlisted_notes(environment: str, state: LiveState) -> list[str]:
    """Each workload whose older revisions could not be listed: a password renamed since one
    of them is not known, and shows as it is (helper-594 F2)."""
    return [
        f"{environment}: {key_label(key)}: its older revisions could not be listed ({why}): a "
        "password renamed since one of them is not known, and is shown as it is"
        for key, why in sorted(state.history_unread.items())
    ]


def unread_settings_notes(environment: str, state: LiveState, names: Collection[str]) -> list[str]:
    """A note for each setting of a compared revision (of the services `names`) drift could
    not read (`RevisionConfig.unreadable`): its view has no value for it, so it is not
    compared."""
    notes = []
    for name, live in sorted(state.services.items()):
        if name not in names:
            continue
        config = live.serving[0].config if live.serving else live.template
        notes += [
            f"{environment}: {key_label(name)}: {setting} was not compared: drift cannot read "
            f"it: {why}"
            for setting, why in sorted(config.unreadable.items())
        ]
    return notes


def compared_revisions(environment: str, state: LiveState, *, looked: bool = False) -> list[str]:
    """Notes naming the revision compared for each service a user also reaches otherwise
    (through a tag or a traffic split), and the reachable revisions not compared; `looked`:
    those were still looked at for what names the other environment (`other_revisions`)."""
    notes = []
    also = " (only looked at for what names the other environment)" if looked else ""
    for name, live in sorted(state.services.items()):
        others = live.checked[1:] if live.serving else live.checked
        if not others:
            continue
        main = _reach(live.serving[0]) if live.serving else "its template (nothing serves)"
        rest = ", ".join(_reach(r) for r in others)
        notes.append(f"{environment}: {name} compared as {main}; not compared: {rest}{also}")
    return notes


def _reach(revision: ServingRevision) -> str:
    how = [f"tag {t}" for t in revision.tags] + [f"{revision.percent} %"]
    return f"{revision.name} ({', '.join(how)})"
