"""revfix84 F1: under `--yes` the promotion was built from the read right after the canary
write, with no read before it is sent (`drift.fix.reread`: "nothing waited on"). Yet the
canary's proof runs between them: a probe of what serves and of the canary, each up to its
timeout (10 s by default), longer with `hold`. A teammate's write in that window — a deploy,
or a label (which may leave `generation` as it was: sandbox `labels_bump_generation`) — was
then overwritten by drift's promotion on a server that lets a stale etag through (sandbox
`stale_etag: ignored`; Service.etag only "May be used to detect modification conflict"): their
deploy replaced by the canary, or their label silently dropped (SPEC invariants 2 and 4). After
a probe the service is read again before the promotion, as after a prompt."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.probe.client as client
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, ScriptedUI, entries, fix
from tests.sandbox.helpers import service_name


def _during_the_proof(monkeypatch: pytest.MonkeyPatch, action: Any) -> list[str]:
    """Run `action` once the proof's probes (what serves and the canary) have run, before
    drift goes on to its promotion."""
    real, done = client.probe_all, []

    async def probe_all(targets: Any, **kwargs: Any) -> Any:
        results = await real(targets, **kwargs)
        if len(targets) == 2 and not done:  # the proof's, not the re-check's
            done.append(action())
        return results

    monkeypatch.setattr(client, "probe_all", probe_all)
    return done


@pytest.mark.parametrize("bumps", [False, True], ids=["keeps-generation", "bumps"])
def test_a_label_written_while_the_canary_is_probed_stays(
    bumps: bool,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    clients: Clients,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    monkeypatch.setattr(sandbox.scenario.options, "labels_bump_generation", bumps)

    def label() -> str:
        service = clients.services.get_service(name=service_name("api"))
        service.labels["cost-center"] = "42"
        written = clients.services.update_service(service=service).result()
        return str(written.generation)

    done = _during_the_proof(monkeypatch, label)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    said = result.summary()
    assert done, said
    now = sandbox.service(PROJECT, "api")
    assert now.labels.get("cost-center") == "42", (dict(now.labels), said)  # main
    if bumps:  # seen as someone else's write: not promoted over it
        assert result.exit_code is ExitCode.ABORTED, said
        assert "while drift probed the canary" in said, said
        (entry,) = entries(tmp_path)
        assert entry.state != State.PROMOTED
    else:  # the same generation: the promotion goes on, on their label
        assert result.exit_code is ExitCode.OK, said


@pytest.mark.parametrize("same_name", ["already_exists", "reuse"])
def test_a_deploy_while_the_canary_is_probed_is_not_overwritten(
    same_name: str,
    sandbox: Sandbox,
    env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(sandbox.scenario.options, "stale_etag", "ignored")
    # a promotion naming the canary over their template: refused, or taken (not documented)
    monkeypatch.setattr(sandbox.scenario.options, "same_name_same_config", same_name)

    def deploy() -> str:
        done = sandbox.set_env(PROJECT, "api", "LOG_LEVEL", "WARNING")
        return str(done.latest_created_revision.rsplit("/", 1)[-1])

    theirs = _during_the_proof(monkeypatch, deploy)
    result = fix(tmp_path, env, ScriptedUI(), FixOptions(yes=True), services=["api"])
    said = result.summary()
    assert theirs, said
    assert "replaced" not in said, said  # main: drift's promotion never lands over theirs
    assert "while drift probed the canary" in said, said
    assert result.exit_code is ExitCode.ABORTED, said
    (entry,) = entries(tmp_path)
    assert [w["step"] for w in entry.writes] == ["canary"]  # no promotion sent
    now = sandbox.service(PROJECT, "api")
    assert now.template.revision != entry.canary_revision
    serving = {s.revision.rsplit("/", 1)[-1] for s in now.traffic_statuses if s.percent}
    assert entry.canary_revision not in serving, said
