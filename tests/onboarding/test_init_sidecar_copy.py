"""A sidecar that holds, as a plain value, a variable another container of the same workload
reads from Secret Manager (`OTEL_HEADERS` in the collector, the app's copy of it as plain
text, under a name that does not look like a credential's).
`init --from-live` withholds it whether or not it may read that secret (the plain text is most
likely its value):
it is not copied into the profile (a file meant for git), and the summary says why."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.test_check_sidecars import APP_INGRESS, among, world

COPY = "fake-otel-token-bb2"
"""The secret's latest value, held again as plain text by the app container."""
OTEL = {
    "name": "otel",
    "image": "otel/opentelemetry-collector-contrib:0.104.0",
    "env": [
        {
            "name": "OTEL_HEADERS",
            "valueSource": {"secretKeyRef": {"secret": "otel-token", "version": "latest"}},
        },
    ],
}


def _init(sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> tuple[Any, Any, str]:
    """`drift init prod --from-live` of acme-prod: the settings, its result, the profile."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=tmp_path, project="acme-prod", region="us-central1")
    result = asyncio.run(init_from_live("prod", settings, today=dt.date(2026, 11, 24)))
    return settings, result, (tmp_path / "prod.yaml").read_text()


def test_a_plain_copy_of_another_containers_secret_is_not_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    app = {**APP_INGRESS, "env": [*APP_INGRESS["env"], {"name": "OTEL_HEADERS", "value": COPY}]}
    sandbox = make_sandbox(world(app, OTEL))
    settings, result, text = _init(sandbox, monkeypatch, tmp_path)
    assert COPY not in text and COPY not in result.summary()
    # the collector's reference is written as one; the app's plain copy is required only
    assert "OTEL_HEADERS: {secret: otel-token" in text
    assert "OTEL_HEADERS: {required: true}  # otel reads it from Secret Manager: not" in text
    assert result.copies == ("shop.OTEL_HEADERS (otel reads it from Secret Manager)",)
    assert result.withheld == ()
    assert "shop.OTEL_HEADERS (otel reads it from Secret Manager)" in result.summary()
    # a plain variable no other container reads as a secret is copied as it is
    assert "MODE: live" in text
    # and the profile describes the service: check finds nothing on either variable
    report = asyncio.run(run_check(load_profile(tmp_path, "prod"), settings)).report
    assert [f.rule for f in report.findings if f.target == "env.OTEL_HEADERS"] == []
    assert COPY not in str(report.findings)


def test_a_plain_value_another_serving_revision_reads_as_a_secret_is_not_written(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """helper-541 F3: SESSION is a reference on the revision serving 10 %, plain on the latest
    (the secret pasted in): `check` masks it (`remember.inlined`), and init wrote it into the
    profile as it is."""
    pasted = "Qm4nVb7cXz2Lk8Hj"
    ref = {
        "name": "SESSION",
        "valueSource": {"secretKeyRef": {"secret": "sess", "version": "latest"}},
    }
    (old,) = among([{**APP_INGRESS, "env": [ref]}])
    (new,) = among([{**APP_INGRESS, "env": [{"name": "SESSION", "value": pasted}]}])
    split = [{"latest": True, "percent": 90}, {"revision": "shop-00001-old", "percent": 10}]
    shop = {"history": [{"name": "shop-00001-old", "containers": [old]}], "traffic": split,
            "template": {"containers": [new]}}  # fmt: skip
    scenario = world(new)
    scenario["projects"]["acme-prod"]["services"]["shop"] = shop
    scenario["projects"]["acme-prod"]["secrets"] = {"sess": {"versions": [pasted]}}
    sandbox = make_sandbox(scenario)
    settings, result, text = _init(sandbox, monkeypatch, tmp_path)
    assert pasted not in text and pasted not in result.summary()
    assert "SESSION: {required: true}  # revision shop-00001-old reads it from Secret" in text
