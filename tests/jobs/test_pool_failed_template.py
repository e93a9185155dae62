"""A worker pool whose template's latest revision failed (helper-617 F5): its instances stay on
the last ready revision ("If reconciliation failed, `instance_split_statuses`,
`observed_generation`, and `latest_ready_revision` will have the state of the last serving
revision", run v2 WorkerPool.reconciling), and the template keeps the failed spec. SPEC
invariant 8: "A template whose revision failed cannot serve and is not an unreleased change:
the fix builds on the serving revision, and the plan says which failed revision's template it
replaces and what that template had". So the plan is not blocked; every format shows the
update built on the revision the instances run (never the failed template); the fix sends
exactly that, proved as any pool write; its rollback puts back what the instances ran, not the
failed template, which never ran. Instances split over several revisions stop the fix (which
one it would build on decides which instances change configuration)."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.formats.gcloud import plan_script
from drift.fix.formats.knative_yaml import NOT_APPLIABLE, plan_yaml
from drift.fix.journal import Journal, State
from drift.fix.plan import plan_environment
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.test_fix_jobs import fix
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import POOL_SPEC, world

RAN = "us-docker.pkg.dev/example/consumer:1"
BROKEN = "us-docker.pkg.dev/example/consumer:2-broken"
PROFILE = (
    "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
    "    env:\n      QUEUE: events\n      EXTRA: 'yes'\n"
)


def _failed_pool(**more: Any) -> dict[str, Any]:
    """pool-00001 runs image 1 with QUEUE alone; the template, pool-00002's spec, failed:
    image 2-broken with BROKEN=1 too."""
    pool = copy.deepcopy(POOL_SPEC)
    consumer = pool["template"]["containers"][0]
    consumer["image"] = BROKEN
    consumer["env"].append({"name": "BROKEN", "value": "1"})
    pool["history"] = [{"image": RAN, "env": {"BROKEN": None}}]
    pool["failed"] = "Image 'us-docker.pkg.dev/example/consumer:2-broken' not found."
    return {**pool, **more}


def _lab(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pool: Any):
    sandbox: Sandbox = make_sandbox(world(jobs={}, pools={"pool": pool}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, write_profile(tmp_path / "profiles", PROFILE)


def _consumer(template: Any) -> tuple[str, dict[str, str]]:
    (consumer,) = [c for c in template.containers if c.name == "consumer"]
    return consumer.image, {v.name: v.value for v in consumer.env}


def _updates(sandbox: Sandbox) -> list[Any]:
    return [c.request for c in sandbox.calls if c.short == "UpdateWorkerPool"]


def _short(name: str) -> str:
    return name.rsplit("/", 1)[-1]


def _runs(sandbox: Sandbox) -> tuple[str, dict[str, str]]:
    """What the pool's instances run: the one revision of its instance split statuses."""
    pool = sandbox.worker_pool("p", "pool")
    assert not pool.reconciling
    ready = _short(pool.latest_ready_revision)
    named = {_short(s.revision) or ready for s in pool.instance_split_statuses if s.percent}
    (revision,) = named
    return _consumer(sandbox.revision("p", "pool", revision, worker_pool=True))


