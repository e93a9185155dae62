"""A teammate's deploy between drift's read and its write, on a server that refuses the stale
etag with FAILED_PRECONDITION (sandbox option `stale_etag: failed_precondition`): what AIP-154
asked for before it asked for ABORTED ("If a user sends back an etag which does not match the
current etag value, the service must send a FAILED_PRECONDITION error response", aip.dev/154
as first published); run v2's etag says only "May be used to detect modification conflict
during updates". FAILED_PRECONDITION is also what a failed revision gets: drift must still read
it as "changed after drift read it", write nothing more, and never take it for a failed
deploy of its own (tests/fix/test_fix.py has the ABORTED server)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.sandbox import Fault, Sandbox
from tests.fix.conftest import PROJECT, ScriptedUI, before_the_write, entries, fix, updates


@pytest.mark.parametrize(
    "stale_etag", ["aborted", "failed_precondition", "failed_precondition_unsaid"]
)
def test_a_stale_etag_refused_either_way_stops_the_fix_and_writes_nothing(
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    stale_etag: str,
) -> None:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", stale_etag)

    def meddle(question: str) -> None:
        sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")  # someone deploys meanwhile

    before_the_write(monkeypatch, 1, meddle)
    before_meddling = sandbox.service(PROJECT, "api")
    result = fix(tmp_path, env, ScriptedUI([True]), FixOptions(), services=["api"])
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert "changed after drift read it" in said, said
    after = sandbox.service(PROJECT, "api")
    (request,) = updates(sandbox)  # the refused canary write, nothing after it
    assert request.service.etag == before_meddling.etag != after.etag
    assert not any(v.name == "E2E_TEST_MODE" for v in after.template.containers[0].env)
    env_after = {v.name: v.value for v in after.template.containers[0].env}
    assert env_after["LOG_LEVEL"] == "WARNING"  # their change stands
    assert all(not s.tag for s in after.traffic_statuses)
    assert len(entries(tmp_path)) <= 1


def test_a_refusal_in_generic_words_with_the_etag_unchanged_is_the_servers_refusal(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """FAILED_PRECONDITION whose words do not name the etag, the service unchanged (what a
    revision that cannot be made gets): never called a teammate's change; said as the server
    worded it, nothing written."""
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "failed_precondition_unsaid")
    sandbox.inject(
        Fault(
            "UpdateService", "FAILED_PRECONDITION", first_n=1, message="Precondition check failed."
        )
    )
    result = fix(tmp_path, env, ScriptedUI([True]), FixOptions(), services=["api"])
    said = result.summary()
    assert result.exit_code is ExitCode.ABORTED, said
    assert "changed after drift read it" not in said, said
    assert "Precondition check failed." in said, said
