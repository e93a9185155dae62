"""A setting drift cannot read (a worker pool or job running several containers, none with a
port, whose profile names none with `container:`: `RevisionConfig.unreadable`) is a manual
step with the command that would set it (`manual.unread_steps`). When the profile's value
holds a password moved onto the command line (an older revision held it as `AUTH_TOKEN`:
`Context.hidden`), that command would print it: the step leaves it to the reader, as the
gcloud script does (`Field.lacks_flag`, helper-692 "Left")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

TOKEN = "Qm7vKp2Zr9"  # neither its shape nor a secret read says it is one: its history does
ACCOUNT = "runner@acme.iam.gserviceaccount.com"
AGENT = {"name": "agent", "image": "img/agent:1", "args": ["--level", "info"]}


def _world() -> dict[str, Any]:
    consumer = {"name": "consumer", "image": "img/consumer:1", "args": ["--pg", TOKEN]}
    older = {**consumer, "args": [], "env": [{"name": "AUTH_TOKEN", "value": TOKEN}]}
    pool = {
        "instances": 1,
        "template": {"containers": [AGENT, consumer]},
        "history": [{"created": "10d", "containers": [AGENT, older]}],
    }
    project = {"number": 111, "region": "us-central1", "worker_pools": {"pool": pool}}
    return {"options": {"seed": 3}, "projects": {"acme": project}}


@pytest.mark.parametrize("args", [f"[--pg, {TOKEN}, --v]", "[--mode, staging]"])
def test_an_unread_settings_step_never_prints_a_moved_password(
    make_sandbox: MakeSandbox, tmp_path: Path, args: str
) -> None:
    sandbox = make_sandbox(_world())
    profile = (
        "project: acme\nregion: us-central1\nworker_pools:\n  pool:\n"
        # a drift a revision begins: its history is read (`check._tracing`), which tells
        f"    settings:\n      args: {args}\n      service_account: {ACCOUNT}\n"
    )
    said = []
    for cmd in (("plan", "prod"), ("plan", "prod", "--format", "json"), ("fix", "prod")):
        done = drift_on(sandbox, tmp_path, ("prod", profile), *cmd)
        shown = done.stdout + done.stderr
        said.append(shown)
        assert "Traceback" not in shown and "args is not planned" in shown, shown
        assert TOKEN not in shown, shown
    moved, other = "--args" not in said[0], "--args=--mode,staging" in said[0]
    assert (moved, other) == (TOKEN in args, TOKEN not in args), said[0]
    unprinted = "the profile's value holds what drift does not print: no command" in said[0]
    assert unprinted is (TOKEN in args), said[0]