@pytest.mark.parametrize("pinned", [False, True], ids=["latest", "pinned"])
def test_a_failed_template_is_replaced_by_what_the_instances_run_and_put_back_so(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, pinned: bool
) -> None:
    """LATEST 100 % (on pool-00001, the latest ready), or pinned to pool-00001 by name: the
    pinned share moves to the patched revision, and back to pool-00001 on rollback."""
    split = {"instance_splits": [{"revision": 1, "percent": 100}]} if pinned else {}
    sandbox, profiles = _lab(make_sandbox, monkeypatch, tmp_path, _failed_pool(**split))
    before = sandbox.worker_pool("p", "pool")
    serving, failed = _short(before.latest_ready_revision), _short(before.latest_created_revision)
    assert serving != failed and _runs(sandbox) == (RAN, {"QUEUE": "events"})
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    planned = asyncio.run(plan_environment(load_profile(profiles, "prod"), settings, today=TODAY))
    (sp,) = planned.plan.services
    # not blocked; it names the failed revision whose template it replaces, and what it had
    assert not sp.blocked and not sp.stops, sp.stops
    assert (sp.built_on, sp.failed_template) == (serving, failed)
    assert any("BROKEN" in d for d in sp.template_differences), sp.template_differences
    assert any(BROKEN in d for d in sp.template_differences), sp.template_differences
    # the YAML is what the fix sends: appliable, without the failed template's variable
    document = plan_yaml(planned.plan, planned.patched)
    assert NOT_APPLIABLE not in document and "BROKEN" not in document.split("kind:", 1)[1]
    assert f"image: {RAN}" in document and BROKEN not in document.split("kind:", 1)[1]
    assert f"failed revision {failed}" in document
    # gcloud's update builds on the failed template: a comment, saying so
    script = plan_script(planned.plan)
    assert "# not run:" in script and "as does `drift plan --format yaml`" in script

    # the dry run validates the same request
    dry = fix(tmp_path, profiles, ScriptedUI(), dry_run=True)
    assert dry.exit_code == ExitCode.OK, dry.summary()
    (tried,) = _updates(sandbox)
    assert tried.validate_only
    assert _consumer(tried.worker_pool.template) == (RAN, {"QUEUE": "events", "EXTRA": "yes"})

    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    assert result.exit_code == ExitCode.OK, result.summary()
    (_, sent) = _updates(sandbox)
    assert not sent.validate_only
    assert _consumer(sent.worker_pool.template) == (RAN, {"QUEUE": "events", "EXTRA": "yes"})
    assert sent.worker_pool.etag == before.etag
    fixed = sandbox.worker_pool("p", "pool")
    assert _runs(sandbox) == (RAN, {"QUEUE": "events", "EXTRA": "yes"})
    assert fixed.latest_ready_revision == fixed.latest_created_revision
    (entry,) = Journal(tmp_path / ".drift" / "journal").entries()
    assert entry.state == State.UPDATED and entry.base_revision == serving

    ui = ScriptedUI()
    done = asyncio.run(run_rollback(settings, ui, entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    said = "\n".join(ui.said)
    assert (
        f"the template of the failed revision {failed}, which the fix replaced, is not put back"
        f" (it never ran): what the instances ran ({serving}) is what the rollback puts back"
        in said
    ), said
    (*_, put_back) = _updates(sandbox)
    assert len(_updates(sandbox)) == 3
    # what the instances ran, not the failed template (which never ran)
    assert _consumer(put_back.worker_pool.template) == (RAN, {"QUEUE": "events"})
    assert _runs(sandbox) == (RAN, {"QUEUE": "events"})
    after = sandbox.worker_pool("p", "pool")
    assert after.latest_ready_revision == after.latest_created_revision
    assert after.scaling.manual_instance_count == before.scaling.manual_instance_count
    assert list(after.instance_splits) == list(before.instance_splits)


def test_instances_on_two_revisions_stop_the_fix_of_a_failed_template(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """50 % pinned to pool-00001, 50 % LATEST on pool-00002, pool-00003 failed: building on
    either would move the other's instances to another configuration."""
    pool = _failed_pool(
        instance_splits=[{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}]
    )
    pool["history"] = [
        {"image": RAN, "env": {"BROKEN": None, "QUEUE": "old"}},
        {"image": RAN, "env": {"BROKEN": None}},
    ]
    sandbox, profiles = _lab(make_sandbox, monkeypatch, tmp_path, pool)
    read = sandbox.worker_pool("p", "pool")
    assert len([s for s in read.instance_split_statuses if s.percent]) == 2
    generation = read.generation
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    assert result.exit_code == ExitCode.ABORTED, result.summary()
    said = result.summary()
    failed = _short(read.latest_created_revision)
    assert f"revision {failed} failed" in said and "its instances run" in said, said
    assert "update-instance-split" in said, said
    assert _updates(sandbox) == [] and sandbox.worker_pool("p", "pool").generation == generation


def test_an_instance_count_alone_replaces_the_failed_template_too(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The pool's own instance count makes no revision ("does not create a new revision",
    run/docs/configuring/workerpools/manual-scaling): written beside the failed template, the
    pool stays failed (its latest created revision), and drift put it back. Its write builds
    on what the instances run too, as a service's own settings beside a failed template do."""
    sandbox, _ = _lab(make_sandbox, monkeypatch, tmp_path, _failed_pool())
    profiles = write_profile(
        tmp_path / "profiles",
        PROFILE.replace("      EXTRA: 'yes'\n", "") + "    settings:\n      instance_count: 3\n",
    )
    failed = _short(sandbox.worker_pool("p", "pool").latest_created_revision)
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    assert result.exit_code == ExitCode.OK, result.summary()
    (sp,) = result.plan.services
    assert sp.failed_template == failed and not sp.blocked
    (sent,) = [c.request for c in sandbox.calls if c.short == "UpdateWorkerPool"]
    assert _consumer(sent.worker_pool.template) == (RAN, {"QUEUE": "events"})
    assert sent.worker_pool.scaling.manual_instance_count == 3
    after = sandbox.worker_pool("p", "pool")
    assert after.latest_ready_revision == after.latest_created_revision
    assert after.scaling.manual_instance_count == 3
    assert _runs(sandbox) == (RAN, {"QUEUE": "events"})


def test_a_secret_pasted_in_what_the_instances_run_stays_out_of_the_journal(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The revision the fix builds on holds the secret's value pasted in a plain variable
    (the profile says it is a reference): the entry records what the instances ran (its
    `base_template`, what the rollback puts back) with that value withheld by its version
    (SPEC safety invariant 1, `drift.fix.withheld`), and the rollback restores it exactly."""
    pool = _failed_pool()
    pool["template"]["containers"][0]["env"].append({"name": "DB_PASS", "value": "fake-token-v1"})
    sandbox, _ = _lab(make_sandbox, monkeypatch, tmp_path, pool)
    profiles = write_profile(
        tmp_path / "profiles", PROFILE.replace("EXTRA: 'yes'", "DB_PASS: {secret: token}")
    )
    assert "DB_PASS" in _runs(sandbox)[1]
    result = fix(tmp_path, profiles, ScriptedUI([True]), yes=True)
    assert result.exit_code == ExitCode.OK, result.summary()
    journal = tmp_path / ".drift" / "journal"
    (path,) = journal.glob("*.json")
    assert "fake-token-v1" not in path.read_text()
    (entry,) = Journal(journal).entries()
    assert {w["field"] for w in entry.withheld} == {"service_before", "base_template"}
    settings = load_settings(journal_dir=journal)
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert _runs(sandbox) == (RAN, {"QUEUE": "events", "DB_PASS": "fake-token-v1"})
