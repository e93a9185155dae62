"""The rows of the settings catalogue for the network storage a revision (a job's task, a worker
pool's instance) mounts: `storage_buckets`, the Cloud Storage buckets of its GCS volumes, and
`nfs_shares`, the `SERVER:PATH` of its NFS volumes (google/cloud/run/v2 k8s.min.proto
`Volume.gcs` "Persistent storage backed by a Google Cloud Storage bucket", `GCSVolumeSource.
bucket` "Cloud Storage Bucket name."; `Volume.nfs`, `NFSVolumeSource.server` "Hostname or IP
address of the NFS server", `.path` "Path that is exported by the NFS server."), which
RevisionTemplate, TaskTemplate and WorkerPoolRevisionTemplate hold, and a Revision too.
Knative: `volumes[].csi` (driver `gcsfuse.run.googleapis.com`, `volumeAttributes.bucketName`)
and `volumes[].nfs.server/.path` (drift.fix.knative.pod); Terraform: `template.volumes.gcs.
bucket`, `template.volumes.nfs` (a job's under `template.template`).

Each is compared as a set, whatever volume holds it, of the volumes some container mounts (one
mounted by none connects nothing: `drift.fields.ports.mounted`), whichever container the
profile describes: staging mounting production's bucket (or share) is drift, and so is one no
longer mounted. A fix changes only what its plan names (`_write`, on those volumes): a bucket
(share) no longer wanted is replaced by one the profile adds in every volume that mounts it,
each keeping its name, read-only flag, mount options and mounts; the volumes of one left over go
with their mounts; a bucket (share) no volume takes gets a new volume `gcs` (`nfs`; then `-N`,
also where that container mounts another volume at the path: `_under_root`) mounted at
`/mnt/NAME` in the ingress container (a job's or pool's without a port: the one the profile
describes), which the plan says (`_added_note`); where neither can be told (several,
none with a port, none named), that value is a manual step naming `container: NAME`, and
nothing of it is written (`_unmountable`). Every other volume and mount stays as it runs.
gcloud's `--add-volume` and `--remove-volume` name each volume, which a profile's list does
not: the script leaves the change to `drift fix` (the rows' `no_flag`).

Whether the revision may write it (`GCSVolumeSource.read_only`, `NFSVolumeSource.read_only`:
gcloud's `--add-volume=…,readonly=true`, "If true, this volume will be read-only from all
mounts" (SDK 528 command_lib/run/volumes.py, as its `type=nfs,location=SERVER:/PATH`),
Terraform's `read_only`, Knative's `csi.readOnly`, `nfs.readOnly`) is an item's mode: a read
gives each as `ITEM:ro` where every volume of it is read-only, else `ITEM:rw` (some volume may
write it: the item's mode, not a volume's, so a read-only volume beside a writable one of it is
not told apart, helper-719 F5); a profile's item may say `:ro` or `:rw`, and one saying neither
is compared by its bucket (share) alone, so a profile written before modes were read means
what it meant (`same_items`). A fix makes the mode a profile states and the volumes hold no
longer: `:ro` every volume of it read-only, `:rw` (where none may write it) every one
writable; a volume's flag it does not judge stays."""

from __future__ import annotations

import posixpath
from collections.abc import Callable, Collection
from dataclasses import dataclass
from typing import Any

from drift.credentials import masked_text
from drift.fields import access as a
from drift.fields import lists
from drift.fields.base import (
    ANY_INDEX,
    EVERY_KIND,
    Field,
    PlannedSetting,
    SettingValue,
    Source,
    tf_container,
    tf_template,
)
from drift.fields.ports import ingress, mount_untold, mounted
from drift.fields.storage_names import bucket_problem, share_key, share_problem, split_share
from drift.kinds import Kind

MOUNT_ROOT = "/mnt"
"""Where a new volume is mounted: `/mnt/NAME` (no path is Cloud Run's default: gcloud's
`--add-volume-mount=volume=NAME,mount-path=PATH` requires one)."""
READ_ONLY, READ_WRITE = "ro", "rw"
"""An item's modes: every volume of it read-only; some volume of it may write it."""


