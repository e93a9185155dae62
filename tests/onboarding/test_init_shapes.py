"""`init --from-live` and `compare` on real service shapes: sidecars, mounted secrets, secrets in
another project and tagged revisions are written into the profile and compared."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.check import run_check
from drift.compare.run import compare_profiles
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings

SHAPES = default_scenario_path().with_name("real-shapes.yaml")


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def test_init_writes_sidecars_mounts_and_foreign_secrets_and_check_agrees(
    shapes: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        profiles_dir=tmp_path, project="acme-prod", region="us-central1", wait=0
    )
    asyncio.run(init_from_live("prod", settings, services=["chat"], today=dt.date(2026, 11, 24)))
    text = (tmp_path / "prod.yaml").read_text()
    assert "container: app" in text
    assert "otel-collector:" in text and "OTEL_TOKEN: {secret: otel-token" in text
    assert '/etc/tls/cert.pem: {secret: tls-cert, version: "2"}' in text
    # named by number in the service, by the id GetProject told (helper-618 F2)
    assert "PARTNER_API_KEY: {secret: partner-api-key, project: acme-shared," in text
    assert "tags e2e" in text
    profile = load_profile(tmp_path, "prod")
    report = asyncio.run(run_check(profile, settings)).report
    # what the profile states is what the serving revision runs: only the live state's own
    # problems remain (disabled and destroyed versions), and the tagged revision's extra
    # variable (it runs TESTING=1, which the serving revision does not) and its own minimum
    # (none: the service-level one counts only for revisions in the traffic split)
    rules = {f.rule for f in report.findings if f.severity.value == "error" and not f.tag}
    assert rules <= {"secret.disabled", "secret.destroyed"}, report.findings
    mismatches = [f for f in report.findings if f.rule.startswith(("env.", "mount.", "setting."))]
    assert sorted((f.rule, f.target, f.tag) for f in mismatches) == [
        ("env.unexpected", "env.TESTING", "e2e"),
        ("setting.value", "setting.min_instances", "e2e"),
    ]


def test_compare_sees_sidecars_and_mounts(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "a.yaml").write_text(
        "project: p-a\nregion: us-central1\nservices:\n  chat:\n    mounts:\n"
        "      /etc/tls: {secret: tls, project: shared}\n    containers:\n      side:\n"
        "        env:\n          TOKEN: {secret: token}\n"
    )
    (tmp_path / "b.yaml").write_text(
        "project: p-b\nregion: us-central1\nservices:\n  chat:\n    mounts:\n"
        "      /etc/tls: {secret: tls, project: shared}\n    containers:\n      side: {}\n"
    )
    comparison = compare_profiles(load_profile(tmp_path, "a"), load_profile(tmp_path, "b"))
    targets = {(d.kind.value, d.target) for d in comparison.differences}
    assert ("env.unsatisfied", "env.side:TOKEN") in targets or (
        "env.only_in",
        "env.side:TOKEN",
    ) in targets, targets
    # both reference the same secret of the shared project: shared between deployments
    assert ("secret.shared", "env.mount:/etc/tls") in targets, targets


def test_init_reads_a_lone_workload_from_the_list_it_made(
    shapes: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """real-shapes has one worker pool: ListWorkerPools, which found its name, brought it
    whole, so no GetWorkerPool asks for it again (revcalls66 F3: a kind of one workload was
    read with its Get, beside the listing `init` had made)."""
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(
        profiles_dir=tmp_path, project="acme-prod", region="us-central1", wait=0
    )
    shapes.clear_calls()
    asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 11, 24)))
    assert "queue-consumer:" in (tmp_path / "prod.yaml").read_text()
    counts = shapes.call_counts()
    assert (counts["ListWorkerPools"], counts["GetWorkerPool"]) == (1, 0), counts
    assert (counts["ListJobs"], counts["GetJob"], counts["ListServices"]) == (1, 0, 1), counts
