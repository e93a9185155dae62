"""`drift history` over retired revisions (revlro F2): a revision that stopped serving says
RevisionReason RETIRED on its Ready condition, whose state is not documented; with either
state (sandbox option `retired_ready`) history shows it as a revision that served, never as
`failed`."""

from __future__ import annotations

import asyncio
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.history.read import read_history
from drift.history.render import serves
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.history.conftest import scenario


@pytest.fixture(params=["succeeded", "failed"])
def retired_world(
    request: pytest.FixtureRequest, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> Iterator[Sandbox]:
    doc: dict[str, Any] = scenario()
    doc.setdefault("options", {})["retired_ready"] = request.param
    with Sandbox(doc) as sandbox:
        monkeypatch.chdir(tmp_path)
        (tmp_path / "profiles").mkdir()
        (tmp_path / "profiles" / "prod.yaml").write_text(
            "project: acme\nregion: us-central1\nservices:\n  api: {}\n"
        )
        for key, value in sandbox.environ().items():
            monkeypatch.setenv(key, value)
        yield sandbox


def test_retired_revisions_are_never_shown_as_failed(retired_world: Sandbox) -> None:
    profile = load_profile(Path("profiles"), "prod")
    result = asyncio.run(read_history(profile, load_settings()))
    entries = next(s for s in result.services if s.service == "api").revisions
    assert len(entries) > 2
    assert all(e.ready for e in entries), [(e.name, serves(e)) for e in entries]
    assert not any("failed" in serves(e) for e in entries)
