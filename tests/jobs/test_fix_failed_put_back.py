"""revfailed95: a job's or a worker pool's update that landed and then failed (Cloud Run's
Ready condition FAILED: an image missing from its registry, CONTAINER_MISSING) is not left in
place — a job so left fails its next, maybe scheduled, execution, and SPEC's exit 4 means
"aborted safely … with nothing changed, or rolled back". drift puts back what it found, as
`drift rollback` does (etag-guarded, read back settled, journaled as rolled back), and exits
4 saying Cloud Run's reason and that the job is back. Someone else's write in between is left
as it is and said; a Ctrl-C during the restore says where it stands and how to finish it."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

import drift.fix.workload_restore
from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions, run_fix
from drift.fix.journal import Journal, State
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Fault, Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI, after_each_write
from tests.jobs.test_fix_missing_image import GONE, JOB, POOL, not_clean, run
from tests.jobs.world import TODAY
from tests.sandbox.jobworld import POOL_SPEC, RUNNER, world

REASON = f"(Image '{GONE}' not found.; Cloud Run's reason: CONTAINER_MISSING)"
# a job with a secret mounted as a volume (the update imports the image again; its secret
# check passes: the runtime account reads `token`)
SECRET_VOLUME_JOB: dict[str, Any] = {
    "template": {
        "serviceAccount": RUNNER,
        "containers": [
            {
                "name": "migrate",
                "image": "us-docker.pkg.dev/example/migrate:1",
                "env": [{"name": "MODE", "value": "live"}],
                "volumeMounts": [{"name": "cfg", "mountPath": "/cfg"}],
            }
        ],
        "volumes": [
            {"name": "cfg", "secret": {"secret": "token", "items": [{"version": "1", "path": "t"}]}}
        ],
    }
}


def lab(make_sandbox: MakeSandbox, **options: Any) -> Sandbox:
    return make_sandbox(world(jobs={"job": SECRET_VOLUME_JOB}, missing_images=[GONE], **options))


def failed_fix(sandbox: Sandbox, tmp_path: Path, profile: str) -> str:
    """`drift fix --yes` of an update Cloud Run fails: exit 4, no traceback; what it printed."""
    done = run(sandbox, tmp_path, profile, "fix", "prod", "--yes")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and "Traceback" not in out, out
    return str(done.stdout)


def entry_of(tmp_path: Path, kind: str) -> Any:
    journal = Journal(tmp_path / ".drift" / "journal")
    (entry,) = [e for e in journal.entries() if e.kind == kind]
    return entry


def test_a_failed_job_update_is_put_back(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = lab(make_sandbox)
    before = sandbox.job("p", "job")
    profile = JOB + f"      image: {GONE}\n"
    said = failed_fix(sandbox, tmp_path, profile)
    assert (
        f"job job: the update landed but did not complete {REASON}. drift put back what it ran "
        "before: as it was before the change; for job job, nothing is left to roll back"
    ) in said, said
    job = sandbox.job("p", "job")
    assert job.template == before.template  # the image and the secret volume as they were
    assert job.terminal_condition.state.name == "CONDITION_SUCCEEDED", job.terminal_condition
    assert int(job.generation) == int(before.generation) + 2  # drift's update, then its restore
    entry = entry_of(tmp_path, "job")
    assert entry.state == State.ROLLED_BACK, entry.history
    assert [s["state"] for s in entry.history][-3:] == [
        State.UPDATE_FAILED,
        State.ROLLING_BACK,
        State.ROLLED_BACK,
    ]
    # the job runs what it ran: `check` reports the drift the fix meant to fix, no failed
    # rollout; nothing is left to roll back
    rules = [f["rule"] for f in not_clean(sandbox, tmp_path, profile)]
    assert "revision.rollout" not in rules, rules
    rolled = run(sandbox, tmp_path, profile, "rollback", "--yes")
    assert rolled.returncode == 0 and "nothing" in rolled.stdout + rolled.stderr, rolled.stdout
    assert sandbox.job("p", "job").etag == job.etag


def test_a_failed_pool_update_is_put_back(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(world(missing_images=[GONE]))
    before = sandbox.worker_pool("p", "pool")
    profile = POOL + f"      image: {GONE}\n"
    said = failed_fix(sandbox, tmp_path, profile)
    assert (
        f"Image '{GONE}' not found.; Cloud Run's reason: CONTAINER_MISSING). drift put back what "
        "it ran before: as it was before the change"
    ) in said, said
    pool = sandbox.worker_pool("p", "pool")
    images = [c.image for c in pool.template.containers]
    assert images == [c["image"] for c in POOL_SPEC["template"]["containers"]], images
    assert pool.terminal_condition.state.name == "CONDITION_SUCCEEDED", pool.terminal_condition
    # the instances run what they ran (all of them on a ready revision of that configuration)
    assert sum(s.percent for s in pool.instance_split_statuses) == 100
    ran = {s.revision for s in before.instance_split_statuses if s.percent}
    runs = {s.revision for s in pool.instance_split_statuses if s.percent}
    for revision in runs - ran:
        made = sandbox.revision("p", "pool", revision.rsplit("/", 1)[-1], worker_pool=True)
        assert GONE not in [c.image for c in made.containers], made
    assert entry_of(tmp_path, "worker_pool").state == State.ROLLED_BACK


def fix(tmp_path: Path, profiles: Path) -> Any:
    profile = load_profile(profiles, "prod")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    return asyncio.run(
        run_fix(profile, settings, ScriptedUI(), FixOptions(verify=False, yes=True), today=TODAY)
    )


@pytest.fixture
def here(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, Path]:
    """The lab in this process (its environment set, run from `tmp_path`): its profiles."""
    sandbox = lab(make_sandbox)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(JOB + f"      image: {GONE}\n")
    return sandbox, folder


def test_someone_elses_write_before_the_restore_stays(
    here: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A third party writes the job between drift's failed update and its restore: drift
    writes nothing over it, says so, and how to put back what was anyway."""
    sandbox, profiles = here
    real = drift.fix.workload_restore.get_workload

    async def get_workload(*args: Any, **kw: Any) -> Any:
        sandbox.update_job("p", "job", env={"OTHER": "theirs"})
        monkeypatch.setattr(drift.fix.workload_restore, "get_workload", real)
        return await real(*args, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "get_workload", get_workload)
    result = fix(tmp_path, profiles)
    text = result.summary()
    assert result.exit_code == ExitCode.ABORTED, text
    entry = entry_of(tmp_path, "job")
    assert f"{REASON}. Then someone else wrote it (" in text, text
    assert (
        f"drift leaves it as it is and did not put back what it ran before; `drift rollback "
        f"{entry.change_id} --force` would, undoing theirs too"
    ) in text, text
    job = sandbox.job("p", "job")
    assert "OTHER" in [v.name for v in job.template.template.containers[0].env]
    assert [c.short for c in sandbox.calls if c.short == "UpdateJob"] == ["UpdateJob"]
    assert entry.state == State.UPDATE_FAILED, entry.history


