"""What drift read of an environment (`LiveState`), and the revisions listed of a workload
(`RevisionRecord`), normalised when first asked for."""

from __future__ import annotations

import datetime as dt
from collections import ChainMap
from collections.abc import Callable, Collection
from dataclasses import dataclass, field, replace
from functools import cached_property, partial
from typing import Any, cast

from drift.errors import ApiError
from drift.fields import SettingValue, normalise_account
from drift.findings import Unverified
from drift.kinds import Kind, split_key, workload_key
from drift.live.iam_policy import Grant, Policy, Verdict
from drift.live.model import LiveService, RevisionConfig, RevisionVariables
from drift.live.projects import ProjectNames
from drift.live.secret_state import SecretPolicy, SecretVersionInfo
from drift.refs import SecretRef

Edit = Callable[[RevisionConfig], None]


@dataclass(frozen=True)
class RevisionRecord:
    """One revision as listed, its configuration normalised when first asked for (`config`,
    `own`): Cloud Run keeps up to 1,000 revisions a service, while `since` walks back only as
    long as a drift lasts and `drift history` shows the newest few. Masking, which reads every
    revision's variables, reads them alone (`variables`)."""

    name: str
    create_time: dt.datetime | None
    creator: str
    client: str | None
    """`gcloud 467.0.0`, `drift 0.2.0`: what the revision's annotations record, else None."""
    read: Callable[[], RevisionConfig] = field(repr=False, compare=False)
    """Normalises its configuration (`config`), once."""
    ready: bool = True
    deploying: bool = False
    """Its deploy is still in progress (not ready yet, and not failed)."""
    read_own: Callable[[RevisionConfig], dict[str, SettingValue]] | None = field(
        default=None, repr=False, compare=False
    )
    """Reads `own` beside `config` (None: it sets every setting `config` reads)."""
    read_variables: Callable[[], RevisionVariables] | None = field(
        default=None, repr=False, compare=False
    )
    """Reads `variables` alone (None: from `config`)."""
    deleted: dt.datetime | None = None
    """When it was deleted (`Revision.delete_time`), for a listed revision that says so (drift
    does not ask for deleted ones: `drift.live.history`). It serves
    nothing and can be routed to by nothing: never taken as serving, nor as a base to go
    back to; its configuration tells what it changed, and where a drift began."""
    edits: list[tuple[Edit, Collection[str] | None]] = field(
        default_factory=list, repr=False, compare=False
    )
    read_lazy: Callable[[], RevisionConfig] | None = field(default=None, repr=False, compare=False)
    """Normalises `config` piece by piece as asked for (`lazy`; None: `config` is that)."""

    @cached_property
    def config(self) -> RevisionConfig:
        config = self.read()
        for edit, _ in self.edits:
            edit(config)
        return config

    @cached_property
    def lazy(self) -> RevisionConfig:
        """`config`, each setting read when first asked for (`drift.live.lazy_config`): what
        `since` judges the revision with, asking only about the drifts it follows."""
        if self.read_lazy is None or "config" in self.__dict__:
            return self.config
        config = self.read_lazy()
        for edit, touches in self.edits:
            _edit_lazy(config, edit, touches)
        return config

    def edit(self, change: Edit, touches: Collection[str] | None = None) -> None:
        """Change `config` (and `lazy`) in place (`ProjectNames.respell`), now or once it is
        read; `touches`: the only settings it looks at and changes (None: any), which `lazy`
        makes it for when one of them is first looked up (`Lazy.defer`)."""
        self.edits.append((change, touches))
        config, lazy = self.__dict__.get("config"), self.__dict__.get("lazy")
        if config is not None:
            change(config)
        if lazy is not None and lazy is not config:
            _edit_lazy(lazy, change, touches)

    @cached_property
    def variables(self) -> RevisionVariables:
        if "config" in self.__dict__ or self.read_variables is None:
            return self.config.variables
        return self.read_variables()

    @cached_property
    def own(self) -> dict[str, SettingValue]:
        """The settings `config` reads otherwise than the revision sets them itself: its
        min/max instances where today's service-level scaling decides them (`config` reads
        what the revision runs with today). ServiceScaling: "Scaling settings applied at the
        service level rather than at the revision level" (run v2 vendor_settings.proto),
        changed by an UpdateService that makes no revision (`gcloud run services update
        --min`); RevisionScaling is the revision's own. Empty where both read the same."""
        return {} if self.read_own is None else self.read_own(self.config)

    @property
    def own_config(self) -> RevisionConfig:
        """`config` with each setting as the revision itself sets it (`own`)."""
        if not self.own:
            return self.config
        return replace(self.config, settings={**self.config.settings, **self.own})

    @cached_property
    def lazy_own(self) -> dict[str, SettingValue]:
        """`own`, read beside `lazy`."""
        return {} if self.read_own is None else self.read_own(self.lazy)

    @property
    def lazy_own_config(self) -> RevisionConfig:
        """`own_config` of `lazy`: its settings as the revision sets them itself, each read
        when first asked for."""
        if not self.lazy_own:
            return self.lazy
        settings = cast("dict[str, SettingValue]", ChainMap(self.lazy_own, self.lazy.settings))
        return replace(self.lazy, settings=settings)


