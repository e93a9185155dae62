"""The row of the settings catalogue for the Cloud SQL instances a revision (a job's task, a
worker pool's instance) connects to: the `cloud_sql_instance.instances` of the Cloud SQL volumes
of RevisionTemplate, TaskTemplate and WorkerPoolRevisionTemplate (google/cloud/run/v2
k8s.min.proto `Volume`, `CloudSqlInstance`), which a Revision carries too. "Connecting to Cloud
SQL from Cloud Run" (cloud.google.com/sql/docs/mysql/connect-run, the page CloudSqlInstance
names): an instance connection name "uses the format PROJECT_ID:REGION:INSTANCE_ID"; `gcloud run
deploy|update --set-cloudsql-instances=A,B` / `--clear-cloudsql-instances`; Knative's
`run.googleapis.com/cloudsql-instances` annotation of the revision template
(drift.fix.knative.pod); Terraform's `template.volumes.cloud_sql_instance.instances`.

The instances are compared as a set, whatever volume holds them: staging's service pointed at
prod's database is drift, and so is one connection dropped. A patch keeps the Cloud SQL volumes
the revision has, under their names and wherever they are mounted, each instance in the volume
that holds it; where it has none, it adds the one gcloud adds, volume `cloudsql` mounted at
`/cloudsql` in the ingress container (a job's or pool's without a port: the one the profile
describes) (VolumeMount.mount_path: "For Cloud SQL volumes, it can be left empty, or must
otherwise be /cloudsql. All instances defined in the Volume will be available as
/cloudsql/[instance]"). Only the volumes some container mounts are read and changed: one
mounted by none connects nothing (`drift.fields.ports.mounted`). Where neither container can
be told (a job's or pool's several, none with a port, none named) the instances are read all
the same, and a fix that would need the new volume leaves it to a manual step naming
`container: NAME` (`_unmountable`, as `storage_buckets`); so does one where that container
mounts another volume at /cloudsql (an Auth Proxy sidecar's shared socket directory, say):
the one path a Cloud SQL volume may take is held (`_holding`, helper-710 F12)."""

from __future__ import annotations

import posixpath
import re
from typing import Any

from drift.fields import access as a
from drift.fields import lists
from drift.fields.base import (
    ANY_INDEX,
    EVERY_KIND,
    Field,
    SettingValue,
    Source,
    tf_container,
    tf_template,
)
from drift.fields.ports import ingress, mount_untold, mounted

VOLUME = "cloudsql"
MOUNT_PATH = "/cloudsql"
CONNECTION = re.compile(r"(?:[a-z0-9.-]+:)?[a-z0-9-]+:[a-z0-9-]+:[a-z0-9-]+", re.IGNORECASE)
"""An instance connection name, PROJECT_ID:REGION:INSTANCE_ID (a domain-scoped project's id
holds its domain and a colon: `example.com:proj`, Cloud SQL's "instance connection name")."""


def _instances(source: Source) -> str:
    return lists.joined(
        i
        for v in mounted(source.revision)
        if v.HasField("cloud_sql_instance")
        for i in v.cloud_sql_instance.instances
    )


def _profile(value: Any) -> str:
    """A profile's instances: a list, `a,b`, or none; each PROJECT:REGION:INSTANCE."""
    joined = lists.profile_list(value, "Cloud SQL instance connection names")
    wrong = [i for i in lists.items(joined) if not CONNECTION.fullmatch(i)]
    if wrong:
        raise ValueError(
            f"{wrong[0]!r} is no Cloud SQL instance connection name: expected "
            "PROJECT:REGION:INSTANCE (as `gcloud sql instances describe` gives connectionName)"
        )
    return joined


