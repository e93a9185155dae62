"""revroll65 F1: a fix stopped at the promotion prompt (declined, Ctrl-C) on a service whose
serving configuration references a secret version disabled since (the very thing the fix
repairs). The cleanup used to deploy that configuration again: the revision failed, the spec
said LATEST 100 %, and LATEST — the latest ready revision — then meant drift's canary for the
team's next reconcile (SPEC invariant 9). Cloud Run cannot start it ("all secrets used … are
checked … If any check fails, the service deployment fails", cloud.google.com/run/docs/
configuring/services/secrets): drift writes no revision of it and keeps its pin by name."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode, Interrupted
from drift.fix.apply import FixOptions
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, resolved, rollback, updates

ACCOUNT = f"app@{LAB}.iam.gserviceaccount.com"
READER = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
WORLD: dict[str, Any] = {
    "options": {"seed": 3},
    "projects": {
        LAB: {
            "number": 555000111222,
            "region": "us-central1",
            "secrets": {
                "tok": {
                    "versions": [
                        "fake-tok-v1-0a1b2c3d",
                        {"value": "fake-v2-4e5f", "state": "DISABLED"},
                    ],
                    "iam": READER,
                }
            },
            "services": {
                "app": {
                    "template": {
                        "image": "us-docker.pkg.dev/lab/app:v1",
                        "port": 8080,
                        "service_account": ACCOUNT,
                        "env": {"DEBUG": "true", "TOKEN": {"secret": "tok"}},
                    }
                }
            },
        }
    },
}
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      MODE: live\n      DEBUG: {forbidden: true}\n"
    '      TOKEN: {secret: tok, version: "1"}\n'
)


@pytest.mark.parametrize("answer", [False, KeyboardInterrupt()], ids=["declined", "ctrl-c"])
def test_the_cleanup_writes_no_revision_that_cannot_start(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, answer: Any
) -> None:
    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
    served = sandbox.service(LAB, "app").latest_ready_revision.rsplit("/", 1)[-1]
    ui = ScriptedUI([True, answer])
    try:
        said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    except Interrupted as exc:
        said = exc.message
    (entry,) = entries(tmp_path)
    canary = entry.canary_revision
    text = said + "\n".join(ui.said)
    assert "TOKEN uses secret tok:latest, which is DISABLED" in text, text
    assert f"pinned by name on {served}" in text, text
    assert len(updates(sandbox)) == 1  # the canary's: no failed revision written after it
    now = sandbox.service(LAB, "app")
    assert now.latest_created_revision.endswith(canary)
    assert [s.percent for s in now.traffic if not s.revision] == []  # no LATEST in the spec
    for status in now.traffic_statuses:
        assert resolved(now, status) != canary or status.percent == 0, status
    assert entry.state == State.CLEANUP_FAILED
    # `drift rollback` refuses the same way, writing nothing (revroll65 F2)
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.ABORTED and "which is DISABLED" in rolled.summary()
    assert len(updates(sandbox)) == 1


def test_a_deploy_at_the_prompt_is_judged_as_theirs_first(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Someone deploys at the promotion prompt: the cleanup writes nothing over their write
    and says what drift's pin does to their revision (`drift.fix.untrap.free_pin`), whether
    or not what served could start again."""
    sandbox = reseedable
    sandbox.reset(WORLD)
    folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)

    def ci(question: str) -> None:
        if question.startswith("Move all traffic"):
            sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2")

    ui = ScriptedUI([True, False], on_confirm=ci)
    said = fix(tmp_path, sandbox.environ(), ui, FixOptions(), None, "lab", folder).summary()
    theirs = sandbox.service(LAB, "app").latest_created_revision.rsplit("/", 1)[-1]
    assert f"Their revision {theirs}" in said, said
    assert "cannot start again" not in said, said  # the path of their write, not F1's
