"""A workload that runs as its project's default compute account without naming it (no
`service_account` in its template, as `gcloud run deploy` and most Terraform write it): `init`
writes that account by its address, `PROJECT_NUMBER-compute@developer.gserviceaccount.com`,
which `check` matches against a template naming none. It wrote a comment, which states
nothing: a later switch of the runtime identity to another account was clean (helper-545 F2).
When the project's number cannot be read, the comment stands, and init still succeeds."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift.check import run_check
from drift.errors import ExitCode
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.sandbox.faults import Fault
from drift.settings import load_settings
from tests.conftest import ClientsFor

WORLD = """\
projects:
  acme-prod:
    region: us-central1
    number: 500000000001
    services:
      web:
        template: {image: us-docker.pkg.dev/acme-prod/apps/web:2, env: {LOG_LEVEL: info}}
    jobs:
      nightly:
        template:
          image: us-docker.pkg.dev/acme-prod/apps/nightly:2
          env: {MODE: full}
"""
DEFAULT = "500000000001-compute@developer.gserviceaccount.com"
OTHER = "app@acme-prod.iam.gserviceaccount.com"


def _init(sandbox: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> str:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="acme-prod", region="us-central1")
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 12, 4)))
    assert result.exit_code is ExitCode.OK, result.summary()
    return (tmp_path / "prod.yaml").read_text()


def _findings(tmp_path: Path) -> list[tuple[str, str]]:
    report = asyncio.run(run_check(load_profile(tmp_path, "prod"), load_settings())).report
    assert report.exit_code is not ExitCode.INCOMPLETE, report.unverified
    return [(f.rule, f.target) for f in report.findings]


def test_init_states_the_default_account_and_check_sees_it_change(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, clients_for: ClientsFor
) -> None:
    (tmp_path / "w.yaml").write_text(WORLD)
    with Sandbox(tmp_path / "w.yaml") as sandbox:
        text = _init(sandbox, tmp_path, monkeypatch)
        assert text.count(f"service_account: {DEFAULT}") == 2, text  # the service, the job
        assert _findings(tmp_path) == []
        services = clients_for(sandbox).services
        web = services.get_service(name="projects/acme-prod/locations/us-central1/services/web")
        web.template.service_account = OTHER
        services.update_service(service=web).result()
        assert _findings(tmp_path) == [("setting.value", "setting.service_account")]


def test_a_number_that_cannot_be_read_leaves_the_comment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    (tmp_path / "w.yaml").write_text(WORLD)
    with Sandbox(tmp_path / "w.yaml") as sandbox:
        sandbox.inject(Fault("GetProject", "PERMISSION_DENIED"))
        text = _init(sandbox, tmp_path, monkeypatch)
    assert "# service_account: the default compute service account" in text, text
    assert "compute@" not in text
