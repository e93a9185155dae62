"""revread84 F1b: a plain variable whose value names one drift never shows
(`GREETING="login with $(ADMIN_PASSWORD) now"`, `ADMIN_PASSWORD=hunter2` withheld for its
name) was written by `init --from-live` expanded, the password inside, into a profile, a file
meant for git. It is written as the service writes it, which is what its container gets:
Cloud Run expands no reference (run v2 k8s.min.proto EnvVar.value)."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path

import pytest

from drift.check import run_check
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.test_check_sidecars import APP_INGRESS, world

PASSWORD = "hunter2"
WRITTEN = "login with $(ADMIN_PASSWORD) now"


def test_an_expansion_of_a_withheld_value_is_written_as_the_service_writes_it(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    env = [
        *APP_INGRESS["env"],
        {"name": "ADMIN_PASSWORD", "value": PASSWORD},
        {"name": "GREETING", "value": WRITTEN},
    ]
    sandbox = make_sandbox(world({**APP_INGRESS, "env": env}))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="acme-prod", region="us-central1")
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 12, 2)))
    text = (tmp_path / "prod.yaml").read_text()
    assert PASSWORD not in text and PASSWORD not in result.summary()
    assert "ADMIN_PASSWORD: {required: true}  # looks like a credential" in text
    assert f"GREETING: '{WRITTEN}'" in text or f'GREETING: "{WRITTEN}"' in text, text
    # the profile describes the service: nothing found on GREETING, no password shown
    report = asyncio.run(run_check(load_profile(tmp_path, "prod"), settings)).report
    assert [f.rule for f in report.findings if f.target == "env.GREETING"] == []
    assert PASSWORD not in str(report.findings)
