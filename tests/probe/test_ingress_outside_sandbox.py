"""A runner outside the service's network, end to end: the sandbox refuses it where the
service's ingress keeps out the internet (option `runner_outside_network`, with 404 or 403:
the ingress page, run/docs/securing/ingress, says the request "cannot reach your service",
not with which status). `check --probe` says the probe saw nothing (unverified, exit 3), never
drift nor clean (revprobe91 F2); `drift fix` never promotes what it could not probe, and says
it could not probe it from here, not that the canary failed (revprobe91 L3)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.fix.apply import FixOptions, run_fix
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fix.conftest import ScriptedUI
from tests.probe.test_ingress_outside import LAB, profile_dir, world


@pytest.fixture(params=[404, 403])
def outside(
    request: pytest.FixtureRequest, reseedable: Sandbox, monkeypatch: pytest.MonkeyPatch
) -> Sandbox:
    reseedable.reset(world("internal"))
    monkeypatch.setattr(reseedable.scenario.options, "runner_outside_network", True)
    monkeypatch.setattr(reseedable.scenario.options, "outside_refusal_status", request.param)
    for key, value in reseedable.environ().items():
        monkeypatch.setenv(key, value)
    return reseedable


def test_a_probe_from_outside_the_network_is_unverified(outside: Sandbox, tmp_path: Path) -> None:
    profile = load_profile(profile_dir(tmp_path, "internal"), "lab")
    report = asyncio.run(run_check(profile, load_settings(wait=0), probe=True, environ={})).report
    assert not [f for f in report.findings if f.rule.startswith("probe.")], report.findings
    (item,) = [u for u in report.unverified if u.target == "probe"]
    assert "ingress is internal" in item.reason
    assert report.exit_code == 3


def test_inside_the_network_the_same_service_is_probed(
    reseedable: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    reseedable.reset(world("internal"))
    for key, value in reseedable.environ().items():
        monkeypatch.setenv(key, value)
    profile = load_profile(profile_dir(tmp_path, "internal"), "lab")
    report = asyncio.run(run_check(profile, load_settings(wait=0), probe=True, environ={})).report
    assert [p.outcome.value for p in report.probes] == ["ok"]
    assert report.exit_code == 0


def test_fix_from_outside_says_it_could_not_probe_the_canary_and_moves_nothing(
    outside: Sandbox, tmp_path: Path
) -> None:
    where = profile_dir(tmp_path, "internal")
    text = (where / "lab.yaml").read_text()
    (where / "lab.yaml").write_text(
        text.replace("    probe:", "    env:\n      MODE: live\n    probe:")
    )
    before = outside.service(LAB, "app")
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    result = asyncio.run(
        run_fix(load_profile(where, "lab"), settings, ScriptedUI(), FixOptions(yes=True))
    )
    assert result.exit_code == ExitCode.ABORTED, result.summary()
    said = result.summary()
    assert "could not be probed from here: the service's ingress is internal" in said, said
    assert "failed its probe" not in said
    after = outside.service(LAB, "app")
    assert [(t.type_, t.percent) for t in after.traffic] == [
        (t.type_, t.percent) for t in before.traffic
    ]
