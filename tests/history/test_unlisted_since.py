"""`drift check` says why a finding has no `since` when the revision listing lacks the revision
it is on (a listing that lags the Get: one deployed while drift read the service; AIP-158
promises no consistency), as it says it for a history not read (helper-576 F4: d2d1f54a said
nothing, and "no since" read as "no revision began it")."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

import drift.live.history as live_history
from tests.conftest import ClientsFor, MakeSandbox
from tests.test_check_shapes import check

PROFILE = "project: acme\nregion: us-central1\nservices:\n  api:\n    env:\n"
PROFILE += "      TESTING: {forbidden: true}\n"
WORLD = {"options": {"seed": 3}, "projects": {"acme": {
    "number": 111, "region": "us-central1",
    "services": {"api": {
        "template": {"env": {"TESTING": "1"}},
        "history": [{"created": "30d", "env": {}}, {"created": "10d"}],
    }},
}}}  # fmt: skip


@pytest.mark.parametrize("lagging", [True, False])
def test_a_finding_on_a_revision_the_listing_lacks_says_why_it_has_no_since(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, lagging: bool
) -> None:
    sandbox = make_sandbox(WORLD)
    serving = sandbox.service("acme", "api").latest_ready_revision
    real = live_history.revisions_of

    async def listed(*args: Any) -> list[Any]:
        out = await real(*args)
        return [r for r in out if r.name != serving] if lagging else out

    monkeypatch.setattr(live_history, "revisions_of", listed)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    report = check(sandbox, monkeypatch, profiles=tmp_path).report
    (finding,) = report.findings
    short = serving.rsplit("/", 1)[-1]
    said = [n for n in report.notes if "is not in its revision listing" in n]
    if lagging:
        assert finding.since is None
        assert said == [
            f"api: {short} is not in its revision listing (deployed while drift read the "
            "service): its findings there have no since; run the check again"
        ]
    else:
        assert finding.since is not None and not said


def test_a_finding_on_a_revision_deleted_while_read_says_so(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    clients_for: ClientsFor,
) -> None:
    """helper-650 F5: between the service's read and its listing a deploy moves the traffic
    and the revision the finding is on is deleted. The note said it was "deployed while drift
    read the service"; its number (below the listing's newest) says it was deleted."""
    sandbox = make_sandbox(WORLD)
    clients = clients_for(sandbox)
    serving = sandbox.service("acme", "api").latest_ready_revision
    real = live_history.revisions_of

    async def deleted_first(*args: Any) -> list[Any]:
        sandbox.set_env("acme", "api", "LANDED", "1")  # a deploy: 100 % to its revision
        clients.revisions.delete_revision(name=serving).result(timeout=30)
        return await real(*args)

    monkeypatch.setattr(live_history, "revisions_of", deleted_first)
    (tmp_path / "prod.yaml").write_text(PROFILE)
    report = check(sandbox, monkeypatch, profiles=tmp_path).report
    (finding,) = report.findings
    assert finding.since is None
    short = serving.rsplit("/", 1)[-1]
    assert [n for n in report.notes if "is not in its revision listing" in n] == [
        f"api: {short} is not in its revision listing (deleted while drift read the service): "
        "its findings there have no since; run the check again"
    ]


def test_a_worker_pools_findings_are_looked_up_in_its_own_history() -> None:
    """History is kept by workload key (`worker_pool/api`): a pool's finding was looked up by
    its name, so a service of the same name lent its listing (cecc33eb; helper-580 F4)."""
    from types import SimpleNamespace as NS

    from drift.diff.unlisted import unlisted_revisions
    from drift.findings import Finding, Severity
    from drift.kinds import Kind

    def finding(kind: Kind, revision: str) -> Finding:
        return Finding(
            "i", "env.forbidden", Severity.ERROR, "api", revision, "env.TESTING", "m",
            None, None, None, kind=kind,
        )  # fmt: skip

    state = NS(
        history={"api": [NS(name="api-00001-svc")], "worker_pool/api": [NS(name="api-00001-pl")]}
    )
    services = {"api": NS(label="api"), "worker_pool/api": NS(label="worker pool api")}
    profile = NS(services=services)
    pool, svc = finding(Kind.WORKER_POOL, "api-00002-new"), finding(Kind.SERVICE, "api-00001-svc")
    said = unlisted_revisions(profile, [pool, svc], state)  # type: ignore[arg-type]
    assert said == [
        "worker pool api: api-00002-new is not in its revision listing (deployed while drift "
        "read the service): its findings there have no since; run the check again"
    ]
