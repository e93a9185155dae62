"""The journal keeps each message a rollback restores from as bytes too (`service_before_pb`,
`base_template_pb`: `drift.fix.wire`), which keep the fields this client does not know. An
entry of an older drift (JSON only) still rolls back as before; bytes that are not the
message are an entry refused, naming the field."""

from __future__ import annotations

import base64
import json
from pathlib import Path

import pytest
from google.cloud import run_v2

from drift.fix.journal import Journal
from tests.conftest import MakeSandbox
from tests.fix.conftest import lab_cli, lab_world
from tests.fix.test_journal_shape import CHANGE, put, recorded, rewrite
from tests.newer.test_unknown_fields import TPL, missing, newer_google, writes


def _entry(tmp_path: Path) -> Path:
    (path,) = (tmp_path / ".drift" / "journal").glob("*.json")
    return path


@pytest.mark.sandbox
def test_the_journal_keeps_the_bytes_and_an_older_entry_still_rolls_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    newer_google(sandbox)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    data = json.loads(_entry(tmp_path).read_text())
    template = base64.b64decode(data["base_template_pb"])
    assert TPL in template  # the field no JSON can hold
    assert run_v2.RevisionTemplate.deserialize(template).containers  # the message itself
    assert missing(base64.b64decode(data["service_before_pb"])) == []
    # as an older drift wrote it: JSON only
    rewrite(
        _entry(tmp_path), lambda d: [d.pop(k) for k in ("service_before_pb", "base_template_pb")]
    )
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    (sent,) = writes(sandbox)
    assert TPL not in sent  # as before this change: the JSON has no place for it


@pytest.mark.parametrize(
    ("field", "value"),
    [
        ("base_template_pb", "not base64!"),
        ("base_template_pb", base64.b64encode(b"\xff\xff\xff").decode()),
        ("service_before_pb", 5),
        ("service_before_pb", "@@"),
    ],
)
def test_bytes_that_are_not_the_message_are_refused(
    tmp_path: Path, field: str, value: object
) -> None:
    path = recorded(tmp_path)
    rewrite(path, put(field, value))
    (entry,) = Journal(tmp_path).entries()
    assert entry.unreadable and entry.change_id == CHANGE
    assert entry.problem.startswith(f"journal file {path}: field `{field}`"), entry.problem
