"""The `next:` command init prints checks what init read. `drift check` takes DRIFT_PROJECT,
DRIFT_REGION and `[tool.drift]` over the profile's project and region: where one is set to
another (a shell left on staging, `drift init prod --from-live --project acme-prod`), the
bare `drift check prod` read that other project, and every workload of the profile just
written was reported missing. The command names the project and region then (revinit86 F2)."""

from __future__ import annotations

import asyncio
import datetime as dt
import shlex
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.check import run_check
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


def _next_check(summary: str) -> list[str]:
    line = next(x for x in summary.splitlines() if x.startswith("next:"))
    return shlex.split(line.split("`")[1])


def _settings_of(command: list[str]) -> dict[str, str | None]:
    """The options of the `drift check ENV …` command as `load_settings` takes them."""
    names = {"--project": "project", "--region": "region", "--profiles": "profiles_dir"}
    given = dict(zip(command[3::2], command[4::2], strict=True))
    return {names[k]: v for k, v in given.items()}


@pytest.mark.parametrize("override", ["DRIFT_PROJECT", "DRIFT_REGION", None])
def test_the_next_check_reads_what_init_read(
    shapes: Sandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    override: str | None,
) -> None:
    monkeypatch.chdir(tmp_path)
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    if override:
        monkeypatch.setenv(override, "acme-staging" if override == "DRIFT_PROJECT" else "us-east1")
    settings = load_settings(project="acme-prod", region="us-central1", wait=0)
    result = asyncio.run(
        init_from_live("prod", settings, services=["billing"], today=dt.date(2026, 11, 24))
    )
    command = _next_check(result.summary())
    assert command[:3] == ["drift", "check", "prod"]
    options = _settings_of(command)
    if override is None:
        assert options == {}  # nothing set elsewhere: the bare command reads the same
    check = load_settings(**options)
    report = asyncio.run(
        run_check(
            load_profile(check.profiles_dir, "prod", project=check.project, region=check.region),
            check,
        )
    ).report
    assert (report.project, report.region) == ("acme-prod", "us-central1")
    assert not [f for f in report.findings if f.severity.value == "error"], report.findings


@pytest.mark.parametrize(
    ("services", "next_step"),
    [
        (
            ("job/migrate-db", "worker_pool/queue-consumer"),
            "next: review it, then `drift check prod`",
        ),
        (
            ("chat", "job/migrate-db"),
            "next: review it, fill in the probe blocks, then `drift check prod`",
        ),
    ],
)
def test_probe_blocks_are_named_only_where_there_are_some(
    services: tuple[str, ...], next_step: str
) -> None:
    """Only services have a probe block (a job or a worker pool serves no URL to probe)."""
    from drift.onboarding.init import InitResult

    result = InitResult(
        Path("profiles/prod.yaml"), "prod", "acme-prod", "us-central1", services, 0, 0, ()
    )
    assert result.summary().splitlines()[-1] == next_step
