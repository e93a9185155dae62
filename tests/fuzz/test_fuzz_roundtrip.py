"""revfuzz property 2+3: a live service drift describes with `init --from-live`, checked against
that same live service, is clean; and the report is the same bytes twice, in every format.

BUG-FINDING tests (failed before its fix): see /work/notes/reports/revfuzz.md."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import HealthCheck, given, reject, settings

from drift.check import run_check
from drift.errors import InputError
from drift.format import OutputFormat, formatter_for
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.fuzz.budget import examples
from tests.fuzz.livegen import PROJECT, REGION, scenarios

TODAY = dt.date(2026, 11, 30)
EXAMPLES = settings(
    max_examples=examples(5),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
# rules that describe the live state's own problems, not a difference from the profile
NOT_DRIFT = {"secret.disabled", "secret.destroyed", "secret.expiring"}


@pytest.fixture(scope="module")
def box() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def _roundtrip(
    box: Sandbox, scenario: dict[str, Any], directory: Path, monkeypatch: pytest.MonkeyPatch
) -> Any:
    try:
        box.reset(scenario)
    except InputError:  # a shape Cloud Run itself refuses (the sandbox validates as it does)
        reject()
    for key, value in box.environ().items():
        monkeypatch.setenv(key, value)
    for old in directory.glob("*"):
        old.unlink()
    cfg = load_settings(profiles_dir=directory, project=PROJECT, region=REGION, wait=0)
    asyncio.run(init_from_live("prod", cfg, force=True, today=TODAY))
    profile = load_profile(directory, "prod")
    return profile, cfg


@EXAMPLES
@given(scenario=scenarios())
def test_check_of_own_init_output_is_clean(
    box: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any]
) -> None:
    """BUG-FINDING: drift reports drift (or unverified) against the profile it just wrote."""
    profile, cfg = _roundtrip(box, scenario, tmp_path, monkeypatch)
    report = asyncio.run(run_check(profile, cfg, today=TODAY)).report
    drift = [
        (f.rule, f.service, f.target, f.tag, f.expected, f.actual)
        for f in report.findings
        if f.rule not in NOT_DRIFT
    ]
    text = (tmp_path / "prod.yaml").read_text()
    assert not drift, f"{drift}\n--- profile ---\n{text}\n--- live ---\n{json.dumps(scenario)}"
    assert not report.unverified, [(u.service, u.target, u.reason) for u in report.unverified]


@EXAMPLES
@given(scenario=scenarios())
def test_report_is_the_same_bytes_twice_in_every_format(
    box: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, scenario: dict[str, Any]
) -> None:
    """Same live + same profile -> the same report bytes, in every format."""
    profile, cfg = _roundtrip(box, scenario, tmp_path, monkeypatch)
    # drift against a profile that expects other values: change each service's live env
    outputs: list[dict[str, str]] = []
    for _ in range(2):
        report = asyncio.run(run_check(profile, cfg, today=TODAY)).report
        outputs.append({f.value: formatter_for(f).render(report) for f in OutputFormat})
    for fmt in OutputFormat:
        assert outputs[0][fmt.value] == outputs[1][fmt.value], fmt
