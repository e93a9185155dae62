"""A fix killed (kill -9) right after its canary landed: nothing of drift's ran after it, so
the canary stays, tagged, at 0 %, and the traffic that was LATEST 100 % stays pinned to what
served (SPEC invariant 9's trap, which only drift's cleanup or rollback removes). What
`check`, `plan`, `rollback` and the next `fix` say then, and the ways out they name, each
taken here against the sandbox: once the team has deployed under the pin, and once the
journal that recorded the change is gone (the fix ran in CI, in a container, on another
laptop)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.lock
from drift.diff.unserved import CLEANUP_WINDOW
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries
from tests.fix.test_lock import as_killed

CI_IMAGE = "us-docker.pkg.dev/lab/app:v2-from-ci"
LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"


class Killed(BaseException):
    """kill -9: nothing of drift's runs after it (no clause of drift's catches it)."""


def killed_after_the_canary_landed(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    world: dict[str, Any] | None = None,
    *,
    sandbox: Sandbox | None = None,
    options: FixOptions | None = None,
) -> tuple[Sandbox, str, str]:
    """`drift fix lab --yes` (or with `options`) killed once its canary write landed, before it
    read the answer (the journal says canary-deploying), its lock left as kill -9 leaves it:
    the sandbox (`sandbox`, else one of `world`), the change, and the canary's tag."""
    sandbox = sandbox or make_sandbox(world or lab.lab_world())

    def die(request: Any) -> None:
        raise Killed()

    with monkeypatch.context() as m:
        lab.after_the_canary_write(m, die)
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)  # kill -9 frees nothing
        with pytest.raises(Killed):
            lab.lab_fix(
                tmp_path, sandbox, ScriptedUI(), options or FixOptions(yes=True), monkeypatch
            )
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    (entry,) = entries(tmp_path)
    assert entry.state == State.CANARY_DEPLOYING
    pinned = sandbox.service(LAB, "app")
    assert all(t.type_.name.endswith("REVISION") for t in pinned.traffic)
    assert pinned.traffic[-1].tag == entry.tag  # the canary's, at 0 %
    return sandbox, entry.change_id, entry.tag


def aged(sandbox: Sandbox) -> None:
    """The fix was killed longer ago than any fix runs (`CLEANUP_WINDOW`): no fix can be
    working on its canary any more, and `--from-live` takes it without --force."""
    sandbox.backdate(LAB, "app", CLEANUP_WINDOW.total_seconds() + 60)


def said(done: Any) -> str:
    return str(done.stdout + done.stderr)


def update_traffic_to_latest(clients: Any, remove_tags: str) -> run_v2.Service:
    """What `gcloud run services update-traffic app --to-latest --remove-tags TAGS` sends:
    LATEST 100 %, the tags named removed, every other tag kept at 0 % (gcloud's reference:
    `--to-latest` assigns "100% of traffic to the current or future LATEST revision")."""
    service = clients.services.get_service(name=lab.lab_name())
    gone = set(remove_tags.split(","))
    kinds = run_v2.TrafficTargetAllocationType
    kept = [
        run_v2.TrafficTarget(
            type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=t.revision,
            percent=0,
            tag=t.tag,
        )  # fmt: skip
        for t in service.traffic
        if t.tag and t.tag not in gone
    ]
    service.traffic = [
        run_v2.TrafficTarget(type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=100),
        *kept,
    ]
    service.client, service.client_version = "gcloud", "467.0.0"
    result: run_v2.Service = clients.services.update_service(service=service).result()
    return result


def test_a_deploy_under_the_pin_a_killed_fix_left_is_named_with_the_way_that_keeps_it(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """The team deploys a new image (gcloud run deploy) under the pin the killed fix left:
    their revision is the latest ready one and gets 0 %. `check` said a new deploy *would*
    get no traffic, naming neither it nor its image; `rollback` was refused (right: their
    deploy) and offered only `--force`, whose own preview reverts their image. Both now say
    the pin has caught that revision and name the command that lets it serve: LATEST is the
    latest ready revision — theirs, created after the canary, never the canary — and the
    canary's tag goes with it. Run, that command leaves their revision serving 100 %, the
    canary with neither traffic nor tag, and `check` without revision.pinned."""
    sandbox, _, tag = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("gcloud", "467.0.0"))
    theirs = sandbox.service(LAB, "app")
    revision = theirs.latest_ready_revision.rsplit("/", 1)[-1]
    assert revision == theirs.latest_created_revision.rsplit("/", 1)[-1]
    assert revision not in lab.shares(theirs)  # ready, and serving nothing: trapped
    command = (
        f"gcloud run services update-traffic app --to-latest --remove-tags {tag} "
        f"--project {LAB} --region us-central1"
    )
    caught = f"the pin has already caught a deploy: {revision} (image {CI_IMAGE})"
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert caught in said(check) and f"`{command}` lets it serve" in said(check), said(check)
    assert "would get no traffic" not in said(check)
    plan = lab.lab_cli(sandbox, tmp_path, "plan", "lab")
    assert f"--to-latest --remove-tags {tag}" in said(plan), said(plan)
    refused = lab.lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert refused.returncode == 4, said(refused)
    assert f"app: {caught}" in said(refused) and f"`{command}`" in said(refused), said(refused)
    forced = f"`drift rollback {tag.removeprefix('drift-')} --force` restores anyway"
    assert forced in said(refused), said(refused)
    assert sandbox.service(LAB, "app").etag == theirs.etag  # nothing written
    now = update_traffic_to_latest(clients_for(sandbox), tag)
    assert lab.shares(sandbox.service(LAB, "app")) == {revision: 100}
    assert [(t.type_.name, t.percent, t.tag) for t in now.traffic] == [(LATEST, 100, "")]
    assert not any(t.tag for t in sandbox.service(LAB, "app").traffic_statuses)
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert "revision.pinned" not in said(check), said(check)


