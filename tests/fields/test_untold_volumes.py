"""The volume rows (`cloudsql_instances`, `storage_buckets`, `nfs_shares`) of a job or worker
pool whose two containers have no port, its profile naming no `container:`: what they hold is
the template's, read whichever container the profile describes (they were not read: exit 3,
and `compare --live` called two environments on one bucket equivalent, helper-701); only a
write that needs a new volume needs a container, and without one it is a manual step naming
`container: NAME`, nothing written (a new volume was once written mounted nowhere, and the
re-check called it clean, helper-694/702). And a volume no container mounts connects nothing:
it is not read (`drift.fields.ports.mounted`). End to end through the CLI on the sandbox."""

from __future__ import annotations

import copy
import itertools
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import volumes_world

PROD = "acme-prod-uploads"
STAGING = "acme-staging-uploads"
PROD_NFS = "10.0.0.2:/prod"
STAGING_NFS = "10.0.0.3:/staging"
PROD_SQL = "acme-prod:us-central1:chat-db"
STAGING_SQL = "acme-staging:us-central1:chat-db"
ROWS = ("setting.storage_buckets", "setting.nfs_shares", "setting.cloudsql_instances")
KINDS = {"jobs": ("job", "jobs"), "worker_pools": ("pool", "worker_pools")}
"""Each kind: its workload in the world, and the sandbox's collection of it."""


def _volume(name: str, source: str, item: str) -> dict[str, Any]:
    if source == "gcs":
        return {"name": name, "gcs": {"bucket": item}}
    if source == "nfs":
        server, path = item.split(":", 1)
        return {"name": name, "nfs": {"server": server, "path": path}}
    return {"name": name, "cloudSqlInstance": {"instances": [item]}}


def _untold(volumes: list[dict[str, Any]], agent: list[dict[str, Any]]) -> dict[str, Any]:
    """jobworld's job and pool, each of two containers without a port (consumer, agent), the
    agent mounting `agent`: which one the profile describes cannot be told."""
    world = volumes_world(volumes, [], agent)
    project = world["projects"]["p"]
    job = project["jobs"]["job"]["template"]
    for key in ("image", "env"):
        job.pop(key)
    job["containers"] = copy.deepcopy(project["worker_pools"]["pool"]["template"]["containers"])
    return world


def _profile(kind: str, *lines: str, container: str = "") -> str:
    """Profile `prod` stating `lines` for the job or pool, naming `container` (or none)."""
    name = KINDS[kind][0]
    named = f"    container: {container}\n" if container else ""
    settings = "".join(f"      {line}\n" for line in lines)
    return f"project: p\nregion: us-central1\n{kind}:\n  {name}:\n{named}    settings:\n{settings}"


def _check(sandbox: Sandbox, tmp_path: Path, text: str) -> tuple[int, list[tuple[str, str]]]:
    done = drift_on(sandbox, tmp_path, ("prod", text), "check", "prod", "--format", "json")
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads(done.stdout)["findings"]
    return done.returncode, sorted((f["target"], f["actual"]) for f in found if f["target"] in ROWS)


def _template(sandbox: Sandbox, kind: str) -> Any:
    name, collection = KINDS[kind]
    workload = sandbox.job("p", name) if collection == "jobs" else sandbox.worker_pool("p", name)
    return workload.template.template if collection == "jobs" else workload.template


def _held(sandbox: Sandbox, kind: str) -> tuple[list[Any], list[Any]]:
    """The volumes (name, type) and each container's mounts of the workload."""
    template = _template(sandbox, kind)
    volumes = [(v.name, type(v).pb(v).WhichOneof("volume_type")) for v in template.volumes]
    return volumes, [[m.name for m in c.volume_mounts] for c in template.containers]


ALL_PROD = [
    _volume("data", "gcs", PROD),
    _volume("share", "nfs", PROD_NFS),
    _volume("db", "sql", PROD_SQL),
]
AGENT = [
    {"name": "data", "mountPath": "/data"},
    {"name": "share", "mountPath": "/share"},
    {"name": "db", "mountPath": "/cloudsql"},
]


