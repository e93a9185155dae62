"""Live `drift compare` compares one revision per service (the one taking most traffic): on a
service a user also reaches through a tag or a traffic split, it says which revision it
compared and which reachable ones it did not (real-shapes: chat's `e2e` tag at 0 %)."""

from __future__ import annotations

import asyncio
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.compare.formats import CompareFormat
from drift.compare.render import render_comparison
from drift.compare.run import compare_live
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.test_check_shapes import PROFILES, SHAPES


@pytest.fixture(scope="module")
def shapes() -> Iterator[Sandbox]:
    with Sandbox(SHAPES) as sandbox:
        yield sandbox


def test_live_compare_says_which_revision_it_compared(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    shutil.copy(PROFILES / "prod.yaml", tmp_path / "prod.yaml")
    (tmp_path / "again.yaml").write_text("extends: prod\n")
    a, b = load_profile(tmp_path, "prod"), load_profile(tmp_path, "again")
    serving = shapes.service("acme-prod", "chat").latest_ready_revision.rsplit("/", 1)[-1]
    comparison = asyncio.run(
        compare_live(a, b, load_settings(wait=0), services=["chat", "web"], secret_values=False)
    )
    [note] = [n for n in comparison.notes if "chat" in n]
    assert f"chat compared as {serving} (100 %)" in note
    assert "not compared: chat-00002-def (tag e2e, 0 %)" in note
    assert not [n for n in comparison.notes if "web" in n]  # one revision reachable: nothing said
    for fmt in CompareFormat:
        assert "chat-00002-def" in render_comparison(comparison, fmt)


def test_live_compare_looks_up_each_project_once_with_the_first_reads(
    shapes: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """chat's references name acme-shared by id (the profile) and by number (live): the id
    is looked up as the reads start, which tells the number too, so neither the number nor
    the workloads' own project is asked for afterwards (revcalls66 F2: a last round of
    GetProject acme-shared, 600000000002 and acme-prod)."""
    for key, value in shapes.environ().items():
        monkeypatch.setenv(key, value)
    shutil.copy(PROFILES / "prod.yaml", tmp_path / "prod.yaml")
    (tmp_path / "again.yaml").write_text("extends: prod\n")
    a, b = load_profile(tmp_path, "prod"), load_profile(tmp_path, "again")
    shapes.clear_calls()
    asyncio.run(compare_live(a, b, load_settings(wait=0), services=["chat"], secret_values=False))
    asked = [c.request.name for c in shapes.calls if c.short == "GetProject"]
    assert asked == ["projects/acme-shared"]
