"""`compare --live` lists each workload's revisions once, beside its List or Get
(`drift.live.revlists`): a listing that failed is that workload's answer, said as before, not
asked again with a second retry budget; and a profile naming its project by number finds the
listing it started, though Cloud Run names the workload with the project id (helper-647 F3,
F4). Counted from the sandbox's calls, never timed."""

from __future__ import annotations

import asyncio
import shutil
from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.compare.run import compare_live
from drift.live.calls import MAX_ATTEMPTS
from drift.profiles.loader import load_profile
from drift.sandbox.faults import Fault
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.test_check_shapes import PROFILES, SHAPES

CHAT = "projects/acme-prod/locations/us-central1/services/chat"


def _compare(
    sandbox: Any, monkeypatch: pytest.MonkeyPatch, folder: Path, **options: Any
) -> tuple[Any, Counter[str]]:
    """prod against a profile that extends it, live: the revisions listed, by workload."""
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (folder / "again.yaml").write_text("extends: prod\n")
    first, second = load_profile(folder, "prod"), load_profile(folder, "again")
    sandbox.clear_calls()
    comparison = asyncio.run(
        compare_live(first, second, load_settings(wait=0), secret_values=False, **options)
    )
    listed = Counter(
        c.request.parent.rsplit("/", 1)[-1] for c in sandbox.calls if c.short == "ListRevisions"
    )
    return comparison, listed


@pytest.mark.parametrize(
    ("code", "calls"), [("PERMISSION_DENIED", 1), ("UNAVAILABLE", MAX_ATTEMPTS)]
)
def test_a_failed_listing_is_not_made_again(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    code: str,
    calls: int,
) -> None:
    """chat's ListRevisions fails: refused once (it was asked twice), or unavailable through
    one retry budget (it was two, the second after the first); the note says it as before."""
    sandbox = make_sandbox(SHAPES)
    sandbox.inject(Fault(method="ListRevisions", code=code, match="services/chat"))
    shutil.copy(PROFILES / "prod.yaml", tmp_path / "prod.yaml")
    comparison, listed = _compare(sandbox, monkeypatch, tmp_path, services=["chat"])
    assert listed == {"chat": calls}, listed
    [note] = [n for n in comparison.notes if "older revisions" in n]
    assert f"could not be listed (ListRevisions {CHAT}: {code})" in note, note


def test_a_project_named_by_number_lists_each_workload_once(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """prod names acme-prod by its number, 500000000001; Cloud Run names its services with
    the id: each service's revisions are listed once (they were listed again under the id),
    and what is compared is what the id's profile compares."""
    sandbox = make_sandbox(SHAPES)
    text = (PROFILES / "prod.yaml").read_text()
    assert "\nproject: acme-prod\n" in text
    shutil.copy(PROFILES / "prod.yaml", tmp_path / "prod.yaml")
    by_id, listed_by_id = _compare(sandbox, monkeypatch, tmp_path)
    numbered = tmp_path / "numbered"
    numbered.mkdir()
    (numbered / "prod.yaml").write_text(
        text.replace("\nproject: acme-prod\n", '\nproject: "500000000001"\n')
    )
    by_number, listed = _compare(sandbox, monkeypatch, numbered)
    assert listed == listed_by_id, (listed, listed_by_id)
    # search is deploying (--wait 0): its early listing is not used, as with the id
    assert {n for n, count in listed.items() if count > 1} <= {"search"}, listed
    assert len(listed) >= 5, listed
    assert list(by_number.notes) == [n.replace("acme-prod", "500000000001") for n in by_id.notes]
