"""A job's and worker pool's fix and rollback judged by what runs (a pool's
`instance_split_statuses`, a job's Ready condition): splits pinned by name move to the patched
revision (or the fix refuses before writing), a scaling-only fix rolls out no revision, a
rollback that leaves drift's write running is never "restored", a template that names its
revision rolls back whichever way Cloud Run treats an existing name, and what the workload
holds itself (Binary Authorization) rolls back too."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import secretmanager_v1
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.formats.gcloud import plan_script
from drift.fix.formats.table import plan_summary, plan_table
from drift.fix.model import Plan, ServicePlan, SettingChange
from drift.fix.rollback import RollbackResult, run_rollback
from drift.kinds import Kind
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import POOL_HEAD, TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, short, world

NEW_VAR = (
    POOL_HEAD
    + """\
    env:
      QUEUE: events
      NEW: "1"
"""
)
UPDATES = ("UpdateWorkerPool",)


class Lab:
    def __init__(self, sandbox: Sandbox, tmp: Path, profile: str) -> None:
        self.sandbox, self.tmp = sandbox, tmp
        self.profiles = write_profile(tmp / "profiles", profile)
        self.settings = load_settings(journal_dir=tmp / "j")

    def fix(self, ui: ScriptedUI | None = None, **options: Any) -> FixResult:
        return asyncio.run(
            run_fix(
                load_profile(self.profiles, "prod"),
                self.settings,
                ui or ScriptedUI([True]),
                FixOptions(verify=False, **options),
                today=TODAY,
            )
        )

    def rollback(self, ui: ScriptedUI | None = None) -> RollbackResult:
        return asyncio.run(run_rollback(self.settings, ui or ScriptedUI(), None, yes=True))

    def pool(self) -> Any:
        return self.sandbox.worker_pool("p", "pool")

    def running(self) -> list[tuple[str, int]]:
        pool = self.pool()
        ready = short(pool.latest_ready_revision)
        return sorted(
            (short(s.revision) or ready, int(s.percent))
            for s in pool.instance_split_statuses
            if s.percent
        )

    def writes(self) -> int:
        return sum(1 for c in self.sandbox.calls if c.short in UPDATES)


@pytest.fixture
def lab_of(make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    def make(
        pool: dict[str, Any] | None, profile: str = NEW_VAR, job: Any = None, **options: Any
    ) -> Lab:
        pools = {"pool": pool} if pool is not None else {}
        jobs = {"job": job} if job is not None else {}
        sandbox = make_sandbox(world(pools=pools, jobs=jobs, **options))
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        monkeypatch.chdir(tmp_path)
        return Lab(sandbox, tmp_path, profile)

    return make


def pool_spec(splits: list[dict[str, Any]] | None = None, **more: Any) -> dict[str, Any]:
    pool = copy.deepcopy(POOL_SPEC)
    pool["history"] = [
        {"image": "us-docker.pkg.dev/example/consumer:1"}
    ]  # revision 1: the same config
    if splits is not None:
        pool["instance_splits"] = splits
    pool.update(more)
    return pool


@pytest.mark.parametrize(
    "splits",
    [
        [{"revision": 1, "percent": 50}, {"revision": 2, "percent": 50}],
        [{"revision": 2, "percent": 100}],
        [{"latest": True, "percent": 50}, {"revision": 1, "percent": 50}],
    ],
    ids=["two-pinned", "pinned-to-current", "latest-and-pinned"],
)
def test_pinned_instances_move_to_the_patched_revision_and_roll_back(
    lab_of: Any, splits: list[dict[str, Any]]
) -> None:
    lab = lab_of(pool_spec(splits))
    before = lab.running()
    ui = ScriptedUI([True])
    fixed = lab.fix(ui)
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    (sp,) = ui.plans[0].services
    assert "moves those instances to it" in sp.instances
    assert "the fix names the patched revision" in plan_table(ui.plans[0])
    patched = short(lab.pool().latest_ready_revision)
    assert patched.startswith("pool-drift-")
    assert {r for r, _ in lab.running()} == {patched}  # every instance runs the patch
    assert f"its instances run {patched}" in fixed.summary()
    assert fixed.recheck is not None and not fixed.recheck.findings
    again = lab.fix()  # no trap: the next fix finds nothing to do
    assert again.exit_code == ExitCode.OK and not again.outcomes
    done = lab.rollback()
    assert done.exit_code == ExitCode.OK, done.summary()
    restored = lab.running()
    assert patched not in dict(restored)
    assert sorted(p for _, p in restored) == sorted(p for _, p in before)
    if not any(s.get("latest") for s in splits):
        assert restored == before  # the very revisions that ran, with their shares


def test_a_pin_on_another_configuration_is_refused_before_writing(lab_of: Any) -> None:
    """With --from-template the template's configuration goes out; a revision pinned with
    another one would keep its instances (and their drift): refused, exit 4, no write."""
    pool = pool_spec([{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}])
    pool["history"] = [{"env": {"QUEUE": "old"}}]
    lab = lab_of(pool)
    ui = ScriptedUI([True])
    result = lab.fix(ui, from_template=True)
    assert result.exit_code == ExitCode.ABORTED
    assert "run another configuration" in result.message
    assert "nothing was changed" in result.message
    assert "stops" in ui.plans[0].services[0].instances
    assert lab.writes() == 0 and not ui.questions


def test_a_pool_pinned_to_an_older_image_stops_the_fix_naming_the_image(lab_of: Any) -> None:
    """revjobs2 J1: the team pinned the instances to pool-00001 (consumer:0) after deploying
    consumer:1 (the template, no instances: a release held back). The template differs from
    what runs by its image: a fix in place would move those instances onto consumer:1, which no
    plan line names (SPEC invariant 2), so it stops with exit 4 naming the image (invariant 8),
    nothing written; with --from-template the pinned revision keeps another configuration than
    the template: refused too. The check's fingerprint leaves images out (a rollout is not
    drift); a write's decision must not (and check warns where it stops, the image named:
    tests/jobs/test_pool_unreleased_check.py)."""
    pool = pool_spec(
        [{"revision": 1, "percent": 100}],
        history=[{"image": "us-docker.pkg.dev/example/consumer:0"}],
    )
    lab = lab_of(
        pool,
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n"
        "    container: consumer\n    env:\n      QUEUE: other\n",
    )
    ui = ScriptedUI([True])
    result = lab.fix(ui)
    said = " ".join(result.summary().split())
    assert result.exit_code == ExitCode.ABORTED, said
    assert "us-docker.pkg.dev/example/consumer:0 → us-docker.pkg.dev/example/consumer:1" in said, (
        said
    )
    assert "--from-template" in said and "(the template's configuration)" not in said, said
    assert lab.writes() == 0 and not ui.questions
    # revown61b F4: the blocked pool alone, never "0 changes in 0 services" beside it
    # its one manual step: check's warning of the image fix stops on (revision.rollout)
    assert plan_summary(ui.plans[0]).startswith(
        "prod: 0 changes, 1 manual step; blocked: worker pool pool (1 change)"
    ), plan_summary(ui.plans[0])
    # the gcloud script's comment on the pool says the plan's `blocked:` line (fixown61b left)
    (sp,) = ui.plans[0].services
    script = " ".join(line.lstrip("# ") for line in plan_script(ui.plans[0]).splitlines())
    assert sp.blocked and sp.blocked in script and sp.blocked in plan_table(ui.plans[0]), script
    assert "builds on what serves" not in script, script
    forced = lab.fix(ScriptedUI([True]), from_template=True)
    assert forced.exit_code == ExitCode.ABORTED, forced.summary()
    assert "run another configuration" in forced.message
    assert lab.writes() == 0


def _half_rolled_out(lab_of: Any, older: str) -> Any:
    """A pool half rolled out: revision 1 (image `older`) pinned at 50 %, LATEST at 50 % on
    the template's revision (consumer:1); the profile wants QUEUE=other on consumer."""
    pool = pool_spec(
        [{"revision": 1, "percent": 50}, {"latest": True, "percent": 50}],
        history=[{"image": older}],
    )
    return lab_of(
        pool,
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n"
        "    container: consumer\n    env:\n      QUEUE: other\n",
    )