def test_a_canary_left_without_its_journal_is_removed_from_the_live_service(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The fix ran where its journal does not outlive it (a CI runner) and was killed after
    its canary landed. On any other checkout, every message pointed at `drift rollback
    CHANGE`, which answered "no change … the journal holds no change"; `drift fix` pointed at
    `--from-template`, which found "nothing to patch" (the template is the canary's); the pin
    stayed. Each message now names `drift rollback CHANGE --from-live ENV`, which rebuilds the
    change from the service itself and rolls it back: LATEST 100 % as before the fix,
    resolving to a new revision of what served, never to the canary; the canary's tag gone;
    one write; recorded in this journal. Declined, it writes and records nothing."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    before = sandbox.service(LAB, "app")  # as the canary left it
    canary = before.latest_created_revision.rsplit("/", 1)[-1]
    first = sandbox.revision(LAB, "app", lab.shares(before).popitem()[0])
    shutil.rmtree(tmp_path / ".drift")  # the runner is gone, and its journal with it
    aged(sandbox)  # since longer than a fix runs: none can be working on the canary
    way = f"drift rollback {change} --from-live lab"
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert f"`{way}`" in said(check), said(check)
    fixed = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert fixed.returncode == 4 and f"`{way}`" in said(fixed), said(fixed)
    assert "--from-template" not in said(fixed).split("Finish that change first")[-1]
    plan = lab.lab_cli(sandbox, tmp_path, "plan", "lab")
    assert way in said(plan), said(plan)
    missing = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert missing.returncode == 2 and f"`drift rollback {change} --from-live ENV`" in said(
        missing
    ), said(missing)
    sandbox.clear_calls()
    declined = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab")
    assert declined.returncode == 4 and "declined: nothing was changed" in said(declined)
    assert "goes back to LATEST" in said(declined) and "traffic: " in said(declined)
    assert lab.updates(sandbox) == [] and lab.entries(tmp_path) == []
    done = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert done.returncode == 0, said(done)
    (sent,) = lab.updates(sandbox)  # one write: the configuration that served, and LATEST
    assert [(t.type_.name, t.revision, t.percent, t.tag) for t in sent.service.traffic] == [
        (LATEST, "", 100, "")
    ]
    now = sandbox.service(LAB, "app")
    assert lab.spec(now) == [(LATEST, "", 100, "")] and not any(t.tag for t in now.traffic_statuses)
    ((serves, percent),) = lab.shares(now).items()
    assert serves != canary and percent == 100
    assert lab.config(sandbox.revision(LAB, "app", serves)) == lab.config(first)
    (entry,) = lab.entries(tmp_path)
    assert (entry.change_id, entry.state) == (change, State.ROLLED_BACK)
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert "revision.pinned" not in said(check), said(check)
    again = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert again.returncode == 0, said(again)  # nothing left in the way of the next fix


def test_from_live_writes_nothing_to_a_service_it_cannot_read_the_change_from(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`--from-live` rebuilds only what a fix killed after its canary leaves: after a deploy
    since (theirs is the latest revision) it names the command that lets theirs serve; a
    change the journal holds is the journal's; nothing is written either way."""
    sandbox, change, tag = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    held = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert held.returncode == 2, said(held)
    assert f"`drift rollback {change}` rolls it back from what the journal recorded" in said(held)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("gcloud", "467.0.0"))
    theirs = sandbox.service(LAB, "app")
    revision = theirs.latest_created_revision.rsplit("/", 1)[-1]
    sandbox.clear_calls()
    done = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert done.returncode == 4, said(done)
    assert "app was deployed since drift's canary" in said(done)
    assert f"the pin has already caught a deploy: {revision}" in said(done)
    assert f"--to-latest --remove-tags {tag}" in said(done), said(done)
    assert said(done).rstrip().endswith("nothing was changed"), said(done)
    assert lab.updates(sandbox) == [] and sandbox.service(LAB, "app").etag == theirs.etag
    other = lab.lab_cli(
        sandbox, tmp_path, "rollback", "20261130-010203-00001", "--from-live", "lab"
    )
    assert other.returncode == 2 and "carries a canary of change" in said(other), said(other)


def test_from_live_leaves_a_split_it_cannot_tell_apart(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Traffic on two revisions when the fix was killed: which share was LATEST's before the
    canary pinned it is only in the journal. `--from-live` says so and writes nothing."""
    world = lab.lab_world(
        history=[{"image": "us-docker.pkg.dev/lab/app:v0"}],
        traffic=[{"revision": 1, "percent": 20}, {"revision": 2, "percent": 80}],
    )
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch, world)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    sandbox.clear_calls()
    done = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert done.returncode == 4, said(done)
    assert "which share went to LATEST before the canary is only in the journal" in said(done)
    assert lab.updates(sandbox) == []
