"""`drift init ENV --from-live --service X` withholds a plain copy of a secret only another
workload references, as init without `--service` does (helper-646 O2): it was written whole
into the profile, a file meant for git, with no note. Every kind is listed beside the read
(each List made once, the named workload found in it), the others' templates' references
read for their values; a List that fails or is refused is a note naming it, the profile
written all the same (`--service` is the way around a denied List). Without `--service` no
call is added."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift
from tests.reliability.conftest import call_resource

REGION = "us-central1"
DB = "Wq7-OnlyWorkerReadsThis-51"
JOBKEY = "Jk4-OnlyTheJobReadsIt-0093"
ACCOUNT = "serviceAccount:5-compute@developer.gserviceaccount.com"
COPY = "DB_MIRROR: {required: true}  # holds the value of secret db-password (version 1)"


def world() -> dict[str, Any]:
    """web copies worker's `db-password` and the job's `job-key` as plain values; web
    references no secret itself."""
    grant = {"roles/secretmanager.secretAccessor": [ACCOUNT]}
    web = {"template": {"env": {"DB_MIRROR": DB, "NIGHTLY_REF": JOBKEY, "LEVEL": "info"}}}
    worker = {"template": {"env": {"DB_PASSWORD": {"secret": "db-password"}}}}
    job = {"template": {"env": {"KEY": {"secret": "job-key", "version": "1"}}}}
    acme: dict[str, Any] = {"number": 5, "region": REGION}
    acme["services"] = {"web": web, "worker": worker}
    acme["jobs"] = {"nightly": job}
    acme["secrets"] = {
        "db-password": {"versions": [DB], "iam": grant},
        "job-key": {"versions": [JOBKEY], "iam": grant},
    }
    return {"options": {"seed": 3}, "projects": {"acme": acme}}


def init(sandbox: Sandbox, tmp_path: Path, *args: str) -> tuple[Any, str, Counter[str]]:
    folder = tmp_path / "profiles"
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    sandbox.clear_calls()
    done = drift(
        "init", "lab", "--from-live", "--project", "acme", "--region", REGION, *args,
        env=env, cwd=tmp_path,
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    text = (folder / "lab.yaml").read_text() if (folder / "lab.yaml").exists() else ""
    return done, text, Counter(c.short for c in sandbox.calls)


def test_a_copy_of_a_secret_only_another_workload_references_is_withheld(
    tmp_path: Path,
) -> None:
    with Sandbox(world()) as sandbox:
        done, text, counts = init(sandbox, tmp_path, "--service", "web")
        reads = sorted(call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion")
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert DB not in text and JOBKEY not in text and DB not in out and JOBKEY not in out, text
    assert COPY in text, text
    assert "NIGHTLY_REF: {required: true}  # holds the value of secret job-key (version 1)" in text
    assert "LEVEL: info" in text and "worker:" not in text and "nightly" not in text, text
    # each kind listed once, web found in the list (no GetService), each value read once
    assert [counts[m] for m in ("ListServices", "ListJobs", "ListWorkerPools")] == [1, 1, 1]
    assert counts["GetService"] == 0, counts
    assert reads == [
        "projects/acme/secrets/db-password/versions/latest",
        "projects/acme/secrets/job-key/versions/1",
    ]


@pytest.mark.parametrize(
    ("status", "needs"), [("PERMISSION_DENIED", ", needs run.services.list"), ("UNAVAILABLE", "")]
)
def test_a_list_that_fails_beside_service_is_a_note(
    tmp_path: Path, status: str, needs: str
) -> None:
    """ListServices refused (or failing after its retries): web is read with its Get, the
    job's copy still withheld, the profile written, and a note names the List and what it
    leaves unknown (worker's db-password: its copy in web is written as Cloud Run shows it):
    exit 0 for a refusal, 3 (incomplete) for a List that failed for now, as a value unread
    for now is."""
    with Sandbox(world()) as sandbox:
        sandbox.inject(Fault("ListServices", status, retry_delay_ms=1))
        done, text, counts = init(sandbox, tmp_path, "--service", "web")
    out = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == (0 if status == "PERMISSION_DENIED" else 3), out
    assert "web:" in text and JOBKEY not in text and JOBKEY not in out, text
    assert counts["GetService"] == 1, counts
    said = "note" if status == "PERMISSION_DENIED" else "incomplete"
    assert (
        f"{said}: could not list the services in acme/{REGION} (ListServices: {status}{needs}): "
        "a plain value holding a copy of a secret only other services reference is not known, "
        "and is written as Cloud Run shows it; review the plain values before committing the "
        "profile"
    ) in out, out


def test_no_call_is_added_without_service(tmp_path: Path) -> None:
    """Every workload is read then: each kind listed once, each value read once (as before)."""
    with Sandbox(world()) as sandbox:
        done, text, counts = init(sandbox, tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr
    assert COPY in text and DB not in text and JOBKEY not in text, text
    assert [counts[m] for m in ("ListServices", "ListJobs", "ListWorkerPools")] == [1, 1, 1]
    assert counts["AccessSecretVersion"] == 2 and counts["GetService"] == 0, counts


def test_no_list_with_service_and_no_secret_values(tmp_path: Path) -> None:
    """`--no-secret-values` reads no value: nothing to list for."""
    with Sandbox(world()) as sandbox:
        done, _, counts = init(sandbox, tmp_path, "--service", "web", "--no-secret-values")
    assert done.returncode == 0, done.stdout + done.stderr
    assert counts["ListServices"] == counts["ListJobs"] == counts["AccessSecretVersion"] == 0
    assert counts["GetService"] == 1, counts


def test_a_named_workload_that_does_not_exist_reads_no_value(tmp_path: Path) -> None:
    """helper-657 LOW-5: `--service nosuch` writes nothing, yet read the values of the secrets
    the other workloads reference (each an audit-logged data access)."""
    with Sandbox(world()) as sandbox:
        done, _, counts = init(sandbox, tmp_path, "--service", "nosuch")
    assert done.returncode == 2 and "nothing was written" in done.stderr, done.stderr
    assert counts["AccessSecretVersion"] == 0, counts
