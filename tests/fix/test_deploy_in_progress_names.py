"""What `drift check` says of a deploy in progress names a revision as being rolled out only
when Cloud Run's `latest_created_revision` names one that is not the latest ready: whether that
field moves when the update is accepted or once its revision is made is not documented
(sandbox option `created_while_reconciling`, helper-699 F2), and a traffic-only update makes
none. The item is "deploy in progress" under either (SPEC)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB


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
