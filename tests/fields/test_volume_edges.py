"""Edges of the volume rows (`storage_buckets`, `nfs_shares`) end to end on the sandbox: a
repointed Cloud Storage volume's mount options, said in every plan format (helper-710 F10),
and an NFS share whose path Cloud Run holds without a leading `/` read back by `drift init
--from-live` (F11)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest

from drift.fix.formats import PlanFormat
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import findings
from tests.fields.labrun import run as _run
from tests.fields.test_storage_volumes import (
    PROD,
    STAGING,
    _gcs,
    _nfs,
    _service,
    _volumes,
)
from tests.fix.conftest import LAB

OPTIONS = ["only-dir=prod/2024", "implicit-dirs"]
LINE = f"      storage_buckets: {STAGING}\n"


def _said(done: subprocess.CompletedProcess[str], fmt: PlanFormat) -> str:
    """Where a plan in `fmt` says its notes: the document of a table or JSON plan, stderr
    beside a script (gcloud, YAML: "a script's text: no note in it")."""
    if fmt is PlanFormat.JSON:
        return "\n".join(json.loads(done.stdout)["notes"])
    return done.stdout if fmt is PlanFormat.TABLE else done.stderr


@pytest.mark.parametrize("fmt", list(PlanFormat))
def test_a_repointed_bucket_keeps_its_mount_options_and_every_plan_format_says_so(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: PlanFormat
) -> None:
    """Prod's volume mounts only prod's directory (`only-dir=prod/2024`): repointed to
    staging's bucket, it keeps that option, as a fix keeps all it does not name, and the plan
    names the volume and its options before any write (it said nothing of them)."""
    volumes = [_gcs("uploads", PROD, mountOptions=OPTIONS), _gcs("models", "acme-models")]
    sandbox = make_sandbox(_service(volumes, [("uploads", "/data"), ("models", "/m")], []))
    plan = _run(sandbox, tmp_path, LINE, "plan", "lab", "--format", str(fmt))
    assert plan.returncode == 1, plan.stdout + plan.stderr
    said = _said(plan, fmt)
    assert (
        f"app: volume 'uploads' mounts {STAGING} in place of {PROD} with the mount options it "
        "has (only-dir=prod/2024, implicit-dirs): the fix changes only the bucket" in said
    ), said
    assert "'models'" not in said, said  # not repointed: nothing to say of it
    done = _run(sandbox, tmp_path, LINE, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0 and "only-dir=prod/2024" in done.stdout, done.stdout
    assert _volumes(sandbox.service(LAB, "app").template)[0][0] == (
        "uploads",
        (STAGING, False, OPTIONS),
    )


def test_options_a_credential_shapes_are_masked_and_a_volume_without_options_is_not_named(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    endpoint = "custom-endpoint=https://user:hunter2secret@storage.example.com"
    volumes = [_gcs("uploads", PROD, mountOptions=[endpoint]), _gcs("other", "acme-other")]
    sandbox = make_sandbox(_service(volumes, [("uploads", "/data"), ("other", "/o")], []))
    line = f"      storage_buckets: {STAGING},acme-models\n"
    plan = _run(sandbox, tmp_path, line, "plan", "lab")
    assert "(custom-endpoint=***storage.example.com)" in plan.stdout, plan.stdout
    assert "hunter2secret" not in plan.stdout + plan.stderr
    assert "'other'" not in plan.stdout, plan.stdout  # repointed, but holds no option


def test_init_from_live_leaves_out_a_share_whose_path_has_no_leading_slash_and_says_why(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Cloud Run may hold an NFS path without a leading `/` (NFSVolumeSource.path: "Path that
    is exported by the NFS server", nothing more; the sandbox takes one). A profile states
    SERVER:/PATH, so init writes the row as a comment saying why and how to state it, and
    none of its shares (a list without it would be drift whose fix drops that volume): the
    profile loads and `drift check` reads clean."""
    volumes = [_nfs("odd", "10.0.0.2:exports"), _nfs("shared", "10.0.0.3:/b")]
    sandbox = make_sandbox(_service(volumes, [("odd", "/srv"), ("shared", "/b")], []))
    where = ("--project", LAB, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "\n      nfs_shares:" not in written, written
    assert (
        "      # nfs_shares: 10.0.0.2:exports:ro,10.0.0.3:/b:ro (a profile cannot state it: "
        "'10.0.0.2:exports' is no NFS share: expected SERVER:/PATH, the path from '/' "
        "(10.0.0.2:/exports)" in written
    ), written
    checked = drift_on(sandbox, tmp_path, ("other", "{}"), "check", "lab")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_a_profile_stating_the_share_from_slash_is_drift_named_as_cloud_run_holds_it(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Whether `exports` and `/exports` are one directory is the server's to say: `check`
    names the live spelling as drift (never clean), and the fix writes the stated path."""
    sandbox = make_sandbox(_service([_nfs("odd", "10.0.0.2:exports")], [("odd", "/srv")], []))
    line = "      nfs_shares: 10.0.0.2:/exports\n"
    code, found = findings(sandbox, tmp_path, line, "nfs_shares")
    assert (code, [f["actual"] for f in found]) == (1, ["10.0.0.2:exports:ro"]), found
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox.service(LAB, "app").template)[0] == [
        ("odd", ("10.0.0.2:/exports", True))
    ]
