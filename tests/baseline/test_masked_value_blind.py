"""helper-611 F1–F3, helper-613 H1, M1, M2: a value shown masked that a deploy changed from one
wrong value to another compared `unchanged` (and `--fail-on-new` exited 0, silently) wherever
this run had not read the value the baseline found: a job (no revision; its template written
since, or deleted and created again), the revision the baseline found it on not read
(`--no-history`, ListRevisions refused, a manifest run), a value masked in part (`6379
--password=***`). Now a masked value on the very revisions (a job: the very uid and
generation) the baseline found it on is unchanged; the revisions this run did not read are
read for it (GetRevision), and the values compared; one that cannot be compared is `updated`,
on the safe side, with a note saying why."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import acme
from tests.manifest.conftest import JOB_CONTAINERS, LOCATED_API

PROFILE = """
project: acme
region: us-central1
services:
  api: {env: {DB_PASSWORD: "right-horse-battery", REDIS_PORT: "6379"}}
"""
WRONG = "Xk9fQ2mZ7pL4wR8tA1"  # a wrong password, masked (`*** (changed)`)
REDIS = "6379 --password=Bv3nH6yT1cJ5sD0gKq"  # masked in part: `6379 --password=***`
ARGS = ("check", "prod", "--format", "json", "--fail-on-new")


def _profiles(tmp_path: Path, text: str) -> Path:
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(textwrap.dedent(text))
    return folder


def _first(sandbox: Any, folder: Path, tmp_path: Path, *args: str) -> Path:
    last = tmp_path / "last.json"
    first = run(sandbox, folder, *ARGS[:4], "--output", str(last), *args)
    assert first.returncode == 1, first.stdout + first.stderr
    return last


def _states(done: Any) -> tuple[dict[str, str], list[str]]:
    doc = json.loads(done.stdout)
    assert WRONG not in done.stdout and "Bv3nH6yT1cJ5sD0gKq" not in done.stdout
    return {f["target"]: f["baseline"] for f in doc["findings"]}, doc["notes"]


def _api(make_sandbox: MakeSandbox) -> Any:
    env = {"DB_PASSWORD": WRONG, "REDIS_PORT": REDIS}
    return make_sandbox(acme({"api": {"template": {"env": env}}}))


def test_a_value_masked_in_part_changed_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path)
    sandbox.set_env("acme", "api", "REDIS_PORT", "6379 --password=Zz9xC8vB7nM6lK5jH4")
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, _ = _states(done)
    assert states == {"env.REDIS_PORT": "updated", "env.DB_PASSWORD": "unchanged"}, states
    assert done.returncode == 1, done.stdout


@pytest.mark.parametrize("how", ["no-history", "list-refused"])
def test_a_baseline_revision_this_run_did_not_read_is_read_for_it(
    make_sandbox: MakeSandbox, tmp_path: Path, how: str
) -> None:
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    extra = ("--no-history",) if how == "no-history" else ()
    last = _first(sandbox, folder, tmp_path, *extra)
    sandbox.set_env("acme", "api", "DB_PASSWORD", "Zz9xC8vB7nM6lK5jH4")
    if how == "list-refused":
        sandbox.inject(Fault("ListRevisions", "PERMISSION_DENIED"))
    sandbox.clear_calls()
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), *extra)
    states, notes = _states(done)
    # the old revision read (GetRevision) for the comparison: REDIS_PORT is the same value on
    # the new revision, DB_PASSWORD another (helper-613 M2: both were `updated` blind)
    assert states == {"env.DB_PASSWORD": "updated", "env.REDIS_PORT": "unchanged"}, states
    assert done.returncode == 1, done.stdout
    assert not [n for n in notes if "could not be compared" in n], notes
    assert [c.short for c in sandbox.calls].count("GetRevision") == 1


def test_a_baseline_revision_that_cannot_be_read_is_updated_and_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path, "--no-history")
    old = sandbox.service("acme", "api").latest_ready_revision.rpartition("/")[2]
    unchanged = run(sandbox, folder, *ARGS, "--baseline", str(last), "--no-history")
    assert _states(unchanged)[0]["env.DB_PASSWORD"] == "unchanged"  # the very revision
    assert unchanged.returncode == 0, unchanged.stdout
    sandbox.set_env("acme", "api", "DB_PASSWORD", "Zz9xC8vB7nM6lK5jH4")
    sandbox.inject(Fault("GetRevision", "PERMISSION_DENIED"))
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), "--no-history")
    states, notes = _states(done)
    # REDIS_PORT's value is the same, but on a new revision it cannot be compared either
    assert states == {"env.DB_PASSWORD": "updated", "env.REDIS_PORT": "updated"}, states
    assert done.returncode == 1, done.stdout
    said = " ".join(" ".join(notes).split())
    assert "2 values shown masked could not be compared with the value the baseline found: " in said
    assert f"api env.DB_PASSWORD ({old} not read this run)" in said, said
    assert "counted as updated, on the safe side" in said, said


JOB_PROFILE = """
project: acme
region: us-central1
jobs:
  migrate: {env: {DB_PASSWORD: {min_length: 40}}}
