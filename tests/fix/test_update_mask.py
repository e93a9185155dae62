"""review 848 F1/F2 (SPEC invariant 2, "every other variable, setting, label and annotation of
the service survives byte for byte"): a teammate labels the workload between drift's read right
before its write and the server's applying that write, on a server that lets drift's stale
etag through (`stale_etag: ignored`). Sent whole with no mask, drift's write put back the
labels it had read: their label was gone, and where the label left `generation` as it was
(`labels_bump_generation: false`, as Kubernetes and Knative) the fix ended "no drift", exit 0.
drift's UpdateService / UpdateWorkerPool now carries an `update_mask` naming only what it writes
(`drift.fix.update_mask`): their label stays, for the canary, the promotion, the rollback's
restoring write and a worker pool's update. Where the label moved the generation, drift tells
its write landed over theirs and says their label stays, not that their template is gone."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.fix.rollback import run_rollback
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, before_the_write, entries, fix, updates
from tests.fix.test_restore_collision import fixed
from tests.jobs.test_fix_jobs import _label as label_job_or_pool
from tests.jobs.test_fix_jobs import fix as fix_jobs
from tests.jobs.test_fix_jobs import lab  # noqa: F401  (a fixture)
from tests.sandbox.helpers import service_name

BUMPS = pytest.mark.parametrize("bumps", [False, True], ids=["label-keeps-gen", "label-bumps"])
"""Whether their label moves `generation` (sandbox `labels_bump_generation`)."""

KEPT = "their labels cost-center stays (drift's write does not set it)"


def label(clients: Clients) -> None:
    """Their label `cost-center: 42` on api, read-modify-write with its current etag."""
    service = clients.services.get_service(name=service_name("api"))
    service.labels["cost-center"] = "42"
    clients.services.update_service(service=service).result()


def their_server(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, bumps: bool) -> None:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", bumps)


@BUMPS
@pytest.mark.parametrize("step", [1, 2], ids=["canary", "promotion"])
def test_their_label_between_the_read_and_the_write_stays(
    step: int,
    bumps: bool,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    their_server(sandbox, monkeypatch, bumps)
    before_the_write(monkeypatch, step, lambda _: label(clients))
    result = fix(tmp_path, env, ScriptedUI([True, True]), FixOptions(), services=["api"])
    said = result.summary()
    now = sandbox.service(PROJECT, "api")
    assert now.labels["cost-center"] == "42", said  # was erased
    (entry,) = entries(tmp_path)
    if not bumps:  # nothing tells, nothing needs to: the fix is done and their label stays
        assert result.exit_code == ExitCode.OK, said
        assert entry.state == State.PROMOTED, said
        return
    assert KEPT in said, said
    assert "replaced their template" not in said, said
    assert "their change is no longer in the service" not in said, said
    assert result.exit_code == ExitCode.DRIFT, said  # drift's write landed over theirs
    assert entry.state == (State.PROMOTED if step == 2 else State.CLEANED_UP), said


@BUMPS
@pytest.mark.parametrize("kind", ["service", "worker_pool"])
def test_their_label_between_the_rollbacks_read_and_its_write_stays(
    kind: str,
    bumps: bool,
    request: pytest.FixtureRequest,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, module = fixed(kind, request, tmp_path)
    their_server(sandbox, monkeypatch, bumps)
    real, meddled = module.update_workload, []

    async def update_workload(session: Any, kind_: Any, request_: Any, **kw: Any) -> Any:
        if kind_.value == kind and not meddled:  # right after the rollback read it
            meddled.append(request_.name)
            if kind == "service":
                label(request.getfixturevalue("clients"))
            else:
                label_job_or_pool(sandbox, "UpdateWorkerPool")
        return await real(session, kind_, request_, **kw)

    monkeypatch.setattr(module, "update_workload", update_workload)
    ui = ScriptedUI()
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ui, None, yes=True))
    said = "\n".join(ui.said) + "\n" + done.summary()
    held = (
        sandbox.service(PROJECT, "api") if kind == "service" else sandbox.worker_pool("p", "pool")
    )
    assert meddled, said
    assert held.labels["cost-center"] == "42", said  # was erased
    if not bumps:
        assert done.exit_code == ExitCode.OK, said
        return
    assert "landed over someone else's write" in said, said
    assert KEPT in said, said
    assert "their change is no longer in" not in said, said
    assert done.exit_code is not ExitCode.OK, said


@BUMPS
def test_their_label_between_the_pools_read_and_its_update_stays(
    lab: tuple[Sandbox, Path],  # noqa: F811
    tmp_path: Path,
    bumps: bool,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    sandbox, profiles = lab
    their_server(sandbox, monkeypatch, bumps)
    real, meddled = drift.fix.workload.update_workload, []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if "/workerPools/" in request.name and not meddled:
            meddled.append(request.name)
            label_job_or_pool(sandbox, "UpdateWorkerPool")
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    result = fix_jobs(tmp_path, profiles, ScriptedUI([True]))
    said = result.summary()
    assert meddled, said
    assert sandbox.worker_pool("p", "pool").labels["cost-center"] == "42", said  # was erased
    if not bumps:
        assert result.exit_code == ExitCode.OK, said
        return
    assert "replaced what they wrote of the template, the instance splits" in said, said
    assert KEPT in said, said
    assert result.exit_code == ExitCode.DRIFT, said


def test_each_write_names_what_it_sets_and_the_dry_run_the_same(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    """The request's shape: the dry run's validation and the canary's write carry the same
    mask, the template named field by field (its revision too: a clean-up clears it), the
    traffic, who writes; never the labels or the service's own settings the plan leaves."""
    sandbox.clear_calls()
    dry = fix(tmp_path, env, ScriptedUI(), FixOptions(dry_run=True), services=["api"])
    assert dry.exit_code == ExitCode.OK, dry.summary()
    done = fix(tmp_path, env, ScriptedUI([True, False]), FixOptions(), services=["api"])
    assert done.exit_code == ExitCode.ABORTED, done.summary()  # declined: cleaned up
    validated, canary, cleanup = updates(sandbox)
    assert validated.validate_only and not canary.validate_only
    paths = list(canary.update_mask.paths)
    assert list(validated.update_mask.paths) == paths
    for path in ("client", "client_version", "traffic", "template.revision"):
        assert path in paths and path in cleanup.update_mask.paths, paths
    assert "template.containers" in paths and "template.scaling.max_instance_count" in paths
    assert not {"labels", "annotations", "ingress", "scaling", "description"} & {
        p.split(".")[0] for p in paths
    }, paths
    assert cleanup.service.template.revision == ""  # sent empty, named: cleared


