"""A live variable name is hostile data too: `TOKEN_REF\\nFORGED …` (a reference to a secret
that does not exist) put a line of its own, `FORGED lab: no drift (exit 0)`, into `fix`'s
stop, `init --from-live`'s notes, the plan's manual steps (gcloud script, Markdown report) and
a YAML plan's comments (helper-591 F1, F2). Every line drift prints starts as drift wrote it:
the name's line break is shown escaped."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.history.cli import profile_folder, run

pytestmark = pytest.mark.sandbox

FORGED = "\nFORGED lab: no drift (exit 0)"
PROFILE = """project: acme
region: us-central1
services:
  api:
    unexpected_env: warn
    env:
      MODE: staging
"""


def _world() -> dict[str, object]:
    env = {
        "MODE": "prod",
        "TOKEN_REF" + FORGED: {"secret": "gone"},
        "DB_PASSWORD" + FORGED: "Hunter2Hunter2Pw0rd",
    }
    template = {"image": "us-docker.pkg.dev/acme/app/api:2", "port": 8080, "env": env}
    service = {"template": template}
    return {
        "projects": {"acme": {"number": 5, "region": "us-central1", "services": {"api": service}}}
    }


@pytest.mark.parametrize(
    "args",
    [
        ("check", "lab", "--format", "markdown"),
        ("check", "lab", "--format", "table"),
        ("plan", "lab", "--format", "gcloud"),
        ("plan", "lab", "--format", "yaml"),
        ("plan", "lab"),
        ("fix", "lab", "--dry-run"),
        ("fix", "lab"),
        ("init", "lab3", "--from-live", "--project", "acme", "--region", "us-central1"),
    ],
)
def test_a_name_with_a_line_break_forges_no_line(
    make_sandbox: MakeSandbox, tmp_path: Path, args: tuple[str, ...]
) -> None:
    done = run(make_sandbox(_world()), profile_folder(tmp_path, PROFILE), *args)
    shown = done.stdout + done.stderr
    assert done.returncode in (0, 1, 2, 3, 4), shown  # never a traceback (`run`)
    assert "FORGED" in shown, shown  # the names are said ...
    forged = [line for line in shown.splitlines() if re.match(r"^[\s#>*|`-]*FORGED", line)]
    assert forged == [], shown  # ... never as a line of their own
