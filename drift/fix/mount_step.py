"""The manual step of a `mount.secret_ref` / `mount.missing` finding: the `--update-secrets`
that mounts the secret the profile names, keyed by the FILE gcloud changes, never by the
profile's directory (and of a `mount.mode` one: where a file's mode is set).

gcloud reads the key of `--update-secrets=/PATH=SECRET:VERSION` as a file path: "will mount a
volume at '/secrets/api' containing a file 'key'" for `/secrets/api/key` (gcloud 528,
command_lib/run/flags.py), `mount_point = file_path.rsplit('/', 1)[0]`
(config_changes.py SecretVolumeChanges._UpdateManagedVolumes). Keyed by the directory
(`/etc/tls=…`), it mounts a new volume over the parent (`/etc`), and leaves `/etc/tls` as it
was."""

from __future__ import annotations

from collections.abc import Mapping

from drift.blanks import Arg, blank, word
from drift.fix.commands import SECRET, VERSION, Commands, update_command
from drift.fix.formats.text import gcloud_list
from drift.fix.model import ManualStep
from drift.kinds import Kind
from drift.live.model import ContainerConfig, RevisionConfig, SecretMount
from drift.refs import SecretRef, file_mode, shown_mode

FILE = blank("FILE")
"""The file name the operator fills in where no file is mounted yet."""


