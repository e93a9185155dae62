"""Edges of the volume rows (`storage_buckets`, `nfs_shares`) end to end on the sandbox: an NFS
share whose path Cloud Run holds without a leading `/` read back by `drift init --from-live`
(helper-710 F11)."""

from __future__ import annotations

from pathlib import Path

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import findings
from tests.fields.labrun import run as _run
from tests.fields.test_storage_volumes import (
    _nfs,
    _service,
    _volumes,
)
from tests.fix.conftest import LAB


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
