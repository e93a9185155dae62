"""revwritecode2 F1 (an addendum to revwritecode F1): `drift fix --yes` writes each service's
canary from the plan's read, made before the fix took its locks and, one service at a time
(`concurrency: 1`, or answering prompts), long before that service's turn. No read is made
after the lock is taken or right before the write (`canary.ServiceFix._steps`: the request is
`context.canary_request(self.live, …)`, the plan's read, `live.source.etag`). Cloud Run v2 does
not promise ABORTED for a stale etag (service.proto `Service.etag`: "May be used to detect
modification conflict during updates"; sandbox option `stale_etag: ignored`), so a teammate's
deploy of the second service while drift works on the first is replaced by drift's canary:
SPEC invariant 4 ("`fix` aborts if the service changed after it was read (etag)"). There is no
prompt here, so revwritecode F1's remedy (read again after each prompt) does not reach it: the
read has to come right before each write (after the lock).

Expected to FAIL on main (a reviewer's repro)."""

from __future__ import annotations

import asyncio
import dataclasses
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.profiles.loader import load_profile
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, TODAY, ScriptedUI


def test_a_deploy_of_the_next_service_during_a_yes_fix_is_not_overwritten(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(lab.lab_world(service="aaa", also=("bbb",)))
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = lab.lab_profiles(tmp_path, "aaa", also=("bbb",))
    theirs: list[str] = []

    def teammate(request: Any) -> None:
        # while drift works on aaa, a teammate deploys bbb (LOG_LEVEL=WARNING): no prompt
        if request.name.endswith("/services/aaa") and not theirs:
            done = sandbox.set_env(LAB, "bbb", "LOG_LEVEL", "WARNING")
            theirs.append(done.latest_created_revision.rsplit("/", 1)[-1])

    lab.after_the_canary_write(monkeypatch, teammate)
    settings = dataclasses.replace(lab.settings(tmp_path), concurrency=1)
    profile = load_profile(folder, "lab")
    result = asyncio.run(
        run_fix(
            profile, settings, ScriptedUI(), FixOptions(yes=True), environ=sandbox.environ(),
            today=TODAY,
        )
    )  # fmt: skip
    assert theirs, "the teammate's deploy was made"
    bbb = sandbox.service(LAB, "bbb")
    env = {v.name: v.value for v in bbb.template.containers[0].env}
    print(result.summary())
    # what should happen: bbb changed after drift read it: nothing written to it (exit 4
    # for it, or a partial fix), their LOG_LEVEL=WARNING stays in bbb's template
    assert env.get("LOG_LEVEL") == "WARNING", result.summary()
    assert not [
        u
        for u in lab.updates(sandbox)
        if u.service.name.endswith("/services/bbb") and not u.validate_only
    ], result.summary()
    assert result.exit_code is not ExitCode.OK
