"""A journal entry is checked when it is read (SPEC invariant 7): a field of the wrong type or
shape — nested writes and history included — is an entry refused, naming the file and the
field: listed as such, one clear error (exit 2, never an internal error) when its own change is
rolled back, and in the way of no other change; journal text is shown with its control characters
escaped (a newline cannot start a GitHub workflow command)."""

from __future__ import annotations

import asyncio
import hashlib
import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from drift.errors import JournalError
from drift.fix.journal import Entry, Journal, State, Write
from drift.fix.rollback import list_changes, run_rollback
from drift.settings import load_settings
from tests.cliutil import drift
from tests.fix.conftest import ScriptedUI

CHANGE = "20261201-101500-ab12"
Data = dict[str, Any]


def recorded(directory: Path, state: str = State.PROMOTED, **fields: Any) -> Path:
    """An entry as `drift fix` writes it (one landed write, a history), checksum beside it."""
    journal = Journal(directory).open()
    values: Data = {
        "change_id": CHANGE,
        "environment": "e2e",
        "project": "p",
        "region": "us-central1",
        "service": "web",
        "full_name": "projects/p/locations/us-central1/services/web",
        "etag_before": "e1",
        "service_before": {
            "generation": "3",
            "traffic": [{"type": "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST", "percent": 100}],
        },
        "canary_revision": "web-drift-ab12",
        "tag": "drift-ab12",
        "changes": ["env.TESTING"],
        "base_template": {"containers": [{"image": "web:v1"}]},
        **fields,
    }
    entry = Entry(**values)
    traffic = [["LATEST", "", 100, ""], ["REVISION", "web-drift-ab12", 0, "drift-ab12"]]
    journal.begin(entry, State.CANARY_DEPLOYING, "", Write("canary", "e1", 3, "r", "k", traffic))
    journal.landed(entry, state, "", etag="e2", generation=4)
    return journal.file(entry)


def rewrite(path: Path, change: Callable[[Data], object]) -> None:
    """Change the entry and give it a matching checksum: only its shape is wrong."""
    data = json.loads(path.read_text())
    change(data)
    raw = json.dumps(data).encode()
    path.write_bytes(raw)
    path.with_name(path.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest())


def put(key: str, value: Any) -> Callable[[Data], object]:
    return lambda data: data.update({key: value})


def put_write(key: str, value: Any) -> Callable[[Data], object]:
    return lambda data: data["writes"][0].update({key: value})


MALFORMED = [
    pytest.param(put("change_id", 123), "change_id", id="change_id-number"),
    pytest.param(put("service", 5), "service", id="service-number"),
    pytest.param(put("environment", None), "environment", id="environment-null"),
    pytest.param(put("created_at", 5), "created_at", id="created_at-number"),
    pytest.param(put("state", 5), "state", id="state-number"),
    pytest.param(put("state", None), "state", id="state-null"),
    pytest.param(put("state", "done"), "state", id="state-unknown"),
    pytest.param(put("kind", "daemon"), "kind", id="kind-unknown"),
    pytest.param(put("on_template", "no"), "on_template", id="on_template-string"),
    pytest.param(put("changes", 5), "changes", id="changes-number"),
    pytest.param(put("changes", [1, 2]), "changes[0]", id="changes-numbers"),
    pytest.param(put("history", "x"), "history", id="history-string"),
    pytest.param(put("history", [1]), "history[0]", id="history-number"),
    pytest.param(lambda d: d["history"][0].pop("at"), "history[0].at", id="history-no-at"),
    pytest.param(put("writes", "x"), "writes", id="writes-string"),
    pytest.param(put("writes", [1]), "writes[0]", id="writes-number"),
    pytest.param(put("writes", [{"landed": True}]), "writes[0].", id="writes-no-step"),
    pytest.param(put_write("landed", "yes"), "writes[0].landed", id="landed-string"),
    pytest.param(
        put_write("generation_before", "3"), "writes[0].generation_before", id="generation-text"
    ),
    pytest.param(put_write("generation_after", True), "writes[0].generation_after", id="gen-bool"),
    pytest.param(put_write("traffic", [[1]]), "writes[0].traffic[0]", id="traffic-row"),
    pytest.param(put_write("traffic", 5), "writes[0].traffic", id="traffic-number"),
    pytest.param(put_write("surprise", 1), "writes[0].surprise", id="write-unknown-key"),
    pytest.param(put("service_before", []), "service_before", id="service_before-list"),
    pytest.param(put("service_before", {"traffic": 5}), "service_before", id="before-traffic"),
    pytest.param(put("service_before", {"generation": "x"}), "service_before", id="before-gen"),
    pytest.param(put("base_template", {"containers": 5}), "base_template", id="base-template"),
    pytest.param(lambda d: d.pop("service"), "service", id="service-missing"),
]


