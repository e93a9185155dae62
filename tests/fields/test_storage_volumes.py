"""The catalogue's `storage_buckets` and `nfs_shares` rows (drift/fields/storage.py), end to end
through the real `drift check`, `plan`, `fix` and `init` on the sandbox: the Cloud Storage and
NFS volumes of a service's revision (with a sidecar), a job's task and a worker pool's revision
(staging mounting production's bucket read clean: no row read Volume.gcs or Volume.nfs)."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.kinds import Kind
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import findings as _findings
from tests.fields.labrun import run as _run
from tests.fields.labrun import volumes_world, workload_profile
from tests.fix.conftest import LAB, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"
PROD = "acme-prod-uploads"
STAGING = "acme-staging-uploads"
MODELS = "acme-models"
PROD_NFS = "10.0.0.2:/prod"
MODELS_RW = ("models", (MODELS, False, []))
STAGING_NFS = "10.0.0.3:/staging"


def _gcs(name: str, bucket: str, **more: Any) -> dict[str, Any]:
    return {"name": name, "gcs": {"bucket": bucket, **more}}


def _nfs(name: str, share: str) -> dict[str, Any]:
    server, path = share.split(":", 1)
    return {"name": name, "nfs": {"server": server, "path": path, "readOnly": True}}


def _mount(name: str, path: str) -> dict[str, Any]:
    return {"name": name, "mountPath": path}


Mounts = list[tuple[str, str]]


def _service(volumes: list[dict[str, Any]], app: Mounts, sidecar: Mounts) -> dict[str, Any]:
    """Service `app` with a sidecar; each container's mounts as (volume, path)."""
    containers = [
        {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]},
        {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:1"},
    ]
    for container, mounts in zip(containers, (app, sidecar), strict=True):
        container["volumeMounts"] = [_mount(*m) for m in mounts]
    api = {"containers": containers, "volumes": volumes}
    return lab_world(template={"image": IMAGE, "port": 8080, "api": api})


def _volumes(template: Any) -> tuple[list[Any], dict[str, Any]]:
    """Each volume as (name, what it mounts), and each container's mounts."""
    volumes = []
    for v in template.volumes:
        if "gcs" in v:
            held: Any = (v.gcs.bucket, v.gcs.read_only, list(v.gcs.mount_options))
        elif "nfs" in v:
            held = (f"{v.nfs.server}:{v.nfs.path}", v.nfs.read_only)
        else:
            held = "other"
        volumes.append((v.name, held))
    mounts = {
        c.name: [(m.name, m.mount_path) for m in c.volume_mounts] for c in template.containers
    }
    return volumes, mounts


SHARED = [  # the app's uploads (read-only, with options) mounted by the sidecar too; its own
    _gcs("uploads", PROD, readOnly=True, mountOptions=["implicit-dirs"]),
    _gcs("models", MODELS),
    {"name": "scratch", "emptyDir": {}},
]
APP = [("uploads", "/data"), ("scratch", "/tmp/s")]
SIDECAR = [("uploads", "/logs/uploads"), ("models", "/models")]


@pytest.mark.parametrize(
    ("setting", "actual", "after"),
    [
        (  # staging mounting prod's bucket: the volume keeps its name, flags and both mounts
            f"[{STAGING}, {MODELS}]",
            f"{MODELS}:rw,{PROD}:ro",
            (
                [
                    ("uploads", (STAGING, True, ["implicit-dirs"])),
                    ("models", (MODELS, False, [])),
                    ("scratch", "other"),
                ],
                {"app": APP, "otel": SIDECAR},
            ),
        ),
        (  # one added beside: a new volume `gcs` at /mnt/gcs in the ingress container
            f"{PROD},{MODELS},{STAGING}",
            f"{MODELS}:rw,{PROD}:ro",
            (
                [
                    ("uploads", (PROD, True, ["implicit-dirs"])),
                    ("models", (MODELS, False, [])),
                    ("scratch", "other"),
                    ("gcs", (STAGING, False, [])),
                ],
                {"app": [*APP, ("gcs", "/mnt/gcs")], "otel": SIDECAR},
            ),
        ),
        (  # prod's dropped: its volume and its mounts go, the sidecar's own stays
            MODELS,
            f"{MODELS}:rw,{PROD}:ro",
            (
                [("models", (MODELS, False, [])), ("scratch", "other")],
                {"app": [("scratch", "/tmp/s")], "otel": [("models", "/models")]},
            ),
        ),
    ],
)
def test_a_drifted_bucket_is_found_and_fixed_and_only_it_changes(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    setting: str,
    actual: str,
    after: tuple[list[Any], dict[str, Any]],
) -> None:
    sandbox = make_sandbox(_service(copy.deepcopy(SHARED), APP, SIDECAR))
    line = f"      storage_buckets: {setting}\n"
    code, (finding,) = _findings(sandbox, tmp_path, line, "storage_buckets")
    assert code == 1 and (finding["rule"], finding["actual"]) == ("setting.value", actual), finding
    script = _run(sandbox, tmp_path, line, "plan", "lab", "--format", "gcloud")
    assert "setting storage_buckets:" in script.stdout and "drift fix makes it" in script.stdout
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template) == after
    assert _findings(sandbox, tmp_path, line, "storage_buckets") == (0, [])
    back = _run(sandbox, tmp_path, line, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _findings(sandbox, tmp_path, line, "storage_buckets")[1][0]["actual"] == actual


# helper-719 F2: a space inside an exported path (NFS allows one) is stated as it is; it was
# refused at the line ("no space nor control character"), so such a share was never pinned
@pytest.mark.parametrize("share", [STAGING_NFS, "10.0.0.3:/exports/my share"])
def test_a_share_repointed_keeps_its_volume_and_mounts(
    make_sandbox: MakeSandbox, tmp_path: Path, share: str
) -> None:
    volumes = [_nfs("shared", PROD_NFS), _gcs("uploads", STAGING)]
    sandbox = make_sandbox(_service(volumes, [("shared", "/srv")], [("shared", "/s")]))
    line = f"      nfs_shares: {share}\n"
    code, (finding,) = _findings(sandbox, tmp_path, line, "nfs_shares")
    assert code == 1 and finding["actual"] == f"{PROD_NFS}:ro", finding
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template) == (
        [("shared", (share, True)), ("uploads", (STAGING, False, []))],
        {"app": [("shared", "/srv")], "otel": [("shared", "/s")]},
    )
    assert _findings(sandbox, tmp_path, line, "nfs_shares") == (0, [])


