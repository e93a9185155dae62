"""A plain variable holding a secret's value drift read (a sidecar's copy, a URL around it, its
base64) is never written into the journal, neither as JSON nor in the `…_pb` bytes (SPEC safety
invariant 1; revleak60 F3): the entry records the secret version instead
(`drift.fix.withheld`), and a rollback reads that version again and restores the exact value,
or writes nothing and says what it cannot restore."""

from __future__ import annotations

import base64
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import quote

import pytest

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.journal import Entry
from drift.fix.rollback_check import _as_found
from drift.sandbox import Sandbox
from drift.secretforms import Versions, echoed_forms, payload_form
from tests.conftest import Clients
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, fix, lab_here, lab_name, rollback, updates

VALUE = 'Bx9Q@v7/Lm+Np"3Rw!t'
B64 = base64.b64encode(VALUE.encode()).decode()
ACCOUNT = f"api@{LAB}.iam.gserviceaccount.com"
COPIES = {
    "COPY": VALUE,
    "PFX": f"prefix-{VALUE}-suffix",
    "B64": B64,
    "SHORT": "abc",
    "URL": f"postgresql://app:{quote(VALUE, safe='')}@10.0.0.5/db",  # revown61b F3
    "CONFIG": json.dumps({"db_pass": VALUE, "pool": 5}),
}


def _world() -> dict[str, Any]:
    env: dict[str, Any] = {
        "TOKEN": {"secret": "s-main"},
        "FLAG": {"secret": "s-short"},
        "DEBUG": "true",
        **COPIES,
    }
    reader = lab.reading(ACCOUNT)
    secrets = {
        "s-main": {"versions": [VALUE], "iam": reader},
        "s-short": {"versions": ["true"], "iam": reader},  # as DEBUG: not its copy
    }
    return lab.one_project(lab.app_run_as(ACCOUNT, env), secrets=secrets)


PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      MODE: live\n      DEBUG: {forbidden: true}\n"
    "      TOKEN: {secret: s-main, min_length: 8}\n"  # the value is read
    "      FLAG: {secret: s-short, min_length: 1}\n"
)


def _plain(clients: Clients) -> dict[str, str]:
    service = clients.services.get_service(name=lab_name())
    return {v.name: v.value for v in service.template.containers[0].env if v.value}


@pytest.fixture
def fixed(
    sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients: Clients
) -> Iterator[dict[str, str]]:
    """The fix made (the journal recorded); the plain values as they were before it. The
    shared sandbox is given its own scenario back afterwards (`reset()` keeps the current)."""
    default = sandbox.scenario
    sandbox.reset(_world())
    try:
        before = _plain(clients)
        folder = lab_here(sandbox, tmp_path, monkeypatch, PROFILE)
        ui, options = ScriptedUI(), FixOptions(yes=True)
        done = fix(tmp_path, sandbox.environ(), ui, options, None, "lab", folder)
        assert done.exit_code is ExitCode.OK, done.summary()
        yield before
    finally:
        sandbox.reset(default)


def test_the_journal_holds_no_copy_of_a_secret_and_rollback_restores_it(
    fixed: dict[str, str], tmp_path: Path, clients: Clients
) -> None:
    journal = tmp_path / ".drift" / "journal"
    (path,) = journal.glob("*.json")
    text = path.read_text()
    data = json.loads(text)
    held = b"".join(base64.b64decode(data[f]) for f in ("service_before_pb", "base_template_pb"))
    strings = json.dumps(_strings(data), ensure_ascii=False)
    for needle in echoed_forms(VALUE):  # as JSON, and inside the bytes, in every form masked
        assert needle not in text and needle.encode() not in held and needle not in strings
    (entry,) = entries(tmp_path)
    versions = {p["version"] for r in entry.withheld for p in r["pieces"] if isinstance(p, dict)}
    assert versions == {"projects/555000111222/secrets/s-main/versions/1"}
    assert rollback(tmp_path).exit_code is ExitCode.OK
    after = _plain(clients)
    assert {k: after[k] for k in COPIES} == {k: fixed[k] for k in COPIES} == COPIES


def test_a_version_that_cannot_be_read_again_stops_the_rollback_before_any_write(
    fixed: dict[str, str], tmp_path: Path, clients: Clients, sandbox: Sandbox
) -> None:
    clients.secrets.disable_secret_version(name=f"projects/{LAB}/secrets/s-main/versions/1")
    sandbox.clear_calls()
    refused = rollback(tmp_path)
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    said = refused.summary()
    assert "cannot restore the plain values the journal recorded by their secret version" in said
    assert "nothing was changed" in said, said
    for name in ("COPY", "URL", "CONFIG"):  # by its name, once (revown61b F2)
        assert said.count(f"`{name}`") == 1, said
    assert VALUE not in said
    assert updates(sandbox) == []