def with_bytes(**json_fields: Any) -> Callable[[Data], object]:
    """The entry as a drift that keeps the bytes writes it (`service_before_pb`: generation 3,
    uid u-1), its JSON's `json_fields` set apart from them."""

    def change(data: Data) -> None:
        from google.cloud import run_v2

        from drift.fix.wire import packed

        data["service_before_pb"] = packed(run_v2.Service(generation=3, uid="u-1"))
        data["service_before"].update({"uid": "u-1", **json_fields})

    return change


BYTES_APART = [
    pytest.param(with_bytes(generation="abc"), id="generation-not-a-number"),
    pytest.param(with_bytes(generation="4"), id="generation-not-the-bytes"),
    pytest.param(with_bytes(generation=True), id="generation-bool"),
    pytest.param(with_bytes(uid="u-2"), id="uid-not-the-bytes"),
]


@pytest.mark.parametrize("change", BYTES_APART)
def test_json_read_beside_bytes_must_hold_the_bytes_uid_and_generation(
    tmp_path: Path, change: Callable[[Data], object]
) -> None:
    """revown68 F1: the JSON beside an entry's bytes is read as a mapping only (its
    generation is what `since` and a rollback compare); one that disagrees with the bytes, or
    whose generation is no number, is refused when read, never an internal error later."""
    path = recorded(tmp_path)
    rewrite(path, change)
    (entry,) = Journal(tmp_path).entries()
    assert entry.unreadable, entry
    assert "field `service_before` does not hold its bytes' uid and generation" in entry.problem


def test_an_entry_with_bytes_is_read_from_them(tmp_path: Path) -> None:
    """The JSON beside the bytes is not parsed as a message (the bytes are what restore
    reads): a field of it the bytes hold otherwise does not stop the entry."""
    path = recorded(tmp_path)
    rewrite(path, with_bytes(traffic=5))
    (entry,) = Journal(tmp_path).entries()
    assert not entry.unreadable and not entry.problem, entry.problem
    assert entry.generation_before == 3


@pytest.mark.parametrize(("change", "field"), MALFORMED)
def test_a_malformed_entry_is_refused_naming_its_file_and_field(
    tmp_path: Path, change: Callable[[Data], object], field: str
) -> None:
    path = recorded(tmp_path)
    rewrite(path, change)
    (entry,) = Journal(tmp_path).entries()  # read as an entry that cannot be trusted
    assert entry.unreadable and (entry.change_id, entry.service) == (CHANGE, "web")
    assert entry.problem.startswith(f"journal file {path}: field `{field}")


def test_an_entry_drift_wrote_reads_back(tmp_path: Path) -> None:
    """What `drift fix` writes passes the check, for each kind and with nothing written."""
    recorded(tmp_path)
    recorded(tmp_path / "job", kind="job", service_before={}, base_template={})
    (entry,) = Journal(tmp_path).entries()
    assert entry.problem == "" and entry.landed_writes()[0].generation_after == 4
    assert Journal(tmp_path / "job").entries()[0].kind == "job"