def test_a_pool_mid_rollout_is_released_its_older_share_stops_the_fix(lab_of: Any) -> None:
    """revown62b F1: LATEST 50 % on the template's revision (consumer:1), revision 1
    (consumer:0) pinned at 50 %: a gradual rollout (run/docs/managing/workerpool-instance-
    splits-rollbacks), the template released as a service's is (`served.template_serves`):
    no warning of the image, and a fix does not say the update "would roll that out" (that
    image already runs); it stops because the pinned instances run another configuration."""
    lab = _half_rolled_out(lab_of, "us-docker.pkg.dev/example/consumer:0")
    ui = ScriptedUI([True])
    result = lab.fix(ui)
    said = " ".join(result.summary().split())
    assert result.exit_code == ExitCode.ABORTED, said
    assert (
        "would roll that out" not in said and "→ us-docker.pkg.dev/example/consumer:1" not in said
    ), said
    assert "pins pool-00001" in said and "run another configuration" in said, said
    assert plan_summary(ui.plans[0]).startswith(
        "prod: 0 changes, 0 manual steps; blocked: worker pool pool (1 change)"
    ), plan_summary(ui.plans[0])
    assert lab.writes() == 0 and not ui.questions


def test_a_pool_that_stops_the_fix_says_the_job_beside_it_was_not_written_either(
    lab_of: Any,
) -> None:
    """revjobs60 F3: the stop named the pool alone, though the job of the same fix, which
    nothing stopped, was not written either."""
    pool = pool_spec(
        [{"revision": 1, "percent": 100}], history=[{"image": "us-docker.pkg.dev/example/c:0"}]
    )
    profile = (
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
        "    env:\n      QUEUE: other\njobs:\n  job:\n    env:\n      MODE: dry\n"
    )
    lab = lab_of(pool, profile, job=copy.deepcopy(JOB_SPEC))
    ui = ScriptedUI([True])
    result = lab.fix(ui)
    assert result.exit_code == ExitCode.ABORTED, result.message
    assert "job job, which nothing stops, not written either" in result.message, result.message
    assert not [c for c in lab.sandbox.calls if c.short in ("UpdateJob", "UpdateWorkerPool")]
    # the plan counts the pool's change as fix treats it, blocked, never as one it makes
    (plan,) = ui.plans
    (stopped,) = [sp for sp in plan.services if sp.stops]
    assert result.message.startswith(f"worker pool pool: {stopped.stops}"), result.message
    assert plan_summary(plan) == (
        "prod: 1 change in 1 job, 1 manual step; blocked: worker pool pool (1 change): "
        "drift fix stops there, before writing any change of this plan"
    ), plan_summary(plan)
    table = plan_table(plan)
    assert f"  blocked: drift fix stops here before any write: {stopped.stops}\n" in table, table
    # said once by the stop; the manual step is check's warning of it (revision.rollout)
    said = [
        line
        for line in table.splitlines()
        if "us-docker.pkg.dev/example/c:0 → us-docker.pkg.dev/example/consumer:1" in line
    ]
    assert [line.split()[0] for line in said] == ["blocked:", "manual"], table