"""


def _job(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Any, Path, Path]:
    """Job `migrate` running a wrong password, its profile, and the baseline its first check
    wrote."""
    job = {"template": {"image": "us-docker.pkg.dev/acme/r/m:1", "env": {"DB_PASSWORD": WRONG}}}
    world = acme({})
    world["projects"]["acme"]["jobs"] = {"migrate": job}
    sandbox, folder = make_sandbox(world), _profiles(tmp_path, JOB_PROFILE)
    return sandbox, folder, _first(sandbox, folder, tmp_path)


def test_a_jobs_masked_value_is_compared_by_the_jobs_generation(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, folder, last = _job(make_sandbox, tmp_path)
    (before,) = [
        f for f in json.loads(last.read_text())["findings"] if f["rule"] == "env.constraint"
    ]
    uid, _, number = before["generation"].rpartition("/")
    assert uid and number.isdigit(), before
    same = run(sandbox, folder, *ARGS, "--baseline", str(last))
    assert set(_states(same)[0].values()) == {"unchanged"}, same.stdout
    assert same.returncode == 0, same.stdout
    sandbox.update_job("acme", "migrate", env={"DB_PASSWORD": "Zz9xC8vB7nM6lK5jH4"})
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert done.returncode == 1, done.stdout
    said = " ".join(" ".join(notes).split())
    assert (
        f"job migrate env.DB_PASSWORD (the job was written since: generation {number}, "
        f"now {int(number) + 1})"
    ) in said, said


def test_a_job_deleted_and_created_again_is_not_the_same_template(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-613 H1: created again, a job starts at generation 1 with another uid."""
    import grpc
    from google.cloud import run_v2
    from google.cloud.run_v2.services.jobs.transports import JobsGrpcTransport

    sandbox, folder, last = _job(make_sandbox, tmp_path)
    channel = grpc.insecure_channel(sandbox.address)
    try:
        jobs = run_v2.JobsClient(transport=JobsGrpcTransport(channel=channel))
        name = "projects/acme/locations/us-central1/jobs/migrate"
        old = jobs.get_job(name=name)
        jobs.delete_job(name=name).result()
        new = run_v2.Job(name=name, template=old.template)
        new.template.template.containers[0].env[0].value = "Zz9xC8vB7nM6lK5jH4"
        # created again as Terraform's provider and `gcloud run jobs replace` do: an update
        # that may create (UpdateJobRequest.allow_missing)
        jobs.update_job(request=run_v2.UpdateJobRequest(job=new, allow_missing=True)).result()
        assert jobs.get_job(name=name).generation == old.generation  # what fooled it
    finally:
        channel.close()
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert done.returncode == 1, done.stdout
    assert "(the job was deleted and created again since)" in " ".join(notes), notes


KNATIVE = (
    LOCATED_API
    + """\
      containers:
      - image: us-docker.pkg.dev/acme/app/api:1
        env:
        - {name: DB_PASSWORD, value: %s}
        - {name: REDIS_PORT, value: "%s"}
"""
)


@pytest.mark.parametrize("changed", [True, False], ids=["changed", "same"])
def test_a_manifests_masked_value_is_compared_with_the_deployed_one(
    make_sandbox: MakeSandbox, tmp_path: Path, changed: bool
) -> None:
    """A gate (`--manifest … --baseline … --fail-on-new`) reads the manifest's value and no
    deployed revision's: a changed wrong password passed it (exit 0); the revision the
    baseline found it on is now read for it, so the same value stays unchanged (helper-613
    M1: every gate went red) and another is updated. Offline: not compared, updated."""
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path)
    manifest = tmp_path / "api.yaml"
    manifest.write_text(KNATIVE % ("Zz9xC8vB7nM6lK5jH4" if changed else WRONG, REDIS))
    args = (*ARGS, "--baseline", str(last), "--manifest", str(manifest))
    done = run(sandbox, folder, *args)
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == ("updated" if changed else "unchanged"), states
    assert states["env.REDIS_PORT"] == "unchanged", states
    assert done.returncode == (1 if changed else 0), done.stdout
    assert not [n for n in notes if "could not be compared" in n], notes
    offline = run(sandbox, folder, *args, "--offline")
    states, notes = _states(offline)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert "not read this run" in " ".join(notes), notes


JOB_MANIFEST = (
    "apiVersion: run.googleapis.com/v1\nkind: Job\nmetadata:\n  name: migrate\n"
    "  labels: {cloud.googleapis.com/location: us-central1}\n"
    + JOB_CONTAINERS
    + """\
          - image: us-docker.pkg.dev/acme/r/m:1
            env:
            - {name: DB_PASSWORD, value: %s}
"""
)


