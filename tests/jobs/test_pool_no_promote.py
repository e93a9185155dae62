"""`drift fix --no-promote` of a worker pool holds it, as a service's canary is held (SPEC
invariant 9): the patched template is written with every instance pinned by name to the
revision it runs (`drift.fix.pool_hold`), so the revision the write creates gets none; the
output and the journal say so, `drift check` reports the pin, `drift rollback` undoes it and
a later `drift fix` stops at it as at a held service canary. A job's update cannot be held:
`--no-promote` refuses it before anything is written (helper-711 F2)."""

from __future__ import annotations

import asyncio
import re
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.journal import Journal, State
from drift.fix.rollback import run_rollback
from drift.fix.rollback_view import list_changes, read_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import POOL_PROFILE, TODAY, check, jobs_sandbox, pool_spec, write_profile
from tests.sandbox.jobworld import POOL, world

pytestmark = pytest.mark.sandbox
REVISION = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_REVISION
LATEST = run_v2.InstanceSplitAllocationType.INSTANCE_SPLIT_ALLOCATION_TYPE_LATEST

UPDATES = ("UpdateJob", "UpdateWorkerPool")


def _fix(
    tmp_path: Path, profiles: Path, *, promote: bool = True, ui: ScriptedUI | None = None
) -> FixResult:
    profile = load_profile(profiles, "prod")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    fix_options = FixOptions(verify=False, yes=ui is None, promote=promote)
    return asyncio.run(run_fix(profile, settings, ui or ScriptedUI(), fix_options, today=TODAY))


def _writes(sandbox: Sandbox) -> list[str]:
    return [c.short for c in sandbox.calls if c.short in UPDATES]


def _runs(sandbox: Sandbox) -> list[tuple[str, int, str]]:
    """What the pool's instances run (`instance_split_statuses`): each revision, its share
    and its QUEUE."""
    pool = sandbox.worker_pool("p", "pool")
    rows = []
    for status in pool.instance_split_statuses:
        name = status.revision.rsplit("/", 1)[-1]
        if status.percent:
            revision = sandbox.revision("p", "pool", name, worker_pool=True)
            queue = next(e.value for e in revision.containers[0].env if e.name == "QUEUE")
            rows.append((name, int(status.percent), queue))
    return sorted(rows)


