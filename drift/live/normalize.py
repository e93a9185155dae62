"""Turn Cloud Run protos into comparable configs: units, defaults and names normalised (by the
settings catalogue), so that noise (variable order, `1` vs `1000m`, `600s` vs `10m`, labels
and annotations that gcloud and the console add) never becomes drift."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable
from dataclasses import replace
from typing import Any

from drift import redact
from drift.fields import (
    CONTAINER_SETTINGS,
    FIELDS,
    Source,
    container_settings,
    held_settings,
    read_settings,
    unreadable_settings,
)
from drift.fields.base import UNTOLD
from drift.kinds import Kind
from drift.live.model import (
    ContainerConfig,
    ContainerVariables,
    EnvVar,
    RevisionConfig,
    RevisionVariables,
    SecretMount,
)
from drift.live.state import LiveState
from drift.refs import SecretRef, file_mode


def raw(message: Any) -> Any:
    """The protobuf message under a proto-plus wrapper (no copy). Reading fields from it
    skips proto-plus marshalling, which dominates the CPU of normalising 200 services."""
    unwrap = getattr(type(message), "pb", None)
    return unwrap(message) if callable(unwrap) else message


def env_var(var: Any) -> EnvVar:
    return _env_var(raw(var))


def _env_var(var: Any) -> EnvVar:
    """A raw protobuf EnvVar. `value` and `value_source` are one of `values`: a variable with
    a value (the usual case) has no source to look at."""
    value = var.value
    if not value and var.HasField("value_source"):
        ref = var.value_source.secret_key_ref
        if ref.secret:
            return EnvVar.read(var.name, None, SecretRef.parse(ref.secret, ref.version))
    return EnvVar.read(var.name, value, None)


def pick_container(containers: Any, wanted: str | None) -> Any:
    """The container whose env the profile describes: named, else the ingress one (the one
    with a port), else the only one. None where none is named and several have no port (a
    job's, a worker pool's): their order means nothing to Cloud Run (run v2
    `TaskTemplate.containers`, `WorkerPoolRevisionTemplate.containers`), so the first is no
    answer (`RevisionVariables.undescribed`, helper-619 F4)."""
    if not containers:
        return None
    if wanted is not None:
        for c in containers:
            if c.name == wanted:
                return c
        return None
    for c in containers:
        if c.ports:
            return c
    return containers[0] if len(containers) == 1 else None


def _secret_mounts(revision: Any, container: Any) -> dict[str, SecretMount]:
    """The secret files a container sees: each mount of a secret volume, one entry per item.
    A volume without items exposes the `latest` version in "a file whose name is the
    secret, relative to VolumeMount.mount_path" (run v2 SecretVolumeSource.items)."""
    if not container.volume_mounts:  # most containers: nothing to look up
        return {}
    volumes, mounts = {v.name: v for v in revision.volumes if v.HasField("secret")}, {}
    for mount in container.volume_mounts:
        volume = volumes.get(mount.name)
        if volume is None:
            continue
        for name, ref, mode in _volume_files(volume.secret):
            path = _seen_at(mount, name)
            if path is not None:
                where = (mount.name, mount.mount_path, mount.sub_path)
                mounts[path] = SecretMount(path, ref, *where, mode=mode)
    return mounts


def _seen_at(mount: Any, name: str) -> str | None:
    """Where a container sees the volume's file `name` through `mount`, or None where it does
    not see it. VolumeMount.sub_path: "Path within the volume from which the container's
    volume should be mounted. Defaults to "" (volume's root)" (run v2 k8s.min.proto): with
    one, only what lies under it shows, at mount_path, and a sub_path naming the file itself
    mounts that one file at mount_path."""
    base = mount.mount_path.rstrip("/")
    sub = mount.sub_path.strip("/")
    if not sub:
        return f"{base}/{name}"
    if name == sub:
        return base or "/"
    if name.startswith(sub + "/"):
        return f"{base}/{name[len(sub) + 1 :]}"
    return None