def test_a_manifests_job_is_not_compared_with_the_deployed_one(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A job has no revision to read for it: its manifest's masked value is updated, said as
    the manifest's (helper-613 M4: "generation 1, now None")."""
    sandbox, folder, last = _job(make_sandbox, tmp_path)
    manifest = tmp_path / "job.yaml"
    manifest.write_text(JOB_MANIFEST % WRONG)
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), "--manifest", str(manifest))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    said = " ".join(" ".join(notes).split())
    assert "job migrate env.DB_PASSWORD (manifest:" in said, said
    assert "is compared, not the deployed job)" in said and "None" not in said, said


def test_a_baseline_of_a_manifest_run_is_no_revision_to_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-614 H1: a baseline written by the same `--manifest` command names the file as
    its finding's revision, as this run does: a file is no revision, and an edited one passed
    as "the very revision" (unchanged, exit 0). Not known: updated, said."""
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    manifest, last = tmp_path / "api.yaml", tmp_path / "last.json"
    manifest.write_text(KNATIVE % (WRONG, REDIS))
    run(sandbox, folder, *ARGS[:4], "--manifest", str(manifest), "--output", str(last))
    manifest.write_text(KNATIVE % ("Zz9xC8vB7nM6lK5jH4", REDIS))  # the pull request
    for offline in ((), ("--offline",)):
        args = (*ARGS, "--baseline", str(last), "--manifest", str(manifest), *offline)
        done = run(sandbox, folder, *args)
        states, notes = _states(done)
        assert states["env.DB_PASSWORD"] == "updated", (offline, states)
        assert done.returncode == 1, done.stdout
        assert (
            "of the baseline: a manifest is not read again: write the baseline with a live check"
            in " ".join(notes)
        ), notes


def test_a_jobs_generation_as_an_older_drift_wrote_it_is_read(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-614 M1: 75f7b37a wrote a job's generation as a number; read as no uid (not
    known: updated once, said), never the whole baseline refused."""
    sandbox, folder, last = _job(make_sandbox, tmp_path)
    report = json.loads(last.read_text())
    for finding in report["findings"]:
        finding["generation"] = int(finding["generation"].rpartition("/")[2])
    last.write_text(json.dumps(report))
    done = run(sandbox, folder, *ARGS, "--baseline", str(last))
    states, notes = _states(done)
    assert states["env.DB_PASSWORD"] == "updated", states
    assert "(the baseline holds no generation of the job)" in " ".join(notes), notes


def test_a_revision_the_run_could_not_read_is_not_asked_again(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-614 L1: each API call once — a serving revision whose GetRevision was refused
    is not read again for the baseline (its finding is updated blind, said)."""
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path, "--no-history")
    first = sandbox.service("acme", "api").latest_ready_revision.rpartition("/")[2]
    sandbox.deploy("acme", "api", env={"DB_PASSWORD": "Zz9xC8vB7nM6lK5jH4"}, no_traffic=True)
    second = sandbox.service("acme", "api").latest_created_revision.rpartition("/")[2]
    sandbox.update_traffic("acme", "api", {first: 50, second: 50})
    sandbox.inject(Fault("GetRevision", "PERMISSION_DENIED", match=first))
    sandbox.clear_calls()
    run(sandbox, folder, *ARGS, "--baseline", str(last), "--no-history")
    asked = [c.request.name for c in sandbox.calls if c.short == "GetRevision"]
    assert len(asked) == len(set(asked)), asked


def test_no_revision_is_read_for_a_finding_on_the_very_revisions(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-615 F5: a finding on the very revisions the baseline found it on needs no read,
    even where the baseline's also held one this run does not read (a canary since gone)."""
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, PROFILE)
    last = _first(sandbox, folder, tmp_path, "--no-history")
    report = json.loads(last.read_text())
    for finding in report["findings"]:
        finding["also_on"] = ["api-00009-gon"]  # a canary that held the same, deleted since
    last.write_text(json.dumps(report))
    sandbox.clear_calls()
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), "--no-history")
    assert set(_states(done)[0].values()) == {"unchanged"}, done.stdout
    assert [c.short for c in sandbox.calls].count("GetRevision") == 0


def test_an_ignored_masked_finding_is_compared_as_before(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-616 F1: an ignored finding is compared with the baseline's ignored one; its
    revision is read for it as for any other (it was skipped, and said as not compared)."""
    text = PROFILE + "ignore:\n  - {service: api, rule: env.value, reason: rotating on Friday}\n"
    sandbox, folder = _api(make_sandbox), _profiles(tmp_path, text)
    last = tmp_path / "last.json"
    run(sandbox, folder, *ARGS[:4], "--output", str(last), "--no-history")  # all ignored: 0
    sandbox.set_env("acme", "api", "LOG_LEVEL", "debug")  # a deploy keeping every value
    done = run(sandbox, folder, *ARGS, "--baseline", str(last), "--no-history")
    doc = json.loads(done.stdout)
    (ignored,) = [f for f in doc["findings"] if f["target"] == "env.DB_PASSWORD" and f["ignored"]]
    assert ignored["baseline"] == "unchanged", ignored
    assert not [n for n in doc["notes"] if "could not be compared" in n], doc["notes"]