@pytest.mark.parametrize(
    "command",
    [
        ["rollback", "--yes"],
        ["rollback", CHANGE, "--yes", "--force"],
    ],
)
@pytest.mark.parametrize(
    ("change", "field"),
    [(put("change_id", 123), "change_id"), (put("writes", [{"landed": True}]), "writes[0].")],
)
def test_the_cli_says_one_line_and_exits_2(
    tmp_path: Path, command: list[str], change: Callable[[Data], object], field: str
) -> None:
    """Rolling back the change of a malformed entry: one line naming file and field, exit 2."""
    path = recorded(tmp_path / "journal")
    rewrite(path, change)
    done = drift(*command, "--journal", str(tmp_path / "journal"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    line, *rest = done.stderr.splitlines()
    assert line.startswith(f"drift: error: journal file {path}: field `{field}"), done.stderr
    assert "internal error" not in done.stderr and "Traceback" not in done.stderr


def test_a_bad_file_stops_only_its_own_change(tmp_path: Path) -> None:
    """One file cut short (a full disk, a bad merge) is listed as refused; another change's
    entry is still read and rolled back from, and its own change is one clear error."""
    path = recorded(tmp_path, state=State.ROLLED_BACK)
    text = path.read_text().replace(CHANGE, "20250101-000000-abcd")
    cut = tmp_path / "20250101-000000-abcd--service--other.json"
    cut.write_text(text[: len(text) // 2])
    cut.chmod(0o600)  # drift's own file, as it writes them
    bad, good = Journal(tmp_path).entries()
    assert (bad.change_id, bad.service, bad.unreadable) == ("20250101-000000-abcd", "other", True)
    assert f"journal file {cut} is unreadable" in bad.problem
    assert (good.change_id, good.problem) == (CHANGE, "")
    listed = list_changes(load_settings(journal_dir=tmp_path)).summary()
    assert "unknown (entry refused: unreadable; `drift rollback 20250101-000000-abcd`" in listed
    assert f"{CHANGE}  " in listed
    done = asyncio.run(
        run_rollback(load_settings(journal_dir=tmp_path), ScriptedUI(), CHANGE, yes=True)
    )
    assert "already rolled back" in done.skipped[0], done.summary()  # read and judged
    with pytest.raises(JournalError, match="is unreadable"):
        asyncio.run(
            run_rollback(load_settings(journal_dir=tmp_path), ScriptedUI(), bad.change_id, yes=True)
        )


def test_a_change_id_with_a_newline_cannot_start_a_workflow_command(tmp_path: Path) -> None:
    path = recorded(tmp_path / "journal")
    rewrite(path, put("change_id", "x\n::error title=JOURNAL::injected"))
    done = drift("rollback", "nope", "--yes", "--journal", str(tmp_path / "journal"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert "(latest: x\\n::error title=JOURNAL::injected)" in done.stderr
    assert not any(line.startswith("::") for line in done.stderr.splitlines())


@pytest.mark.parametrize("command", [["rollback", "--list"], ["rollback", "--yes"]])
def test_journal_text_is_shown_with_its_newlines_escaped(
    tmp_path: Path, command: list[str]
) -> None:
    """The list's rows and rollback's lines (here: a change already rolled back, skipped)."""
    path = recorded(tmp_path / "journal", state=State.ROLLED_BACK)
    rewrite(path, put("service", "web\n::error::injected"))
    rewrite(path, put("changes", ["env.A\n::warning::injected"]))
    done = drift(*command, "--journal", str(tmp_path / "journal"), cwd=tmp_path)
    out = done.stdout + done.stderr
    assert done.returncode == 0, out
    assert "web\\n::error::injected" in out
    assert not any(line.startswith("::") for line in out.splitlines()), out
    if command == ["rollback", "--list"]:
        assert "env.A\\n::warning::injected" in out


def _replace(raw: bytes) -> Callable[[Path], None]:
    def write(path: Path) -> None:
        path.write_bytes(raw)
        path.with_name(path.name + ".sha256").write_text(hashlib.sha256(raw).hexdigest())

    return write


FOREIGN = [
    pytest.param(lambda p: rewrite(p, put("schema", "drift.journal/v2")), "newer", id="newer"),
    pytest.param(lambda p: rewrite(p, put("to_delete", ["x"])), "newer", id="newer-field"),
    pytest.param(lambda p: rewrite(p, lambda d: d.pop("schema")), "not a drift", id="no-schema"),
    pytest.param(_replace(b"[1, 2]\n"), "not a drift journal entry", id="a-list"),
    pytest.param(_replace(b'"pinned"\n'), "not a drift journal entry", id="a-string"),
]


@pytest.mark.parametrize(("change", "why"), FOREIGN)
def test_an_entry_of_another_drift_is_refused_never_passed_over(
    tmp_path: Path, change: Callable[[Path], None], why: str
) -> None:
    """A newer drift's entry (`drift.journal/v2`) for a change still pinned, or JSON that is
    no entry: listed as refused, and rollback (of its change, or of the latest) is one clear
    error (exit 2), never "nothing to roll back" (SPEC invariants 5 and 7)."""
    journal = tmp_path / "journal"
    change(recorded(journal, state=State.PINNED))
    listed = drift("rollback", "--list", "--journal", str(journal), cwd=tmp_path)
    assert CHANGE in listed.stdout and "unknown (entry refused: " in listed.stdout, listed.stdout
    assert ("written by a newer drift" in listed.stdout) == (why == "newer"), listed.stdout
    for command in (["--yes"], [CHANGE, "--yes"]):
        done = drift("rollback", *command, "--journal", str(journal), cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert "nothing to roll back" not in done.stdout + done.stderr
        assert done.stderr.startswith(f"drift: error: journal file {journal}/"), done.stderr
        assert why in done.stderr and "Traceback" not in done.stderr, done.stderr


def test_an_entry_of_a_drift_before_checksums_is_called_an_older_drifts(tmp_path: Path) -> None:
    """A drift before 5cd6b4d (2026-11-29) wrote entries with no checksum file and no `writes`
    or `client_version` (revcompat F3): refused (this drift cannot verify it), even with
    --force, said to be an older drift's — not "drift did not write it" — with the way
    forward. An entry of this drift whose checksum is lost is still not drift's."""
    journal = tmp_path / "journal"
    path = recorded(journal)
    data = json.loads(path.read_text())
    for key in ("writes", "client_version", "by", "created_at", "undone_by"):
        data.pop(key, None)
    path.write_text(json.dumps(data))
    path.with_name(path.name + ".sha256").unlink()
    listed = drift("rollback", "--list", "--journal", str(journal), cwd=tmp_path)
    assert "no checksum: an older drift's" in listed.stdout, listed.stdout
    for force in ([], ["--force"]):
        done = drift("rollback", CHANGE, "--yes", *force, "--journal", str(journal), cwd=tmp_path)
        said = done.stdout + done.stderr
        assert done.returncode == 4 and "nothing was changed" in said, said
        assert "drift did not write it" not in said and "written by an older drift" in said
        assert "not even with --force" in said and "service_before.traffic" in said, said
    other = recorded(tmp_path / "other")
    other.with_name(other.name + ".sha256").unlink()
    (entry,) = Journal(tmp_path / "other").entries()
    assert entry.problem.endswith("drift did not write it"), entry.problem


def test_a_field_a_newer_drift_recorded_is_refused_and_never_written_over(tmp_path: Path) -> None:
    """`drift.journal/v1` grows by adding fields that change what rollback does (`writes`,
    `base_template`, `on_template`, `kind`, `undone_by`: none bumped the schema). An entry
    with a top-level field this drift does not know (a newer drift's) was read as if the
    field were not there, and the next record (`rolling-back`…) rewrote the file from this
    drift's dataclass, deleting the field (revupgrade F2). It is refused, naming the field,
    even with --force, and the file stays byte for byte."""
    journal = tmp_path / "journal"
    path = recorded(journal)
    rewrite(path, put("revisions_to_delete", ["web-drift-ab12-canary2"]))
    raw = path.read_bytes()
    (entry,) = Journal(journal).entries()
    assert entry.unreadable and (entry.change_id, entry.service) == (CHANGE, "web")
    said = "was written by a newer drift (field `revisions_to_delete`, which this drift does not"
    assert entry.problem.startswith(f"journal file {path} {said}"), entry.problem
    assert entry.problem.endswith("; use that drift version"), entry.problem
    for force in ([], ["--force"]):
        done = drift("rollback", CHANGE, "--yes", *force, "--journal", str(journal), cwd=tmp_path)
        assert done.returncode == 2, done.stdout + done.stderr
        assert done.stderr.startswith(f"drift: error: journal file {path} {said}"), done.stderr
        assert path.read_bytes() == raw


@pytest.mark.parametrize(
    ("args", "given"), [([CHANGE], "a CHANGE_ID"), (["--service", "api"], "--service")]
)
def test_list_with_a_change_or_a_service_is_refused_never_passed_over(
    tmp_path: Path, args: list[str], given: str
) -> None:
    """`drift rollback --list CHANGE` (or `--service api`) listed every change as if it were
    that change's, or that service's: refused, exit 2, naming what to run."""
    journal = tmp_path / "journal"
    recorded(journal, state=State.PINNED)
    done = drift("rollback", "--list", *args, "--journal", str(journal), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert f"takes no {given}" in done.stderr and "Traceback" not in done.stderr, done.stderr
    assert CHANGE not in done.stdout, done.stdout
