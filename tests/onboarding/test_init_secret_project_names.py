"""helper-618 F2: a workload naming its own project's secret by number
(`projects/500000000002/secrets/jwt`, what Terraform's `google_secret_manager_secret.x.name`
gives) was written `{secret: jwt, project: "500000000002"}`: `check` was clean, but `compare`
of two init-written profiles could not look the number up (exit 3). `init` names a secret's
project as it names a setting's: by its id where the read learnt it (GetProject, Secret
Manager's names), short for the workloads' own; a number whose id it could not learn is kept,
and said."""

from __future__ import annotations

import asyncio
import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.compare.run import compare_profiles
from drift.onboarding.init import init_from_live
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox

REGION = "us-central1"
IMAGE = "us-docker.pkg.dev/shared/app/api:1"


def _ref(project: str, secret: str) -> str:
    return f"projects/{project}/secrets/{secret}" if project else secret


def _project(pid: str, number: int, own: str, partner: str = "") -> dict[str, Any]:
    """`pid`'s service `api`, naming its own secrets as `own` names the project ("": not at
    all), and the partner's `pk` as `partner` does ("": none)."""
    account = f"api@{pid}.iam.gserviceaccount.com"
    env = [
        {"name": "JWT", "valueSource": {"secretKeyRef": {"secret": _ref(own, "jwt")}}},
    ]
    if partner:
        ref = {"secret": _ref(partner, "pk"), "version": "1"}
        env.append({"name": "PARTNER", "valueSource": {"secretKeyRef": ref}})
    container = {
        "name": "app",
        "image": IMAGE,
        "ports": [{"containerPort": 8080}],
        "env": env,
        "volumeMounts": [{"name": "tls", "mountPath": "/etc/tls"}],
    }
    volume = {"secret": _ref(own, "tls-cert"), "items": [{"path": "cert.pem", "version": "1"}]}
    template = {
        "serviceAccount": account,
        "containers": [container],
        "volumes": [{"name": "tls", "secret": volume}],
    }
    return {
        "number": number,
        "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{account}"]},
        "secrets": {
            "jwt": {"versions": [f"jwt-value-{pid}-0001"]},
            "tls-cert": {"versions": [f"cert-value-{pid}-0001"]},
        },
        "services": {"api": {"template": template}},
    }


def _partner(deny: bool = False) -> dict[str, Any]:
    grant = [f"serviceAccount:api@{p}.iam.gserviceaccount.com" for p in ("staging-p", "prod-p")]
    partner: dict[str, Any] = {
        "number": 600000000002,
        "region": REGION,
        "iam": {"roles/secretmanager.secretAccessor": grant},
        "secrets": {"pk": {"versions": ["partner-value-0001"]}},
    }
    if deny:
        partner["deny"] = ["GetProject"]
    return partner


def _init(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, where: Path, env: str, project: str
) -> str:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    settings = load_settings(profiles_dir=where, project=project, region=REGION, wait=0)
    asyncio.run(init_from_live(env, settings, today=dt.date(2026, 12, 6)))
    return (where / f"{env}.yaml").read_text()


def test_the_own_projects_secret_by_number_is_written_short_and_compares(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = {
        "projects": {
            "staging-p": _project("staging-p", 500000000001, ""),
            "prod-p": _project("prod-p", 500000000002, "500000000002"),
        }
    }
    sandbox = make_sandbox(scenario)
    _init(sandbox, monkeypatch, tmp_path, "staging", "staging-p")
    text = _init(sandbox, monkeypatch, tmp_path, "prod", "prod-p")
    assert "500000000002" not in text, text
    assert "JWT: {secret: jwt, version: latest}" in text, text
    assert '/etc/tls/cert.pem: {secret: tls-cert, version: "1"}' in text, text
    # the profile describes the service as `check` reads it
    settings = load_settings(profiles_dir=tmp_path, project="prod-p", region=REGION, wait=0)
    report = asyncio.run(run_check(load_profile(tmp_path, "prod"), settings)).report
    assert report.exit_code == 0, report.findings
    # and two environments alike compare alike: no number left to look up
    comparison = compare_profiles(load_profile(tmp_path, "staging"), load_profile(tmp_path, "prod"))
    assert comparison.unverified == () and comparison.differences == (), comparison


def test_the_own_projects_secret_by_id_is_written_short(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox({"projects": {"prod-p": _project("prod-p", 500000000002, "prod-p")}})
    text = _init(sandbox, monkeypatch, tmp_path, "prod", "prod-p")
    assert "JWT: {secret: jwt, version: latest}" in text and ", project:" not in text, text


def test_another_projects_secret_by_number_is_written_by_the_id_the_read_learnt(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = {
        "projects": {
            "partner": _partner(),
            "prod-p": _project("prod-p", 500000000002, "", partner="600000000002"),
        }
    }
    sandbox = make_sandbox(scenario)
    text = _init(sandbox, monkeypatch, tmp_path, "prod", "prod-p")
    assert 'PARTNER: {secret: pk, project: partner, version: "1"}' in text, text
    settings = load_settings(profiles_dir=tmp_path, project="prod-p", region=REGION, wait=0)
    report = asyncio.run(run_check(load_profile(tmp_path, "prod"), settings)).report
    assert report.exit_code == 0, report.findings


def test_a_number_whose_id_could_not_be_learnt_is_kept_and_said(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    scenario = {
        "projects": {
            "partner": _partner(deny=True),
            "prod-p": _project("prod-p", 500000000002, "500000000002", partner="600000000002"),
        }
    }
    sandbox = make_sandbox(scenario)
    text = _init(sandbox, monkeypatch, tmp_path, "prod", "prod-p")
    # the own project's number is still known (Secret Manager names its secrets by it)
    assert "JWT: {secret: jwt, version: latest}" in text, text
    line = next(s for s in text.splitlines() if s.strip().startswith("PARTNER:"))
    assert line.strip().startswith('PARTNER: {secret: pk, project: "600000000002", version: "1"}')
    assert "# project 600000000002: its id could not be learnt (GetProject)" in line, line
