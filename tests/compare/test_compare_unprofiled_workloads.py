"""`compare --live` between two deployments lists each side's services, jobs and worker pools
(one List per kind per side, which the read uses: no Get for a workload a List brought). A
workload one environment runs and the other does not, named by neither profile, is
`service.only_in` (helper-618 F6; main: "staging and prod are equivalent: 1 service compared",
exit 0, while prod lacked the worker and the job staging runs). Those both run are a note: not
compared. A List that fails is a note: its kind's unprofiled workloads were not looked for."""

from __future__ import annotations

import collections
import json
from pathlib import Path
from typing import Any

import yaml

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift

IMAGE = "us-docker.pkg.dev/acme/apps/api:1.0.0"
PROFILE = "project: {}\nregion: us-central1\nservices:\n  api: {{}}\n"


def _workload(value: str) -> dict[str, Any]:
    return {"template": {"image": IMAGE, "env": {"LEVEL": value}}}


def _pool() -> dict[str, Any]:
    container = {"name": "app", "image": IMAGE}
    return {"instances": 1, "template": {"containers": [container]}}


def _scenario() -> dict[str, Any]:
    """staging runs api, web, worker, job mig and worker pool queue; prod runs api, web and
    job report. Fake values."""
    staging = {
        "number": 700000000001,
        "region": "us-central1",
        "services": {n: _workload("info") for n in ("api", "web", "worker")},
        "jobs": {"mig": _workload("info")},
        "worker_pools": {"queue": _pool()},
    }
    prod = {
        "number": 700000000002,
        "region": "us-central1",
        "services": {n: _workload("info") for n in ("api", "web")},
        "jobs": {"report": _workload("info")},
    }
    return {"projects": {"acme-staging": staging, "acme-prod": prod}}


def _compare(sandbox: Sandbox, tmp_path: Path, *extra: str) -> dict[str, Any]:
    for name, project in (("staging", "acme-staging"), ("prod", "acme-prod")):
        (tmp_path / f"{name}.yaml").write_text(PROFILE.format(project))
    sandbox.clear_calls()
    done = drift(
        "compare", "staging", "prod", "--live", "--profiles", str(tmp_path), "-f", "json",
        "--no-secret-values", *extra, env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    document: dict[str, Any] = json.loads(done.stdout)
    document["exit_code"] = done.returncode
    return document


def _world(tmp_path: Path) -> Sandbox:
    (tmp_path / "scenario.yaml").write_text(yaml.safe_dump(_scenario()))
    return Sandbox(tmp_path / "scenario.yaml")


def test_a_workload_only_one_environment_runs_is_a_difference(tmp_path: Path) -> None:
    with _world(tmp_path) as sandbox:
        document = _compare(sandbox, tmp_path)
        calls = collections.Counter(
            (c.short, getattr(c.request, "parent", "")) for c in sandbox.calls
        )
    found = [(d["service"], d["kind"], d["side"], d["message"]) for d in document["differences"]]
    assert found == [
        (
            "job/mig",
            "service.only_in",
            "a",
            "job mig is only in staging (prod: does not exist in acme-prod/us-central1); "
            "neither profile names it",
        ),
        (
            "job/report",
            "service.only_in",
            "b",
            "job report is only in prod (staging: does not exist in acme-staging/us-central1); "
            "neither profile names it",
        ),
        (
            "worker",
            "service.only_in",
            "a",
            "worker is only in staging (prod: does not exist in acme-prod/us-central1); "
            "neither profile names it",
        ),
        (
            "worker_pool/queue",
            "service.only_in",
            "a",
            "worker pool queue is only in staging (prod: does not exist in "
            "acme-prod/us-central1); neither profile names it",
        ),
    ], document
    assert document["exit_code"] == 1 and document["status"] == "different"
    assert (
        "staging and prod both run web, which neither profile names: not compared"
        in (document["notes"])
    )
    # one List per kind per side, used by the read: api is asked for with no Get
    for project in ("acme-staging", "acme-prod"):
        where = f"projects/{project}/locations/us-central1"
        for method in ("ListServices", "ListJobs", "ListWorkerPools"):
            assert calls[(method, where)] == 1, calls
    assert not [c for c in calls if c[0] in ("GetService", "GetJob", "GetWorkerPool")], calls


def test_the_services_asked_for_are_all_that_is_compared(tmp_path: Path) -> None:
    """`--service api`: the user chose what to compare; nothing else is listed."""
    with _world(tmp_path) as sandbox:
        document = _compare(sandbox, tmp_path, "--service", "api")
        listed = [c.short for c in sandbox.calls if c.short in ("ListJobs", "ListWorkerPools")]
    assert document["differences"] == [] and document["exit_code"] == 0, document
    assert listed == []


def test_a_list_refused_is_incomplete_never_a_parity(tmp_path: Path) -> None:
    """prod's ListJobs refused: staging's job mig is not looked for, api is still compared.
    helper-625 F2: the refusal was a note, and with no other difference compare said
    "equivalent", exit 0 — a kind it could not look at counted as parity. It is an item not
    read: exit 3 (SPEC: incomplete, never reported as clean)."""
    with _world(tmp_path) as sandbox:
        sandbox.inject(Fault("ListJobs", "PERMISSION_DENIED", match="acme-prod"))
        document = _compare(sandbox, tmp_path)
    services = {d["service"] for d in document["differences"]}
    assert services == {"worker", "worker_pool/queue"}, document
    (item,) = document["unverified"]
    assert (item["side"], item["service"], item["target"]) == ("b", "jobs", "list"), item
    assert item["reason"].startswith("the jobs of acme-prod/us-central1 could not be listed (")
    assert item["reason"].endswith("): jobs neither profile names were not looked for"), item
    assert not [n for n in document["notes"] if "could not be listed" in n], document["notes"]
    assert document["exit_code"] == 1  # the differences found stay the exit code's

    # nothing else differs (staging's worker and queue gone, both run job report): the job
    # mig only staging runs is not looked for, and that is no parity
    scenario = _scenario()
    staging = scenario["projects"]["acme-staging"]
    staging["services"].pop("worker")
    staging.pop("worker_pools")
    staging["jobs"]["report"] = _workload("info")
    (tmp_path / "only").mkdir()
    (tmp_path / "only" / "scenario.yaml").write_text(yaml.safe_dump(scenario))
    with Sandbox(tmp_path / "only" / "scenario.yaml") as sandbox:
        sandbox.inject(Fault("ListJobs", "PERMISSION_DENIED", match="acme-prod"))
        document = _compare(sandbox, tmp_path / "only")
    assert document["differences"] == [] and document["status"] == "incomplete", document
    assert document["exit_code"] == 3