def test_from_template_lists_the_pool_template_differences_that_roll_out(lab_of: Any) -> None:
    """revjobs60 F3: with --from-template a pool's plan did not list the template's image
    (what its instances run → the template) as a change that rolls out (SPEC invariant 8:
    "then the plan shows those differences as changes too"); the split still stops it."""
    lab = _half_rolled_out(lab_of, "us-docker.pkg.dev/example/c:0")
    ui = ScriptedUI([True])
    result = lab.fix(ui, from_template=True)
    (sp,) = ui.plans[0].services
    assert sp.from_template, sp
    assert any(
        "us-docker.pkg.dev/example/c:0 → us-docker.pkg.dev/example/consumer:1" in d
        for d in sp.template_differences
    )
    table = plan_table(ui.plans[0])
    assert "built on the template (--from-template); these roll out with the patch:" in table
    assert result.exit_code == ExitCode.ABORTED and lab.writes() == 0, result.message
    assert "run another configuration" in sp.stops and sp.stops in result.message


@pytest.mark.parametrize("named", [True, False])
def test_a_scaling_only_fix_rolls_out_no_revision(lab_of: Any, named: bool) -> None:
    pool = pool_spec(history=[])
    if named:
        pool["template"]["revision"] = "pool-v1"
    profile = NEW_VAR.replace('      NEW: "1"\n', "    settings:\n      instance_count: 3\n")
    lab = lab_of(pool, profile)
    before = lab.pool()
    ui = ScriptedUI([True])
    fixed = lab.fix(ui)
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    assert not ui.plans[0].services[0].instances  # nothing moves: no new revision
    after = lab.pool()
    assert after.scaling.manual_instance_count == 3
    assert after.latest_created_revision == before.latest_created_revision
    assert after.template.revision == before.template.revision


SCALING_ONLY = NEW_VAR.replace('      NEW: "1"\n', "    settings:\n      instance_count: 3\n")


def gcloud_pool(named: bool = False) -> dict[str, Any]:
    """A pool gcloud deployed: its template carries gcloud's system annotation."""
    pool = pool_spec(history=[])
    pool["template"]["annotations"] = {"run.googleapis.com/client-name": "gcloud", "team": "a"}
    if named:
        pool["template"]["revision"] = "pool-v1"
    return pool


