"""The `--force` command a `drift rollback CHANGE --from-live ENV` refusal names carries
`--from-live ENV` (and the `--project` given): a refusal journals nothing of the rebuilt change,
so the bare `drift rollback CHANGE --force` it named found no change C (helper-753, left). A
teammate changes the service (a tag on the revision that serves) once the rollback
has rebuilt the change — before its check reads the service (the check refuses), or while its
prompt waits (the write-time line refuses) — and the command named, run as it reads, removes
the canary and routes to LATEST, the teammate's tag kept (rebuilt from the service as it is
now)."""

from __future__ import annotations

import asyncio
import re
import shutil
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.cli.session import Invocation
from drift.errors import ExitCode
from drift.fix.rollback import run_rollback
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_killed_fix import aged, killed_after_the_canary_landed, said

REVISION = run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION


class Teammate(ScriptedUI):
    """Answers yes; the teammate's write is made once the rollback has said the change is
    rebuilt (`rebuilt`: before its check reads the service), else while its prompt waits."""

    def __init__(self, write: Any, *, rebuilt: bool) -> None:
        super().__init__([True], on_confirm=None if rebuilt else lambda _: write())
        self.write, self.rebuilt = write, rebuilt

    def say(self, text: str) -> None:
        super().say(text)
        if self.rebuilt and "rebuilt from the live service" in text:
            self.write()


@pytest.mark.parametrize(
    ("rebuilt", "stopped"),
    [(True, False), (False, False), (False, True)],
    ids=["at-the-check", "while-the-prompt-waits", "young-canary-stopped"],
)
def test_the_force_a_from_live_refusal_names_rolls_it_back(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    rebuilt: bool,
    stopped: bool,
) -> None:
    """`stopped`: the canary is younger than a fix runs, and `--stopped` was given: the command
    named carries it too (without it, that command is refused: a fix may still be running)."""
    sandbox, change, tag = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")
    if not stopped:
        aged(sandbox)
    clients = clients_for(sandbox)

    def qa() -> None:  # `gcloud run services update-traffic app --set-tags qa=SERVING`
        service = clients.services.get_service(name=lab.lab_name())
        serving = next(t.revision for t in service.traffic if t.percent == 100)
        service.traffic.append(run_v2.TrafficTarget(type_=REVISION, revision=serving, tag="qa"))
        clients.services.update_service(service=service).result()

    cli = Invocation(profiles=lab.lab_profiles(tmp_path), project=LAB)  # --project given
    settings = cli.settings(journal_dir=tmp_path / ".drift" / "journal")
    live = replace(cli, environment="lab").profile(settings)
    done = asyncio.run(
        run_rollback(
            settings, Teammate(qa, rebuilt=rebuilt), change, yes=False, live=live, stopped=stopped
        )
    )
    text = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.ABORTED, text
    named = re.findall(r"`(drift rollback [^`]*--force)`", text)
    flags = f"--from-live lab --project {LAB}" + " --stopped" * stopped
    assert named == [f"drift rollback {change} {flags} --force"], text
    bare = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--force", "--yes")
    assert bare.returncode == 2, said(bare)  # nothing of the change was journaled
    assert f"no change '{change}'" in said(bare), said(bare)

    again = lab.lab_cli(sandbox, tmp_path, *named[0].split()[1:], "--yes")
    assert again.returncode == 0, said(again)
    app = sandbox.service(LAB, "app")
    assert [(t[0], t[2], t[3]) for t in lab.spec(app)] == [
        ("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", 100, ""),
        ("TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION", 0, "qa"),
    ], said(again)
    assert "undoing that change too" not in text, text  # theirs is kept: rebuilt as it is now
