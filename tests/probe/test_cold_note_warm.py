"""`check --probe`'s cold-start note on a handshake left unanswered (helper-770, `_cold`) is
said only where no instance is kept warm (helper-771 L): where min instances keep one of what
was probed running — the revision's own minimum, the service-level minimum, or a manual
count — no request waits for an instance to start, so a cold start does not explain the hang.

The service is read from the sandbox; its probe goes to an app that takes the connection and
never answers the handshake (the real probe, the real network: only where it connects
differs). Run as users run it, in table and JSON."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.probe.helpers import aim_probes

LAB = "lab-cold-note"
COLD = "a handshake left unanswered may also be a cold start"
NOT_CONFIGURATION = "the cause is not configuration"

SERVICE_MIN = {"scaling": {"minInstanceCount": 1}}
MANUAL = {"scaling": {"scalingMode": "MANUAL", "manualInstanceCount": 1}}
SCALING: dict[str, tuple[int, dict[str, Any], int | None]] = {
    "none": (0, {}, None),
    "revision": (1, {}, None),
    "service": (0, SERVICE_MIN, None),
    "manual": (0, MANUAL, None),
    "tag, service-level": (0, SERVICE_MIN, 0),
    "tag, manual": (0, MANUAL, 0),
    "tag, its own": (0, {}, 1),
}
"""Each case: the serving revision's own minimum (template `min_instances`), the service's own
fields (v2 JSON), and where the probe goes to the tag `old` on an older revision at 0 % of the
traffic, that revision's own minimum (None: the probe goes to the service URL)."""


def world(case: str) -> dict[str, Any]:
    own, api, tagged = SCALING[case]
    template = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "min_instances": own}
    app: dict[str, Any] = {"template": template, **({"api": api} if api else {})}
    if tagged is not None:
        app["history"] = [{"min_instances": tagged}]
        app["traffic"] = [{"latest": True, "percent": 100}, {"revision": 1, "tag": "old"}]
    return {
        "options": {"seed": 3},
        "projects": {
            LAB: {"number": 555000111777, "region": "us-central1", "services": {"app": app}}
        },
    }


@pytest.fixture
def hung(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Probes go to an app that reads the handshake and never answers it."""

    async def silent(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, stop: Any) -> None:
        await reader.readuntil(b"\r\n\r\n")
        await stop.wait()

    aim_probes(monkeypatch, silent)
    monkeypatch.setenv("DRIFT_TESTS_FORK", "1")  # in this process, where the probe is aimed
    yield


def _check(sandbox: Sandbox, tmp_path: Path, case: str, *fmt: str, command: str = "check") -> str:
    sandbox.reset(world(case))
    tag = "      tag: old\n" if SCALING[case][2] is not None else ""
    (tmp_path / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        f"    probe:\n      websocket: /ws\n{tag}      hold: 0.2s\n      timeout: 0.5s\n"
    )
    how = ("--probe", "--no-history") if command == "check" else ()
    args = (command, "lab", *how, "--profiles", str(tmp_path), *fmt)
    done = drift(*args, env=sandbox.environ(), cwd=tmp_path)
    assert done.returncode == 1, done.stdout + done.stderr  # the probe failed
    return done.stdout


@pytest.mark.parametrize("case", ["revision", "service", "manual", "tag, its own"])
def test_where_min_instances_keep_one_running_a_hang_is_not_said_a_cold_start(
    reseedable: Sandbox, tmp_path: Path, hung: None, case: str
) -> None:
    """Before, the note followed every hang, min instances or not."""
    table = _check(reseedable, tmp_path, case)
    assert "answered no WebSocket handshake" in table, table
    assert COLD not in table
    assert NOT_CONFIGURATION in table  # no drift, and no start to wait for
    report = json.loads(_check(reseedable, tmp_path, case, "--format", "json"))
    (probe,) = report["probes"]
    assert probe["outcome"] == "unreachable"
    assert COLD not in probe["detail"]
    (finding,) = [f for f in report["findings"] if f["rule"].startswith("probe.")]
    assert COLD not in finding["message"] and NOT_CONFIGURATION in finding["message"]


@pytest.mark.parametrize("case", ["none", "tag, service-level", "tag, manual"])
def test_with_no_instance_kept_a_hang_may_be_a_cold_start(
    reseedable: Sandbox, tmp_path: Path, hung: None, case: str
) -> None:
    """No min instances keep one running: the note stays (helper-770), in table and JSON. A
    revision reached only through a tag has no share of the service's minimum ("Tagged
    revisions are started, but only count toward the service-level minimum instances if they
    are a part of a traffic split", run/docs/configuring/min-instances) nor of its manual
    count (run/docs/configuring/services/manual-scaling)."""
    table = _check(reseedable, tmp_path, case)
    assert COLD in table and NOT_CONFIGURATION not in table
    report = json.loads(_check(reseedable, tmp_path, case, "--format", "json"))
    (probe,) = report["probes"]
    assert COLD in probe["detail"]
    (finding,) = [f for f in report["findings"] if f["rule"].startswith("probe.")]
    assert COLD in finding["message"]


@pytest.mark.parametrize("case", ["service", "none"])
def test_drift_probe_says_the_note_as_check_does(
    reseedable: Sandbox, tmp_path: Path, hung: None, case: str
) -> None:
    """`drift probe` reads the same scaling and says the note where `check --probe` does (it
    followed every hang)."""
    report = json.loads(_check(reseedable, tmp_path, case, "--format", "json", command="probe"))
    (probe,) = report["probes"]
    assert probe["outcome"] == "unreachable"
    assert (COLD in probe["detail"]) is (case == "none"), probe["detail"]