def test_the_plan_says_where_a_bucket_no_volume_held_is_mounted(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service([], [], []))
    done = _run(sandbox, tmp_path, f"      storage_buckets: {STAGING}\n", "plan", "lab")
    assert done.returncode == 1, done.stdout + done.stderr
    assert "new volume 'gcs'" in done.stdout and "/mnt/" in done.stdout, done.stdout


@pytest.mark.parametrize(
    ("setting", "wrong"),
    [
        (f"storage_buckets: gs://{STAGING}", "without gs://"),
        ("storage_buckets: Acme_Uploads", "lowercase"),
        ("storage_buckets: google-data", "goog"),
        ("nfs_shares: 10.0.0.2", "SERVER:/PATH"),
        (f"storage_buckets: {PROD}:wo", "then :ro or :rw"),  # a mode: ro, rw or none
        (f"storage_buckets: [{PROD}, '{PROD}:ro']", "named twice"),
        (f"nfs_shares: {PROD_NFS}:ro,{PROD_NFS}", "named twice"),
        # helper-722 F1: one share in two spellings was mounted twice by a fix
        (
            "nfs_shares: nfs-1.example.com:/exports, NFS-1.example.com:/exports/",
            "'nfs-1.example.com:/exports' is named twice (as 'NFS-1.example.com:/exports/')",
        ),
        (
            "nfs_shares: '10.0.0.2:/a:ro, 10.0.0.2:/a/.:rw'",
            "'10.0.0.2:/a' is named twice (as '10.0.0.2:/a/.')",
        ),
        # helper-706 F7: a control character (an escape, a bidi override) in a share
        ('nfs_shares: "10.0.0.2:/a\\eb"', "no tab, line break nor control character"),
        ('nfs_shares: ["10.0.0.2:/a\\u202eb"]', "no tab, line break nor control character"),
        ('nfs_shares: "10.0.0.2:/a\\tb"', "no tab, line break nor control character"),
        ("nfs_shares: 10.0.0.2 :/exports", "a space only inside it"),  # not in the server
    ],
)
def test_a_profile_naming_no_bucket_or_share_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str, wrong: str
) -> None:
    sandbox = make_sandbox(_service([], [], []))
    done = _run(sandbox, tmp_path, f"      {setting}\n", "check", "lab")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "lab.yaml:6" in done.stderr and wrong in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["jobs", "worker_pools"])
def test_a_job_or_pool_mounting_prod_is_drift_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    volumes = [_gcs("data", PROD), _nfs("share", PROD_NFS)]
    sandbox = make_sandbox(
        volumes_world(volumes, [_mount("data", "/data")], [_mount("share", "/share")])
    )
    text = workload_profile(kind, f"storage_buckets: {STAGING}\nnfs_shares: {STAGING_NFS}")

    def found() -> tuple[int, list[Any]]:
        done = drift_on(sandbox, tmp_path, ("prod", text), "check", "prod", "--format", "json")
        targets = ("setting.storage_buckets", "setting.nfs_shares")
        return done.returncode, sorted(
            f["actual"] for f in json.loads(done.stdout)["findings"] if f["target"] in targets
        )

    assert found() == (1, [f"{PROD_NFS}:ro", f"{PROD}:rw"])
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert found()[1] == []
    if kind == "worker_pools":
        assert _volumes(sandbox.worker_pool("p", "pool").template) == (
            [("data", (STAGING, False, [])), ("share", (STAGING_NFS, True))],
            {"consumer": [("data", "/data")], "agent": [("share", "/share")]},
        )


