"""A service whose ingress keeps out the internet, probed from a runner outside its network
(revprobe91 F2). Cloud Run answers such a caller itself ("Requests from other sources, including
the internet, cannot reach your service at the run.app URL or custom domains",
cloud.google.com/run/docs/securing/ingress), before any container sees the request: the probe
saw nothing of the service. It was a `probe.rejected` error (exit 1, "drift") on a service that
is exactly as its profile wants it; it is unverified (exit 3), never clean. A drifted ingress
stays a rejection with the ingress as its first suspect.

The sandbox's backends take every probe (a runner inside the network): Cloud Run's own refusal
is a real server here answering 404 as Cloud Run's front end does, the probe aimed at it
where it would have gone to the service's URL."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.findings import ProbeOutcome
from drift.probe.live import run_probe
from drift.profiles.loader import load_profile
from drift.report import Report
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.probe.helpers import aim_probes

LAB = "lab-ingress"
NOT_FOUND = (
    b"HTTP/1.1 404 Not Found\r\nContent-Type: text/html; charset=UTF-8\r\n"
    b"Content-Length: 22\r\nConnection: close\r\n\r\nError: Page not found\n"
)


def world(ingress: str) -> dict[str, Any]:
    return {
        "options": {"seed": 3},
        "projects": {
            LAB: {
                "number": 555000111333,
                "region": "us-central1",
                "services": {
                    "app": {
                        "ingress": ingress,
                        "template": {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080},
                    }
                },
            }
        },
    }


def profile_dir(tmp_path: Path, stated: str) -> Path:
    settings = f"    settings:\n      ingress: {stated}\n" if stated else ""
    (tmp_path / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n{settings}"
        "    probe:\n      websocket: /ws\n      hold: 0.2s\n      timeout: 2s\n"
    )
    return tmp_path


@pytest.fixture
def outside(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    """Probes go to a server answering as Cloud Run's front end does to a caller its ingress
    refuses (the real probe, the real network; only where it connects differs)."""

    async def refuse(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, _: Any) -> None:
        await reader.readuntil(b"\r\n\r\n")
        writer.write(NOT_FOUND)
        await writer.drain()

    aim_probes(monkeypatch, refuse)
    yield


def check(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, where: Path) -> Report:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(where, "lab")
    return asyncio.run(run_check(profile, load_settings(wait=0), probe=True, environ={})).report


@pytest.mark.parametrize(
    ("live", "stated"),
    [
        ("internal", "internal"),
        ("internal-and-cloud-load-balancing", "internal-and-cloud-load-balancing"),
        ("internal", ""),  # the profile says nothing of it: not drift, not the service's fault
    ],
)
def test_cloud_runs_refusal_of_an_outside_runner_is_unverified_not_drift(
    reseedable: Sandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    outside: None,
    live: str,
    stated: str,
) -> None:
    reseedable.reset(world(live))
    report = check(reseedable, monkeypatch, profile_dir(tmp_path, stated))
    assert not [f for f in report.findings if f.rule.startswith("probe.")], report.findings
    assert not report.probes
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert f"ingress is {live}" in item.reason and "HTTP 404" in item.reason
    assert report.status == "incomplete" and report.exit_code == 3


def test_drift_probe_says_the_same(
    reseedable: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outside: None
) -> None:
    reseedable.reset(world("internal"))
    for key, value in reseedable.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(profile_dir(tmp_path, "internal"), "lab")
    report = asyncio.run(run_probe(profile, load_settings(wait=0), environ={}))
    assert not report.probes and report.exit_code == 3
    assert [u.target for u in report.unverified] == ["probe"]


def test_a_drifted_ingress_stays_a_rejection_with_its_cause(
    reseedable: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outside: None
) -> None:
    reseedable.reset(world("internal"))
    report = check(reseedable, monkeypatch, profile_dir(tmp_path, "all"))
    (probe,) = report.probes
    assert (probe.outcome, probe.http_status) == (ProbeOutcome.REJECTED, 404)
    by_id = {f.id: f for f in report.findings}
    assert [by_id[c].target for c in probe.suspected_causes] == ["setting.ingress"]
    assert report.exit_code == 1


def test_an_open_service_refusing_stays_a_rejection(
    reseedable: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, outside: None
) -> None:
    """With ingress `all`, a 404 is the service's (or its path's): a failure, as before."""
    reseedable.reset(world("all"))
    report = check(reseedable, monkeypatch, profile_dir(tmp_path, "all"))
    (probe,) = report.probes
    assert (probe.outcome, probe.http_status) == (ProbeOutcome.REJECTED, 404)
    assert report.exit_code == 1
