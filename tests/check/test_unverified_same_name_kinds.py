"""A service and a job of the same name (Cloud Run keeps them in separate collections) whose
reads of one secret both fail: each workload is unverified for it. The report's unverified
items are made unique by workload key and target (`drift.check._unique`), so neither is
dropped and neither workload reads as verified."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift.check import run_check
from drift.kinds import Kind
from drift.profiles.loader import load_profile
from drift.sandbox import Fault
from drift.settings import load_settings
from tests.conftest import MakeSandbox

RUNNER = "runner@p.iam.gserviceaccount.com"
WORLD = {
    "projects": {
        "p": {
            "number": 3,
            "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{RUNNER}"]},
            "secrets": {"token": {"versions": ["fake-token-v1"]}},
            "services": {
                "billing": {
                    "template": {
                        "image": "x/api:1",
                        "service_account": RUNNER,
                        "env": {"TOKEN": {"secret": "token"}},
                    }
                }
            },
            "jobs": {
                "billing": {
                    "template": {
                        "image": "x/migrate:1",
                        "service_account": RUNNER,
                        "env": {"TOKEN": {"secret": "token"}},
                    }
                }
            },
        }
    }
}
PROFILE = """\
project: p
region: us-central1
services:
  billing:
    env:
      TOKEN: {secret: token}
jobs:
  billing:
    env:
      TOKEN: {secret: token}
"""


def test_a_job_and_a_service_of_one_name_are_each_unverified(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(WORLD)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    sandbox.inject(Fault("GetSecretVersion", "PERMISSION_DENIED", match="token"))
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(run_check(profile, load_settings(), today=dt.date(2026, 11, 24)))
    unverified = {(u.kind, u.service, u.target) for u in result.report.unverified}
    # both workloads read the secret, both reads failed: each is unverified
    assert (Kind.SERVICE, "billing", "secret.token") in unverified
    assert (Kind.JOB, "billing", "secret.token") in unverified
