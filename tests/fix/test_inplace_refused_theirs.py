"""helper-661 A1: an update in place of a service's own settings (here its ingress: one
UpdateService sending the template back as read, no canary) and a teammate's write between
drift's read right before it (`drift.fix.reread`) and drift's UpdateService, their etag
current: a label, a 0 % tag, or their own ingress. None of those moves the template, so the
template alone cannot say whose write the service read back one generation on carries.

A server that refuses drift's stale etag (AIP-154 "If a user sends back an etag which does
not match the current etag value, the service must send an ABORTED error response"; sandbox
option `stale_etag: aborted`, the default) did not take drift's update: drift says "nothing
was changed", journals the attempt aborted, their write stands, and a later `drift rollback`
writes nothing (before: "ABORTED, yet the service read back carries it: it landed", journaled
`updated` at THEIR generation, and the rollback then put `ingress: all` over their lockdown,
exit 0). A server that lets it through (`stale_etag: ignored`: service.proto says only that
the etag "May be used to detect modification conflict during updates") took drift's update
over theirs: drift says so (`drift.fix.overwrote`), never "nothing was changed"."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

import drift.fix.workload
from drift.errors import ApiError
from drift.fix.journal import State
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import Clients
from tests.fix.conftest import PROJECT, entries, updates
from tests.fix.test_promotion_refused_theirs import their_write as their_label_or_tag
from tests.sandbox.helpers import service_name

SOLO = (
    "solo",
    f"project: {PROJECT}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
    "      ingress: internal-and-cloud-load-balancing\n",
)
ALL = run_v2.IngressTraffic.INGRESS_TRAFFIC_ALL
INTERNAL = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_ONLY
LOAD_BALANCER = run_v2.IngressTraffic.INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER


def their_write(clients: Clients, what: str) -> Callable[[], None]:
    """A teammate's write of the service as it is (their etag current): a label, a 0 % tag on
    the revision serving (`gcloud run services update-traffic --update-tags`), or their
    ingress (`gcloud run services update --ingress internal`)."""

    def write() -> None:
        if what in ("label", "tag"):  # as before a promotion
            their_label_or_tag(clients, what)
            return
        service = clients.services.get_service(name=service_name("api"))
        service.ingress = INTERNAL
        clients.services.update_service(service=service).result()

    return write


def solo_updated(sandbox: Sandbox, tmp_path: Path) -> None:
    """`drift fix solo --yes` (api's ingress, an update in place), journaled updated."""
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATED, done.stdout + done.stderr


def before_the_update(monkeypatch: pytest.MonkeyPatch, action: Callable[[], None]) -> None:
    """`action` runs right before drift's update in place is sent (after the read right
    before it), once."""
    real = drift.fix.workload.update_workload
    done: list[bool] = []

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        if not done:
            done.append(True)
            action()
        return await real(session, kind, request, **kw)

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)


def theirs_stands(service: run_v2.Service, what: str) -> bool:
    if what == "label":
        return service.labels.get("team") == "theirs"
    if what == "tag":
        return any(t.tag == "theirs" for t in service.traffic_statuses)
    return service.ingress == INTERNAL


@pytest.mark.parametrize("what", ["label", "tag", "ingress"])
def test_an_update_in_place_refused_for_its_stale_etag_did_not_land(
    what: str,
    sandbox: Sandbox,
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sandbox.service(PROJECT, "api")
    assert before.ingress == ALL
    before_the_update(monkeypatch, their_write(clients, what))
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said
    assert "it landed" not in said and "api: updated in place (" not in said, said
    assert "drift's update did not land; nothing was changed" in said, said
    after = sandbox.service(PROJECT, "api")
    assert after.generation == before.generation + 1  # theirs alone
    assert theirs_stands(after, what)
    assert after.ingress != LOAD_BALANCER
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED
    assert [w["landed"] for w in entry.writes] == [False]
    sandbox.clear_calls()
    back = drift_on(sandbox, tmp_path, SOLO, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "nothing left to roll back" in back.stdout, back.stdout
    assert updates(sandbox) == []  # their write is never undone
    now = sandbox.service(PROJECT, "api")
    assert now.etag == after.etag and theirs_stands(now, what)


@pytest.mark.parametrize("what", ["label", "ingress"])
def test_an_update_in_place_let_through_over_theirs_is_said(
    what: str,
    lenient: Sandbox,
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: a server that lets the stale etag through took drift's update over
    theirs; drift says it replaced their write, journals its own at its generation."""
    sandbox = lenient
    before = sandbox.service(PROJECT, "api")
    before_the_update(monkeypatch, their_write(clients, what))
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "nothing was changed" not in said, said
    assert "replaced what they wrote" in said, said
    after = sandbox.service(PROJECT, "api")
    # their label stays: drift's update names only what it sets (review 848 F1; was erased)
    assert after.ingress == LOAD_BALANCER and theirs_stands(after, what) == (what == "label")
    (entry,) = entries(tmp_path)
    assert entry.state == State.UPDATE_FAILED
    (write,) = entry.writes
    assert (write["landed"], write["generation_after"]) == (True, before.generation + 2)


def test_refused_after_theirs_set_the_same_ingress_and_more_never_landed(
    sandbox: Sandbox, clients: Clients, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """helper-817 K2: their write sets the very ingress drift's sets, drift's update is
    refused for its stale etag, then their label: two generations on, the service holds each
    change drift sent — theirs alone. Before: "ABORTED, yet … it landed", exit 0, journaled
    landed (a refusal judged after the read back); now nothing was changed, exit 4."""
    real = drift.fix.workload.update_workload

    async def update_workload(session: Any, kind: Any, request: Any, **kw: Any) -> Any:
        monkeypatch.setattr(drift.fix.workload, "update_workload", real)
        service = clients.services.get_service(name=service_name("api"))
        service.ingress = LOAD_BALANCER  # theirs: drift's own change
        clients.services.update_service(service=service).result()
        try:
            return await real(session, kind, request, **kw)
        except ApiError:
            their_label_or_tag(clients, "label")  # theirs again, after drift's refusal
            raise

    monkeypatch.setattr(drift.fix.workload, "update_workload", update_workload)
    before = sandbox.service(PROJECT, "api")
    done = drift_on(sandbox, tmp_path, SOLO, "fix", "solo", "--yes")
    said = " ".join((done.stdout + done.stderr).split())
    assert done.returncode == 4, said
    assert "drift's update did not land; nothing was changed" in said, said
    assert "it landed" not in said and "api: updated in place (" not in said, said
    after = sandbox.service(PROJECT, "api")
    assert after.generation == before.generation + 2 and after.ingress == LOAD_BALANCER
    (entry,) = entries(tmp_path)
    assert entry.state == State.ABORTED
    assert [w["landed"] for w in entry.writes] == [False]
