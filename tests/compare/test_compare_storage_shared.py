"""`compare` sees the Cloud Storage buckets and NFS shares two environments mount
(`storage_buckets`, `nfs_shares`), as it sees their Cloud SQL instances (drift.compare.
resources): a bucket or share both environments' service, job or worker pool mount is
`value.shared` (staging on production's uploads), and one of one side naming the other's
project or name (`acme-prod-uploads`, `10.0.0.9:/prod` in staging) is `value.foreign` — from
profiles and live, in the table and in JSON. Each environment on its own bucket and share is
equivalent (exit 0). Before: neither row was compared, both "equivalent", exit 0."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from tests.compare import stateful
from tests.compare.stateful import KINDS, said
from tests.conftest import MakeSandbox

BUCKETS, SHARES = "setting.storage_buckets", "setting.nfs_shares"
BOTH = (SHARES, BUCKETS)
"""As compare sorts its differences (by target)."""
STAGING_BUCKET, PROD_BUCKET = "acme-staging-uploads", "acme-prod-uploads"
STAGING_SHARE, PROD_SHARE = "10.0.0.2:/staging", "10.0.0.3:/exports"
"""prod's share names nothing of prod: shared, it is told by its address alone."""


def _profile(project: str, kind: str, buckets: str, shares: str, region: str = "") -> str:
    lines = f"storage_buckets: {buckets}\nnfs_shares: {shares}"
    return stateful.profile(project, kind, lines, region or "us-central1")


def _compare(tmp_path: Path, staging: str, prod: str) -> tuple[int, Any, str]:
    return stateful.compare(tmp_path, staging, prod, BOTH)


def _pair(
    tmp_path: Path, kind: str, staging: tuple[str, str], prod: tuple[str, str]
) -> tuple[int, Any, str]:
    """Staging's and prod's `api` of `kind` mounting (buckets, shares), compared."""
    texts = (_profile("acme-staging", kind, *staging), _profile("acme-prod", kind, *prod))
    return _compare(tmp_path, *texts)


def _by_target(found: list[dict[str, Any]]) -> dict[str, list[dict[str, Any]]]:
    return {t: [d for d in found if d["target"] == t] for t in BOTH}


def _shared_messages(name: str) -> dict[str, str]:
    return {
        BUCKETS: f"{name} mounts Cloud Storage bucket {PROD_BUCKET} (named for prod's project "
        "acme-prod) in both staging and prod",
        SHARES: f"{name} mounts NFS share {PROD_SHARE} in both staging and prod",
    }


@pytest.mark.parametrize("kind", list(KINDS))
def test_profiles_of_staging_on_prods_bucket_and_share_are_shared(
    tmp_path: Path, kind: str
) -> None:
    staging = (f"[{PROD_BUCKET}, {STAGING_BUCKET}]", PROD_SHARE)
    code, found, table = _pair(tmp_path, kind, staging, (PROD_BUCKET, PROD_SHARE))
    messages = _shared_messages(KINDS[kind])
    shown = {
        BUCKETS: (f"{PROD_BUCKET},{STAGING_BUCKET}", PROD_BUCKET),
        SHARES: (PROD_SHARE, PROD_SHARE),
    }
    for target, each in _by_target(found).items():
        assert said(each) == [("value.shared", None, messages[target])], found
        assert (each[0]["a"], each[0]["b"]) == shown[target]
        assert f"value.shared  {target}" in table and messages[target] in table, table
    assert code == 1


def test_a_bucket_and_share_each_side_mounts_in_another_mode_are_still_shared(
    tmp_path: Path,
) -> None:
    """Staging reading prod's bucket and share (`:ro`) while prod writes them (`:rw`) still
    reaches prod's state: shared, said by the bucket and share alone."""
    staging = (f"{PROD_BUCKET}:ro", f"{PROD_SHARE}:ro")
    code, found, _ = _pair(tmp_path, "services", staging, (f"{PROD_BUCKET}:rw", PROD_SHARE))
    messages = _shared_messages("api")
    for target, each in _by_target(found).items():
        assert said(each) == [("value.shared", None, messages[target])], found
    assert code == 1