@pytest.mark.parametrize("named", [True, False])
def test_a_scaling_only_rollback_of_a_gcloud_pool_rolls_out_no_revision(
    lab_of: Any, named: bool
) -> None:
    """Lenient reading (system annotations taken as they are): neither the scaling-only fix
    nor its rollback changes the template, so neither rolls out a revision (revown2 2: the
    rollback stripped the annotation, or cleared the name, and rolled one out unsaid)."""
    lab = lab_of(gcloud_pool(named), SCALING_ONLY)
    before = lab.pool()
    fixed = lab.fix()
    assert fixed.exit_code == ExitCode.OK, fixed.summary()
    done = lab.rollback()
    assert done.exit_code == ExitCode.OK, done.summary()
    after = lab.pool()
    assert after.scaling.manual_instance_count == before.scaling.manual_instance_count
    assert after.latest_created_revision == before.latest_created_revision
    assert after.template.revision == before.template.revision
    assert dict(after.template.annotations) == dict(before.template.annotations)


def test_a_template_the_strict_reading_refuses_is_said_and_nothing_changes(lab_of: Any) -> None:
    """Strict reading: the unchanged template cannot be sent back as read, and stripping it
    would roll out a revision the plan does not name. The write is refused; drift says so
    and that nothing changed."""
    lab = lab_of(gcloud_pool(), SCALING_ONLY, reserved_metadata="reject")
    before = lab.pool()
    result = lab.fix()
    assert result.exit_code != ExitCode.OK
    summary = result.summary()
    assert "INVALID_ARGUMENT" in summary and "nothing was changed" in summary, summary
    after = lab.pool()
    assert after.scaling.manual_instance_count == before.scaling.manual_instance_count
    assert after.latest_created_revision == before.latest_created_revision


def disable(sandbox: Sandbox, name: str) -> None:
    channel = grpc.insecure_channel(sandbox.environ()["SECRET_MANAGER_EMULATOR_HOST"])
    client = secretmanager_v1.SecretManagerServiceClient(
        transport=SecretManagerServiceGrpcTransport(channel=channel)
    )
    client.disable_secret_version(name=name)


def test_a_rollback_whose_revision_would_fail_is_refused_before_writing(lab_of: Any) -> None:
    """The old template's secret version was disabled since (a rotation): its revision would
    fail Cloud Run's deploy-time check, so the rollback writes nothing and says which version
    to enable (exit 4), as a service's does and as the fix refuses its own such write. It
    sent the update, which landed half (the template and the instance count written, the
    revision failed) and said "restored nothing" (helper-528 F1)."""
    pool = pool_spec(history=[])
    pool["template"]["containers"][0]["env"].append(
        {"name": "DB", "valueSource": {"secretKeyRef": {"secret": "rotated", "version": "1"}}}
    )
    profile = NEW_VAR.replace('NEW: "1"', "DB: {secret: token}")
    lab = lab_of(pool, profile)
    assert lab.fix().exit_code == ExitCode.OK
    patched = short(lab.pool().latest_ready_revision)
    before, written = lab.pool(), lab.writes()
    disable(lab.sandbox, "projects/p/secrets/rotated/versions/1")
    done = lab.rollback()
    assert done.exit_code == ExitCode.ABORTED, done.summary()
    assert lab.writes() == written  # no UpdateWorkerPool
    assert lab.pool() == before and lab.running() == [(patched, 100)]
    summary = done.summary()
    assert "restored pool" not in summary
    assert "Cloud Run cannot start the configuration that ran before change" in summary
    assert "DB uses secret rotated:1, which is DISABLED" in summary, summary
    enable = "`gcloud secrets versions enable 1 --secret=rotated --project=p`"
    assert f"enable version 1 of the secret DB uses ({enable})" in summary, summary


@pytest.mark.parametrize("same", ["reuse", "already_exists"])
def test_a_named_template_rolls_back_either_way(lab_of: Any, same: str) -> None:
    """The rollback clears the name (as a service's does): Cloud Run names the revision of
    the configuration that ran, whether it reuses an existing name or refuses it."""
    pool = pool_spec(history=[])
    pool["template"]["revision"] = "pool-v1"
    lab = lab_of(pool, same_name_same_config=same)
    assert lab.fix().exit_code == ExitCode.OK
    done = lab.rollback()
    assert done.exit_code == ExitCode.OK, done.summary()
    (running, share), *more = lab.running()
    assert share == 100 and not more
    assert running != "pool-v1"  # a new revision, with the configuration that ran
    env = lab.pool().template.containers[0].env
    assert [v.name for v in env] == ["QUEUE"]


