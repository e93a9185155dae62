"""The order in which a check asks: the List (or a lone one's Get) of the workloads goes
first, before the reads of the secrets a profile names (which wait for nothing). Behind those,
with more secrets than concurrency slots, it waited for a slot: a round trip lost on the one
chain every other read of a service hangs from (List, then the revisions, then what their
references resolve to)."""

from __future__ import annotations

import asyncio
from pathlib import Path

import pytest

from drift.check import run_check
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox

SA = "api@p.iam.gserviceaccount.com"
NAMES = [f"k{n}" for n in range(6)]


def test_the_list_asks_before_the_secrets_the_profile_names(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    refs = [
        {"name": n.upper(), "valueSource": {"secretKeyRef": {"secret": n, "version": "latest"}}}
        for n in NAMES
    ]
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]}
    secrets = {n: {"versions": [f"fake-value-{n}-0a1b2c3d"], "iam": grant} for n in NAMES}
    app = {"name": "app", "image": "x/api:1", "env": refs}
    api = {"template": {"serviceAccount": SA, "containers": [app]}}
    world = {"projects": {"p": {"number": 5, "services": {"api": api}, "secrets": secrets}}}
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    env = "".join(f"      {n.upper()}: {{secret: {n}}}\n" for n in NAMES)
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  api:\n    env:\n{env}"
    )
    profile = load_profile(tmp_path, "prod")
    result = asyncio.run(run_check(profile, load_settings(concurrency=1), services=None))
    assert result.report.exit_code == 0, result.report.findings
    asked = [c.short for c in sandbox.calls]
    assert asked[0] == "GetService", asked  # a lone service is asked for by its Get
    assert asked.count("GetSecretVersion") == len(NAMES)
