"""revown29 F1 end to end (fixleft): a job whose containers are [proxy, app], the
profile's `container: app` at 1Gi (live: 512Mi). `drift fix --yes` updates the job in place;
the UpdateJob LANDS, then drift is killed (kill -9) before the journal records
it (`updating`). `drift rollback` must put 512Mi back. On main it reads the pool, compares
`config_key` (cpu/memory of the default container, `proxy`, only) and `held` (job-level
settings), finds them "as before", writes nothing, says "already as before: nothing to
restore", exit 0, journal `rolled_back` — the job keeps running app at 1Gi. (A worker pool
escapes by luck: its new revision's instance split differs.)"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.fix.lock
import drift.fix.workload
from drift.errors import ExitCode
from drift.fix.journal import State
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.fix.test_lock import as_killed
from tests.jobs.test_fix_jobs import fix, journal, writes
from tests.jobs.test_rollback_unlanded import Killed, rollback
from tests.jobs.world import jobs_world, write_profile
from tests.sandbox.jobworld import RUNNER

PROFILE = """\
project: p
region: us-central1
jobs:
  job:
    container: app
    env:
      MODE: live
    settings:
      memory: 1Gi
"""


def _memory(job: Any, name: str) -> str:
    (c,) = [c for c in job.template.template.containers if c.name == name]
    return str(c.resources.limits.get("memory", ""))


def test_a_landed_update_of_a_second_container_is_restored(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    spec = {
        "template": {
            "serviceAccount": RUNNER,
            "containers": [  # the proxy first: app is not the default pick
                {"name": "proxy", "image": "us-docker.pkg.dev/example/proxy:1"},
                {
                    "name": "app",
                    "image": "us-docker.pkg.dev/example/migrate:1",
                    "env": [{"name": "MODE", "value": "live"}],
                },
            ],
        }
    }
    sandbox = make_sandbox(jobs_world(jobs={"job": spec}, pools={}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    before = _memory(sandbox.job("p", "job"), "app")

    real = drift.fix.workload.update_workload

    async def landed_then_killed(*args: Any, **kwargs: Any) -> Any:
        await real(*args, **kwargs)  # the server took the write
        raise Killed()  # kill -9 before drift recorded it

    with pytest.MonkeyPatch.context() as m:
        m.setattr(drift.fix.workload, "update_workload", landed_then_killed)
        m.setattr(drift.fix.lock.Locks, "release", lambda self: None)
        with pytest.raises(Killed):
            fix(tmp_path, profiles, ScriptedUI(), yes=True)
    as_killed(tmp_path / ".drift" / "journal" / "locks")
    assert writes(sandbox) == ["UpdateJob"]
    assert _memory(sandbox.job("p", "job"), "app") == "1Gi"
    assert {e.state for e in journal(tmp_path).entries()} == {State.UPDATING}

    done = rollback(tmp_path)
    said = done.summary()
    assert "already as before" not in said, said
    assert done.exit_code == ExitCode.OK, said
    assert _memory(sandbox.job("p", "job"), "app") == before, said