def _unmounted(revision: Any) -> tuple[SecretMount, ...]:
    """The files of the secret volumes no container sees (no mount, or only mounts of another
    sub_path): still references Cloud Run checks ("During service deployment, Cloud Run
    checks all the secrets you use", cloud.google.com/run/docs/configuring/secrets), so drift
    checks them too (SPEC)."""
    mounts = [m for c in revision.containers for m in c.volume_mounts]
    return tuple(
        SecretMount(f"volume {v.name}" + (f" ({name})" if v.secret.items else ""), ref, v.name)
        for v in revision.volumes
        if v.HasField("secret")
        for name, ref, _ in _volume_files(v.secret)
        if not any(m.name == v.name and _seen_at(m, name) is not None for m in mounts)
    )


def _volume_files(source: Any) -> list[tuple[str, SecretRef, int]]:
    """The files a secret volume holds: (file name, the version it holds, its mode:
    `SecretMount.mode`)."""
    default = source.default_mode
    if not source.items:
        ref = SecretRef.parse(source.secret)
        return [(ref.secret, ref, file_mode(default))]
    return [
        (
            item.path,
            SecretRef.parse(source.secret, item.version or "latest"),
            file_mode(item.mode, default),
        )
        for item in source.items
    ]


def container_config(
    revision: Any,
    container: Any,
    source: Source | None = None,
    env: dict[str, EnvVar] | None = None,
    held: tuple[dict[str, Any], dict[str, str]] | None = None,
) -> ContainerConfig:
    """One container of `revision`; `source`: the revision's, whose workload and kind its
    settings are read with (`container_settings`; None: a service's revision alone); `env`:
    its variables, where read already (`revision_variables`); `held`: its settings, likewise."""
    container = raw(container)
    source = source or Source(None, raw(revision), None)
    settings, unreadable = held or container_settings(replace(source, container=container))
    return ContainerConfig(
        name=container.name,
        image=container.image,
        ingress=bool(container.ports),
        env=env_of(container) if env is None else env,
        mounts=_secret_mounts(revision, container),
        settings=settings,
        unreadable=unreadable,
        words=words_of(container),
    )


def revision_config(
    revision: Any,
    *,
    service: Any,
    container: str | None,
    kind: Kind = Kind.SERVICE,
    variables: RevisionVariables | None = None,
) -> RevisionConfig:
    """Normalise a RevisionTemplate or a Revision (they share these fields) of `service`, a
    WorkerPoolRevisionTemplate of a worker pool, or a TaskTemplate of a job (`kind` says
    which), proto-plus or raw protobuf; `container` names the one the profile describes
    (default: the ingress container, else the first); `variables`: its variables, where
    `revision_variables` read them already."""
    revision = raw(revision)
    chosen = pick_container(revision.containers, container)
    source = Source(raw(service), revision, chosen, kind)
    _public_names(revision, source.service)
    unreadable = unreadable_settings(source)
    settings = read_settings(source, unreadable)
    if chosen is None and container is None and len(revision.containers) > 1:
        _undescribed_settings(source, settings, unreadable)
    envs = [None] * len(revision.containers) if variables is None else variables.envs
    held = held_settings(settings, unreadable, kind) if chosen is not None else None
    return RevisionConfig(
        containers=tuple(
            container_config(revision, c, source, env, held if c is chosen else None)
            for c, env in zip(revision.containers, envs, strict=True)
        ),
        settings=settings,
        unreadable=unreadable,
        service_account=revision.service_account,
        primary=chosen.name if chosen is not None else (container or ""),
        unmounted=_unmounted(revision),
    )


def _public_names(revision: Any, workload: Any) -> None:
    """The names of a revision and its workload, and the account it runs as: identifiers
    drift prints as they are (`redact.register_public`; a TaskTemplate has no name)."""
    names = (getattr(m, "name", "") for m in (revision, workload) if m is not None)
    full = [n for n in names if isinstance(n, str) and n]
    redact.register_public(*full, *(n.rsplit("/", 1)[-1] for n in full), revision.service_account)


UNDESCRIBED = f"its containers have no port, and {UNTOLD}"
"""Why a setting of the container `env` describes is not read where no container is that one
(`RevisionVariables.undescribed`)."""


