"""A teammate's deploy lands between drift's promotion (answered done: traffic moved to the
canary) and drift's read-back of the service (drift/fix/canary.py `_promote`, a service two
generations past what drift promoted from). Deploys are held, so each write settles when the
test says (the sandbox's `hold_deploys`/`finish_deploy`): through the real `drift fix` CLI,
the journal and the message say drift's promotion landed (its operation's answer) and that
someone else wrote since; `drift rollback` then refuses to undo their change unforced. Or the
promotion lands and its reconciliation fails (the write in another shape)."""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import REPO
from tests.conftest import ClientsFor
from tests.fix.conftest import PROJECT
from tests.fix.test_workload_settles_after import cli

WEB = f"projects/{PROJECT}/locations/us-central1/services/web"
CODE = 0  # the re-check's (their HOTFIX is a warning): a completed fix, never 4 (helper-661 A3)


@pytest.fixture(scope="module")
def lab() -> Iterator[Sandbox]:
    with Sandbox() as sandbox:
        yield sandbox


def writes(sandbox: Sandbox) -> int:
    return sum(
        1
        for c in sandbox.calls
        if c.short == "UpdateService" and c.code == "OK" and not c.request.validate_only
    )


def fix_overtaken(sandbox: Sandbox, tmp_path: Path, failure: str | None = None) -> tuple[int, str]:
    """`drift fix e2e --yes -s web`: its canary settles, then its promotion is written and,
    before it settles, a teammate deploys over it (or, with `failure`, it settles failed)."""
    sandbox.hold_deploys()
    result: list[tuple[int, str]] = []
    args = ("fix", "e2e", "--yes", "-s", "web", "--profiles", str(REPO / "profiles"))
    run = threading.Thread(target=lambda: result.append(cli(sandbox, tmp_path, *args)))
    run.start()
    settled = 0
    deadline = time.monotonic() + 60
    while run.is_alive() and time.monotonic() < deadline:
        sent = writes(sandbox)
        if sent == 1 and not settled:
            sandbox.finish_deploy(PROJECT, "web")  # the canary
            settled = 1
        elif sent == 2 and failure:
            sandbox.finish_deploy(PROJECT, "web", failure=failure)
            break
        elif sent == 2:
            sandbox.deploy(PROJECT, "web", env={"HOTFIX": "1"})  # settles drift's promotion
            sandbox.finish_deploy(PROJECT, "web")  # and then theirs
            break
        time.sleep(0.02)
    run.join(60)
    assert result, "drift fix did not finish"
    return result[0]


def test_a_deploy_over_drifts_promotion_before_its_read_back(lab: Sandbox, tmp_path: Path) -> None:
    """On main drift said its promotion "may have landed before their change (its answer: the
    service could not be read back)" although its operation had answered done and the service
    was read back, and journaled the promotion as of unknown outcome (`aborted`)."""
    lab.reset()
    code, out = fix_overtaken(lab, tmp_path)
    (entry,) = [json.loads(p.read_text()) for p in (tmp_path / "journal").glob("*.json")]
    promotion = entry["writes"][-1]
    canary = promotion["revision"]
    assert f"web: traffic moved to {canary} (generation 4), then the service was changed " in out
    assert "meanwhile by someone else (generation 4 → 5, last modified by deployer@" in out, out
    assert "could not be read back" not in out and "nothing was changed" not in out, out
    assert "--force` would undo it too" in out, out
    assert "their change stands (what serves now: LATEST 100% → web-00005-" in out, out
    assert "re-check after the fix:" in out and "env.HOTFIX" in out, out  # the re-check ran
    assert entry["state"] == "promoted", entry["history"]
    assert (promotion["step"], promotion["landed"], promotion["generation_after"]) == (
        "promotion",
        True,
        4,
    )
    assert code == CODE, out
    lab.hold_deploys(False)
    code, out = cli(lab, tmp_path, "rollback", "--yes")
    assert code == 4, out
    assert "web was changed since drift's last write of change" in out, out
    assert "(generation 4 → 5, last modified by deployer@" in out, out
    forced = f"`drift rollback {entry['change_id']} --force` restores anyway"
    assert f"nothing was changed ({forced})" in out, out