def test_init_from_live_writes_the_buckets_and_shares_only_where_mounted(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    volumes = [_gcs("uploads", PROD), _nfs("shared", PROD_NFS)]
    world_ = _service(volumes, [("uploads", "/data"), ("shared", "/srv")], [])
    bare = copy.deepcopy(world_["projects"][LAB]["services"]["app"])
    bare["template"] = {"image": IMAGE, "port": 8080}
    world_["projects"][LAB]["services"]["bare"] = bare
    sandbox = make_sandbox(world_)
    where = ("--project", LAB, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    app, _, rest = written.partition("  bare:")
    assert f"      storage_buckets: {PROD}:rw\n" in app, written  # the mode each volume has
    assert f"nfs_shares: {PROD_NFS}:ro\n" in app, written
    assert "storage_buckets" not in rest and "nfs_shares" not in rest, written


def test_every_volume_mounting_the_bucket_replaced_is_repointed(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The app's writable and the sidecar's read-only volume of prod's bucket both mount
    staging's after the fix: one bucket replaced by one, not a volume dropped."""
    volumes = [_gcs("rw", PROD), _gcs("ro", PROD, readOnly=True)]
    sandbox = make_sandbox(_service(volumes, [("rw", "/data")], [("ro", "/in")]))
    line = f"      storage_buckets: {STAGING}\n"
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template) == (
        [("rw", (STAGING, False, [])), ("ro", (STAGING, True, []))],
        {"app": [("rw", "/data")], "otel": [("ro", "/in")]},
    )
    assert _findings(sandbox, tmp_path, line, "storage_buckets") == (0, [])


def test_gclouds_volumes_each_have_their_own_name() -> None:
    """The row's `gcloud` (never printed as a command: `no_flag`) names no two volumes alike."""
    from drift.fields import FIELDS

    assert FIELDS["storage_buckets"].gcloud(f"{PROD},{STAGING}") == (
        f"--add-volume=name=gcs,type=cloud-storage,bucket={PROD} "
        f"--add-volume=name=gcs-1,type=cloud-storage,bucket={STAGING}"
    )
    assert FIELDS["nfs_shares"].lacks_flag(Kind.JOB, PROD_NFS).startswith("has no flag")


@pytest.mark.parametrize(
    ("setting", "actual", "after"),
    [
        (  # the profile wants prod's read-only: both its volumes become so, nothing else
            f"{PROD}:ro,{MODELS}",
            f"{MODELS}:rw,{PROD}:rw",
            [("rw", (PROD, True, ["implicit-dirs"])), ("ro", (PROD, True, [])), MODELS_RW],
        ),
        (  # one of its volumes writes it already: `:rw` holds, nothing is written
            f"{PROD}:rw,{MODELS}:rw",
            None,
            [("rw", (PROD, False, ["implicit-dirs"])), ("ro", (PROD, True, [])), MODELS_RW],
        ),
        (  # no mode stated: the bucket alone, as before modes were read
            f"{PROD},{MODELS}",
            None,
            [("rw", (PROD, False, ["implicit-dirs"])), ("ro", (PROD, True, [])), MODELS_RW],
        ),
    ],
)
def test_a_bucket_mounted_writable_where_the_profile_says_read_only_is_drift(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    setting: str,
    actual: str | None,
    after: list[Any],
) -> None:
    """Staging's app writes prod's bucket (its sidecar reads it): `:ro` in the profile is drift
    (it read clean: no row compared `read_only`), and the fix sets only that flag."""
    volumes = [
        _gcs("rw", PROD, mountOptions=["implicit-dirs"]),
        _gcs("ro", PROD, readOnly=True),
        _gcs("models", MODELS),
    ]
    app = [("rw", "/data"), ("models", "/models")]
    sandbox = make_sandbox(_service(volumes, app, [("ro", "/in")]))
    line = f"      storage_buckets: {setting}\n"
    code, found = _findings(sandbox, tmp_path, line, "storage_buckets")
    assert (code, [f["actual"] for f in found]) == ((1, [actual]) if actual else (0, [])), found
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template) == (
        after,
        {"app": app, "otel": [("ro", "/in")]},
    )
    assert _findings(sandbox, tmp_path, line, "storage_buckets") == (0, [])


def test_a_share_read_only_where_the_profile_says_rw_is_made_writable(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service([_nfs("shared", PROD_NFS)], [("shared", "/srv")], []))
    line = f"      nfs_shares: {PROD_NFS}:rw\n"
    code, (finding,) = _findings(sandbox, tmp_path, line, "nfs_shares")
    assert code == 1 and finding["actual"] == f"{PROD_NFS}:ro", finding
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template)[0] == [("shared", (PROD_NFS, False))]