def _undescribed_settings(
    source: Source, settings: dict[str, Any], unreadable: dict[str, str]
) -> None:
    """Where no container is the one the profile describes (`pick_container`: several, none
    with a port), the settings a container holds for itself (`CONTAINER_SETTINGS`: cpu,
    memory, image, startup order), and any other read off one container, are nobody's:
    unreadable (not judged, not compared, not planned: `unread_settings` says so), never read
    as the defaults of no container."""
    each = [read_settings(replace(source, container=c)) for c in source.revision.containers]
    mine = {
        n for n in settings if n in CONTAINER_SETTINGS or any(s.get(n) != settings[n] for s in each)
    }
    for name in sorted(mine):
        del settings[name]
        unreadable[name] = UNDESCRIBED


def revision_variables(
    revision: Any, container: str | None, env: Callable[[Any], dict[str, EnvVar]] | None = None
) -> RevisionVariables:
    """`revision_config(revision, …).variables` alone (a fifth of the work, for revisions
    only masking reads), each container's read by `env` (`env_of`'s equal)."""
    revision, env = raw(revision), env or env_of
    chosen = pick_container(revision.containers, container)
    return RevisionVariables(
        tuple(
            ContainerVariables(c.name, bool(c.ports), env(c), words_of(c))
            for c in revision.containers
        ),
        chosen.name if chosen is not None else (container or ""),
    )


def env_of(container: Any) -> dict[str, EnvVar]:
    """A (raw) container's variables by name."""
    return {var.name: var for var in map(_env_var, container.env)}


def words_of(container: Any) -> tuple[str, ...]:
    """A (raw) container's command and arguments, in order."""
    return (*container.command, *container.args)


def scaled(service: Any) -> bool:
    """Whether the service or worker pool has scaling of its own (ServiceScaling)."""
    service = raw(service)
    return "scaling" in service.DESCRIPTOR.fields_by_name and service.HasField("scaling")


def own_settings(revision: Any, service: Any, config: RevisionConfig, kind: Kind) -> dict[str, Any]:
    """The settings `config` (read with today's `service`) reads otherwise than `revision`
    sets them itself: min/max instances (`Field.held_by_service`) read with the service's
    scaling cleared (ServiceScaling, "Scaling settings applied at the service level rather
    than at the revision level": today's, for every older revision; an UpdateService that
    changes it makes no revision). `RevisionRecord.own`."""
    service, revision = raw(service), raw(revision)
    if not scaled(service):
        return {}
    bare = type(service)()
    bare.CopyFrom(service)
    bare.ClearField("scaling")
    source = Source(bare, revision, pick_container(revision.containers, None), kind)
    own = {}
    for name, field in FIELDS.items():
        if field.held_by_service is None or name not in config.settings:
            continue
        value = field.read(source)
        if value != config.settings[name]:
            own[name] = value
    return own


def outside_split(service: Any) -> Any:
    """The (raw) Service as a revision reached only through a tag runs under it: without the
    service-level minimum and maximum. Min-instances page, "Tagged revisions and service-level
    minimum instances": "Tagged revisions are started, but only count toward the
    service-level minimum instances if they are a part of a traffic split"; the max-instances
    page says the same of the service-level maximum; ServiceScaling: "divided among all
    revisions with specified traffic based on the percent of traffic they are receiving"
    (helper-547 F2). The scaling mode stays: a manually scaled service's min/max read as its
    manual count, which no profile states beside them, and nothing is judged on it here (the
    manual-scaling page, "Traffic splits for manual scaling": a revision active only through
    a tag runs its own revision-level minimum outside the manual count, and without one
    "scales to at most 1 instance"; helper-608)."""
    service = raw(service)
    fields = service.DESCRIPTOR.fields_by_name
    if "scaling" not in fields or not service.HasField("scaling"):
        return service
    scaling = service.scaling
    if not (scaling.min_instance_count or scaling.max_instance_count):
        return service
    bare = type(service)()
    bare.CopyFrom(service)
    bare.scaling.ClearField("min_instance_count")
    bare.scaling.ClearField("max_instance_count")
    return bare


