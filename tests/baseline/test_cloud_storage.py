"""Reports in Cloud Storage: `--output`/`--json`/`--sarif gs://BUCKET/OBJECT` written and
`--baseline gs://…` read through google-cloud-storage, against a local Cloud Storage
emulator (gcp-storage-emulator, which the client reaches through STORAGE_EMULATOR_HOST as it
would the real API); a failure known before the check (a baseline that cannot be read, a
sandbox run with no Cloud Storage) one clear message and exit 2, a write that fails after
it named and exit 1 or 3."""

from __future__ import annotations

import json
import socket
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

BUCKET = "acme-drift-reports"
PROJECT = "acme-chat-staging"
SARIF_SCHEMA = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def storage_host() -> Iterator[str]:
    """A Cloud Storage emulator, in memory, with one bucket."""
    from gcp_storage_emulator.server import create_server

    port = _free_port()
    server = create_server("127.0.0.1", port, in_memory=True, default_bucket=BUCKET)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


@pytest.fixture
def env(sandbox: Sandbox, storage_host: str) -> dict[str, str]:
    return {**sandbox.environ(), "STORAGE_EMULATOR_HOST": storage_host}


def read_object(storage_host: str, name: str) -> tuple[bytes, str]:
    """The object's bytes and content type, read back with the official client."""
    import google.cloud.storage as storage
    from google.auth.credentials import AnonymousCredentials

    client = storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": storage_host},
    )
    blob = client.bucket(BUCKET).get_blob(name)
    assert blob is not None, name
    return blob.download_as_bytes(), blob.content_type


def upload(storage_host: str, name: str, data: bytes) -> None:
    import google.cloud.storage as storage
    from google.auth.credentials import AnonymousCredentials

    client = storage.Client(
        project="test",
        credentials=AnonymousCredentials(),
        client_options={"api_endpoint": storage_host},
    )
    client.bucket(BUCKET).blob(name).upload_from_string(data)


pytestmark = pytest.mark.sandbox


def test_reports_are_written_to_cloud_storage_and_read_back_as_a_baseline(
    sandbox: Sandbox, env: dict[str, str], storage_host: str
) -> None:
    first = drift(
        "check", "staging",
        "--format", "sarif", "--output", f"gs://{BUCKET}/staging/drift.sarif",
        "--json", f"gs://{BUCKET}/staging/last.json",
        env=env,
    )  # fmt: skip
    assert first.returncode == 1, first.stderr
    assert first.stdout == ""  # the report went to the bucket; the summary line to stderr
    assert "drift (exit 1)" in first.stderr
    data, kind = read_object(storage_host, "staging/last.json")
    report: dict[str, Any] = json.loads(data)
    assert kind == "application/json" and report["schema"] == "drift.report/v1"
    sarif, kind = read_object(storage_host, "staging/drift.sarif")
    assert kind == "application/sarif+json" and json.loads(sarif)["version"] == "2.1.0"

    sandbox.set_env(PROJECT, "api", "TESTING", None)  # resolves env.forbidden
    second = drift(
        "check", "staging", "--format", "json",
        "--baseline", f"gs://{BUCKET}/staging/last.json",
        "--json", f"gs://{BUCKET}/staging/last.json",  # the next run's baseline, replaced
        env=env,
    )  # fmt: skip
    assert second.returncode == 1, second.stderr
    now = json.loads(second.stdout)
    assert [f["target"] for f in now["resolved"]] == ["env.TESTING"]
    assert {f["baseline"] for f in now["findings"] if not f["ignored"]} == {"unchanged"}
    kept, _ = read_object(storage_host, "staging/last.json")
    assert json.loads(kept) == now