def test_profiles_naming_the_other_environment_are_foreign(tmp_path: Path) -> None:
    """A bucket's name names no project, but `acme-prod-…` names prod's; a share's path
    names prod. Not one prod mounts, so foreign, not shared."""
    staging = (f"[{PROD_BUCKET}]", "nfs.acme.internal:/prod")
    code, found, table = _pair(tmp_path, "services", staging, ("acme-prod-assets", PROD_SHARE))
    bucket = (
        f"api in staging mounts Cloud Storage bucket {PROD_BUCKET}, which names prod's "
        "project acme-prod"
    )
    share = "api in staging mounts NFS share nfs.acme.internal:/prod, which names prod"
    assert said(found) == [("value.foreign", "a", share), ("value.foreign", "a", bucket)]
    assert bucket in table and share in table and code == 1, table


@pytest.mark.parametrize("kind", list(KINDS))
def test_profiles_each_on_its_own_bucket_and_share_are_equivalent(
    tmp_path: Path, kind: str
) -> None:
    staging = (f"[{STAGING_BUCKET}, staging-cache]", STAGING_SHARE)
    code, found, table = _pair(tmp_path, kind, staging, (f"{PROD_BUCKET},cache", PROD_SHARE))
    assert (code, found) == (0, []), table
    assert "staging and prod are equivalent" in table


def test_a_shares_server_is_one_whatever_its_case_its_path_is_not(tmp_path: Path) -> None:
    staging = ("none", "[Filer.acme.internal:/data, f:/Logs]")
    code, found, _ = _pair(
        tmp_path, "services", staging, ("none", "[filer.acme.internal:/data, f:/logs]")
    )
    assert [(d["kind"], d["a"]) for d in found] == [
        ("value.shared", "Filer.acme.internal:/data,f:/Logs")
    ]
    assert "Filer.acme.internal:/data in both" in found[0]["message"] and code == 1


def test_every_row_is_said_once_on_its_own(tmp_path: Path) -> None:
    """Prod's database, bucket and share in staging: one finding per row."""
    db = "acme-prod:us-central1:chat-db"
    rows = (f"cloudsql_instances: {db}", f"storage_buckets: {PROD_BUCKET}")
    staging, prod = (
        stateful.profile(p, "services", "\n".join([*rows, f"nfs_shares: {PROD_SHARE}"]))
        for p in ("acme-staging", "acme-prod")
    )
    targets = ("setting.cloudsql_instances", *BOTH)  # as sorted
    code, found, _ = stateful.compare(tmp_path, staging, prod, targets)
    assert [(d["kind"], d["target"]) for d in found] == [("value.shared", t) for t in targets]
    assert code == 1


def test_two_regions_of_one_project_sharing_a_bucket_say_so(tmp_path: Path) -> None:
    """As the very same secret is `secret.shared` there; a bucket named for the shared
    project is neither side's own, so never foreign."""
    code, found, _ = _compare(
        tmp_path,
        _profile("acme-staging", "services", f"{STAGING_BUCKET},acme-staging-eu", "none"),
        _profile("acme-staging", "services", STAGING_BUCKET, "none", region="europe-west1"),
    )
    assert [(d["kind"], d["a"]) for d in found] == [
        ("value.shared", f"acme-staging-eu,{STAGING_BUCKET}")
    ]
    assert f"bucket {STAGING_BUCKET} in both" in found[0]["message"] and code == 1


