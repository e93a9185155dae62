"""`drift history` reads the secret values `drift check` reads for the profile's rules (here a
`min_length` on `A_REF`), in the revisions it shows, so that a plain copy of one (`MODE`, set
to `A_REF`'s value by hand) is masked as `check` masks it, in every format; it reads no other
value (`B_REF` has no rule that compares it), and a refused read is nobody's finding
(helper-591 F3)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.history.formats import HistoryFormat
from drift.sandbox import Fault, Sandbox
from tests.history.cli import profile_folder, run
from tests.history.conftest import unescaped
from tests.reliability.conftest import call_resource

COPIED = "Zq9-HiddenSecretPayload42"  # s1's value, pasted into MODE
UNREAD = "Unread-s2-value-7c1d9e"  # s2's: no rule compares it
PROFILE = """project: acme
region: us-central1
services:
  api:
    env:
      A_REF: {secret: s1, min_length: 4}
      B_REF: {secret: s2}
"""


def scenario() -> dict[str, object]:
    refs = {"A_REF": {"secret": "s1"}, "B_REF": {"secret": "s2"}}
    service = {
        "template": {"env": {**refs, "MODE": COPIED}},
        "history": [{"env": {**refs, "MODE": "dev"}, "created": "3d"}],
    }
    grant = {
        "roles/secretmanager.secretAccessor": [
            "serviceAccount:111-compute@developer.gserviceaccount.com"
        ]
    }
    secrets = {
        "s1": {"versions": [COPIED], "iam": grant},
        "s2": {"versions": [UNREAD], "iam": grant},
    }
    acme = {
        "number": 111,
        "region": "us-central1",
        "services": {"api": service},
        "secrets": secrets,
    }
    return {"options": {"seed": 5}, "projects": {"acme": acme}}


@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_a_plain_copy_of_a_value_check_reads_is_masked(tmp_path: Path, fmt: HistoryFormat) -> None:
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(scenario()) as sandbox:
        done = run(sandbox, folder, "history", "lab", "--format", fmt.value)
        checked = run(sandbox, folder, "check", "lab", "--format", "json")
        sandbox.clear_calls()
        run(sandbox, folder, "history", "lab", "--format", fmt.value)
        reads = [call_resource(c) for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert done.returncode == 0, done.stdout + done.stderr
    out = unescaped(done.stdout) if fmt is HistoryFormat.MARKDOWN else done.stdout
    assert "env.MODE" in out  # the change is shown, its value masked
    assert COPIED not in out and COPIED not in done.stderr, out
    assert COPIED not in checked.stdout  # as `check` shows it
    if fmt is HistoryFormat.JSON:
        changes = json.loads(out)["services"][0]["revisions"][0]["changes"]
        mode = next(c for c in changes if c["target"] == "env.MODE")
        assert COPIED not in json.dumps(mode) and mode["after"].startswith("***"), mode
    # s1's value alone, once: the rule's; never s2's, which no rule compares
    assert reads == ["projects/acme/secrets/s1/versions/latest"], reads


def test_a_refused_read_is_nobodys_finding(tmp_path: Path) -> None:
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(scenario()) as sandbox:
        sandbox.inject(Fault(method="AccessSecretVersion", code="PERMISSION_DENIED"))
        done = run(sandbox, folder, "history", "lab", "--format", "json")
    assert done.returncode == 0, done.stdout + done.stderr
    assert json.loads(done.stdout)["services"][0]["revisions"], done.stdout