@pytest.mark.parametrize("reading", ["replaced", "merged"])
@pytest.mark.parametrize("promote", [True, False], ids=["promoted", "declined"])
def test_drifts_writes_land_alike_under_either_reading(
    reading: str,
    promote: bool,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """Whether the server replaces a message a mask path names or merges into it (sandbox
    `mask_message`, tests/sandbox/test_mask_message.py), drift's writes land alike — they
    name the template field by field and down into its messages: a fix promoted, and one
    declined (its clean-up clears `template.revision`, named in its mask, so Cloud Run names
    the revision it makes)."""
    monkeypatch.setattr(sandbox.scenario.options, "mask_message", reading)
    before = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI([True, promote]), FixOptions(), services=["api"])
    said = result.summary()
    assert result.exit_code == (ExitCode.OK if promote else ExitCode.ABORTED), said
    (entry,) = entries(tmp_path)
    assert entry.state == (State.PROMOTED if promote else State.CLEANED_UP), said
    sent: list[Any] = updates(sandbox)
    assert sent and all("template.revision" in r.update_mask.paths for r in sent)
    now = sandbox.service(PROJECT, "api")
    assert dict(now.labels) == dict(before.labels)
    if not promote:
        assert now.template.revision == ""  # cleared: not the canary's name


def test_the_mask_names_each_setting_by_its_field_and_the_labels_only_when_changed() -> None:
    """Derived from the request and its read, never from a list of settings: the service's
    minimum by `scaling.min_instance_count` (a maximum set meanwhile stays), a label map
    only where drift changes it, a system key drift leaves out no change; a job none."""
    from google.cloud import run_v2

    from drift.fix.update_mask import update_mask
    from drift.kinds import Kind

    read = run_v2.Service(
        name="projects/p/locations/r/services/s",
        labels={"team": "a", "run.googleapis.com/operation-id": "x"},
        scaling=run_v2.ServiceScaling(min_instance_count=1, max_instance_count=9),
        template=run_v2.RevisionTemplate(revision="s-1"),
        etag="e",
    )
    sent = run_v2.Service(read)
    del sent.labels["run.googleapis.com/operation-id"]  # never sent (`copy_service`)
    sent.scaling.min_instance_count = 2
    sent.template.revision = ""
    paths = update_mask(Kind.SERVICE, sent, read)
    assert "scaling.min_instance_count" in paths and "scaling" not in paths
    assert "scaling.max_instance_count" not in paths and "labels" not in paths
    assert {"client", "client_version", "traffic", "template.revision"} <= set(paths)
    assert "etag" not in paths and "name" not in paths
    sent.labels["team"] = "b"
    assert "labels" in update_mask(Kind.SERVICE, sent, read)
    whole = set(update_mask(Kind.SERVICE, sent, read, parts=["scaling"]))  # a part: all of it
    assert {"scaling.min_instance_count", "scaling.max_instance_count"} <= whole
    assert update_mask(Kind.JOB, run_v2.Job(), run_v2.Job()) == []
