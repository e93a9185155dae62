"""fixtag60's "Left" (revfix60 F2's follow-up): `fix --no-promote` on a service whose targets
carry tags (`LATEST 80 % tag current`, `app-00001 20 % tag old`) prints a promotion
(`--to-revisions LATEST=80,… --update-tags current=LATEST --remove-tags drift-…`). gcloud
writes it with each tag on its own 0 % target (`LATEST 80` + `LATEST 0 tag current`:
googlecloudsdk api_lib/run/traffic.py `TrafficTargets`, `test_moves_tags_to_zero_percent_targets`);
`promoted_by_hand` compared the rows exactly, so `rollback --list` said "pinned" and the
rollback refused drift's own instruction as someone else's change. Both shapes route the
same: both are drift's printed promotion."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.byhand import promote_command, promoted_by_hand
from drift.fix.context import FixOptions
from drift.fix.journal import State
from drift.fix.routing import routing
from drift.fix.update import get_service
from drift.live.session import Session
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    entries,
    gcloud_words,
    lab_fix,
    lab_name,
    lab_world,
    rollback,
    settings,
)

pytestmark = pytest.mark.sandbox


@pytest.mark.parametrize("split", [True, False])
def test_the_printed_promotion_is_drifts_own_in_either_shape_of_tags(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    split: bool,
) -> None:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    traffic = [
        {"latest": True, "percent": 80, "tag": "current"},
        {"revision": 1, "percent": 20, "tag": "old"},
    ]
    sandbox = make_sandbox(lab_world(history=history, traffic=traffic))
    done = lab_fix(
        tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True, promote=False), monkeypatch
    )
    (entry,) = [e for e in entries(tmp_path) if e.change_id == done.change_id]
    assert entry.state == State.PINNED, done.summary()

    shares, moved, removed = gcloud_words(promote_command(entry))
    now = sandbox.update_traffic(
        LAB, "app", shares, update_tags=moved, remove_tags=removed, split=split
    )
    tagged = [(t.percent, t.tag) for t in now.traffic if t.tag]
    assert all(not p for p, _ in tagged) if split else any(p for p, _ in tagged), now.traffic
    assert routing(now.traffic)[1]["current"] == "LATEST", now.traffic

    async def read() -> object:
        async with Session(settings(tmp_path).access()) as session:
            return await get_service(session, lab_name())

    # main: False with split (rows compared exactly): "pinned", and the rollback refused
    assert promoted_by_hand(asyncio.run(read()), entry)
    back = rollback(tmp_path, change_id=entry.change_id)
    assert back.exit_code is ExitCode.OK, (back.restored, back.skipped, back.failed, back.notes)
