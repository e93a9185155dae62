"""helper-650 F4: a revision the service's read names (a split's other half) is deleted before
drift's GetRevision of it: a deploy moved the traffic to a new revision, then `gcloud run
revisions delete` (Cloud Run allows it once it serves nothing and no tag names it). The check
is incomplete (exit 3) as before, and its unverified item now says why the NOT_FOUND came: the
service named it when read, so it changed while drift read it; run again (it was a bare
NOT_FOUND, read as a permissions or naming problem)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.live.reader as reader
from tests.conftest import ClientsFor, MakeSandbox
from tests.test_check_shapes import check

OLD = "api-00001-old"
WORLD = {"options": {"seed": 3}, "projects": {"acme": {
    "number": 111, "region": "us-central1",
    "services": {"api": {
        "template": {"env": {"MODE": "live"}},
        "history": [{"name": OLD, "env": {"MODE": "old"}}],
        "traffic": [{"latest": True, "percent": 50}, {"revision": OLD, "percent": 50}],
    }},
}}}  # fmt: skip
PROFILE = "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n      MODE: live\n"


@pytest.mark.parametrize("deleted", [True, False])
def test_a_revision_deleted_after_the_service_read_says_it_changed_while_read(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clients_for: ClientsFor,
    deleted: bool,
) -> None:
    sandbox = make_sandbox(WORLD)
    clients = clients_for(sandbox)
    name = f"projects/acme/locations/us-central1/services/api/revisions/{OLD}"
    real = reader.get_revision

    async def moved_first(*args: Any) -> Any:
        if args[-1] == name and deleted:
            sandbox.set_env("acme", "api", "MODE", "live")  # a deploy: 100 % to its revision
            clients.revisions.delete_revision(name=name).result(timeout=30)
        return await real(*args)

    monkeypatch.setattr(reader, "get_revision", moved_first)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    report = check(sandbox, monkeypatch, profiles=tmp_path).report
    if not deleted:  # what was read held still: the old half's drift, said
        assert report.exit_code == 1 and not report.unverified, report.unverified
        return
    assert report.exit_code == 3, report
    (item,) = [u for u in report.unverified if u.target == f"revision.{OLD}"]
    assert item.reason.startswith(f"GetRevision {name}: NOT_FOUND"), item.reason
    assert item.reason.endswith(
        "; the service named it when read: it changed while drift read, run again"
    ), item.reason
