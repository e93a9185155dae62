"""`drift rollback` while someone else's deploy is still rolling out: the refusal says the
deploy is in progress, as `drift check` does; what serves is not read from `traffic_statuses`,
which are transient then ("While reconciliation is in process, observed_generation,
latest_ready_revision, traffic_statuses, and uri will have transient values that might
mismatch the intended state", run/v2 `Service.reconciling`); and `--force` is said to
supersede that deploy."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI


def test_rollback_during_a_deploy_in_progress_says_the_deploy_is_in_progress(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world())
    fixed = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert fixed.exit_code is ExitCode.OK
    sandbox.hold_deploys(True)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v3")  # stuck rolling out
    stuck = sandbox.service(LAB, "app")
    assert stuck.reconciling
    rolling = stuck.latest_created_revision.rsplit("/", 1)[-1]
    done = lab.lab_cli(sandbox, tmp_path, "rollback", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == ExitCode.ABORTED, said
    assert f"deploy in progress ({rolling} is being rolled out)" in said, said  # as check says
    assert "serving now:" not in said, said  # transient while it reconciles
    assert "would supersede the deploy in progress" in said, said