def test_a_promotion_that_lands_and_fails_to_route(lab: Sandbox, tmp_path: Path) -> None:
    """The promotion is written (generation 4, LATEST 100 %) and its reconciliation fails:
    Service.reconciling, "If reconciliation failed, traffic_statuses … will have the state
    of the last serving revision" (run v2 service.proto). The promotion landed in another
    shape (canary.py `_promote`): journaled aborted with the write landed, said as written
    but not serving, with the rollback named; the rollback then restores what served."""
    lab.reset()
    code, out = fix_overtaken(lab, tmp_path, failure="Revision could not be routed")
    (entry,) = [json.loads(p.read_text()) for p in (tmp_path / "journal").glob("*.json")]
    promotion, canary = entry["writes"][-1], entry["canary_revision"]
    assert code == 4, out
    assert (
        f"web: the promotion was written but the canary {canary} does not serve 100% (what "
        f"serves: web-00002-gon 100%; {canary} 0%"
    ) in out
    assert f"`drift rollback {entry['change_id']}` restores what served before" in out, out
    assert "nothing was changed" not in out, out
    assert entry["state"] == "aborted", entry["history"]
    assert (promotion["step"], promotion["landed"], promotion["generation_after"]) == (
        "promotion",
        True,
        4,
    )
    lab.hold_deploys(False)
    code, out = cli(lab, tmp_path, "rollback", "--yes")
    assert code == 0, out
    assert "web: restored (what serves: LATEST 100% → " in out, out


def test_a_lost_canary_answer_then_a_teammates_deploy_and_an_unreadable_canary(
    lab: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """canary.py `_recover_canary`: the canary write lands and its answer is lost (INTERNAL
    after the call was carried out); before drift reads the service back a teammate deploys
    and removes the canary's tag, and GetRevision of the canary is refused: whether the canary
    exists cannot be told. drift says so (never "nothing was changed"), journals
    canary-failed, exits 4, and names the rollback."""
    lab.reset()
    lab.hold_deploys()
    lab.inject(Fault("UpdateService", "INTERNAL", first_n=1, after=True))
    clients = clients_for(lab)
    result: list[tuple[int, str]] = []
    args = ("fix", "e2e", "--yes", "-s", "web", "--profiles", str(REPO / "profiles"))
    run = threading.Thread(target=lambda: result.append(cli(lab, tmp_path, *args)))
    run.start()
    deadline = time.monotonic() + 60
    while run.is_alive() and time.monotonic() < deadline:
        calls = [c for c in lab.calls if c.short in ("UpdateService", "GetService")]
        shorts = [c.short for c in calls]
        if "UpdateService" in shorts and "GetService" in shorts[shorts.index("UpdateService") :]:
            break
        time.sleep(0.02)
    # all while deploys are held: drift, reading the service reconciling, sees only the end
    lab.deploy(PROJECT, "web", env={"HOTFIX": "1"})
    service = clients.services.get_service(name=WEB)
    kept = [t for t in service.traffic if not t.tag.startswith("drift-")]
    del service.traffic[:]
    service.traffic.extend(kept)
    clients.services.update_service(service=service)  # `update-traffic --remove-tags`
    lab.inject(Fault("GetRevision", "PERMISSION_DENIED"))
    lab.finish_deploy(PROJECT, "web")
    lab.hold_deploys(False)
    run.join(60)
    assert result, "drift fix did not finish"
    code, out = result[0]
    (entry,) = [json.loads(p.read_text()) for p in (tmp_path / "journal").glob("*.json")]
    canary = entry["canary_revision"]
    assert code == 4, out
    assert f"web: deploying the canary {canary} failed (UpdateService " in out, out
    assert (
        "and the service was written since: whether the canary exists could not be read. "
        f"`drift rollback {entry['change_id']}` says what it finds"
    ) in out
    assert "nothing was changed" not in out, out
    assert entry["state"] == "canary-failed", entry["history"]
    assert entry["writes"][-1]["landed"] is None, entry["writes"]  # its outcome is unknown
    lab.clear_faults()
    code, out = cli(lab, tmp_path, "rollback", "--yes")  # their deploy is on top: refused
    assert code == 4, out
    assert "web was changed since drift's last write of change" in out, out
    assert "the lines above list (the rest of it stays); nothing was changed" in out, out