def test_what_cannot_be_read_or_written_is_one_message_and_exit_2(
    env: dict[str, str], storage_host: str
) -> None:
    missing = drift("check", "staging", "--baseline", f"gs://{BUCKET}/none.json", env=env)
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.startswith(
        f"drift: error: cannot read gs://{BUCKET}/none.json: NOT_FOUND"
    )

    # known only once the check ran: named, and drift's exit code stands (1, drift found)
    nobucket = drift("check", "staging", "--output", "gs://no-such-bucket/r.txt", env=env)
    assert nobucket.returncode == 1, nobucket.stderr
    said, summary = nobucket.stderr.splitlines()[-2:]  # the lost write, then what was found
    assert said.startswith("drift: error: cannot write gs://no-such-bucket/r.txt: ")
    assert summary == (
        "staging: 2 errors, 0 warnings in 3 services — drift; 1 output not written (exit 1)"
    )

    upload(storage_host, "sarif.json", json.dumps({"$schema": "x", "runs": []}).encode())
    wrong = drift("check", "staging", "--baseline", f"gs://{BUCKET}/sarif.json", env=env)
    assert wrong.returncode == 2
    assert f"the baseline gs://{BUCKET}/sarif.json is a SARIF log" in wrong.stderr
    for done in (missing, nobucket, wrong):
        assert "Traceback" not in done.stderr


