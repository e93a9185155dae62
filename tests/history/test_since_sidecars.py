"""`since` for a sidecar's drift, against the sandbox: the sidecar's own rules followed back
through revisions that lacked the sidecar altogether (a sidecar added by a later deploy), read
whichever way ListRevisions pages (AIP-158: "The API may return fewer results than the number
requested (including zero results), even if not at the end of the collection")."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.findings import Finding
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.test_since import acme_profile

APP = {"name": "app", "image": "img/app:1", "ports": [{"containerPort": 8080}]}


def otel(**env: str) -> dict[str, Any]:
    return {
        "name": "otel",
        "image": "otel/collector:0.104.0",
        "env": [{"name": k, "value": v} for k, v in env.items()],
    }


APP_EU = {**APP, "env": [{"name": "REGION", "value": "eu"}]}
STORY = [
    {"containers": [APP_EU], "created": "40d", "creator": "alice@acme.example"},
    {"containers": [APP_EU, otel(LEVEL="info")], "created": "30d", "creator": "bob@acme.example"},
    {"containers": [APP_EU, otel(LEVEL="debug")], "created": "20d", "creator": "carol@acme.io"},
]  # fmt: skip
"""00001 runs the app alone; 00002 adds the collector (LEVEL info, no SAMPLING); 00003 turns it
to debug; 00004 (the template) removes the app's own REGION."""


def scenario(pages: str, history: list[dict[str, Any]]) -> dict[str, Any]:
    template = {"containers": [APP, otel(LEVEL="debug")]}
    service = {"template": template, "history": history}
    region = {"number": 111, "region": "us-central1", "services": {"api": service}}
    return {"options": {"seed": 3, "pages": pages}, "projects": {"acme": region}}


PROFILE = acme_profile(
    """
    env:
      REGION: eu
      SAMPLING: {forbidden: true}
    containers:
      otel:
        env:
          LEVEL: info
          SAMPLING: {required: true}
    """
)


@pytest.fixture(params=["full", "ragged"])
def world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(scenario(request.param, STORY)) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        yield sandbox


def findings() -> dict[tuple[str, str | None], Finding]:
    profile = load_profile(Path("profiles"), "prod")
    result = asyncio.run(run_check(profile, load_settings(wait=0, history=True)))
    return {(f.target, f.container): f for f in result.report.findings}


def test_a_sidecar_variable_missing_since_before_the_sidecar_existed(world: Sandbox) -> None:
    """SAMPLING was never set in the collector: not in 00002-00004, and not in 00001, which had
    no collector at all (the same `env.missing`, the sidecar's). The drift is as old as the
    oldest revision: no revision is good to go back to."""
    since = findings()["env.SAMPLING", "otel"].since
    assert since is not None and since.revision.startswith("api-00001-"), since
    assert since.creator == "alice@acme.example"
    assert since.last_good is None


def test_a_revision_without_the_sidecar_is_never_its_last_good(world: Sandbox) -> None:
    """LEVEL is debug since 00003 (carol); before it, 00002 had info (good). Had 00002 not
    existed, 00001 (no collector: LEVEL missing there) would be no good revision either."""
    since = findings()["env.LEVEL", "otel"].since
    assert since is not None and since.revision.startswith("api-00003-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00002-")


def test_the_main_containers_drift_is_not_the_sidecars(world: Sandbox) -> None:
    """REGION left the app in 00004; the sidecar's findings on other variables never extend
    or cut its run."""
    since = findings()["env.REGION", "app"].since
    assert since is not None and since.revision.startswith("api-00004-"), since
    assert since.last_good is not None and since.last_good.startswith("api-00003-")


@pytest.mark.parametrize("pages", ["full", "ragged"])
def test_a_sidecars_wrong_value_after_a_revision_without_it_names_no_last_good(
    pages: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """The collector is added, with debug, straight after a revision without it (00001). That
    revision had LEVEL missing (the sidecar's `env.missing`): rolling back to it would not give
    LEVEL info, so it is not `last_good`, and the note says what it had."""
    monkeypatch.chdir(tmp_path)
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(PROFILE)
    with Sandbox(scenario(pages, STORY[:1])) as sandbox:
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        since = findings()["env.LEVEL", "otel"].since
    assert since is not None and since.revision.startswith("api-00002-"), since
    assert since.last_good is None
    assert "api-00001-" in since.note and "env.missing on LEVEL (container otel)" in since.note, (
        since.note
    )