def split_mode(item: str) -> tuple[str, str]:
    """`ITEM:ro` -> (ITEM, "ro"), `ITEM:rw` -> (ITEM, "rw"), `ITEM` -> (ITEM, "") (a profile's
    item naming no mode: its bucket or share alone is compared). A bucket holds no colon; a
    share's path ending in `:ro` or `:rw` is read as its mode."""
    base, colon, mode = item.rpartition(":")
    return (base, mode) if colon and base and mode in (READ_ONLY, READ_WRITE) else (item, "")


def modes(value: SettingValue | None, key: Callable[[str], str] = str) -> dict[str, str]:
    """Each item of a list (a read's or a profile's) by its bucket or share (`key`: as
    compared, `Network.same`), with its mode."""
    return {key(item): mode for item, mode in map(split_mode, lists.items(value or ""))}


def same_items(one: SettingValue, other: SettingValue, key: Callable[[str], str] = str) -> bool:
    """The same buckets (shares, by `key`), each of one mode, where both name it
    (`Field.equivalent`: a read names every mode, so two reads compare exactly)."""
    ours, theirs = modes(one, key), modes(other, key)
    return ours.keys() == theirs.keys() and all(
        ours[k] == theirs[k] or "" in (ours[k], theirs[k]) for k in ours
    )


@dataclass(frozen=True)
class Network:
    """One kind of network volume: its row's name and words, the oneof field of Volume, how a
    volume names what it mounts and is made to mount another, and what a new volume is."""

    setting: str
    help: str
    item: str
    """What one of its items is called (`bucket`), in a plan's note."""
    what: str
    """What its items are called, in a profile's error (`Cloud Storage bucket names`)."""
    problem: Callable[[str], str]
    source: str
    key: Callable[[Any], str]
    point: Callable[[Any, str], None]
    """Make the volume's source (a proto-plus view) mount the item, keeping its other fields."""
    make: Callable[[str], Any]
    """A new source for the item (a run_v2 message)."""
    flag: Callable[[str], str]
    """gcloud's `--add-volume` keys after the name, for the item (never printed: `no_flag`)."""
    example: str
    same: Callable[[str], str] = str
    """An item as compared: two spellings of one bucket (share), one key (`share_key`)."""


def _nfs_source(share: str) -> Any:
    server, path = split_share(share)
    return a.run_v2().NFSVolumeSource(server=server, path=path)


def _point_nfs(volume: Any, share: str) -> None:
    volume.nfs.server, volume.nfs.path = split_share(share)


GCS = Network(
    "storage_buckets",
    "The Cloud Storage buckets the revision mounts as volumes, each BUCKET, BUCKET:ro (every "
    "volume of it read-only) or BUCKET:rw (one may write it) (a list or a,b; order does not "
    "matter); none: no Cloud Storage volume.",
    "bucket",
    "Cloud Storage bucket names",
    bucket_problem,
    "gcs",
    lambda v: str(v.gcs.bucket),
    lambda volume, bucket: setattr(volume.gcs, "bucket", bucket),
    lambda bucket: a.run_v2().GCSVolumeSource(bucket=bucket),
    lambda bucket: f"type=cloud-storage,bucket={bucket}",
    "acme-staging-uploads",
)
NFS = Network(
    "nfs_shares",
    "The NFS shares the revision mounts as volumes, each SERVER:/PATH, SERVER:/PATH:ro (every "
    "volume of it read-only) or SERVER:/PATH:rw (one may write it) (a list or a,b; order does "
    "not matter); none: no NFS volume.",
    "share",
    "NFS shares",
    share_problem,
    "nfs",
    lambda v: f"{v.nfs.server}:{v.nfs.path}",
    _point_nfs,
    _nfs_source,
    lambda share: f"type=nfs,location={share}",
    "10.0.0.2:/staging",
    share_key,
)


def _free_name(base: str, taken: set[str]) -> str:
    """`base`, or the first `base-N` no other volume has."""
    names = (base, *(f"{base}-{n}" for n in range(1, len(taken) + 2)))
    return next(n for n in names if n not in taken)


