"""`setting.value`: each setting the profile states against what Cloud Run applies to the
revision (compared in the catalogue's normal form, shown in a person's units: `256Mi`)."""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence

from drift.diff.context import At
from drift.fields import (
    DEFAULT_SERVICE_ACCOUNT,
    FIELDS,
    Field,
    SettingValue,
    named_default,
)
from drift.fields.defaulted import said_default
from drift.fields.moot import moot_settings
from drift.fields.probe_headers import told
from drift.findings import Finding, Severity, Unverified
from drift.kinds import Kind
from drift.live.changeids import own_tag, tagged_change
from drift.live.model import ServingRevision
from drift.live.normalize import outside_split
from drift.live.state import LiveState
from drift.profiles.model import Profile, Setting, stated_values
from drift.redact import MASK


def as_compared(
    setting: Setting, actual: SettingValue | None, state: LiveState, project: str
) -> SettingValue | None:
    """What a profile's setting is compared with: the value read, but an unnamed runtime
    account named by its address where the profile names a default compute account and the
    project's number is known. "If not provided, the revision will use the project's default
    service account" (RevisionTemplate.service_account): PROJECT_NUMBER-compute@…, that
    project's own, never another project's of the same form. The number unknown, the value
    read is kept and the setting is not judged (`undecided`: the reader made it unverified,
    `drift.live.access.own_number`)."""
    if setting.name != "service_account" or actual != DEFAULT_SERVICE_ACCOUNT:
        return actual
    if not named_default(str(setting.value)):
        return actual
    return state.account(actual, project)


def undecided(setting: Setting, compared: SettingValue | None) -> bool:
    """A default compute account named, against an unnamed one of a project whose number is
    unknown (`as_compared`): neither the same nor another."""
    return (
        setting.name == "service_account"
        and compared == DEFAULT_SERVICE_ACCOUNT
        and named_default(str(setting.value))
    )


def held_by_service(field: Field, at: At, revision: ServingRevision) -> bool:
    """Whether what `revision` reads for the setting is the service's own, not the revision's:
    a row of the catalogue's `level="service"` (`Service.ingress`, `invoker_iam_disabled`…,
    google/cloud/run/v2/service.proto), or a value the service's own level gives
    (`Service.scaling`'s min/max, `Field.held_by_service`). One UpdateService sets it for
    every URL of the service, whichever revision serves it or a tag names."""
    if field.level == "service":
        return True
    service, held = at.ctx.live.source, field.held_by_service
    if service is None or held is None or field.name in revision.config.unreadable:
        return False
    if revision.tag_only and at.ctx.live.kind is Kind.SERVICE:
        service = outside_split(service)  # as the reader read it: its own bounds (helper-549 F4)
    read = revision.config.settings.get(field.name)
    return held(service, "" if read is None else field.show(read))


def _said_before(field: Field, at: At) -> bool:
    """A setting the service holds is one finding for the service, on the first revision
    read that shows it (with traffic before a tag's): not one per revision, nor one more for
    a tag, whose step no patch would need (`drift.fix.tag_steps.tag_steps`). A revision of the
    history (not read as reachable) is judged alone: where a drift began."""
    checked = at.ctx.live.checked
    if not any(revision is at.revision for revision in checked):
        return False
    before = checked[: next(i for i, r in enumerate(checked) if r is at.revision)]
    return any(held_by_service(field, at, revision) for revision in before)