def _edit_lazy(config: RevisionConfig, change: Edit, touches: Collection[str] | None) -> None:
    """`change` made to `config` as `RevisionRecord.lazy` reads it: when one of the settings
    it `touches` is first looked up (`drift.live.lazy_config.Lazy.defer`), else now."""
    defer = getattr(config.settings, "defer", None)
    if touches is None or defer is None:
        change(config)
    else:
        defer(touches, partial(change, config), config.unreadable)


@dataclass(repr=False)
class LiveState(ProjectNames):
    """Everything read for one check. `values` live in memory only and are never shown.
    Policies are keyed by `SecretRef.key`."""

    services: dict[str, LiveService] = field(default_factory=dict)
    """Every workload read, by key (`LiveService.key`)."""
    missing: set[str] = field(default_factory=set)
    """The keys of the workloads that do not exist."""
    settling: dict[str, str] = field(default_factory=dict)
    """What was still in progress when the wait ran out, by workload key (unverified)."""
    listed: set[str] = field(default_factory=set)
    """Every workload the region lists (keys), of the kinds it was listed for (for "did you
    mean", and a workload profiled under the wrong kind)."""
    versions: dict[SecretRef, SecretVersionInfo] = field(default_factory=dict)
    policies: dict[str, SecretPolicy] = field(default_factory=dict)
    values: dict[SecretRef, str] = field(default_factory=dict)
    """What secret versions hold, as text (`secret_text`), for the rules that compare them."""
    value_reads: dict[str, Exception | None] = field(default_factory=dict)
    """Each version value read this run, by the name asked (`version_values`): None when read
    (and registered as a secret), else why not; what a probe's echo of one reads no more
    (`drift.probe.echoed`)."""
    unverified: list[Unverified] = field(default_factory=list)
    expiry: dict[str, dt.datetime] = field(default_factory=dict)
    """When a secret (by `SecretRef.key`) expires, for those that do."""
    access: dict[tuple[str, SecretRef], Verdict] = field(default_factory=dict)
    """What IAM answers (account, reference) -> may it access that version, when decided.
    Keyed by the reference, version included: a condition sees the version's resource name
    (cloud.google.com/iam/docs/conditions-resource-attributes), so versions differ."""
    now: dt.datetime = field(default_factory=lambda: dt.datetime.now(dt.UTC))
    history: dict[str, list[RevisionRecord]] = field(default_factory=dict)
    """A service's or worker pool's revisions by its key, oldest first (read only for those
    with configuration drift, and services pinned beside drift's canary)."""
    earlier: dict[str, dict[str, RevisionConfig]] = field(default_factory=dict)
    """Revisions a baseline found a value shown masked on, read for it alone, by key and name
    (`drift.earlier_reads`): never checked, never reported."""
    history_unread: dict[str, str] = field(default_factory=dict)
    """Why a history that was wanted could not be read (the failed call, without the server's
    message), by key: its findings get no `since`, and the report says so."""
    derived: dict[Any, Any] = field(default_factory=dict, compare=False)
    """What is worked out of what was read, once a run whichever rule asks (`Context.hidden`),
    keyed by what it was worked out of."""
    projects: dict[str, str] = field(default_factory=dict)
    """Project ids by the number or id references name them with (when read)."""
    consulted: dict[SecretRef, dict[str, Policy]] = field(default_factory=dict)
    """The project, folder and organisation policies an access verdict on a version consulted,
    by resource, as read (etag, when: `drift.live.held_still` reads them again)."""
    notes: list[str] = field(default_factory=list)
    """What the report says once about how this read was made (`DENY_NOTE`)."""
    unmasked: dict[SecretRef, ApiError] = field(default_factory=dict, compare=False)
    """The values read only to mask a plain copy (`SecretReads.read_pasted`) that could not be
    read, with why: the report says so (`unread_values_note`), a copy shown as it is."""
    answered: dict[str, float] = field(default_factory=dict)
    """When the read of each workload that was described was answered (`time.monotonic()`),
    by key; and `asked`, when the state of each version was first asked for: a state asked
    for before its workload was read may pair with an older read of it
    (`drift.live.held_still`)."""
    asked: dict[SecretRef, float] = field(default_factory=dict)
    read_at: dict[tuple[str, str], float] = field(default_factory=dict)
    """When each Secret Manager read (method, resource) was answered (`drift.live.held_still`:
    a secret's policy)."""

    def grant(self, account: str, ref: SecretRef) -> Grant:
        """May `account` (as the settings give it, the live one or the one a plan would set)
        access the secret `ref` names: IAM's answer when it was decided (`AccessDecisions`
        decides both with the secret's, project's, folders' and organisation's policies),
        else GRANTED when the secret's own policy grants it outright and UNKNOWN otherwise —
        never DENIED: the project or an ancestor may grant it (Secret Manager access control:
        roles "at the level of the Google Cloud organization, folder, project, or secret"),
        and what drift did not read it cannot deny."""
        decided = self.access.get((normalise_account(account), ref))
        if decided is not None:
            return decided.grant
        policy = self.policies.get(ref.key)
        if policy is not None and policy.grants(account):
            return Grant.GRANTED
        return Grant.UNKNOWN

    def verdict(self, account: str, ref: SecretRef) -> Verdict | None:
        """IAM's answer with its detail, when decided."""
        return self.access.get((normalise_account(account), ref))

    def tag_only(self) -> dict[str, str]:
        """The tag each revision reached only through tags is named by (`Revision.only_tag`),
        by revision: its findings, and its probe's, carry it."""
        return {
            revision.name: tag
            for live in self.services.values()
            for revision in (*live.serving, *live.tagged)
            if (tag := revision.only_tag)
        }

    def listed_names(self, kind: Kind) -> set[str]:
        """The names of the workloads of that kind the region lists (when it was listed)."""
        return {name for other, name in map(split_key, self.listed) if other is kind}

    def other_kind(self, kind: Kind, name: str, profiled: Collection[str]) -> Kind | None:
        """The kind of the workload of that name the region lists, where it lists none of
        this kind by that name (a job profiled under `services:`), and the profile does not
        already name that workload under its own kind (`profiled`: the profile's keys; then
        this one is simply missing)."""
        if workload_key(kind, name) in self.listed:
            return None
        return next(
            (
                k
                for k in Kind
                if workload_key(k, name) in self.listed and workload_key(k, name) not in profiled
            ),
            None,
        )

    def __repr__(self) -> str:
        # Sizes only: a repr never shows a value, and stays cheap (asyncio.run in Python 3.11
        # formats the repr of its task's result when it restores the SIGINT handler).
        return (
            f"LiveState(services={len(self.services)}, missing={len(self.missing)}, "
            f"versions={len(self.versions)}, policies={len(self.policies)}, "
            f"values={len(self.values)}, unverified={len(self.unverified)})"
        )