def test_an_emulator_named_by_host_and_port_says_to_give_its_url(
    sandbox: Sandbox, storage_host: str
) -> None:
    """STORAGE_EMULATOR_HOST=127.0.0.1:PORT, as every other emulator variable is written: the
    library joined it to its paths ("No connection adapters were found", helper-529 F3)."""
    host = storage_host.removeprefix("http://")
    env = {**sandbox.environ(), "STORAGE_EMULATOR_HOST": host}
    done = drift("check", "staging", "--baseline", f"gs://{BUCKET}/last.json", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.splitlines() == [
        f"drift: error: STORAGE_EMULATOR_HOST={host}: google-cloud-storage takes the emulator's "
        "URL, not host:port as the other emulator variables do",
        f"  hint: set STORAGE_EMULATOR_HOST=http://{host}",
    ]


def test_an_emulator_nothing_answers_on_is_said_at_once_not_retried(sandbox: Sandbox) -> None:
    """A local server that refused once refuses again: the library's retries (up to 120 s)
    ended in "Timeout of 120.0s exceeded" (helper-529 F3); the refusal is the error."""
    env = {**sandbox.environ(), "STORAGE_EMULATOR_HOST": f"http://127.0.0.1:{_free_port()}"}
    done = drift("check", "staging", "--baseline", f"gs://{BUCKET}/last.json", env=env)
    assert done.returncode == 2 and done.stdout == ""
    assert done.stderr.startswith(
        f"drift: error: cannot read gs://{BUCKET}/last.json: UNAVAILABLE: no connection: "
    ), done.stderr
    assert "Failed to establish a new connection" in done.stderr, done.stderr
    assert "Timeout of" not in done.stderr and "Traceback" not in done.stderr


def test_a_huge_object_is_refused_without_reading_it(
    env: dict[str, str], storage_host: str
) -> None:
    upload(storage_host, "huge.json", b" " * (64 * 1024 * 1024 + 1))
    done = drift("check", "staging", "--baseline", f"gs://{BUCKET}/huge.json", env=env)
    assert done.returncode == 2
    assert f"gs://{BUCKET}/huge.json is 67108865 bytes, over the" in done.stderr


@pytest.mark.parametrize(
    "args",
    [("check", "--output"), ("check", "--json"), ("check", "--sarif"), ("probe", "--output")],
)
def test_the_sandbox_never_writes_to_the_real_cloud_storage(
    sandbox: Sandbox, args: tuple[str, str]
) -> None:
    """Refused before anything is read, exit 2 ("nothing was checked"), as a local output
    whose directory is missing is: the refusal does not depend on what the check finds. It
    came once the whole check had run and printed "drift (exit 1)", then exit 2."""
    command, option = args
    sandbox.clear_calls()
    done = drift(command, "staging", option, f"gs://{BUCKET}/r.txt", env=sandbox.environ())
    assert done.returncode == 2, done.stdout + done.stderr
    assert "has no Cloud Storage" in done.stderr and "STORAGE_EMULATOR_HOST" in done.stderr
    assert "(nothing was read)" in done.stderr and "exit 1" not in done.stderr
    assert done.stdout == "" and sandbox.calls == []
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize(
    ("value", "says"),
    [
        ("gs://Acme_Reports/r.json", "is not a Cloud Storage bucket name"),
        (f"gs://{BUCKET}", "name an object in the bucket"),
        (f"gs://{BUCKET}/reports/", "name an object in the bucket"),
        ("s3://acme/r.json", "local files and gs://BUCKET/OBJECT only"),
    ],
)
def test_a_bad_location_is_a_usage_error(value: str, says: str) -> None:
    for option in ("--output", "--json", "--sarif", "--baseline"):
        done = drift("check", "staging", option, value)
        assert done.returncode == 2, done.stderr
        assert says in done.stderr and "Traceback" not in done.stderr


@pytest.mark.parametrize(
    "value",
    [f"gs://{BUCKET}/r\n::error::FORGED.json", f"gs://{BUCKET}\n::error::FORGED/r.json"],
    ids=["object", "bucket"],
)
def test_a_location_is_quoted_on_the_error_s_line(value: str) -> None:
    """A location (a workflow's input) with a line break in it is refused, and quoted with
    the break shown: never a line of its own, which a CI runner would run as a command."""
    done = drift("check", "staging", "--baseline", value)
    assert done.returncode == 2, done.stderr
    assert "\\n::error::FORGED" in done.stderr
    assert [line for line in done.stderr.splitlines() if line.lstrip().startswith("::")] == []


def test_other_commands_write_local_files_only() -> None:
    done = drift("plan", "staging", "--output", f"gs://{BUCKET}/plan.sh")
    assert done.returncode == 2
    assert "writes local files only" in done.stderr and "gcloud storage cp" in done.stderr


def test_a_saved_plan_is_a_local_file_both_ways() -> None:
    """`drift plan --out` and `drift fix --plan` took a gs:// value as a local path (a
    directory `gs:` beside the profiles); they refuse it as `--output` does."""
    written = drift("plan", "staging", "--out", f"gs://{BUCKET}/plan.json")
    assert written.returncode == 2, written.stderr
    assert "writes local files only" in written.stderr and "gcloud storage cp" in written.stderr
    read = drift("fix", "staging", "--plan", f"gs://{BUCKET}/plan.json")
    assert read.returncode == 2, read.stderr
    assert "reads local files only" in read.stderr and "gcloud storage cp" in read.stderr
    assert "Traceback" not in written.stderr + read.stderr


def test_the_action_takes_gs_objects_as_baseline_and_report(
    sandbox: Sandbox, storage_host: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The action's baseline and report-file inputs are passed to drift as they are (revgh 8):
    no object yet is a warning and a first run; then the object is the baseline, and the
    outputs are read back from it."""
    from tests.test_action import outputs, run_action

    monkeypatch.setenv("STORAGE_EMULATOR_HOST", storage_host)
    last = f"gs://{BUCKET}/action/last.json"
    gate = {"environment": "staging", "baseline": last, "report": last, "fail_on_new": "true"}
    first = run_action(sandbox, tmp_path, **gate)
    assert first.returncode == 1, first.stdout + first.stderr  # a first run: every finding gates
    assert "drift: warning: baseline not used, checked as a first run" in first.stdout
    assert "no baseline report yet" not in first.stdout
    assert outputs(tmp_path) == {
        "exit-code": "1",
        "new-findings": "2",
        "resolved-findings": "0",
        "report": last,
        "status": "drift",
    }
    (tmp_path / "output.txt").unlink()
    again = run_action(sandbox, tmp_path, **gate)
    assert again.returncode == 0, again.stdout + again.stderr  # nothing new
    assert "::warning" not in again.stdout
    assert outputs(tmp_path)["new-findings"] == "0"
    assert json.loads(read_object(storage_host, "action/last.json")[0])["summary"]["new"] == 0