def setting_findings(at: At, only: str | None = None) -> Iterator[Finding]:
    """Each setting the profile states (`only`: the one that target names, `env.judging`)."""
    state, project = at.ctx.state, at.ctx.profile.project
    stated = at.ctx.service.settings
    moot = moot_settings(stated_values(stated), at.config.settings)
    for name, setting in stated.items():
        if only is not None and only != f"setting.{name}":
            continue
        if name in at.config.unreadable:
            continue  # not verified (`unread_settings`)
        if name in moot:
            continue  # means nothing there (a revocation action with no key): nothing to judge
        field = FIELDS[name]
        service_own = held_by_service(field, at, at.revision)
        if service_own and _said_before(field, at):
            continue
        read = at.config.settings.get(name)
        actual = as_compared(setting, read, state, project)
        if undecided(setting, actual):
            continue  # not verified (`drift.live.access.own_number`)
        if setting.satisfied_by(actual, (project, at.ctx.profile.region)):
            continue
        if _project_spelt(setting, actual, state, (project, at.ctx.profile.region)) is not False:
            continue  # one resource, its project named otherwise; undecided: `unread_settings`
        # shown only for a finding: the workload's passwords renamed (`Context.hidden`, which
        # `_shown` masks) are worked out only where something is shown
        shown_actual = _shown(field, read, at)
        if actual != read:  # the default account, by its address
            shown_actual += f" ({field.show(actual)})" if actual is not None else ""
        if name in at.config.hidden:
            shown_actual = MASK  # compared, never shown (`RevisionConfig.hidden`)
        expected = _expected(setting, at.ctx.hidden)
        if not service_own:
            held = _held_canary(field, at, expected)
            yield at.finding(
                "setting.value",
                f"setting.{name}",
                f"{name} on {at.where} is {shown_actual}, the profile says {expected}"
                + _told(setting, actual)
                + (held or _outside_split(field, at, expected)),
                location=setting.location,
                expected=expected,
                actual=shown_actual,
                severity=Severity.WARNING if held else Severity.ERROR,
            )
            continue
        # the service's (pool's) own: on the workload, neither a revision (a manifest's file
        # is named as for every finding of it) nor a container (nor a tag: the finding's id is
        # the one without it, as with traffic) — one UpdateService sets it for every revision
        # (revci65 F3)
        yield at.ctx.finding(
            "setting.value",
            f"setting.{name}",
            f"{name} on {at.ctx.service.label} is {shown_actual}, the profile says {expected}",
            revision=at.ctx.live.manifest or None,
            location=setting.location,
            expected=expected,
            actual=shown_actual,
        )


def container_setting_findings(at: At, only: str | None = None) -> Iterator[Finding]:
    """`setting.value` for each setting a sidecar's rules state (`containers: {NAME:
    {settings: …}}`: image, cpu, memory) against what that container holds in the revision;
    a container the revision lacks is `container.missing` (`drift.diff.env`), a setting drift
    cannot read there unverified (`unread_settings`). `only`: as `setting_findings`."""
    for rules in at.ctx.service.sidecars.values():
        name = rules.name or ""
        if not rules.settings or not at.config.has(name):
            continue
        container = at.config.named(name)
        for key, setting in rules.settings.items():
            if key in container.unreadable or only not in (None, f"setting.{key}"):
                continue
            field, read = FIELDS[key], container.settings.get(key)
            if setting.satisfied_by(read):
                continue
            shown = _shown(field, read, at)
            expected = _expected(setting, at.ctx.hidden)
            yield at.finding(
                "setting.value",
                f"setting.{key}",
                f"{key} on {at.on(name)} is {shown}, the profile says {expected}"
                + _told(setting, read),
                location=setting.location,
                expected=expected,
                actual=shown,
                container=name,
            )


def _shown(field: Field, read: SettingValue | None, at: At) -> str:
    """A value read as the finding shows it: a container's command line with a password moved
    there from a variable masked too (`Context.hidden`, as `check` masks it in a variable);
    Cloud Run's default where nothing was read said to be that (`said_default`)."""
    if read is None:
        return ""
    return field.shown(read, at.ctx.hidden) + said_default(read)


def _outside_split(field: Field, at: At, expected: str) -> str:
    """Why a revision reached only through a tag is not held to the bounds the service holds
    as the profile says: they count only for the revisions of the traffic split (min-instances
    page: "Tagged revisions are started, but only count toward the service-level minimum
    instances if they are a part of a traffic split"; the max-instances page says the same),
    so an E2E tag's revision runs its own, as its deploy set them (helper-608 F1)."""
    held, service = field.held_by_service, at.ctx.live.source
    if not at.revision.tag_only or held is None or service is None:
        return ""
    if at.ctx.live.kind is not Kind.SERVICE or not held(service, expected):
        return ""
    return (
        f" (the service's own {expected} holds only for revisions with traffic: a revision "
        "reached only through a tag runs with its own, as its deploy set them)"
    )


