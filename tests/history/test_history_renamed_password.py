"""A password a variable named like one held (masked for its name alone: `ADMIN_PASSWORD`,
however short), then moved to a variable whose name says nothing (a rename: `DB_PASSWORD` to
`PGPASS`): `drift history` shows both revisions, so it knows that value is a password and
never shows it under the new name either, in any format (revhist89)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.history.formats import HistoryFormat
from drift.sandbox import Sandbox
from tests.history.cli import profile_folder, run
from tests.history.conftest import unescaped

RENAMES = [("DB_PASSWORD", "PGPASS", "Tr0ub4dor&3"), ("REDIS_PASSWORD", "REDIS_AUTH", "hunt3r2")]
PROFILE = "project: acme\nregion: us-central1\nservices:\n  svc: {}\n"


def scenario(old: str, new: str, value: str) -> dict[str, object]:
    service = {
        "template": {"env": {new: value, "MODE": "b"}},
        "history": [
            {"env": {old: value, new: None, "MODE": "a"}, "created": "3d"},
            {"env": {old: value, new: None, "MODE": "b"}, "created": "2d"},
        ],
    }
    region = {"number": 111, "region": "us-central1", "services": {"svc": service}}
    return {"options": {"seed": 5}, "projects": {"acme": region}}


@pytest.mark.parametrize(("old", "new", "value"), RENAMES)
@pytest.mark.parametrize("fmt", list(HistoryFormat))
def test_a_password_moved_to_a_harmless_name_stays_masked(
    tmp_path: Path, fmt: HistoryFormat, old: str, new: str, value: str
) -> None:
    folder = profile_folder(tmp_path, PROFILE)
    with Sandbox(scenario(old, new, value)) as sandbox:
        done = run(sandbox, folder, "history", "lab", "--format", fmt.value, "--limit", "2")
    assert done.returncode == 0, done.stdout + done.stderr
    out = unescaped(done.stdout) if fmt is HistoryFormat.MARKDOWN else done.stdout
    if fmt is HistoryFormat.JSON:
        changes = json.loads(out)["services"][0]["revisions"][0]["changes"]
        assert {c["target"] for c in changes} == {f"env.{old}", f"env.{new}"}, changes
    assert f"env.{new}" in out  # the rename is shown
    assert value not in out and value.replace("&", "&amp;") not in out, out
