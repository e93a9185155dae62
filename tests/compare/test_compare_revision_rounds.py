"""`compare --live` reads every workload's revisions (a password renamed is known by an older
one): each service's ListRevisions starts with the read, beside the List or Get of the
workloads, not a round after their answers and their GetRevisions (helper-633 F3). Judged
by rounds (`tests.rounds.rounds`: sequential round trips in a sandbox that answers each call
after 50 ms) and calls, never by wall time; what is compared stays the same."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.compare.run import compare_live
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.rounds import rounds
from tests.test_check_shapes import PROFILES, SHAPES

REPO = Path(__file__).resolve().parents[2]


def _compare(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, folder: Path, a: str, b: str, **options: Any
) -> tuple[Any, list[Any]]:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    first, second = load_profile(folder, a), load_profile(folder, b)
    sandbox.clear_calls()
    settings = load_settings(wait=0)
    comparison = asyncio.run(compare_live(first, second, settings, **options))
    return comparison, list(sandbox.calls)


def test_revisions_are_listed_beside_the_services_list(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """staging and e2e name the same three services (no tag, no split): ListServices and the
    three ListRevisions are one round (it was two: the Lists waited for ListServices); the
    values of the four versions the services reference, read to mask their copies, once the
    services are read (task 777): a second round."""
    sandbox = make_sandbox(None, latency_ms=50)
    comparison, calls = _compare(sandbox, monkeypatch, REPO / "profiles", "staging", "e2e")
    assert not comparison.unverified
    counts = Counter(c.short for c in calls)
    assert counts == {"ListServices": 1, "ListRevisions": 3, "AccessSecretVersion": 4}, counts
    assert rounds(calls) == 2, [(c.short, c.at, c.ended) for c in calls]


def test_a_tagged_revision_is_read_while_its_service_is_listed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """chat's `e2e` tag reaches chat-00002-def, read with GetRevision once GetService has
    answered; chat's ListRevisions runs beside GetService: two rounds (it was three: the
    ListRevisions waited for the GetRevision), the same calls, the same comparison."""
    sandbox = make_sandbox(SHAPES, latency_ms=50)
    shutil.copy(PROFILES / "prod.yaml", tmp_path / "prod.yaml")
    (tmp_path / "again.yaml").write_text("extends: prod\n")
    comparison, calls = _compare(
        sandbox, monkeypatch, tmp_path, "prod", "again", services=["chat"], secret_values=False
    )
    [note] = [n for n in comparison.notes if "chat" in n]
    assert "not compared: chat-00002-def (tag e2e, 0 %)" in note
    counts = Counter(c.short for c in calls)
    assert counts == {"GetService": 1, "GetRevision": 1, "ListRevisions": 1, "GetProject": 1}
    assert rounds(calls) == 2, [(c.short, c.at, c.ended) for c in calls]


def test_a_deploy_waited_out_has_its_revisions_listed_once_it_has_settled(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """search is being deployed when the read starts and settles a second later, within
    --wait: its revisions are those listed after it settled (the one deployed among them,
    ready), never the listing made beside its first Get."""
    from drift.live.reader import every_history
    from drift.live.session import Access, Session

    template = {"image": "europe-docker.pkg.dev/p/apps/search:1", "env": {"INDEX": "main"}}
    deploying = {"template": {**template, "image": "europe-docker.pkg.dev/p/apps/search:2"},
                 "settles_in": "1s"}  # fmt: skip
    world = {"projects": {"p": {"number": 700000000001, "region": "europe-west1", "services": {
        "search": {"template": template, "deploying": deploying}}}}}  # fmt: skip
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: europe-west1\nservices:\n  search: {}\n"
    )
    profile = load_profile(tmp_path, "prod")

    async def read() -> Any:
        async with Session(Access()) as session:
            return await session.read(profile, ["search"], wait=30, history=every_history)

    state = asyncio.run(read())
    assert not state.unverified, state.unverified
    live = sandbox.service("p", "search", region="europe-west1")
    latest = live.latest_ready_revision.rsplit("/", 1)[-1]
    names = [r.name for r in state.history["search"]]
    assert names[-1] == latest, names
    listed = [c for c in sandbox.calls if c.short == "ListRevisions"]
    assert listed[-1].at > max(c.ended for c in sandbox.calls if c.short == "GetService")
