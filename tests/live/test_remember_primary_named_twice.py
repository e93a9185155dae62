"""A profile whose `env` says a variable must be a secret, and whose `containers:` also names
that same (ingress) container (allowed: `drift.diff.env._others`, "a variable either names is
named"): `drift.live.remember.remember_config` keeps the rules of both, so the plain value of
the variable expected to be a secret is registered, and a copy of it in another variable is
masked too (SPEC Findings: never "any plain value that is expected to be a secret"), as it is
when only `env` names the container."""

from __future__ import annotations

import asyncio
import datetime as dt
import json
from pathlib import Path

import pytest

from drift.check import run_check
from drift.format.json import report_document
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox

VALUE = "Tr0ub4dor-horse-battery-9"
WORLD = {
    "projects": {
        "p": {
            "number": 3,
            "services": {
                "api": {
                    "template": {
                        "containers": [
                            {
                                "name": "app",
                                "image": "x/api:1",
                                "ports": [{"containerPort": 8080}],
                                "env": [
                                    {"name": "DB_PASSWORD", "value": VALUE},
                                    {"name": "MIGRATE_ARG", "value": VALUE},
                                    {"name": "LOG_LEVEL", "value": "info"},
                                ],
                            }
                        ]
                    }
                }
            },
        }
    }
}
BASE = """\
project: p
region: us-central1
services:
  api:
    unexpected_env: warn
    env:
      DB_PASSWORD: {secret: db-password}
"""
ALSO_NAMED = (
    BASE
    + """\
    containers:
      app:
        env:
          LOG_LEVEL: info
"""
)


def _report(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp: Path, text: str
) -> str:
    sandbox = make_sandbox(WORLD)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    tmp.mkdir(parents=True, exist_ok=True)
    (tmp / "prod.yaml").write_text(text)
    profile = load_profile(tmp, "prod")
    result = asyncio.run(run_check(profile, load_settings(), today=dt.date(2026, 11, 24)))
    rules = {(f.rule, f.target) for f in result.report.findings}
    assert ("env.plaintext_secret", "env.DB_PASSWORD") in rules
    assert ("env.unexpected", "env.MIGRATE_ARG") in rules
    return json.dumps(report_document(result.report))


def test_the_copy_is_masked_when_only_env_names_the_container(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert VALUE not in _report(make_sandbox, monkeypatch, tmp_path / "a", BASE)


def test_the_copy_is_masked_when_containers_names_it_too(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    assert VALUE not in _report(make_sandbox, monkeypatch, tmp_path / "b", ALSO_NAMED)


REMOVED = ALSO_NAMED.replace(
    "DB_PASSWORD: {secret: db-password}\n",
    "DB_PASSWORD: {secret: db-password}\n      MIGRATE_ARG: null\n",
)


def test_a_removed_rule_is_cited_when_containers_names_the_container_too(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`MIGRATE_ARG: null` under `env` is where its `env.unexpected` points (as the message
    says), not the `containers:` entry that also names the container."""
    sandbox = make_sandbox(WORLD)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(REMOVED)
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(run_check(profile, load_settings(), today=dt.date(2026, 11, 24)))
    (finding,) = [f for f in result.report.findings if f.target == "env.MIGRATE_ARG"]
    assert finding.rule == "env.unexpected"
    assert "`MIGRATE_ARG: null`" in finding.message
    assert finding.location is not None
    assert finding.location.line == REMOVED.splitlines().index("      MIGRATE_ARG: null") + 1