def test_ctrl_c_during_the_restore_says_how_to_finish_it(
    here: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Ctrl-C once the restore is sent, before its answer: drift says the job was being put
    back and that `drift rollback` finishes it; which then does (the restore landed: judged
    drift's own, no --force)."""
    sandbox, profiles = here
    before = sandbox.job("p", "job")
    real = drift.fix.workload_restore.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        await real(session, kind, request, **kw)
        monkeypatch.setattr(drift.fix.workload_restore, "update_workload", real)
        raise KeyboardInterrupt

    monkeypatch.setattr(drift.fix.workload_restore, "update_workload", update_workload)
    with pytest.raises(Interrupted) as stopped:
        fix(tmp_path, profiles)
    entry = entry_of(tmp_path, "job")
    said = " ".join(stopped.value.message.split())
    assert (
        f"{REASON}; drift was putting back what it ran before; `drift rollback "
        f"{entry.change_id}` finishes it"
    ) in said, said
    assert entry.state == State.ROLLING_BACK and entry.writes[-1]["landed"] is None
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert sandbox.job("p", "job").template == before.template


def test_a_restore_cloud_run_refuses_says_what_the_job_runs(
    here: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The restore itself refused (PERMISSION_DENIED, nothing written): exit 4 naming what the
    job runs now — drift's failed update — and the rollback that puts back what was."""
    sandbox, profiles = here
    real = drift.fix.workload_restore.get_workload

    async def get_workload(*args: Any, **kw: Any) -> Any:
        sandbox.inject(Fault("UpdateJob", "PERMISSION_DENIED", first_n=1))
        monkeypatch.setattr(drift.fix.workload_restore, "get_workload", real)
        return await real(*args, **kw)

    monkeypatch.setattr(drift.fix.workload_restore, "get_workload", get_workload)
    result = fix(tmp_path, profiles)
    text = " ".join(result.summary().split())
    entry = entry_of(tmp_path, "job")
    assert result.exit_code == ExitCode.ABORTED, text
    assert f"{REASON}. Putting back what it ran before failed too (" in text, text
    assert (
        "PERMISSION_DENIED" in text
        and f": it runs drift's failed update; `drift rollback {entry.change_id}` tries again"
        in text
    ), text
    assert sandbox.job("p", "job").template.template.containers[0].image == GONE
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert sandbox.job("p", "job").template.template.containers[0].image != GONE


def test_a_put_back_not_read_back_may_have_landed(
    here: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-809 F2: drift's put-back is sent and the job cannot be read back after it: it
    may have landed — never "putting back … failed too", exit 3 (not 4: it may have changed
    the job), the entry left `rolling-back`; `drift rollback CHANGE` finishes it."""
    sandbox, profiles = here
    with monkeypatch.context() as patched:
        after_each_write(
            patched,
            drift.fix.workload_restore,
            lambda request: sandbox.inject(Fault("GetJob", "PERMISSION_DENIED")),
        )
        result = fix(tmp_path, profiles)
    text = " ".join(result.summary().split())
    entry = entry_of(tmp_path, "job")
    assert result.exit_code is ExitCode.INCOMPLETE, text
    assert "failed too" not in text and "nothing was changed" not in text, text
    assert (
        f"{REASON}. drift's put-back was sent; the job could not be read back (GetJob "
    ) in text, text
    assert f"it may have landed; `drift rollback {entry.change_id}` finishes it" in text, text
    assert entry.state == State.ROLLING_BACK and entry.writes[-1]["landed"] is None
    locks = tmp_path / ".drift" / "journal" / "locks"
    assert [p.name for p in locks.iterdir()], "lock freed"
    sandbox.clear_faults()
    sent = [c.short for c in sandbox.calls].count("UpdateJob")
    again = fix(tmp_path, profiles)  # its lock kept: a second fix writes nothing (817 K4)
    said = " ".join(again.summary().split())
    assert again.exit_code is ExitCode.ABORTED and f"drift rollback {entry.change_id}`" in said
    assert [c.short for c in sandbox.calls].count("UpdateJob") == sent, said
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    done = asyncio.run(run_rollback(settings, ScriptedUI(), entry.change_id, yes=True))
    assert done.exit_code == ExitCode.OK, done.summary()
    assert not [p.name for p in locks.iterdir() if not p.name.startswith(".")], "lock kept"
