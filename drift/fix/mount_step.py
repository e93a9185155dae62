"""The manual step of a `mount.secret_ref` / `mount.missing` finding: the `--update-secrets`
that mounts the secret the profile names, keyed by the FILE gcloud changes, never by the
profile's directory.

gcloud reads the key of `--update-secrets=/PATH=SECRET:VERSION` as a file path: "will mount a
volume at '/secrets/api' containing a file 'key'" for `/secrets/api/key` (gcloud 528,
command_lib/run/flags.py), `mount_point = file_path.rsplit('/', 1)[0]`
(config_changes.py SecretVolumeChanges._UpdateManagedVolumes). Keyed by the directory
(`/etc/tls=…`), it mounts a new volume over the parent (`/etc`), and leaves `/etc/tls` as it
was."""

from __future__ import annotations

from drift.fix.commands import Commands, secret_arg
from drift.fix.model import ManualStep
from drift.live.model import ContainerConfig, RevisionConfig
from drift.refs import SecretRef

FILE = "<FILE>"
"""The file name the operator fills in where no file is mounted yet."""


def mount_step(
    cmd: Commands,
    target: str,
    reason: str,
    path: str,
    wanted: SecretRef | None,
    container: ContainerConfig,
) -> ManualStep:
    """`path`: the profile's mount (the directory the volume is mounted at); `wanted`: the
    secret it names (None: the profile names none for this container); the files the container
    sees under `path` are repointed one by one (a volume without items holds one file named
    after the secret, run v2 SecretVolumeSource.items: `drift.live.normalize` names it so)."""
    secret = "<SECRET>:<VERSION>" if wanted is None else secret_arg(wanted)
    files = [m for p, m in container.mounts.items() if p == path or p.startswith(path + "/")]
    if not files:  # mount.missing: no file is known (a profile's key is a file or a directory)
        key = f"{path.rstrip('/')}/{FILE}"
        return ManualStep(
            target,
            f"{reason}: mount the secret the profile names (replace {key} with the path of the "
            f"file the application reads, {path} itself if that is the file: gcloud mounts the "
            "volume at the parent directory of the path it is given)",
            (cmd.update(f"--update-secrets={key}={secret}"),),
        )
    keys = [m.gcloud_path for m in files]
    if all(k is not None for k in keys):
        pairs = ",".join(f"{k}={secret}" for k in dict.fromkeys(keys))
        return ManualStep(
            target,
            f"{reason}: mount the secret the profile names",
            (cmd.update(f"--update-secrets={pairs}"),),
        )
    unreachable = ", ".join(m.path for m, k in zip(files, keys, strict=True) if k is None)
    return ManualStep(
        target,
        f"{reason}: mount the secret the profile names; gcloud's --update-secrets cannot "
        f"change {unreachable} (mounted by sub_path, or in a directory of its volume): change "
        f"the volume's item in the {cmd.kind.noun}'s YAML (`describe --format export`, then "
        "`replace`)",
    )


def unreachable(
    template: RevisionConfig, container: str, users: list[str], noun: str
) -> tuple[list[str], str]:
    """The users of a broken version (`After.uses`: variables, mount paths, `volume NAME (ITEM)`)
    an `--update-secrets=USER=…` repoints as it should, and what the step says of the others:
    a volume's file no container sees, or one mounted by sub_path, gcloud cannot reach
    (`SecretMount.gcloud_path`), yet Cloud Run checks it at deploy."""
    unseen = {m.path for m in template.unmounted}
    mounts = template.named(container).mounts
    hidden = [u for u in users if u in unseen]
    deep = [u for u in users if u in mounts and mounts[u].gcloud_path is None]
    reached = [u for u in users if u not in hidden and u not in deep]
    said = [f"no container mounts {', '.join(hidden)}"] if hidden else []
    said += [f"gcloud's --update-secrets cannot change {', '.join(deep)}"] if deep else []
    if not said:
        return reached, ""
    return reached, (
        f"; {'; '.join(said)}: remove that volume (or its item), or point it at an enabled "
        f"version, in the {noun}'s YAML (`describe --format export`, then `replace`)"
    )