def mount_step(
    cmd: Commands,
    target: str,
    reason: str,
    path: str,
    wanted: SecretRef | None,
    container: ContainerConfig,
    profile: Mapping[str, SecretRef],
    rule: str = "mount.secret_ref",
) -> ManualStep:
    """`path`: the profile's mount (the directory the volume is mounted at); `wanted`: the
    secret it names (None: the profile names none for this container); the files the container
    sees under `path` are repointed one by one (a volume without items holds one file named
    after the secret, run v2 SecretVolumeSource.items: `drift.live.normalize` names it so);
    `profile`: every mount the profile names for the container (`_volume_mates`). A file's
    mode (`mount.mode`) no gcloud flag sets (`--update-secrets` takes PATH=SECRET:VERSION
    only): the step says where it is set."""
    if rule == "mount.mode":
        return ManualStep(
            target,
            f"{reason}: gcloud has no flag for a secret file's mode; set `mode` on the volume's "
            "item (or the volume's `defaultMode`) in the service's YAML and apply it with "
            f"`{_replace(cmd)}`, or in the console",
        )
    if cmd.kind is Kind.WORKER_POOL:
        return ManualStep(target, f"{reason}: {_POOL_MOUNTS.format(replace=_replace(cmd))}")
    secret = word(SECRET, ":", VERSION) if wanted is None else cmd.secret(wanted)
    files = [m for p, m in container.mounts.items() if p == path or p.startswith(path + "/")]
    if not files:  # mount.missing: no file is known (a profile's key is a file or a directory)
        key = word(f"{path.rstrip('/')}/", FILE)
        return ManualStep(
            target,
            f"{reason}: mount the secret the profile names (replace {path.rstrip('/')}/{FILE!s} "
            f"with the path of the file the application reads, {path} itself if that is the "
            "file: gcloud mounts the volume at the parent directory of the path it is given)",
            (cmd.update(gcloud_list("--update-secrets", [word(key, "=", secret)])),),
        )
    keys = [gcloud_path(m) for m in files]
    if all(k is not None for k in keys):
        pairs = {str(k): secret for k in keys}
        said, stay = _volume_mates(files, pairs, wanted, profile, container, cmd)
        if stay:
            return ManualStep(target, f"{reason}: mount the secret the profile names{stay}")
        if modes := _modes(files, container, cmd):  # no command that widens them
            return ManualStep(target, f"{reason}: mount the secret the profile names{said}{modes}")
        return ManualStep(
            target,
            f"{reason}: mount the secret the profile names{said}",
            (
                cmd.update(
                    gcloud_list("--update-secrets", [word(k, "=", v) for k, v in pairs.items()])
                ),
            ),
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
    (`gcloud_path`), yet Cloud Run checks it at deploy."""
    unseen = {m.path for m in template.unmounted}
    seen = template.named(container)
    mounts = seen.mounts
    hidden = [u for u in users if u in unseen]
    deep = [u for u in users if u in mounts and gcloud_path(mounts[u]) is None]
    reached = [u for u in users if u not in hidden and u not in deep]
    held = _held_modes([mounts[u] for u in reached if u in mounts], seen)
    if held:  # no command that widens them (`_modes`)
        volumes = {mounts[u].volume for u in reached if u in mounts}
        reached = [u for u in reached if u not in mounts or mounts[u].volume not in volumes]
    said = [f"no container mounts {', '.join(hidden)}"] if hidden else []
    said += [f"gcloud's --update-secrets cannot change {', '.join(deep)}"] if deep else []
    said += [f"{_DROPS.format(', '.join(held))}"] if held else []
    if not said:
        return reached, ""
    return reached, (
        f"; {'; '.join(said)}: remove that volume (or its item), or point it at an enabled "
        f"version, in the {noun}'s YAML (`describe --format export`, then `replace`)"
    )


def _volume_mates(
    files: list[SecretMount],
    pairs: dict[str, Arg],
    wanted: SecretRef | None,
    profile: Mapping[str, SecretRef],
    container: ContainerConfig,
    cmd: Commands,
) -> tuple[str, str]:
    """The other files of the volumes `pairs` repoints, added to `pairs` where the profile
    names them under the same secret; returns (what the step then says of them, why no
    command can do it: "" when one can).

    A secret volume holds ONE secret (run v2 SecretVolumeSource.secret, its items versions of
    it), and gcloud 528 (command_lib/run/config_changes.py
    SecretVolumeChanges._UpdateManagedVolumes) handles a volume whose other files the
    command does not name by that secret: the same secret, it keeps them as they are ("copy
    over existing paths that are not overridden"); another one, it refuses ("Multiple secrets
    are specified for directory") or, where the volume is mounted by more than one container
    (`_CopyToNewVolume`), copies their items under the NEW secret with their version
    numbers: /etc/k/b of secret old:2 would read k:2. So each such file is named with the
    reference the profile gives it; where the profile gives none under the new secret, no
    single volume can hold what the profile and the live service say: no command."""
    mates = [
        o
        for f in files
        for o in container.mounts.values()
        if o.volume == f.volume and o.mount_path == f.mount_path and o.path not in pairs
    ]
    mates = list({o.path: o for o in mates}.values())
    moved = [o for o in mates if wanted is None or not _same_secret(o.ref, wanted)]
    if not moved:
        return "", ""
    if wanted is None:  # the operator picks the secret: the command keeps its placeholders
        return (
            f"; {_listed(moved)} {_share(moved)} its volume: with a <SECRET> other than "
            f"{moved[0].ref.secret}, gcloud refuses the command or repoints them to <SECRET> "
            "at their version numbers (a secret volume holds one secret): then name each of "
            "them in the command too"
        ), ""
    added = []
    for o in moved:
        ref = _profile_ref(profile, o.path)
        if ref is None or gcloud_path(o) is None or not _same_secret(ref, wanted):
            return "", (
                f"; {_listed(moved)} {_share(moved)} its volume and a secret volume holds one "
                "secret: gcloud's --update-secrets would refuse, or repoint them to "
                f"{wanted.secret} at their version numbers, which the profile does not say: "
                f"name each file of the volume in the profile under {wanted.secret}, or split "
                f"the volume in the {cmd.kind.noun}'s YAML (`describe --format export`, then "
                "`replace`)"
            )
        pairs[o.path] = cmd.secret(ref)
        added.append(f"{o.path} to {ref}")
    return f", and {', '.join(added)} as the profile says (one secret per volume)", ""


def gcloud_path(mount: SecretMount) -> str | None:
    """The file path `gcloud run … update --update-secrets=PATH=SECRET:VERSION` changes
    `mount` by, or None where no such path can: gcloud mounts the volume of PATH at its
    parent directory, holding one item named after PATH's last component
    (command_lib/run/config_changes.py SecretVolumeChanges._UpdateManagedVolumes:
    `mount_point = file_path.rsplit('/', 1)[0]`; secrets_mapping.py `_PathTail`), and
    knows no sub_path (a file mounted by one, or an item in a directory of the volume);
    flags.py `_ValidatedMountPoint` refuses a file at the root ("/<mountPath>/<path>")."""
    parent, _, name = mount.path.rpartition("/")
    if mount.sub_path or not (parent and name) or parent != mount.mount_path.rstrip("/"):
        return None
    return mount.path


def _modes(files: list[SecretMount], container: ContainerConfig, cmd: Commands) -> str:
    """What the step says where a volume `--update-secrets` would rewrite sets file modes (""
    when none does): gcloud writes the volume's source anew, its secret and an item per path,
    without `defaultMode` or an item's `mode` (command_lib/run/secrets_mapping.py
    `ReachableSecret.AsSecretVolumeSource`: `SecretVolumeSource(secretName=…)` with
    `KeyToPath(path=…, key=…)`; config_changes.py `SecretVolumeChanges._UpdateManagedVolumes`
    puts it in the volume's place), so the files fall back to 0444 ("defaulting to 0444", run v2
    SecretVolumeSource.default_mode): readable by every user in the container (helper-609 F4).
    The YAML route keeps them."""
    held = _held_modes(files, container)
    if not held:
        return ""
    return (
        f"; {_DROPS.format(', '.join(held))}: change the volume's item in the "
        f"{cmd.kind.noun}'s YAML (`describe --format export`, then `replace`), which keeps them"
    )


_DROPS = (
    "its volume sets file modes ({}), which gcloud's --update-secrets drops (it writes the "
    "volume anew without defaultMode or an item's mode: every file would be 0444, readable by "
    "any user in the container)"
)


def _held_modes(files: list[SecretMount], container: ContainerConfig) -> list[str]:
    """`PATH MODE` of each file of the volumes of `files` whose mode is not Cloud Run's
    default (`refs.file_mode`)."""
    volumes = {f.volume for f in files}
    return sorted(
        {
            f"{m.path} {shown_mode(m.mode)}"
            for m in container.mounts.values()
            if m.volume in volumes and m.mode != file_mode()
        }
    )


def _same_secret(a: SecretRef, b: SecretRef) -> bool:
    return (a.secret, a.project) == (b.secret, b.project)


def _share(mounts: list[SecretMount]) -> str:
    return "share" if len(mounts) > 1 else "shares"


def _listed(mounts: list[SecretMount]) -> str:
    return ", ".join(f"{m.path} ({m.ref})" for m in mounts)


def _profile_ref(profile: Mapping[str, SecretRef], path: str) -> SecretRef | None:
    """The reference the profile gives the file `path`: its own key, else the nearest
    directory key holding it (`drift.diff.secrets._mount`)."""
    holders = [p for p in profile if p == path or path.startswith(p.rstrip("/") + "/")]
    return profile[max(holders, key=len)] if holders else None


_POOL_MOUNTS = (
    "gcloud mounts no secret file on a worker pool (its --update-secrets takes no path: "
    '"Secrets volume mount is not supported for Worker Pools yet"); set the secret volume '
    "and its mount in the worker pool's YAML (`describe --format export`) and apply it with "
    "`{replace}`, or in the console"
)
"""gcloud's worker-pool parser refuses a `/PATH` key in --update-secrets and --remove-secrets
(command_lib/run/v2/flags_parser.py `_GetSecretsChanges`, gcloud 528 and 578); a secret
volume there is the alpha track's `--add-volume` only (helper-557 G8)."""


def _replace(cmd: Commands) -> str:
    """gcloud's `replace FILE` of the workload's kind."""
    return f"{' '.join(update_command(cmd.kind)[:-1])} replace FILE"