def _held_canary(field: Field, at: At, expected: str) -> str:
    """Why a bound the service holds as the profile says is not yet its own on drift's canary
    held with no traffic (`drift fix --no-promote`: one of `LiveService.canaries` whose only
    tag is its change's own, `drift.live.changeids.own_tag`); "" for any other revision, and
    for one a team's tag reaches too.
    Not drift left unfixed: the service holds the bound as the profile says (a fix writes it
    there with the canary), and it holds for the canary once the canary gets traffic
    (`_outside_split`): the way the change is finished decides it (`revision.pinned` says both
    ways). A warning, not an error: the revisions that serve and those a team's tag reaches
    are judged as ever, and a bound the service does not hold as the profile says is an error
    on each (helper-632 F2)."""
    revision, live = at.revision, at.ctx.live
    if not _outside_split(field, at, expected) or revision.name not in live.canaries:
        return ""
    tag = own_tag(revision.name, revision.tags)
    if not tag or set(revision.tags) != {tag}:  # a team's tag reaches it too (helper-642 F3)
        return ""
    return (
        f" (drift's canary of change {tagged_change(tag)}, held with no traffic: the "
        f"service's own {expected} holds for it once it is promoted and gets traffic; finish "
        "that change, as revision.pinned says)"
    )


def _told(setting: Setting, actual: SettingValue | None) -> str:
    """What a finding adds that the texts it shows mask alike: a probe's headers that differ
    (`probe_headers.told`)."""
    if setting.pattern is not None:
        return ""
    return told(setting.name, FIELDS[setting.name].normalise(setting.value), actual)


def _expected(setting: Setting, hidden: Collection[str]) -> str:
    """What a finding says the profile wants: the value in a person's units (`hidden`, the
    workload's values never shown, masked: `Field.shown`), or the pattern."""
    if setting.pattern is not None:
        return f"matches {setting.pattern}"
    field = FIELDS[setting.name]
    return field.shown(field.normalise(setting.value), hidden)


def _project_spelt(
    setting: Setting, actual: SettingValue | None, state: LiveState, where: tuple[str, str]
) -> bool | None:
    """Whether a value read names the resource the profile names, its project named by id on
    one side and by number on the other (`LiveState.same_setting`; None: not decided, the
    number not matched). A live read names them one way already (`LiveState.respell`); a
    value judged before (the history a check reads early) or read otherwise (a manifest) is
    not."""
    field = FIELDS[setting.name]
    if not field.names_project or setting.pattern is not None or actual is None:
        return False
    return state.same_setting(field, actual, field.normalise(setting.value), *where)


def unread_settings(profile: Profile, names: Sequence[str], state: LiveState) -> list[Unverified]:
    """Each setting the profile states whose value a checked revision does not let drift read
    (`RevisionConfig.unreadable`), or that may name the profile's resource by a project number
    the read could not match (`_project_spelt`): not judged, not verified, never clean."""
    out: dict[tuple[str, str], Unverified] = {}
    where = (profile.project, profile.region)
    for name in names:
        live = state.services.get(name)
        stated = profile.services[name].settings
        sidecars = profile.services[name].sidecars.values()
        for revision in live.checked if live is not None else ():
            for setting, why in revision.config.unreadable.items():
                if setting in stated:
                    target = f"setting.{setting}"
                    out.setdefault((name, target), Unverified.at(name, target, why))
            for rules in sidecars:
                unread = revision.config.named(rules.name or "").unreadable
                for setting in (s for s in rules.settings if s in unread):
                    target, why = f"setting.{setting}", f"container {rules.name}: {unread[setting]}"
                    out.setdefault(
                        (name, f"{target}@{rules.name}"), Unverified.at(name, target, why)
                    )
            for rule in stated.values():
                read = revision.config.settings.get(rule.name)
                if _project_spelt(rule, read, state, where) is None:
                    target = f"setting.{rule.name}"
                    why = (
                        f"cannot tell whether {read} is {rule.value}: the project's id and "
                        "number could not be matched (no GetProject told them)"
                    )
                    out.setdefault((name, target), Unverified.at(name, target, why))
    return list(out.values())