def test_gclouds_volume_of_a_read_only_item_says_readonly() -> None:
    from drift.fields import FIELDS

    assert FIELDS["nfs_shares"].gcloud(f"{PROD_NFS}:ro") == (
        f"--add-volume=name=nfs,type=nfs,location={PROD_NFS},readonly=true"
    )


@pytest.mark.parametrize("option", ["refused", "taken"])
@pytest.mark.parametrize(
    ("line", "volume", "made"),
    [
        (f"storage_buckets: {PROD},{STAGING}", _gcs("uploads", PROD), (STAGING, False, [])),
        (f"nfs_shares: {PROD_NFS},{STAGING_NFS}", _nfs("shared", PROD_NFS), (STAGING_NFS, False)),
    ],
    ids=["gcs", "nfs"],
)
def test_a_new_volume_is_mounted_where_no_other_volume_of_its_container_is(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    option: str,
    line: str,
    volume: dict[str, Any],
    made: Any,
) -> None:
    """The app mounts its volume `uploads` (`shared`) at /mnt/gcs (/mnt/nfs), the path a new
    volume `gcs` (`nfs`) would take: the new one is `gcs-1` (`nfs-1`) at its own path. Two
    volumes at one path are refused where Knative's rule holds (option `mount_path_twice`:
    the fix failed, exit 4) and hide one another where taken (the fix wrote a second mount at
    /mnt/gcs and read the bucket added, which the app could not reach)."""
    kind = "gcs" if "gcs" in volume else "nfs"
    world_ = _service([volume], [(volume["name"], f"/mnt/{kind}/")], [])
    world_["options"]["mount_path_twice"] = option
    sandbox = make_sandbox(world_)
    setting = f"      {line}\n"
    done = _run(sandbox, tmp_path, setting, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template)[1]["app"] == [
        (volume["name"], f"/mnt/{kind}/"),
        (f"{kind}-1", f"/mnt/{kind}-1"),
    ]
    assert _volumes(sandbox.service(LAB, "app").template)[0][1] == (f"{kind}-1", made)
    plan = _run(sandbox, tmp_path, setting, "plan", "lab")
    assert plan.returncode == 0, plan.stdout + plan.stderr


@pytest.mark.parametrize(
    ("setting", "after"),
    [
        ("NFS-1.Example.com:/exports/", None),  # the share it mounts: clean, nothing written
        ("nfs-1.example.com:/exports/./:rw", ("/exports", False)),  # only its flag changes
    ],
)
def test_a_share_is_compared_as_the_directory_it_names(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str, after: Any
) -> None:
    """A share's server whatever its case and its path as a directory (`/exports/` is
    `/exports`), in `drift check` as `drift compare` has it: the profile's spelling was drift
    and the fix repointed the volume to the very directory it mounted."""
    share = "nfs-1.example.com:/exports"
    sandbox = make_sandbox(_service([_nfs("shared", share)], [("shared", "/srv")], []))
    line = f"      nfs_shares: {setting}\n"
    code, found = _findings(sandbox, tmp_path, line, "nfs_shares")
    assert (code, [f["actual"] for f in found]) == ((1, [f"{share}:ro"]) if after else (0, []))
    before = sandbox.service(LAB, "app").template
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    template = sandbox.service(LAB, "app").template
    if after is None:
        assert template == before, done.stdout
        return
    nfs = template.volumes[0].nfs
    assert (nfs.server, nfs.path, nfs.read_only) == ("nfs-1.example.com", *after)
    assert _findings(sandbox, tmp_path, line, "nfs_shares") == (0, [])


def test_a_share_reached_through_dotdot_is_not_taken_for_the_directory_it_spells(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`/exports/../secret` is resolved by the NFS server through its links, which drift cannot
    see (`/exports` a link elsewhere: another directory than `/secret`): compared as written,
    drift — never clean on a guess (helper-722 F8; `.` and repeated slashes still fold)."""
    live = "10.0.0.3:/exports/../secret"
    sandbox = make_sandbox(_service([_nfs("share", live)], [("share", "/s")], []))
    drifted = _run(sandbox, tmp_path, "      nfs_shares: 10.0.0.3:/secret\n", "check", "lab")
    assert drifted.returncode == 1 and "setting.nfs_shares" in drifted.stdout, drifted.stdout
    same = _run(sandbox, tmp_path, f"      nfs_shares: '{live}/./'\n", "check", "lab")
    assert same.returncode == 0, same.stdout + same.stderr