def _write(kind: Network, workload: Any, container: Any, value: SettingValue) -> None:
    """Only what the plan names changes: each item no longer wanted is replaced by one the
    profile adds in every volume mounting it (their names, flags and mounts kept), the volumes
    of those left over go with their mounts, an item still unmounted gets a new volume and
    mount, and a mode the profile states its volumes do not hold is made (`_mode`)."""
    template = a.template_of(workload)
    wanted = modes(value)
    kept = {kind.same(i) for i in wanted}  # a share as compared: `/exports/` is `/exports`
    stale: dict[str, list[Any]] = {}  # each unwanted item, in the order volumes give them
    ours = [v for v in mounted(template) if kind.source in v]  # views on the template's own
    for volume in ours:
        if (held := kind.same(kind.key(volume))) not in kept:
            stale.setdefault(held, []).append(volume)
    new = _new(kind, ours, wanted)
    for volumes, item in zip(stale.values(), new, strict=False):
        for volume in volumes:
            kind.point(volume, item)
    dropped = {v.name for volumes in list(stale.values())[len(new) :] for v in volumes}
    if dropped:  # assigned last: the assignment copies the volumes it keeps
        template.volumes = [v for v in template.volumes if v.name not in dropped]
        for each in template.containers:
            each.volume_mounts = [m for m in each.volume_mounts if m.name not in dropped]
    run_v2 = a.run_v2()
    into = ingress(template.containers)
    into = container if into is None else into
    for item in new[len(stale) :] if into is not None else ():  # never (`mount_untold`)
        name = _free_name(kind.source, {v.name for v in template.volumes} | _under_root(into))
        template.volumes.append(run_v2.Volume(name=name, **{kind.source: kind.make(item)}))
        into.volume_mounts.append(run_v2.VolumeMount(name=name, mount_path=f"{MOUNT_ROOT}/{name}"))
    _mode(kind, [v for v in mounted(template) if kind.source in v], wanted)


def _under_root(container: Any) -> set[str]:
    """The names `NAME` of the container's mounts at `/mnt/NAME` (`/mnt/NAME/` alike), which no
    new volume takes: two at one path Knative refuses ("mountPath must be unique"), or one hides
    the other (the sandbox's option `mount_path_twice`)."""
    paths = (posixpath.normpath(m.mount_path) for m in container.volume_mounts)
    return {p[len(MOUNT_ROOT) + 1 :] for p in paths if p.startswith(f"{MOUNT_ROOT}/")}


def _new(kind: Network, volumes: list[Any], wanted: dict[str, str]) -> list[str]:
    """The items wanted that none of `volumes` (the mounted ones of the kind) holds."""
    held = {kind.same(kind.key(v)) for v in volumes}
    return [i for i in wanted if kind.same(i) not in held]


def _unmountable(kind: Network, workload: Any, container: Any, value: SettingValue) -> str:
    """Why `_write` cannot make `value` (`Field.unwritable`): an item would need a new volume
    (more added than left to repoint) and no container can be told to mount it."""
    template = a.template_of(workload)
    if not (why := mount_untold(template, container)):
        return ""
    ours = [v for v in mounted(template) if kind.source in v]
    wanted = modes(value)
    left = {kind.same(kind.key(v)) for v in ours} - {kind.same(i) for i in wanted}
    added = _new(kind, ours, wanted)
    if len(added) <= len(left):  # repointed, dropped or a mode changed: no container needed
        return ""
    return (
        f"{kind.item} {added[len(left)]} needs a new volume mounted in one container: {why} "
        f"(a {kind.item} repointed in a mounted volume needs none)"
    )


def _read_only(kind: Network, volume: Any) -> bool:
    return bool(getattr(volume, kind.source).read_only)


def _read(kind: Network, source: Source) -> str:
    """Each item some container's volumes mount (`ports.mounted`), as the first spells it
    (`Network.same`), `:ro` where every volume of it is read-only, else `:rw`."""
    writable: dict[str, bool] = {}
    spelt: dict[str, str] = {}
    for v in mounted(source.revision):
        if v.HasField(kind.source):
            key = spelt.setdefault(kind.same(kind.key(v)), kind.key(v))
            writable[key] = writable.get(key, False) or not _read_only(kind, v)
    return lists.joined(f"{k}:{READ_WRITE if w else READ_ONLY}" for k, w in writable.items())