@pytest.mark.parametrize("kind", list(KINDS))
def test_each_row_is_read_and_a_repoint_fixed_whichever_container_is_described(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    """Staging's job or pool on prod's bucket, share and database: drift (exit 1, was 3), and
    the fix repoints each in the volume that holds it, no container needed."""
    sandbox = make_sandbox(_untold(copy.deepcopy(ALL_PROD), AGENT))
    text = _profile(
        kind,
        f"storage_buckets: {STAGING}",
        f"nfs_shares: {STAGING_NFS}",
        f"cloudsql_instances: {STAGING_SQL}",
    )
    assert _check(sandbox, tmp_path, text) == (
        1,
        [
            ("setting.cloudsql_instances", PROD_SQL),
            ("setting.nfs_shares", f"{PROD_NFS}:rw"),
            ("setting.storage_buckets", f"{PROD}:rw"),
        ],
    )
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _check(sandbox, tmp_path, text) == (0, [])
    data, share, db = _template(sandbox, kind).volumes
    assert (data.gcs.bucket, share.nfs.path, list(db.cloud_sql_instance.instances)) == (
        STAGING,
        "/staging",
        [STAGING_SQL],
    )
    assert _held(sandbox, kind)[1] == [[], ["data", "share", "db"]]


@pytest.mark.parametrize("kind", list(KINDS))
@pytest.mark.parametrize(
    ("added", "repointed", "kept"),
    [
        (f"storage_buckets: {STAGING}", f"nfs_shares: {STAGING_NFS}", ("share", "nfs")),
        (f"cloudsql_instances: {STAGING_SQL}", f"nfs_shares: {STAGING_NFS}", ("share", "nfs")),
        (f"nfs_shares: {STAGING_NFS}", f"storage_buckets: {STAGING}", ("data", "gcs")),
    ],
)
def test_an_item_needing_a_new_volume_is_a_manual_step_and_nothing_of_it_is_written(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    kind: str,
    added: str,
    repointed: str,
    kept: tuple[str, str],
) -> None:
    """No volume of the row to repoint: a new one would be mounted in no container. The plan
    says it as a manual step naming `container: NAME`, the fix writes nothing of it, and the
    other row's repoint is written all the same."""
    name, source = kept
    item = PROD if source == "gcs" else PROD_NFS
    volume = [_volume(name, source, item)]
    sandbox = make_sandbox(_untold(volume, [{"name": name, "mountPath": "/v"}]))
    text = _profile(kind, added, repointed)
    code, found = _check(sandbox, tmp_path, text)
    assert code == 1 and [t for t, _ in found] == sorted(
        f"setting.{line.split(':')[0]}" for line in (added, repointed)
    ), found
    plan = drift_on(sandbox, tmp_path, ("prod", text), "plan", "prod")
    row = added.split(":")[0]
    said = f"manual  setting.{row}: {row}: "
    assert said in plan.stdout and "needs a new" in plan.stdout, plan.stdout
    assert "container: NAME" in plan.stdout, plan.stdout
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert "Traceback" not in fixed.stderr and "container: NAME" in fixed.stdout, fixed.stdout
    assert _held(sandbox, kind) == ([(name, source)], [[], [name]])
    assert [t for t, _ in _check(sandbox, tmp_path, text)[1]] == [f"setting.{row}"]


@pytest.mark.parametrize(
    ("orphan", "line"),
    [
        (_volume("old", "gcs", PROD), f"storage_buckets: {STAGING}"),
        (_volume("old", "nfs", PROD_NFS), f"nfs_shares: {STAGING_NFS}"),
        (_volume("old", "sql", PROD_SQL), f"cloudsql_instances: {STAGING_SQL}"),
    ],
)
def test_a_volume_no_container_mounts_is_not_read(
    make_sandbox: MakeSandbox, tmp_path: Path, orphan: dict[str, Any], line: str
) -> None:
    """A volume no container mounts connects nothing (k8s.min.proto: a Volume is "in a
    container" through a VolumeMount; a Cloud SQL one's instances are at /cloudsql/[instance]
    of a mount): prod's there beside staging's mounted one reads clean, whichever container
    the profile describes (it read as drift, both named)."""
    source = next(k for k in ("gcs", "nfs", "cloudSqlInstance") if k in orphan)
    item = {"gcs": STAGING, "nfs": STAGING_NFS, "cloudSqlInstance": STAGING_SQL}[source]
    ours = _volume("new", "sql" if source == "cloudSqlInstance" else source, item)
    path = "/cloudsql" if source == "cloudSqlInstance" else "/new"
    sandbox = make_sandbox(_untold([orphan, ours], [{"name": "new", "mountPath": path}]))
    for kind, container in itertools.product(KINDS, ("agent", "")):  # agent: read before too
        text = _profile(kind, line, container=container)
        assert _check(sandbox, tmp_path, text) == (0, []), (kind, container)