def test_a_job_rollback_whose_update_would_fail_its_secret_check_is_refused(lab_of: Any) -> None:
    """The old version was disabled since: put back, the job's Ready condition fails and its
    next execution fails; it was written and said "restored", exit 0, leaving a failed job
    where a ready one ran (helper-528 F1; revjobs60 F2 had it "restored nothing" after
    writing). Now nothing is written, exit 4, and the version to enable is named: as the fix
    refuses its own such write, and a service's rollback refuses."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB"] = {"secret": "rotated", "version": "1"}
    profile = (
        "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      DB: {secret: token}\n"
    )
    lab = lab_of(None, profile, job=job)
    assert lab.fix().exit_code == ExitCode.OK
    before = lab.sandbox.job("p", "job")
    disable(lab.sandbox, "projects/p/secrets/rotated/versions/1")
    updates = sum(1 for c in lab.sandbox.calls if c.short == "UpdateJob")
    done = lab.rollback()
    assert done.exit_code == ExitCode.ABORTED, done.summary()
    assert sum(1 for c in lab.sandbox.calls if c.short == "UpdateJob") == updates
    after = lab.sandbox.job("p", "job")
    assert after == before and after.terminal_condition.state.name == "CONDITION_SUCCEEDED"
    assert "DB uses secret rotated:1, which is DISABLED" in done.summary(), done.summary()
    assert "putting it back would only leave the job failed" in done.summary()


def test_a_job_whose_secret_fails_the_check_is_not_written(lab_of: Any) -> None:
    """A job whose task template holds a DISABLED version: the plan lists the manual step,
    and `fix` stops before UpdateJob, as it does for a pool or a service (an update may meet
    the deploy-time check: option `job_update_secret_check`), leaving the job as it was
    (revjobs60 F2: it was written and went from ready to failed)."""
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"]["DB"] = {"secret": "rotated", "version": "2"}  # DISABLED
    profile = "project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      MODE: dry\n"
    lab = lab_of(None, profile, job=job)
    before = lab.sandbox.job("p", "job")
    result = lab.fix()
    assert result.exit_code == ExitCode.ABORTED, result
    assert not [c for c in lab.sandbox.calls if c.short == "UpdateJob"]
    assert lab.sandbox.job("p", "job") == before
    assert "job job: its update may fail Cloud Run's deploy-time check" in result.message
    # the plan says what fix does, in its words: blocked, its command a comment (revjobs67 F1)
    (sp,) = result.plan.services
    assert sp.blocked and sp.stops in result.message, (sp.blocked, result.message)
    assert f"blocked: {sp.blocked}" in plan_table(result.plan)
    assert plan_summary(result.plan).startswith("prod: 0 changes"), plan_summary(result.plan)
    script = plan_script(result.plan).splitlines()
    assert not [line for line in script if "jobs update" in line and not line.startswith("#")]


BINAUTHZ = """\
project: p
region: us-central1
jobs:
  job:
    settings:
      binary_authorization: default
worker_pools:
  pool:
    container: consumer
    settings:
      binary_authorization: default
"""


def test_binary_authorization_rolls_back(lab_of: Any) -> None:
    """`binary_authorization` is a field of the Job / WorkerPool itself, not of its
    template: the rollback puts it back (unset, as it was) and shows it."""
    lab = lab_of(pool_spec(), BINAUTHZ, job=JOB_SPEC)
    assert lab.fix().exit_code == ExitCode.OK
    assert lab.sandbox.job("p", "job").binary_authorization.use_default
    ui = ScriptedUI([True])
    done = asyncio.run(run_rollback(lab.settings, ui, None, yes=False))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert "  setting binary_authorization: default → none" in ui.said
    job, pool = lab.sandbox.job("p", "job"), lab.pool()
    assert "binary_authorization" not in job and "binary_authorization" not in pool


@pytest.mark.parametrize("kind", [Kind.JOB, Kind.WORKER_POOL])
def test_the_plan_table_of_a_job_or_pool_speaks_of_no_canary_or_service(kind: Kind) -> None:
    """Settings a job or pool holds itself are applied with its update: neither has a canary,
    and neither is a service."""
    sp = ServicePlan(
        "w", "projects/p/locations/r/x/w", "", "r", "p", "", kind=kind,
        settings=(SettingChange("binary_authorization", "", "default"),),
        at_once=("binary_authorization",),
    )  # fmt: skip
    table = plan_table(Plan("prod", "p", "r", (sp,)))
    note = next(line for line in table.splitlines() if "binary_authorization applied" in line)
    assert "with the update" in note
    assert "canary" not in note and "service" not in note
