"""revfidelity: Service.etag is "May be used to detect modification conflict during updates"
(google/cloud/run/v2/service.proto, `etag`): the docs do not say UpdateService enforces it.
With a server that does not, a teammate's deploy between drift's read and its write must not
be silently overwritten."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Sandbox
from tests.fix.conftest import PROJECT, ScriptedUI, fix


def test_teammate_deploy_between_read_and_write_without_etag_check(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import drift.sandbox.core as core

    monkeypatch.setattr(core, "check_etag", lambda *a, **k: None)  # the etag is not enforced

    calls: list[str] = []

    def meddle(question: str) -> None:
        calls.append(question)
        if len(calls) == 1:  # someone deploys between drift's read and its first write
            sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")

    ui = ScriptedUI([True, True, True], on_confirm=meddle)
    result = fix(tmp_path, env, ui, FixOptions(), services=["api"])
    after = sandbox.service(PROJECT, "api")
    env_after = {v.name: v.value for v in after.template.containers[0].env}
    print(result.exit_code, result.summary(), calls)
    print({s.revision: s.percent for s in after.traffic_statuses}, env_after.get("LOG_LEVEL"))
    from tests.fix.conftest import updates

    (write, *_) = updates(sandbox)
    print("etag sent", write.service.etag, "template revision", after.template.revision)
    # what drift says must be true: "drift leaves their change as it is" while the service's
    # template (what the next deploy starts from) no longer has it is not
    said = result.summary()
    assert "leaves their change as it is" not in said or env_after.get("LOG_LEVEL") == "WARNING"