def test_no_promote_holds_a_pool_until_its_change_is_finished(
    held_world: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, profiles = held_world
    before = _runs(sandbox)
    assert {queue for *_, queue in before} == {"events"}
    done = _fix(tmp_path, profiles, promote=False)
    change = done.change_id
    assert change is not None, done.summary()
    held = f"pool-drift-{change}"
    # main: the instances moved to the patched revision (LATEST 100 %, or 70 % + the 30 %
    # pinned share re-pointed), and nothing said the flag did not apply
    assert _runs(sandbox) == before, done.summary()
    pool = sandbox.worker_pool("p", "pool")
    assert pool.latest_created_revision.rsplit("/", 1)[-1] == held
    revision = sandbox.revision("p", "pool", held, worker_pool=True)
    assert [(e.name, e.value) for e in revision.containers[0].env] == [("QUEUE", "events2")]
    assert pool.scaling.manual_instance_count == 3  # the pool's own: in effect at once
    said = done.summary()
    assert f"its new revision {held} holds the patch" in said
    assert "with no instances (--no-promote)" in said
    finish = (
        "update-instance-split pool --to-latest"
        if len(before) == 1
        else f"update-instance-split pool --to-revisions=LATEST=70,{held}=30"
    )
    assert f"Finish with: move the instances (gcloud beta run worker-pools {finish}" in said
    assert f"or `drift rollback {change}`" in said
    assert "Already in effect: instance_count 2 → 3" in said
    (entry,) = Journal(tmp_path / ".drift" / "journal").entries()
    assert (entry.kind, entry.state) == ("worker_pool", State.PINNED)

    report = check(sandbox, monkeypatch, profiles).report
    (pinned,) = [f for f in report.findings if f.rule == "revision.pinned"]
    assert held in pinned.message and f"`drift rollback {change}`" in pinned.message

    writes = _writes(sandbox)
    again = _fix(tmp_path, profiles)  # as at a held service canary: finish that change first
    assert again.exit_code is ExitCode.ABORTED, again.summary()
    assert _writes(sandbox) == writes and _runs(sandbox) == before
    assert f"{held} of change {change}, held with no instances by `drift fix --no-promote`" in (
        again.message
    )
    assert f"update-instance-split pool --{finish.split(' --', 1)[1]}" in again.message

    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    back = asyncio.run(run_rollback(settings, ScriptedUI(), change, yes=True))
    assert back.exit_code is ExitCode.OK, back.summary()
    after = _runs(sandbox)
    # what runs is what ran: the same shares on the same configuration; a pinned share on
    # the very revision it was on (LATEST's share on the revision the restored template made)
    assert [(p, q) for _, p, q in after] == [(p, q) for _, p, q in before]
    assert [r for r, p, _ in after if p == 30] == [r for r, p, _ in before if p == 30]
    restored = sandbox.worker_pool("p", "pool")
    assert restored.scaling.manual_instance_count == 2
    assert not any(s.type_ == REVISION and s.percent == 100 for s in restored.instance_splits)


def test_no_promote_refuses_a_jobs_update_before_anything_is_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A job's next execution runs whatever its template is: `--no-promote` cannot hold it,
    so the fix stops before any write (as at any part it refuses: exit 4), saying what to
    run instead; the pool beside it is not written either."""
    sandbox = jobs_sandbox(make_sandbox, monkeypatch, tmp_path)
    job_before = sandbox.job("p", "job")
    done = _fix(tmp_path, write_profile(tmp_path / "profiles"), promote=False)
    assert done.exit_code is ExitCode.ABORTED, done.summary()
    assert _writes(sandbox) == []  # main: UpdateJob and UpdateWorkerPool sent
    assert sandbox.job("p", "job").template == job_before.template
    assert "job job: --no-promote cannot hold a job's update" in done.message
    assert "drift fix prod" in done.message and "gcloud run jobs update" in done.message
    assert "nothing was changed" in done.message


def test_no_promote_says_a_pools_own_setting_is_not_held(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A pool's instance count alone makes no revision ("does not create a new revision",
    run/docs/configuring/workerpools/manual-scaling): nothing to hold, and the output says
    the flag held nothing rather than let it look held."""
    sandbox = make_sandbox(world(jobs={}, pools={"pool": pool_spec(None)}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profile = POOL_PROFILE.replace("      QUEUE: events2\n", "      QUEUE: events\n")
    done = _fix(tmp_path, write_profile(tmp_path / "profiles", profile), promote=False)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert sandbox.worker_pool("p", "pool").scaling.manual_instance_count == 3
    assert "--no-promote holds nothing here: instance_count is the pool's own" in done.summary()


def test_the_question_says_the_pools_new_revision_gets_no_instances(
    held_world: tuple[Sandbox, Path], tmp_path: Path
) -> None:
    sandbox, profiles = held_world
    ui = ScriptedUI([False])
    declined = _fix(tmp_path, profiles, promote=False, ui=ui)
    assert declined.exit_code is ExitCode.ABORTED and _writes(sandbox) == []
    # the plan shown says it (tests/jobs/test_pool_no_promote_plan.py), no note after it
    assert not any("--no-promote" in note for note in ui.said), ui.said
    (question,) = ui.questions  # main: "… in place (no canary: nothing serves traffic)?"
    assert question == (
        "Update worker pool pool in place (no canary: nothing serves traffic; --no-promote: "
        "the new revision of worker pool pool gets no instances)?"
    )


def _move_by_hand(sandbox: Sandbox, to_revisions: str) -> None:
    """What `gcloud beta run worker-pools update-instance-split pool --to-revisions=…` (or
    `--to-latest`: LATEST=100) sends: the pool as read, its splits replaced, written by gcloud."""
    import grpc
    from google.cloud.run_v2.services.worker_pools.transports import WorkerPoolsGrpcTransport

    channel = grpc.insecure_channel(sandbox.address)
    try:
        pools: Any = run_v2.WorkerPoolsClient(transport=WorkerPoolsGrpcTransport(channel=channel))
        pool = pools.get_worker_pool(name=POOL)
        pool.instance_splits = [
            run_v2.InstanceSplit(type_=LATEST, percent=int(p))
            if name == "LATEST"
            else run_v2.InstanceSplit(type_=REVISION, revision=name, percent=int(p))
            for name, p in (pair.split("=") for pair in to_revisions.split(","))
        ]
        pool.client, pool.client_version = "gcloud", "528.0.0"
        pools.update_worker_pool(worker_pool=pool).result(timeout=10)
    finally:
        channel.close()


@pytest.mark.parametrize("how", ["as printed", "all to it by name"])
def test_rollback_after_the_instances_moved_as_no_promote_printed(
    held_world: tuple[Sandbox, Path], tmp_path: Path, how: str
) -> None:
    """Moving the instances as `--no-promote` printed is drift's own instruction, not someone
    else's change (SPEC invariant 10), as for a service's canary promoted by hand
    (tests/fix/test_no_promote_finish.py): the rollback takes it as the change finished. Any
    other split is theirs: refused without --force."""
    sandbox, profiles = held_world
    before = _runs(sandbox)
    done = _fix(tmp_path, profiles, promote=False)
    printed = re.search(
        r"update-instance-split pool --(to-latest|to-revisions=(\S+)) ", done.summary()
    )
    assert printed and done.change_id, done.summary()
    held = f"pool-drift-{done.change_id}"
    moved = printed.group(2) or "LATEST=100"
    _move_by_hand(sandbox, moved if how == "as printed" else f"{held}=100")
    assert {q for *_, q in _runs(sandbox)} == {"events2"}
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    listed = asyncio.run(read_live(settings, list_changes(settings))).summary()
    # main: "pinned (its service could not be read: …)", a pool read as a service
    assert "could not be read" not in listed, listed
    assert ("finished-by-hand" in listed) is (how == "as printed"), listed
    back = asyncio.run(run_rollback(settings, ScriptedUI(), done.change_id, yes=True))
    if how != "as printed":
        assert back.exit_code is ExitCode.ABORTED, back.summary()
        assert "was changed since drift's last write" in back.summary()
        return
    # main: exit 4, "pool was changed since drift's last write … (last modified by … with
    # gcloud 528.0.0): rolling back would undo what of their change …"
    assert back.exit_code is ExitCode.OK, back.summary()
    assert [(p, q) for _, p, q in _runs(sandbox)] == [(p, q) for _, p, q in before]


def _check(profiles: Path, journal: Path) -> Any:
    """`drift check prod`'s report, its journal `journal` (as the command reads it)."""
    from drift.check import run_check
    from drift.fix.served import canary_record

    settings = load_settings(journal_dir=journal)
    profile = load_profile(profiles, "prod")
    canaries = canary_record(journal)
    return asyncio.run(run_check(profile, settings, today=TODAY, canaries=canaries)).report


def test_check_says_how_to_finish_a_held_pool_in_every_format(
    held_world: tuple[Sandbox, Path], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`revision.pinned` of a held pool gives the way out fix's stop and the plan's step give
    (`pool_hold.pool_left`: the update-instance-split command, or the rollback), as a held
    service canary's finding does; without the change's journal here, every instance to the
    held revision (`--to-latest`) or the rollback where its journal is."""
    from drift.format import OutputFormat, formatter_for

    sandbox, profiles = held_world
    done = _fix(tmp_path, profiles, promote=False)
    assert done.change_id is not None, done.summary()
    move = r"\((gcloud beta run worker-pools update-instance-split [^)]*)\)"
    printed = re.search(move, done.summary())
    assert printed, done.summary()
    report = _check(profiles, tmp_path / ".drift" / "journal")
    (pinned,) = [f for f in report.findings if f.rule == "revision.pinned"]
    # main: "…: a new deploy would get no instances; `drift rollback C` its change"
    assert printed.group(1) in pinned.message, pinned.message
    assert f"`drift rollback {done.change_id}`" in pinned.message
    for fmt in OutputFormat:
        text = formatter_for(fmt).render(report)
        assert "update-instance-split pool --to-" in text, fmt
        assert printed.group(1).split(" --project")[0] in text.replace("\\u003d", "="), fmt

    report = _check(profiles, tmp_path / "elsewhere")  # a CI runner without the journal
    (pinned,) = [f for f in report.findings if f.rule == "revision.pinned"]
    assert (
        "move the instances to it (gcloud beta run worker-pools update-instance-split pool "
        "--to-latest --project=p --region=us-central1" in pinned.message
    ), pinned.message