def _write(workload: Any, container: Any, value: SettingValue) -> None:
    """Only the instances the plan names change: an instance no longer wanted leaves the volume
    that holds it, a new one joins a Cloud SQL volume the ingress container mounts (else the
    first one; one left with no instance is refilled before any other goes), a volume left with
    none goes with its mounts (as gcloud's `--clear-cloudsql-instances`), and every other
    volume and mount stays as it runs (helper-689 H1: a sidecar's own connection was dropped)."""
    template = a.template_of(workload)
    wanted = lists.items(value)
    held: set[str] = set()
    emptied: set[str] = set()
    sql = [v for v in mounted(template) if "cloud_sql_instance" in v]  # views on its own
    for volume in sql:
        instances = [i for i in volume.cloud_sql_instance.instances if i in wanted]
        held.update(instances)
        volume.cloud_sql_instance.instances = instances
        if not instances:
            emptied.add(volume.name)
    new = [i for i in wanted if i not in held]
    kept = [v for v in sql if v.name not in emptied] or sql  # else an emptied one, refilled
    into = ingress(template.containers)
    into = container if into is None else into
    if new and kept:
        its = {m.name for m in into.volume_mounts} if into is not None else set()
        target = next((v for v in kept if v.name in its), kept[0])
        target.cloud_sql_instance.instances = [*target.cloud_sql_instance.instances, *new]
        emptied.discard(target.name)
    if emptied:  # assigned last: the assignment copies the volumes it keeps
        template.volumes = [v for v in template.volumes if v.name not in emptied]
        for each in template.containers:
            each.volume_mounts = [m for m in each.volume_mounts if m.name not in emptied]
    if not new or kept or into is None:  # into: never None, nor holding /cloudsql (`_unmountable`)
        return
    run_v2 = a.run_v2()
    name = _free_name({v.name for v in template.volumes})
    template.volumes.append(
        run_v2.Volume(name=name, cloud_sql_instance=run_v2.CloudSqlInstance(instances=new))
    )
    # the container with the port, as Knative's annotation reads back (drift.fix.knative.pod);
    # a job's or pool's without one: the one the profile describes
    into.volume_mounts.append(run_v2.VolumeMount(name=name, mount_path=MOUNT_PATH))


def _unmountable(workload: Any, container: Any, value: SettingValue) -> str:
    """Why `_write` cannot make `value` (`Field.unwritable`): instances and no mounted Cloud SQL
    volume to join (a new one is needed), and no container can be told to mount it, or the one
    that would mounts another volume at /cloudsql (`_holding`)."""
    template = a.template_of(workload)
    if not value or any("cloud_sql_instance" in v for v in mounted(template)):
        return ""
    first = lists.items(value)[0]
    if why := mount_untold(template, container):
        return (
            f"instance {first} needs a new Cloud SQL volume mounted in one container: {why} "
            "(an instance a mounted Cloud SQL volume can take needs none)"
        )
    into = ingress(template.containers)
    into = container if into is None else into
    if held := _holding(into):
        return (
            f"instance {first} needs a new Cloud SQL volume at {MOUNT_PATH}, and container "
            f"'{into.name}' mounts volume '{held}' at {MOUNT_PATH}, the one path a Cloud SQL "
            "volume may take: move that volume to another path (or drop it), then fix again"
        )
    return ""


def _holding(container: Any) -> str:
    """The name of the volume `container` mounts at /cloudsql (`/cloudsql/` alike; "": none).
    A new Cloud SQL volume can go nowhere else (VolumeMount.mount_path: "For Cloud SQL volumes,
    it can be left empty, or must otherwise be /cloudsql"), and two mounts at one path Knative
    refuses ("mountPath must be unique") or one hides the other (the sandbox's option
    `mount_path_twice`): an Auth Proxy sidecar's socket directory, shared at /cloudsql, would
    vanish under it. So the instances are a manual step naming it, and nothing is written."""
    paths = (
        (m.name, posixpath.normpath(m.mount_path or MOUNT_PATH)) for m in container.volume_mounts
    )
    return next((name for name, path in paths if path == MOUNT_PATH), "")


def _free_name(taken: set[str]) -> str:
    """`cloudsql`, gcloud's volume name, or the first `cloudsql-N` no other volume has."""
    names = (VOLUME, *(f"{VOLUME}-{n}" for n in range(1, len(taken) + 2)))
    return next(n for n in names if n not in taken)


def _flag(value: SettingValue) -> str:
    # gcloud run deploy, services|jobs update, beta run worker-pools update (their
    # synopses): `--set-cloudsql-instances=A,B` (the list, replacing any other),
    # `--clear-cloudsql-instances`
    if not value:
        return "--clear-cloudsql-instances"
    return lists.gcloud_list("--set-cloudsql-instances", value)


CLOUDSQL_FIELD = Field(
    "cloudsql_instances",
    "The Cloud SQL instances the revision connects to, each PROJECT:REGION:INSTANCE (a list "
    "or a,b; order does not matter); none: no Cloud SQL connection.",
    str | list[str],
    terraform=(
        tf_template("volumes", ANY_INDEX, "cloud_sql_instance"),
        tf_container("volume_mounts"),  # which are mounted (`mounted`)
    ),
    read=_instances,
    unwritable=_unmountable,
    write=_write,
    gcloud=_flag,
    parse=_profile,
    normalise=lists.same_text,
    show=lambda v: str(v) or "none",
    examples=("acme-staging:us-central1:chat-db",),
    kinds=EVERY_KIND,
    sparse=True,  # a row of 2026-12: the journals written before digest no Cloud SQL list
)