def template_config(workload: Any, *, container: str | None, kind: Kind) -> RevisionConfig:
    """A workload's template normalised: a service's or worker pool's revision template, a
    job's task template (inside its execution template)."""
    pb = raw(workload)
    template = pb.template.template if kind is Kind.JOB else pb.template
    return revision_config(template, service=pb, container=container, kind=kind)


def config_key(workload: Any, kind: Kind) -> str:
    """A digest of what a job's or pool's template (and a pool's instance count, a job's
    task count and parallelism) runs with, normalised as checks compare them: equal for a
    resource sent and the same read back, whatever the server fills in."""
    return config_digest(keyed_config(workload, kind))


def keyed_config(workload: Any, kind: Kind) -> RevisionConfig:
    """The configuration `config_key` digests: the template's, read as journals recorded it
    where no container is the one the profile describes (`RevisionConfig.undescribed`): with
    the first as its main one (what is sent is read back in its order; the digest only ever
    compares the two, never a profile with them)."""
    config = template_config(workload, container=None, kind=kind)
    if config.undescribed:
        config = template_config(workload, container=config.containers[0].name, kind=kind)
    return config


def config_digest(config: RevisionConfig) -> str:
    """`config_key` of a configuration read."""
    data = {"images": [c.image for c in config.containers], "config": config.fingerprint}
    digest = json.dumps(data, sort_keys=True, default=str).encode()
    return hashlib.sha256(digest).hexdigest()[:32]


def comparable_fingerprints(
    base: RevisionConfig, other: RevisionConfig, state: LiveState, own: str
) -> tuple[dict[str, Any], dict[str, Any]]:
    """Both configurations' fingerprints, `other`'s as `RevisionConfig.fingerprint_as` writes
    it (a template that names no service account and a revision that names the default one
    run as the same account), and both with each secret reference naming its project one way
    (`LiveState.resolved`: `own`'s secret omitted or named by number, another project's by id
    or by number, are one secret)."""
    mine = base.fingerprint
    if mine is other.fingerprint:
        return mine, mine
    return _resolved(mine, state, own), _resolved(other.fingerprint_as(base), state, own)


def _resolved(fingerprint: dict[str, Any], state: LiveState, own: str) -> dict[str, Any]:
    """A fingerprint with its secret references as `LiveState.resolved` names them."""

    def one(ref: SecretRef | None) -> SecretRef | None:
        return None if ref is None else state.resolved(ref, own)

    env = {k: (value, one(ref)) for k, (value, ref) in fingerprint["env"].items()}

    def mount(held: Any) -> Any:  # a reference, or (reference, mode): `RevisionConfig._mount`
        return (one(held[0]), held[1]) if isinstance(held, tuple) else one(held)

    mounts = {k: mount(held) for k, held in fingerprint["mounts"].items()}
    return {**fingerprint, "env": env, "mounts": mounts}


def same_configuration(a: RevisionConfig, b: RevisionConfig, state: LiveState, own: str) -> bool:
    mine, theirs = comparable_fingerprints(a, b, state, own)
    return mine == theirs


def differences(a: RevisionConfig, b: RevisionConfig, state: LiveState, own: str) -> list[str]:
    """What differs between two configurations as `same_configuration` compares them, named as
    findings target it (`env.NAME`, `mount.PATH`, `setting.NAME`, a sidecar's `NAME:…`),
    sorted; empty when they are the same."""
    mine, theirs = comparable_fingerprints(a, b, state, own)
    out: set[str] = set()
    for part, prefix in (("env", "env."), ("mounts", "mount."), ("settings", "setting.")):
        ours, other = mine.get(part, {}), theirs.get(part, {})
        out |= {f"{prefix}{k}" for k in ours.keys() | other.keys() if ours.get(k) != other.get(k)}
    ours, other = mine.get("sidecars", {}), theirs.get("sidecars", {})
    out |= {
        f"{name}: settings"
        for name in ours.keys() | other.keys()
        if ours.get(name) != other.get(name)
    }
    return sorted(out)
