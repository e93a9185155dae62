"""What `compare --live` says it compared: only the services both sides were read for and that
exist on at least one side. One a side could not read is listed (exit 3, never equivalent);
one named by the profiles that exists in neither environment is said in a note, and is no
difference (both environments agree: it is in neither; exit 0 when nothing else differs),
unless nothing at all was compared: then each is not verified (exit 3)."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path
from typing import Any

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift

API = {"image": "us-docker.pkg.dev/example/api:1", "env": {"LOG_LEVEL": "INFO"}}
WORLD = {
    "projects": {
        "acme-staging": {"number": 700000000001, "region": "us-central1"},
        "acme-e2e": {"number": 800000000002, "region": "europe-west1"},
    }
}
for _project in WORLD["projects"].values():
    _project["services"] = {"api": {"template": API}, "web": {"template": API}}


def _profiles(directory: Path, services: str) -> Path:
    body = "services:\n" + "".join(f"  {name}: {{}}\n" for name in services.split())
    (directory / "staging.yaml").write_text("project: acme-staging\nregion: us-central1\n" + body)
    (directory / "e2e.yaml").write_text("project: acme-e2e\nregion: europe-west1\n" + body)
    return directory


def _compare(sandbox: Sandbox, directory: Path, fmt: str) -> subprocess.CompletedProcess[str]:
    done = drift(
        "compare", "staging", "e2e", "--live", "--profiles", str(directory), "-f", fmt,
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return done


def _both(sandbox: Sandbox, directory: Path) -> tuple[str, dict[str, Any], int]:
    table, as_json = (_compare(sandbox, directory, fmt) for fmt in ("table", "json"))
    assert table.returncode == as_json.returncode
    return table.stdout, json.loads(as_json.stdout), table.returncode


def test_nothing_read_on_one_side_is_nothing_compared(tmp_path: Path) -> None:
    """Every read of e2e is denied (revcompare U1). main: "no difference in the rest, 2
    services compared", `summary.services: 2`."""
    with Sandbox(WORLD) as sandbox:
        sandbox.inject(Fault("*", "PERMISSION_DENIED", match="acme-e2e"))
        table, document, code = _both(sandbox, _profiles(tmp_path, "api web"))
    assert code == 3
    # the two services, and the services, jobs and worker pools no List of e2e could find
    assert table.rstrip().endswith("incomplete: 5 items not compared; nothing was compared")
    assert document["summary"]["services"] == 0 and document["status"] == "incomplete"


def test_a_service_one_side_could_not_read_is_not_counted(tmp_path: Path) -> None:
    with Sandbox(WORLD) as sandbox:
        sandbox.inject(Fault("ListServices", "PERMISSION_DENIED"))  # one GetService each then
        sandbox.inject(Fault("GetService", "PERMISSION_DENIED", match="services/web"))
        table, document, code = _both(sandbox, _profiles(tmp_path, "api web"))
    assert code == 3
    assert "no difference in the rest, 1 service compared" in table
    assert document["summary"]["services"] == 1


def test_a_service_in_neither_environment_is_said_and_not_counted(tmp_path: Path) -> None:
    """`ghost` is named by both profiles and exists in neither environment. main: skipped
    without a word, and counted: "equivalent: 3 services compared"."""
    with Sandbox(WORLD) as sandbox:
        table, document, code = _both(sandbox, _profiles(tmp_path, "api web ghost"))
    note = (
        "ghost was not compared: it is in neither environment (staging: does not exist in "
        "acme-staging/us-central1; e2e: does not exist in acme-e2e/europe-west1)"
    )
    assert code == 0 and document["status"] == "equivalent"
    assert document["notes"] == [note] and f"note: {note}" in table
    assert "staging and e2e are equivalent: 2 services compared" in table
    assert document["summary"]["services"] == 2 and document["services"] == ["api", "web", "ghost"]


def test_nothing_to_compare_is_not_called_equivalent(tmp_path: Path) -> None:
    """helper-531 MEDIUM-1: both profiles naming the wrong region (every service in neither
    environment) was "nothing to compare", exit 0, which a CI gate passed: it is incomplete,
    each side saying where it looked."""
    with Sandbox(WORLD) as sandbox:
        table, document, code = _both(sandbox, _profiles(tmp_path, "ghost"))
    assert code == 3 and document["summary"]["services"] == 0
    assert document["status"] == "incomplete"
    assert [(u["side"], u["reason"]) for u in document["unverified"]] == [
        ("a", "not compared: does not exist in acme-staging/us-central1 (nor in the other "
         "environment)"),
        ("b", "not compared: does not exist in acme-e2e/europe-west1 (nor in the other "
         "environment)"),
    ]  # fmt: skip
    assert table.rstrip().endswith("incomplete: 2 items not compared; nothing was compared")
    assert "equivalent" not in table


def test_one_location_is_listed_once_whatever_container_each_profile_names(
    tmp_path: Path,
) -> None:
    """helper-594 F4: two environments of one project and region whose profiles give `api`
    different `container:` list its revisions once: the listing is the location's, the
    container only how each side reads it."""
    world = {"projects": {"acme-staging": WORLD["projects"]["acme-staging"]}}
    head = "project: acme-staging\nregion: us-central1\nservices:\n"
    (tmp_path / "staging.yaml").write_text(head + "  api: {}\n  web: {}\n")
    (tmp_path / "e2e.yaml").write_text(head + "  api: {container: app}\n  web: {}\n")
    with Sandbox(world) as sandbox:
        done = _compare(sandbox, tmp_path, "json")
        counts = sandbox.call_counts()
    assert done.returncode in (0, 1), done.stdout + done.stderr
    assert counts["ListRevisions"] == 2, counts  # api's and web's, once each