def _mode(kind: Network, volumes: list[Any], wanted: dict[str, str]) -> None:
    """Each item's volumes (views) made to hold the mode `wanted` gives it where they do not:
    `ro` every one read-only, `rw` (none writable) every one writable; only that flag."""
    for item, mode in wanted.items():
        its = [v for v in volumes if kind.same(kind.key(v)) == kind.same(item)]
        writable = any(not _read_only(kind, v) for v in its)
        if mode and writable != (mode == READ_WRITE):
            for volume in its:
                getattr(volume, kind.source).read_only = mode == READ_ONLY


def _added_note(kind: Network, change: PlannedSetting) -> str:
    """What the plan says where an item no live volume is repointed to gets a new volume."""
    before, after = set(modes(change.before, kind.same)), set(modes(change.after, kind.same))
    if len(after - before) <= len(before - after):
        return ""
    name = kind.source
    return (
        f"a {kind.item} no live volume is repointed to gets a new volume '{name}' (else "
        f"'{name}-N') mounted at {MOUNT_ROOT}/{name} ({MOUNT_ROOT}/{name}-N) in the ingress "
        "container (a job's or pool's without a port: the one the profile describes): the "
        "application must read it there"
    )


def shown(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """A list as every output shows it: each bucket (share) by `credentials.masked_text` (a
    token in an NFS export's path, `10.0.0.2:/x/***`), its mode after it; none: `none`."""
    items = [split_mode(i) for i in lists.items(value)]
    if not items:
        return "none"
    return lists.in_order(masked_text(i, hidden) + (f":{m}" if m else "") for i, m in items)


def _parse(kind: Network, value: Any) -> str:
    """A profile's list: a YAML list, `a,b`, or none; each item as `kind.problem` allows,
    `:ro` or `:rw` after it or neither, and no item twice."""
    joined = lists.profile_list(value, kind.what)
    seen: dict[str, str] = {}  # by `kind.same`: one share in two spellings is one share
    for item, _ in map(split_mode, lists.items(joined)):
        if why := kind.problem(item):
            raise ValueError(f"{item!r} is no {kind.what[:-1]}: expected {why} (then :ro or :rw)")
        if (first := seen.get(key := kind.same(item))) is not None:
            also = f" (as {first!r})" if first != item else ""
            raise ValueError(
                f"{item!r} is named twice{also}: name it once, with :ro, :rw or neither"
            )
        seen[key] = item
    return joined


def _flags(kind: Network, value: SettingValue) -> str:
    """gcloud's `--add-volume` of each item, each volume its own name (never printed as a
    command: the row's `no_flag`)."""
    taken: set[str] = set()
    flags = []
    for item, mode in modes(value).items():
        name = _free_name(kind.source, taken)
        taken.add(name)
        readonly = ",readonly=true" if mode == READ_ONLY else ""
        flags.append(f"--add-volume=name={name},{kind.flag(item)}{readonly}")
    return " ".join(flags)


def _row(kind: Network) -> Field:
    def no_flag(_: Kind, value: SettingValue) -> str:
        return (
            f"has no flag for the list alone: `--add-volume=name=NAME,{kind.flag('…')}` and "
            "`--remove-volume=NAME` name each volume, which the profile does not"
        )

    return Field(
        kind.setting,
        kind.help,
        str | list[str],
        terraform=(tf_template("volumes", ANY_INDEX, kind.source), tf_container("volume_mounts")),
        read=lambda source: _read(kind, source),
        write=lambda workload, container, value: _write(kind, workload, container, value),
        gcloud=lambda value: _flags(kind, value),
        no_flag=no_flag,
        unwritable=lambda workload, container, value: _unmountable(
            kind, workload, container, value
        ),
        parse=lambda value: _parse(kind, value),
        normalise=lists.same_text,
        equivalent=lambda one, other: same_items(one, other, kind.same),
        show=shown,
        hides=shown,
        examples=(kind.example,),
        kinds=EVERY_KIND,
        plan_note=lambda change: _added_note(kind, change),
        sparse=True,  # rows of 2026-12: the journals written before digest no such list
    )


STORAGE_FIELDS = (_row(GCS), _row(NFS))