def _strings(doc: Any) -> list[str]:
    """Every text of a JSON document, unescaped."""
    if isinstance(doc, dict):
        return [t for v in doc.values() for t in _strings(v)]
    if isinstance(doc, list):
        return [t for v in doc for t in _strings(v)]
    return [doc] if isinstance(doc, str) else []


def test_an_earlier_change_rolls_back_after_a_later_one_was(
    fixed: dict[str, str], tmp_path: Path, clients: Clients, sandbox: Sandbox
) -> None:
    """revown61b F1: the later change's entry, compared with what serves (did it put back what
    it found?), holds its copies too: read again once, never compared blank."""
    (first,) = entries(tmp_path)
    (tmp_path / "profiles" / "lab2.yaml").write_text(PROFILE.replace("MODE: live", "MODE: b"))
    ui = ScriptedUI()
    folder = tmp_path / "profiles"
    later = fix(tmp_path, sandbox.environ(), ui, FixOptions(yes=True), None, "lab2", folder)
    assert later.exit_code is ExitCode.OK, later.summary()
    assert rollback(tmp_path).exit_code is ExitCode.OK
    sandbox.clear_calls()
    done = rollback(tmp_path, change_id=first.change_id)
    assert done.exit_code is ExitCode.OK, done.summary()
    reads = [c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert len(reads) == len(set(reads)) == 1, reads
    assert {k: _plain(clients)[k] for k in COPIES} == COPIES


def test_a_later_change_whose_version_cannot_be_read_again_refuses_only_unforced(
    fixed: dict[str, str], tmp_path: Path, clients: Clients, sandbox: Sandbox
) -> None:
    """fixown61b left: the later change compared with what serves read its copies from a
    version since disabled. Unforced, the refusal names that change and that version; with
    `--force` the comparison is not needed, and the earlier change rolls back."""
    (first,) = entries(tmp_path)
    secret = f"projects/{LAB}/secrets/s-main"
    clients.secrets.add_secret_version(parent=secret, payload={"data": VALUE.encode()})
    (tmp_path / "profiles" / "lab2.yaml").write_text(PROFILE.replace("MODE: live", "MODE: b"))
    folder = tmp_path / "profiles"
    later = fix(
        tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab2", folder
    )
    assert later.exit_code is ExitCode.OK, later.summary()
    assert rollback(tmp_path).exit_code is ExitCode.OK
    clients.secrets.add_secret_version(parent=secret, payload={"data": VALUE.encode()})
    clients.secrets.disable_secret_version(name=f"{secret}/versions/2")  # latest still serves
    refused = rollback(tmp_path, change_id=first.change_id)
    said = refused.summary()
    assert refused.exit_code is ExitCode.ABORTED, said
    assert f"later change {later.change_id}" in said and "/versions/2" in said, said
    assert "--force" in said and VALUE not in said, said
    sandbox.clear_calls()
    ui = ScriptedUI()
    done = rollback(tmp_path, ui, change_id=first.change_id, force=True)
    assert done.exit_code is ExitCode.OK, done.summary()
    assert {k: _plain(clients)[k] for k in COPIES} == COPIES
    # fixjournal62 left: not compared is "cannot be told", never "did not leave it as found"
    (said,) = [s for s in ui.said if f"later change {later.change_id}" in s]
    assert "whether it left it as it found it cannot be told" in said, said
    assert "did not leave it" not in said, said


@pytest.mark.parametrize("kind", ["job", "worker_pool"])
def test_a_later_job_or_pool_entry_not_read_again_is_not_proven_as_found(kind: str) -> None:
    """The forced rollback above, of a job or a pool: the later change's entry whose copies
    could not be read again is compared as "cannot be told", never raised on as a write
    built from it (main: "cannot read the job", even with --force)."""
    later = Entry(
        "c2", "lab", LAB, "us-central1", "j", f"projects/{LAB}/jobs/j", "", {}, "", "", []
    )
    later.kind = kind
    later.withheld = [{"field": "service_before", "path": [], "pieces": [{"version": "v"}]}]
    assert _as_found(object(), later) is None  # cannot be told


def test_every_form_a_copy_is_masked_in_is_withheld_and_given_back_exactly() -> None:
    """revown61b F3: each form the outputs mask (`echoed_forms`) is a piece the journal
    records by a form `payload_form` turns back into it; F2: a short value is not searched
    for (`searchable`), so a plain `true` is nobody's copy."""
    versions = Versions()
    versions.add(VALUE.encode(), "V")
    versions.add(b"true", "S")
    for form in echoed_forms(VALUE):
        (piece,) = versions.pieces(form) or [None]
        assert isinstance(piece, tuple) and payload_form(VALUE.encode(), piece[1]) == form, form
    assert versions.pieces("true") is None
