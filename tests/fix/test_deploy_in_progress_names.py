"""What `drift check` says of a deploy in progress names a revision as being rolled out only
when Cloud Run's `latest_created_revision` names one that is not the latest ready: whether that
field moves when the update is accepted or once its revision is made is not documented
(sandbox option `created_while_reconciling`, helper-699 F2), and a traffic-only update makes
none. The item is "deploy in progress" under either (SPEC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.live.api import short
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI


def _held(make_sandbox: MakeSandbox, option: str) -> tuple[Any, str]:
    """A lab sandbox whose deploys wait, and the revision that serves."""
    world = lab.lab_world()
    world["options"]["created_while_reconciling"] = option
    sandbox = make_sandbox(world)
    sandbox.hold_deploys(True)
    return sandbox, sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]


@pytest.mark.parametrize("option", ["new", "previous"])
def test_a_deploy_in_progress_names_what_rolls_out_only_when_known(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    sandbox, serving = _held(make_sandbox, option)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")
    stuck = sandbox.service(LAB, "app")
    assert stuck.reconciling
    done = lab.lab_cli(sandbox, tmp_path, "check", "lab", "--wait", "0")
    said = done.stdout + done.stderr
    assert "deploy in progress" in said and f"{serving} is being rolled out" not in said, said
    if option == "new":  # the field names the new revision: said
        rolling = stuck.latest_created_revision.rsplit("/", 1)[-1]
        assert rolling != serving and f"({rolling} is being rolled out)" in said, said
    else:  # it still names what serves: the generation is what rolls out
        assert f"(generation {stuck.generation} is being rolled out)" in said, said


@pytest.mark.parametrize("option", ["new", "previous"])
def test_a_traffic_update_in_progress_names_no_revision(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    sandbox, serving = _held(make_sandbox, option)
    sandbox.update_traffic(LAB, "app", {serving: 100})  # no revision made
    stuck = sandbox.service(LAB, "app")
    assert stuck.reconciling
    said = lab.lab_cli(sandbox, tmp_path, "check", "lab", "--wait", "0").stdout
    assert f"(generation {stuck.generation} is being rolled out)" in said, said


@pytest.mark.parametrize("option", ["new", "previous"])
@pytest.mark.parametrize("failure", [None, "the container failed to start"])
def test_once_the_deploy_settles_the_new_revision_is_the_latest_created(
    make_sandbox: MakeSandbox, option: str, failure: str | None
) -> None:
    sandbox, serving = _held(make_sandbox, option)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")
    during = sandbox.service(LAB, "app").latest_created_revision.rsplit("/", 1)[-1]
    assert (during == serving) is (option == "previous")
    settled = sandbox.finish_deploy(LAB, "app", failure=failure)
    made = settled.latest_created_revision.rsplit("/", 1)[-1]
    assert made != serving and not settled.reconciling
    assert (made == settled.latest_ready_revision.rsplit("/", 1)[-1]) is (failure is None)


def _after_a_failed_deploy(sandbox: Any, what: str) -> tuple[str, run_v2.Service]:
    """The failed revision of a deploy that settled, then `what` (another deploy, or a
    traffic update) held in progress: the service as read then."""
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")
    failed = sandbox.finish_deploy(LAB, "app", failure="the container failed to start")
    broken = short(failed.latest_created_revision)
    serving = short(failed.latest_ready_revision)
    if what == "deploy":
        sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v3")
    else:
        sandbox.update_traffic(LAB, "app", {serving: 100})
    stuck = sandbox.service(LAB, "app")
    assert stuck.reconciling and short(stuck.latest_ready_revision) == serving
    return broken, stuck


@pytest.mark.parametrize("what", ["deploy", "traffic"])
@pytest.mark.parametrize("option", ["new", "previous"])
def test_a_failed_revision_is_never_said_to_be_rolling_out(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str, what: str
) -> None:
    """A deploy (or a traffic update) begun after one that failed: `latest_created_revision`
    names the failed revision until the new one is made (`previous`, or an update that makes
    none), and only its Revision `conditions` ("The Condition of this Revision, containing its
    readiness status", run/v2 revision.proto; a Revision has no `terminal_condition`) tell it
    from one rolling out: drift reads them with one GetRevision of it."""
    sandbox, _ = _held(make_sandbox, option)
    broken, stuck = _after_a_failed_deploy(sandbox, what)
    done = lab.lab_cli(sandbox, tmp_path, "check", "lab", "--wait", "0")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.INCOMPLETE, said
    assert f"{broken} is being rolled out" not in said, said
    rolling = short(stuck.latest_created_revision)
    if rolling != broken:  # `new`: the new revision, reconciling, is named
        assert f"({rolling} is being rolled out)" in said, said
    else:
        assert (
            f"(generation {stuck.generation} is being rolled out; the latest created "
            f"revision {broken} failed)"
        ) in said, said
    gets = [c.request.name for c in sandbox.calls if c.short == "GetRevision"]
    assert gets.count(stuck.latest_created_revision) == 1, gets


def test_rollback_never_says_a_failed_revision_rolls_out(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`drift rollback`'s refusal beside a deploy in progress says it as `drift check` does."""
    sandbox = lab.lab_under(make_sandbox, created_while_reconciling="previous")
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    sandbox.hold_deploys(True)
    broken, stuck = _after_a_failed_deploy(sandbox, "deploy")
    done = lab.lab_cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED, said
    assert f"{broken} is being rolled out" not in said, said
    assert f"the latest created revision {broken} failed" in said, said


def test_what_rolls_out_is_read_once_beside_the_last_poll(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """With --wait, the GetRevision goes out beside the last GetService poll (a deploy that
    settled before it needs none), never after the wait, and once."""
    sandbox, _ = _held(make_sandbox, "previous")
    broken, stuck = _after_a_failed_deploy(sandbox, "deploy")
    sandbox.clear_calls()
    said = lab.lab_cli(sandbox, tmp_path, "check", "lab", "--wait", "1.5").stdout
    assert f"the latest created revision {broken} failed)" in said, said
    polls = [c.at for c in sandbox.calls if c.short == "GetService"]
    gets = [c for c in sandbox.calls if c.short == "GetRevision"]
    assert [c.request.name for c in gets] == [stuck.latest_created_revision]
    assert len(polls) >= 2 and polls[-2] < gets[0].at < polls[-1], (polls, gets[0].at)
