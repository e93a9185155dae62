"""helper-661 A2 (SPEC invariant 9): `drift fix --yes`, and a teammate's write between drift's
read right before the promotion (`drift.fix.reread`) and the promotion's UpdateService, their
etag current: a label, or a 0 % tag on the serving revision (`gcloud run services
update-traffic --update-tags`). Neither makes a revision.

A server that refuses drift's stale etag (AIP-154: "If a user sends back an etag which does
not match the current etag value, the service must send an ABORTED error response"; sandbox
`stale_etag: aborted`, the default) did not take the promotion: the canary never served. drift
cleans up as when the re-read catches the same write (tests/fix/test_cleanup_keeps_their_write.py,
test_cleanup_keeps_their_routing.py): after a label, the routing that served (LATEST 100 %)
back and the label kept; after a tag, the canary's tag and template undone around their
routing. Before, drift left its canary trap as it was — traffic pinned by name, the canary
tagged, the template the canary's unpromoted patch, which the team's next deploy builds on —
journaled `aborted`, and `drift rollback` refused it without --force.

A server that lets the stale etag through (`stale_etag: ignored`: service.proto says only
that the etag "May be used to detect modification conflict during updates") took the
promotion over their write: drift says so (`drift.fix.overwrote`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.fix.journal import State
from drift.live.changeids import tagged_change
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift
from tests.conftest import Clients
from tests.fix.conftest import (
    PROJECT,
    before_the_write,
    config,
    entries,
    ready_config,
    spec,
    updates,
)
from tests.sandbox.helpers import service_name

LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"


def fix_cli(env: dict[str, str], tmp_path: Path, *args: str) -> Any:
    """`drift ARGS --profiles REPO/profiles` as a user runs it (in-process: the test's
    monkeypatches hold), its journal in tmp_path."""
    return drift(
        *args,
        "--profiles",
        str(REPO / "profiles"),
        env={**env, "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal")},
        cwd=tmp_path,
        timeout=120,
    )


def their_write(clients: Clients, what: str) -> None:
    """A teammate's label, or 0 % tag `theirs` on the revision serving most, written on the
    service as it is (their etag current)."""
    service = clients.services.get_service(name=service_name("api"))
    if what == "label":
        service.labels["team"] = "theirs"
    else:
        serving = max(service.traffic_statuses, key=lambda t: t.percent).revision
        service.traffic.append(
            run_v2.TrafficTarget(
                type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
                revision=serving,
                percent=0,
                tag="theirs",
            )
        )
    clients.services.update_service(service=service).result()


def theirs_stands(service: run_v2.Service, what: str) -> bool:
    if what == "label":
        return service.labels.get("team") == "theirs"
    return any(t.tag == "theirs" for t in service.traffic_statuses)


@pytest.mark.parametrize("what", ["label", "tag"])
def test_a_promotion_refused_for_their_write_cleans_up_keeping_it(
    what: str,
    sandbox: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    before = sandbox.service(PROJECT, "api")
    served = ready_config(sandbox, before)
    before_the_write(monkeypatch, 2, lambda question: their_write(clients, what))
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 4, said  # aborted safely, the canary cleaned up
    assert "ABORTED" in said, said  # the promotion was refused for its stale etag
    (entry,) = entries(tmp_path)
    assert entry.state == State.CLEANED_UP, said
    canary = entry.canary_revision
    now = sandbox.service(PROJECT, "api")
    assert theirs_stands(now, what)  # their write stands
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    assert config(now.template) == served  # no longer the canary's unpromoted patch
    ready = now.latest_ready_revision.split("/")[-1]
    assert ready != canary and config(sandbox.revision(PROJECT, "api", ready)) == served
    assert all(t.revision.split("/")[-1] != canary for t in now.traffic_statuses)
    if what == "label":  # the routing that served, LATEST, with their label
        assert "keeping their change" in said, said
        assert spec(now) == spec(before) == [(LATEST, "", 100, "")]
    else:  # their routing as they set it (their tag beside drift's pin), drift's undone
        assert "keeping their routing" in said, said
    sandbox.clear_calls()
    back = fix_cli(env, tmp_path, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "nothing left to roll back" in back.stdout, back.stdout
    assert updates(sandbox) == []


@pytest.mark.parametrize("what", ["label", "tag"])
def test_a_promotion_let_through_over_their_write_is_said(
    what: str,
    lenient: Sandbox,
    env: dict[str, str],
    clients: Clients,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """The control: the server took drift's stale promotion over their write."""
    sandbox = lenient
    before_the_write(monkeypatch, 2, lambda question: their_write(clients, what))
    done = fix_cli(env, tmp_path, "fix", "e2e", "--service", "api", "--yes")
    said = done.stdout + done.stderr
    assert done.returncode == 1, said
    assert "replaced what they wrote" in said, said
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTED
    now = sandbox.service(PROJECT, "api")
    # their label stays: the promotion names only what it sets (review 848 F1; was erased)
    assert theirs_stands(now, what) == (what == "label")
    assert now.latest_ready_revision.split("/")[-1] == entry.canary_revision
