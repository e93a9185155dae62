"""What a patch does to a revision's variables: the change a variable rule asks for, in the
container it names, the secrets the revision references once the patch is made, and whether
Cloud Run would let such a revision deploy."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, replace

from drift.fix.model import Action, EnvChange
from drift.live.iam_policy import Grant
from drift.live.model import EnvVar, RevisionConfig
from drift.live.secret_state import VersionState
from drift.live.state import LiveState
from drift.profiles.model import VarRule
from drift.refs import SecretRef


@dataclass(frozen=True)
class After:
    """The secrets the revision references once the patch is made: (container, variable or
    mount path, reference), in every container, volumes included (those no container mounts
    too: `volume NAME (ITEM)`)."""

    uses: tuple[tuple[str, str, SecretRef], ...]


def apply_changes(template: RevisionConfig, changes: Iterable[EnvChange]) -> After:
    uses: list[tuple[str, str, SecretRef]] = []
    for container in template.containers:
        env = dict(container.env)
        for c in changes:
            if (c.container or template.primary) != container.name:
                continue
            if c.action is Action.REMOVE:
                env.pop(c.name, None)
            else:
                env[c.name] = EnvVar(c.name, value=c.value, ref=c.ref)
        uses += [(container.name, v.name, v.ref) for v in env.values() if v.ref is not None]
        uses += [(container.name, m.path, m.ref) for m in container.mounts.values()]
    # a secret volume's files no container sees: the patch keeps the volume, and Cloud Run
    # checks every secret a revision uses at deploy (`doomed`); said of the main container,
    # as `RevisionConfig.secret_refs` says them
    uses += [(template.primary, m.path, m.ref) for m in template.unmounted]
    return After(tuple(uses))


def doomed(after: After, state: LiveState, account: str) -> tuple[str, ...]:
    """Why a new revision of the patched configuration fails to deploy, one line per secret
    use (none when it deploys, or when what could not be read leaves it undecided): "During
    service deployment, all secrets used, whether as environment variable or mounted as a
    volume, are checked to ensure the service account used to run the container has access
    to them. If any check fails, the service deployment fails"
    (cloud.google.com/run/docs/configuring/services/secrets); only an ENABLED version can be
    accessed (Secret Manager's AccessSecretVersion)."""
    out = []
    for _, user, ref in after.uses:
        info = state.versions.get(ref)
        if info is not None and info.state is not VersionState.ENABLED:
            # `latest` (an alias) named by the number it resolved to: the one to enable
            which = f" (version {info.resolved})" if _numbered(info.resolved, ref) else ""
            out.append(f"{user} uses {ref}, which is {_state_text(info.state)}{which}")
        elif state.grant(account, ref) is Grant.DENIED:
            out.append(f"{user} uses {ref}, which {account} cannot access")
    return tuple(dict.fromkeys(out))


def _numbered(resolved: str | None, ref: SecretRef) -> bool:
    """Whether `ref` names its version otherwise than by the number it resolved to."""
    return bool(resolved) and resolved != ref.version and str(resolved).isdigit()


def _state_text(state: VersionState) -> str:
    if state is VersionState.SECRET_MISSING:
        return "a secret that does not exist"
    if state is VersionState.MISSING:
        return "a version that does not exist"
    return state.value


def env_change(
    rule: VarRule,
    current: EnvVar | None,
    container: str | None,
    state: LiveState,
    own: str,
) -> EnvChange | None:
    """The change `rule` asks of the variable `current` (None: it asks none). A reference
    naming the secret the rule names, its project spelt otherwise (`LiveState.same_ref`: by
    number, by id, omitted for `own`, the profile's project), asks none; neither does one
    whose project cannot be told (unverified in `check`, as `drift.diff.env` leaves it). A
    reference to the same secret at another version keeps its spelling of the project
    (`EnvChange.spelt`: a Terraform-written `projects/ID/secrets/NAME`, a number), so that
    the write changes the version alone (helper-609 F6)."""
    if rule.forbidden:
        if current is None:
            return None
        return EnvChange(Action.REMOVE, rule.name, current, container=container)
    wanted = rule.ref  # with the project of a secret of another project
    if wanted is not None:
        if current is None and rule.optional:
            return None
        if (
            current is None
            or current.ref is None
            or state.same_ref(wanted, current.ref, own) is False
        ):
            return EnvChange(
                Action.SET_SECRET,
                rule.name,
                current,
                ref=wanted,
                container=container,
                spelt=_spelt(wanted, current.ref if current else None, state, own),
            )
        return None
    if rule.value is not None:
        if current is None and rule.optional:
            return None
        if current is None or not current.holds(rule.value):  # as `drift check` judges it
            return EnvChange(
                Action.SET_VALUE, rule.name, current, value=rule.value, container=container
            )
    return None


def _spelt(
    wanted: SecretRef, live: SecretRef | None, state: LiveState, own: str
) -> SecretRef | None:
    """`wanted` as `live` spells the same secret's project, where they name one secret and
    `live` spells it otherwise (None: `wanted` as it is)."""
    if (
        live is None
        or live.unread
        or (live.project, live.secret) == (wanted.project, wanted.secret)
    ):
        return None
    if state.same_ref(wanted.secret_ref, live.secret_ref, own) is not True:
        return None
    return replace(live, version=wanted.version)