def test_one_deployment_built_on_the_other_shares_its_bucket_as_meant(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(
        _profile("acme-staging", "services", STAGING_BUCKET, STAGING_SHARE)
    )
    code, found, table = _compare(tmp_path, "extends: base\n", "extends: staging\n")
    assert (code, found) == (0, []), table
    assert "shared values are expected and not looked for" in table


# -- live ------------------------------------------------------------------------------------


def _bucket(bucket: str, name: str = "uploads") -> dict[str, Any]:
    return {"name": name, "gcs": {"bucket": bucket}}


def _share(share: str, name: str = "files") -> dict[str, Any]:
    server, _, path = share.partition(":/")
    return {"name": name, "nfs": {"server": server, "path": f"/{path}"}}


def _world(kind: str, staging: tuple[str, str], prod: tuple[str, str]) -> dict[str, Any]:
    """Each side's api mounting (bucket, share)."""
    return stateful.world(
        kind, [_bucket(staging[0]), _share(staging[1])], [_bucket(prod[0]), _share(prod[1])]
    )


def _live_pair(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    kind: str,
    staging: tuple[str, str],
    prod: tuple[str, str] = (PROD_BUCKET, PROD_SHARE),
) -> tuple[int, Any, str]:
    """Staging's and prod's live `api` of `kind` mounting (bucket, share), compared."""
    sandbox = make_sandbox(_world(kind, staging, prod))
    return stateful.live(sandbox, tmp_path, kind, BOTH)


@pytest.mark.parametrize("kind", list(KINDS))
def test_live_staging_on_prods_bucket_and_share_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    code, found, table = _live_pair(make_sandbox, tmp_path, kind, (PROD_BUCKET, PROD_SHARE))
    messages = _shared_messages(KINDS[kind])
    assert said(found) == [("value.shared", None, messages[t]) for t in BOTH], found
    # a value read names each item's mode (`:rw`: a volume of it may write)
    shown = [(f"{PROD_SHARE}:rw",) * 2, (f"{PROD_BUCKET}:rw",) * 2]
    assert [(d["a"], d["b"]) for d in found] == shown
    assert code == 1 and all(m in table for m in messages.values()), table


@pytest.mark.parametrize("kind", ["services", "worker_pools"])
def test_live_a_bucket_and_share_naming_the_other_are_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    staging = ("uploads-prod", "10.0.0.9:/prod")
    code, found, table = _live_pair(make_sandbox, tmp_path, kind, staging)
    where = f"{KINDS[kind]} in staging mounts"
    messages = [
        f"{where} NFS share 10.0.0.9:/prod, which names prod",
        f"{where} Cloud Storage bucket uploads-prod, which names prod",
    ]
    assert said(found) == [("value.foreign", "a", m) for m in messages], found
    assert [(d["a"], d["b"]) for d in found] == [
        ("10.0.0.9:/prod:rw", f"{PROD_SHARE}:rw"),
        ("uploads-prod:rw", f"{PROD_BUCKET}:rw"),
    ]
    assert code == 1 and all(m in table for m in messages), table


@pytest.mark.parametrize("kind", list(KINDS))
def test_live_each_on_its_own_bucket_and_share_is_equivalent(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    staging = (STAGING_BUCKET, STAGING_SHARE)
    code, found, table = _live_pair(make_sandbox, tmp_path, kind, staging)
    assert (code, found) == (0, []), table


def test_live_a_revision_split_onto_prods_bucket_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """10 % of staging's requests run on a revision mounting prod's bucket: no pair for it,
    and what it names of prod is said with the revision."""
    world = _world("services", (STAGING_BUCKET, STAGING_SHARE), (PROD_BUCKET, PROD_SHARE))
    api = world["projects"]["acme-staging"]["services"]["api"]
    older = copy.deepcopy(api["template"])
    older["api"]["volumes"][0] = _bucket(PROD_BUCKET)
    api["history"] = [older]
    api["traffic"] = [{"revision": 1, "percent": 10}, {"revision": 2, "percent": 90}]
    sandbox = make_sandbox(world)
    code, found, table = stateful.live(sandbox, tmp_path, "services", BOTH)
    assert [(d["kind"], d["side"], d["a"]) for d in found] == [
        ("value.foreign", "a", f"{PROD_BUCKET}:rw")
    ]
    assert "api in staging's revision api-" in found[0]["message"], found
    assert code == 1, table


@pytest.mark.parametrize("kind", ["jobs", "worker_pools"])
def test_live_a_job_or_pool_whose_container_cannot_be_told_on_prods_bucket_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    """Two containers, neither with a port, the profiles naming none: which buckets and shares
    the template mounts is read all the same (it was not: "equivalent", exit 0, a note)."""
    world = _world(kind, (PROD_BUCKET, PROD_SHARE), (PROD_BUCKET, PROD_SHARE))
    for project in world["projects"].values():
        template = project[kind]["api"]["template"]
        mounts = [m for c in template.get("containers", []) for m in c.get("volumeMounts", [])]
        template.pop("image", None)
        template.pop("env", None)
        template["containers"] = [
            {"name": "consumer", "image": stateful.IMAGE},
            {"name": "agent", "image": stateful.IMAGE, "volumeMounts": mounts},
        ]
    sandbox = make_sandbox(world)
    profiles = [
        f"project: {p}\nregion: us-central1\n{kind}:\n  api: {{}}\n" for p in world["projects"]
    ]
    env = sandbox.environ()
    code, found, table = stateful.compare(tmp_path, *profiles, BOTH, "--live", env=env)
    assert [(d["kind"], d["target"]) for d in found] == [("value.shared", t) for t in BOTH], table
    assert code == 1 and "storage_buckets was not compared" not in table, table
