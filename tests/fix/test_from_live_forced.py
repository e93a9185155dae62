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
from drift.fix.rollback_refusal import FORCED_UNDOES
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_killed_fix import (
    CI_IMAGE,
    aged,
    killed_after_the_canary_landed,
    said,
    update_traffic_to_latest,
)

FORCE = r"`(drift rollback [^`]*--force)`"
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

    text = refused_from_live(tmp_path, change, Teammate(qa, rebuilt=rebuilt), stopped)
    named = re.findall(FORCE, text)
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
    assert FORCED_UNDOES not in text and "restores anyway, from app as it is now" in text, text


def refused_from_live(tmp_path: Path, change: str, ui: Teammate, stopped: bool = False) -> str:
    """`drift rollback CHANGE --from-live lab --project fix-lab [--stopped]`, answered by `ui`
    (in-process, the profile built as the CLI builds it): refused, its summary on one line."""
    cli = Invocation(profiles=lab.lab_profiles(tmp_path), project=LAB)  # --project given
    settings = cli.settings(journal_dir=tmp_path / ".drift" / "journal")
    live = replace(cli, environment="lab").profile(settings)
    done = asyncio.run(run_rollback(settings, ui, change, yes=False, live=live, stopped=stopped))
    text = " ".join(done.summary().split())
    assert done.exit_code is ExitCode.ABORTED, text
    return text


@pytest.mark.parametrize("serves", [False, True], ids=["caught-by-the-pin", "theirs-serves"])
@pytest.mark.parametrize("rebuilt", [True, False], ids=["at-the-check", "while-the-prompt-waits"])
def test_a_deploy_since_the_canary_names_no_force_that_is_refused(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
    rebuilt: bool,
    serves: bool,
) -> None:
    """A teammate deploys (`gcloud run deploy`) once the change is rebuilt: the rerun
    `--from-live lab --force` is refused by what it rebuilds from ("deployed since drift's
    canary"), so the refusal names no `--force`; it says what that rerun finds — under drift's
    pin, the gcloud command that lets theirs serve, which run as it reads routes LATEST to
    theirs and takes the canary's tag away; where theirs serves already (their deploy moved the
    traffic), that drift does not undo it without the journal (helper-760, left)."""
    sandbox, change, tag = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    clients = clients_for(sandbox)

    def deploy() -> None:
        sandbox.deploy(LAB, "app", image=CI_IMAGE, client=("gcloud", "467.0.0"))
        if serves:  # `--to-latest`: theirs takes the traffic, drift's canary keeps its tag
            update_traffic_to_latest(clients, remove_tags="none")

    text = refused_from_live(tmp_path, change, Teammate(deploy, rebuilt=rebuilt))
    assert re.findall(r"`drift rollback [^`]*`", text) == [], text  # none named: app is all
    assert f"drift cannot roll {change} back from the live service now" in text, text
    forced = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--force")
    assert forced.returncode == 4, said(forced)  # what main named: refused, nothing written
    assert "app was deployed since drift's canary" in said(forced), said(forced)
    commands = re.findall(r"`(gcloud [^`]*)`", text)
    if serves:
        assert commands == [] and "drift does not undo it without the journal" in text, text
        return
    where = f"--project {LAB} --region us-central1"
    assert commands == [
        f"gcloud run services update-traffic app --to-latest --remove-tags {tag} {where}"
    ]
    theirs = sandbox.service(LAB, "app").latest_created_revision.rsplit("/", 1)[-1]
    update_traffic_to_latest(clients, remove_tags=tag)  # the command named, as gcloud sends it
    app = sandbox.service(LAB, "app")
    assert lab.spec(app) == [("TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "", 100, "")]
    assert lab.shares(app) == {theirs: 100} and not any(t.tag for t in app.traffic_statuses)
