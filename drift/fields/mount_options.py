"""What a plan says where its `storage_buckets` change repoints a Cloud Storage volume that
holds mount options: the fix changes only what the plan names (`drift.fields.storage._write`
keeps a repointed volume's name, read-only flag, mount options and mounts), so the options
stay, and they may name what only the old bucket has: `only-dir=prod/2024` mounts that
directory of the bucket (GCSVolumeSource.mount_options: "A list of additional flags to pass to
the gcsfuse CLI. Options should be specified without the preceding \"--\"", run v2
k8s.min.proto; gcsfuse's `--only-dir` "Mount only a specific directory within the bucket").
Whether Cloud Run then fails the revision or mounts an empty directory is not documented, so
the plan names each volume and its options before any write (helper-710 F10)."""

from __future__ import annotations

from collections.abc import Collection, Iterable
from typing import Any

from drift.credentials import masked_text
from drift.fields import access as a


def kept_note(before: Any, after: Any, changed: Iterable[str], hidden: Collection[str] = ()) -> str:
    """Each Cloud Storage volume the plan repoints that keeps mount options, named with them
    (`before`: the template the fix builds on; `after`: the run_v2 workload it writes;
    `changed`: the plan's setting changes, by name; `hidden`: values never shown). A bucket and
    an option are shown as every output shows a bucket (`credentials.masked_text`: a flag
    holding a credential's shape, `***`). "": nothing repointed holds options."""
    if "storage_buckets" not in set(changed):
        return ""
    was = {v.name: v.gcs.bucket for v in before.volumes if "gcs" in v}
    said = []
    for volume in a.template_of(after).volumes:
        old = was.get(volume.name)
        if "gcs" not in volume or old is None or old == volume.gcs.bucket:
            continue
        if options := [masked_text(str(o), hidden) for o in volume.gcs.mount_options]:
            new = masked_text(str(volume.gcs.bucket), hidden)
            said.append(
                f"volume '{volume.name}' mounts {new} in place of {masked_text(old, hidden)} "
                f"with the mount options it has ({', '.join(options)})"
            )
    if not said:
        return ""
    return (
        f"{'; '.join(said)}: the fix changes only the bucket, so a directory or setting they "
        "name (only-dir=…) must suit the new bucket too"
    )
