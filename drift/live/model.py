"""What a workload really runs with, as plain typed objects (normalised, comparable), plus the
API resources they were read from, kept for the commands that write them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Collection
from dataclasses import dataclass, field, replace
from functools import cached_property
from typing import Any

from drift.fields import SettingValue, digested, normalise_account
from drift.findings import Unverified
from drift.kinds import Kind, split_key, workload_key
from drift.live.iam_policy import Grant, Verdict
from drift.live.projects import ProjectNames
from drift.live.secret_state import SecretPolicy, SecretVersionInfo
from drift.refs import SecretRef, file_mode


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    ref: SecretRef | None = None
    sensitive: bool = False
    """The value is a secret though it is plain (a Terraform plan marks it sensitive): it is
    compared, never shown, whatever its length."""

    def holds(self, value: str) -> bool:
        """Whether the plain value is `value`, as written: Cloud Run passes it to the container
        as it is ("Literal value of the environment variable ... Variable references are not
        supported in Cloud Run", run v2 k8s.min.proto EnvVar.value), `$(NAME)` and all."""
        return self.ref is None and self.value == value


@dataclass(frozen=True)
class SecretMount:
    """A secret file (or directory of files) a container sees at `path`."""

    path: str
    ref: SecretRef
    volume: str
    mount_path: str = ""
    """The directory the container mounts the volume at (none: no container mounts it)."""
    sub_path: str = ""
    """The VolumeMount's sub_path: the part of the volume the container sees there."""
    mode: int = 0o444
    """The file's permission bits as Cloud Run creates it (`refs.file_mode`)."""

    @property
    def gcloud_path(self) -> str | None:
        """The file path `gcloud run … update --update-secrets=PATH=SECRET:VERSION` changes
        this file by, or None where no such path can: gcloud mounts the volume of PATH at its
        parent directory, holding one item named after PATH's last component
        (command_lib/run/config_changes.py SecretVolumeChanges._UpdateManagedVolumes:
        `mount_point = file_path.rsplit('/', 1)[0]`; secrets_mapping.py `_PathTail`), and
        knows no sub_path (a file mounted by one, or an item in a directory of the volume);
        flags.py `_ValidatedMountPoint` refuses a file at the root ("/<mountPath>/<path>")."""
        parent, _, name = self.path.rpartition("/")
        if self.sub_path or not (parent and name) or parent != self.mount_path.rstrip("/"):
            return None
        return self.path


@dataclass(frozen=True)
class ContainerConfig:
    name: str
    image: str = ""
    ingress: bool = False
    """The container that receives requests (the one declaring a port)."""
    env: dict[str, EnvVar] = field(default_factory=dict)
    mounts: dict[str, SecretMount] = field(default_factory=dict)
    settings: dict[str, SettingValue] = field(default_factory=dict)
    """What the container holds for itself (`CONTAINER_SETTINGS`: image, cpu, memory), as
    Cloud Run applies it: what a sidecar's `settings:` rules are compared with."""
    unreadable: dict[str, str] = field(default_factory=dict)
    """Those of its settings drift cannot read, each with why (`RevisionConfig.unreadable`)."""


@dataclass(frozen=True)
class RevisionConfig:
    """The part of a revision (or template) drift compares: its containers and the settings
    Cloud Run applies to it. `primary` is the container the profile's `env` describes."""

    containers: tuple[ContainerConfig, ...]
    settings: dict[str, SettingValue]
    service_account: str
    primary: str = ""
    unreadable: dict[str, str] = field(default_factory=dict)
    """The settings whose value could not be read, each with why (`Field.unreadable`): not in
    `settings` (no default in their place), not judged, not verified, not compared, not
    written into a profile nor planned."""
    unmounted: tuple[SecretMount, ...] = ()
    """The files of the secret volumes no container mounts (`path`: `volume NAME`, with the
    item's path): Cloud Run still checks them at deploy ("all the secrets you use")."""
    hidden: frozenset[str] = frozenset()
    """The settings whose values are secret (a Terraform plan marks them sensitive: a
    configuration decoded from a secret): compared, never shown."""

    @cached_property
    def main(self) -> ContainerConfig:
        """The container `primary` names (looked up once: every rule asks for it)."""
        return self.named(self.primary)

    @cached_property
    def described(self) -> str:
        """The container the profile's `env` describes in this revision: `primary` where it
        has it; else (made before the main container got the profile's `container:` name) the
        ingress container, else the first (`normalize.pick_container`); "" when it has none."""
        if self.has(self.primary) or not self.containers:
            return self.primary if self.has(self.primary) else ""
        return next((c.name for c in self.containers if c.ingress), self.containers[0].name)

    def named(self, name: str) -> ContainerConfig:
        """The container of that name (an empty one when the revision has none)."""
        return next((c for c in self.containers if c.name == name), ContainerConfig(name))

    def has(self, name: str) -> bool:
        return any(c.name == name for c in self.containers)

    def sets_itself(self, kind: Kind, name: str) -> frozenset[str]:
        """The variables Cloud Run sets itself in container `name` (`Kind.sets_env`): PORT
        only in the container requests reach, the one with a port (or the only one)."""
        ingress = self.has(name) and (len(self.containers) == 1 or self.named(name).ingress)
        return kind.sets_env(ingress=ingress)

    @property
    def env(self) -> dict[str, EnvVar]:
        """The variables of the container the profile's `env` describes."""
        return self.main.env

    @property
    def container(self) -> str:
        return self.primary

    def secret_refs(self) -> list[tuple[ContainerConfig, str, SecretRef]]:
        """Every secret reference, wherever it is: (container, what uses it, reference), where
        what uses it is a variable name or a mount path."""
        return list(self._secret_uses)

    @cached_property
    def _secret_uses(self) -> tuple[tuple[ContainerConfig, str, SecretRef], ...]:
        """Found once: the reads, access decisions and rules each ask for them."""
        out: list[tuple[ContainerConfig, str, SecretRef]] = []
        for container in self.containers:
            out += [(container, v.name, v.ref) for v in container.env.values() if v.ref]
            out += [(container, m.path, m.ref) for m in container.mounts.values()]
        out += [(self.main, m.path, m.ref) for m in self.unmounted]  # said of the main one
        return tuple(out)

    @cached_property
    def fingerprint(self) -> dict[str, Any]:
        """What must be equal for two revisions to run with the same configuration (computed
        once: a revision described by its template shares the template's config)."""
        env: dict[str, tuple[str | None, SecretRef | None]] = {}
        for c in self.containers:
            prefix = "" if c.name == self.primary else f"{c.name}:"
            env.update((prefix + k, (v.value, v.ref)) for k, v in sorted(c.env.items()))
        # `mount.mode` compares a file's mode (a default one left out: older journals' digests)
        mounts = {f"{c.name}:{p}": _mount(m) for c in self.containers for p, m in c.mounts.items()}
        out: dict[str, Any] = {  # not the images: a gradual rollout is not configuration drift
            "env": env,
            "mounts": mounts,
            "settings": digested(self.settings, ("ingress", "image")),
        }
        sidecars = {
            c.name: digested(c.settings, ("image",))
            for c in self.containers
            if c.name != self.primary
        }
        if sidecars:  # a sidecar's own limits (`ContainerConfig.settings`); none: as it was
            out["sidecars"] = sidecars
        return out


def _mount(m: SecretMount) -> Any:  # a file's mode where it is not the default (`fingerprint`)
    return m.ref if m.mode == file_mode() else (m.ref, m.mode)


@dataclass(frozen=True)
class ServingRevision:
    name: str
    percent: int
    tags: tuple[str, ...]
    tag_urls: tuple[str, ...]
    """The URL of each tag, in the order of `tags` ("" when the API gave none)."""
    config: RevisionConfig
    ready: bool = True
    source: Any = None
    """The run_v2.Revision as read, when it was fetched (None: described by the template)."""

    @property
    def tag_only(self) -> bool:
        """Reached only through a traffic tag's own URL (0 % of the service's traffic)."""
        return self.percent <= 0


@dataclass(frozen=True)
class Execution:
    """A job's latest execution, as far as `job.failed` needs it."""

    name: str
    failed: bool
    reason: str = ""
    """Why it failed, from its conditions (masked before any output)."""
    cause: str = ""
    """Its failed condition's reason by name (`NON_ZERO_EXIT_CODE`, `CONTAINER_MISSING`: a
    proto enum, never the server's text): what `job.failed` says to do (`drift.live.reasons`)."""
    completed: dt.datetime | None = None
    running: bool = False
    """Not finished (`ExecutionReference.completion_status` EXECUTION_RUNNING or
    EXECUTION_PENDING): it runs the template it was created with (`Execution.template`, "The
    template used to create tasks for this execution"), whatever the job's is now."""
    before_update: bool = False
    """Created before the job was last written (`Job.update_time`, "The last-modified time",
    job.proto, later than the execution's `create_time`), and what it ran (its own template,
    task count and parallelism) is not what the job holds now (`workloads._ran_another`): it
    stays the job's latest until the job is run again (revjobs67 F3); a write that changed
    no configuration is not one (revown67 F4)."""


@dataclass(frozen=True)
class LiveService:
    """What one workload runs with: a service (its serving and tagged revisions), a worker
    pool (the revisions its instances run) or a job (its template, which its next execution
    runs; `serving` holds it once, named after no revision)."""

    name: str
    full_name: str
    uri: str
    etag: str
    template: RevisionConfig
    serving: tuple[ServingRevision, ...]
    latest_created: str
    latest_ready: str
    latest_created_ready: bool
    latest_created_message: str = ""
    reconciling: bool = False
    source: Any = None
    """The run_v2.Service exactly as read: what a fix changes and sends back."""
    tagged: tuple[ServingRevision, ...] = ()
    """Revisions reached only through a (checked) traffic tag, at 0 %."""
    routes_latest: bool = True
    """The traffic spec sends traffic to LATEST (else it is pinned to named revisions)."""
    canaries: tuple[str, ...] = ()
    """drift's canaries: revisions of a change in progress (`drift.live.reader.canaries`)."""
    kind: Kind = Kind.SERVICE
    execution: Execution | None = None
    """A job's latest execution (None: never run, or not a job)."""
    tags: tuple[str, ...] = ()
    """Every traffic tag in effect, checked or not."""
    unread: tuple[tuple[str, int], ...] = ()
    """Revisions receiving traffic whose GetRevision failed (name, percent): they serve, and
    their configuration is unverified."""
    manifest: str = ""
    """`manifest:FILE` when described by a manifest, not read from Cloud Run: what a finding
    of the workload's own setting names as its revision (SPEC), as the others do."""
    taken: str = ""
    """A manifest's: the name of an existing revision its template keeps while its
    configuration changes (`drift.manifest.model.Workload.taken`): Cloud Run refuses it."""

    @property
    def key(self) -> str:
        return workload_key(self.kind, self.name)

    @property
    def checked(self) -> tuple[ServingRevision, ...]:
        """Every revision a user can reach: with traffic, then through a tag only."""
        return (*self.serving, *self.tagged)

    @property
    def configs(self) -> tuple[RevisionConfig, ...]:
        """Every configuration read: the template's, then each reachable revision's, once
        each (a revision the template describes shares its config)."""
        found = {id(c): c for c in (self.template, *(r.config for r in self.checked))}
        return tuple(found.values())


@dataclass(frozen=True)
class RevisionRecord:
    name: str
    create_time: dt.datetime | None
    creator: str
    client: str | None
    """`gcloud 467.0.0`, `drift 0.2.0`: what the revision's annotations record, else None."""
    config: RevisionConfig
    ready: bool = True
    deploying: bool = False
    """Its deploy is still in progress (not ready yet, and not failed)."""
    own: dict[str, SettingValue] = field(default_factory=dict)
    """The settings `config` reads otherwise than the revision sets them itself: its min/max
    instances where today's service-level scaling decides them (`config` reads what the
    revision runs with today). ServiceScaling: "Scaling settings applied at the service level
    rather than at the revision level" (run v2 vendor_settings.proto), changed by an
    UpdateService that makes no revision (`gcloud run services update --min`); RevisionScaling
    is the revision's own. Empty where both read the same."""
    deleted: dt.datetime | None = None
    """When it was deleted (`Revision.delete_time`), for a listed revision that says so (drift
    does not ask for deleted ones: `drift.live.history`). It serves
    nothing and can be routed to by nothing: never taken as serving, nor as a base to go
    back to; its configuration tells what it changed, and where a drift began."""

    @property
    def own_config(self) -> RevisionConfig:
        """`config` with each setting as the revision itself sets it (`own`)."""
        if not self.own:
            return self.config
        return replace(self.config, settings={**self.config.settings, **self.own})


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
    history_unread: dict[str, str] = field(default_factory=dict)
    """Why a history that was wanted could not be read (the failed call, without the server's
    message), by key: its findings get no `since`, and the report says so."""
    projects: dict[str, str] = field(default_factory=dict)
    """Project ids by the number or id references name them with (when read)."""
    notes: list[str] = field(default_factory=list)
    """What the report says once about how this read was made (`DENY_NOTE`)."""

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
