"""What a workload really runs with, as plain typed objects (normalised, comparable), plus the
API resources they were read from, kept for the commands that write them back."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

from drift.fields import FIELDS, SettingValue, digested
from drift.kinds import Kind, workload_key
from drift.live.changeids import tagged_change
from drift.refs import SecretRef, file_mode


@dataclass(frozen=True)
class EnvVar:
    name: str
    value: str | None = None
    ref: SecretRef | None = None
    sensitive: bool = False
    """The value is a secret though it is plain (a Terraform plan marks it sensitive): it is
    compared, never shown, whatever its length."""

    @classmethod
    def read(cls, name: str, value: str | None, ref: SecretRef | None) -> EnvVar:
        """`EnvVar(name, value, ref)` at half its cost (`VarRule.made`: a frozen dataclass's
        `__init__` sets each field through `object.__setattr__`), for the 6,000 variables of
        a 200-service check: the same variable (`==`, hash, pickling, `vars`)."""
        var = object.__new__(cls)
        var.__dict__.update(name=name, value=value, ref=ref, sensitive=False)
        return var

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
    words: tuple[str, ...] = field(default=(), compare=False)
    """Its command and arguments, in order (`ContainerVariables.words`); not compared: drift
    judges no drift in them."""


@dataclass(frozen=True)
class ContainerVariables:
    name: str
    ingress: bool
    env: dict[str, EnvVar]
    words: tuple[str, ...] = field(default=(), compare=False)
    """Its command and arguments, in order: where a password moved out of a variable may
    stand (`--pg PASSWORD`: `moved_values`, helper-590 F4)."""


@dataclass(frozen=True)
class RevisionVariables:
    """A revision's variables alone: what masking reads of every revision listed, normalised
    without the rest of its configuration (`drift.live.normalize.revision_variables`)."""

    containers: tuple[ContainerVariables, ...]
    primary: str

    @property
    def envs(self) -> list[dict[str, EnvVar] | None]:
        """Each container's variables, in order."""
        return [c.env for c in self.containers]

    @cached_property
    def described(self) -> str:
        """The container the profile's `env` describes in this revision: `primary` where it
        has it; else (made before the main container got the profile's `container:` name) the
        ingress container, else the only one (`normalize.pick_container`); "" when it has
        none, or several and none with a port: never the first by order (helper-619 F4)."""
        if any(c.name == self.primary for c in self.containers) or not self.containers:
            return self.primary if self.containers else ""
        only = self.containers[0].name if len(self.containers) == 1 else ""
        return next((c.name for c in self.containers if c.ingress), only)

    @cached_property
    def undescribed(self) -> tuple[str, ...]:
        """Its containers, when which one the profile's `env` describes cannot be told:
        several, none with a port (a job's, a worker pool's: no ingress container), and no
        `container:` naming one. Their order means nothing to Cloud Run (run v2
        `TaskTemplate.containers`, `WorkerPoolRevisionTemplate.containers`), so none is taken:
        the main rules are not judged (`drift.diff.undescribed`). () otherwise."""
        if len(self.containers) < 2 or self.primary or any(c.ingress for c in self.containers):
            return ()
        return tuple(c.name for c in self.containers)


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
    def variables(self) -> RevisionVariables:
        """Its variables alone, as `RevisionRecord.variables` gives a listed revision's."""
        kept = (ContainerVariables(c.name, c.ingress, c.env, c.words) for c in self.containers)
        return RevisionVariables(tuple(kept), self.primary)

    @property
    def described(self) -> str:
        """`RevisionVariables.described`."""
        return self.variables.described

    @property
    def undescribed(self) -> tuple[str, ...]:
        """`RevisionVariables.undescribed`."""
        return self.variables.undescribed

    def named(self, name: str) -> ContainerConfig:
        """The container of that name (an empty one when the revision has none, made only
        then: a check asks for a revision's containers about ten times a workload)."""
        for container in self.containers:
            if container.name == name:
                return container
        return ContainerConfig(name)

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

    def fingerprint_as(self, base: RevisionConfig) -> dict[str, Any]:
        """Its fingerprint with each setting the catalogue holds the same as `base`'s written
        as `base`'s (`Field.equivalent`); its secret references as they are."""
        ours = base.fingerprint["settings"]
        settings = {
            k: ours[k] if k in ours and k in FIELDS and FIELDS[k].equivalent(ours[k], v) else v
            for k, v in self.fingerprint["settings"].items()
        }
        return {**self.fingerprint, "settings": settings}


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

    @property
    def only_tag(self) -> str | None:
        """The tag a revision reached only through tags is named by (its findings' `tag`, and
        their ids): its first that is not drift's own canary tag (a team's `e2e` on drift's
        held canary is what reaches it for them, and what their ignore entry names:
        helper-647 F2b), else its first; in `tag_order`, so the same tag whichever order the
        traffic lists them in (helper-739 F3); None for one with a share of the traffic, or
        none."""
        if not self.tag_only or not self.tags:
            return None
        return next((t for t in self.tags if tagged_change(t) is None), self.tags[0])


def tag_order(tag: str, checked: Callable[[str], bool]) -> tuple[bool, str]:
    """The order a revision's tags are kept in (`ServingRevision.tags`, as the readers sort
    them): those `checked` selects (the profile's `check_tags`) first, each group by name."""
    return not checked(tag), tag


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
    ran: tuple[EnvVar, ...] = ()
    """The variables of every container of what it ran (`Execution.template`, its overrides
    applied), which its reason may quote whatever the job holds now: masked in it as the
    job's own are (`drift.diff.jobs.masked`; helper-712 F1)."""


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
    """drift's canaries: revisions of a change in progress (`drift.live.changeids.canaries`)."""
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
