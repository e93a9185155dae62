"""Task 864: a promotion whose answer was lost (exit 3, the entry left `promoting`), then
`drift rollback CHANGE` (plain: drift's canary pin kept under their labels; task 860), then the
lost promotion carried out late, over the rollback (its answer lost is no proof it was not:
google/rpc/code.proto DEADLINE_EXCEEDED). It lands only where the server lets its stale etag
through (sandbox `stale_etag: ignored`: run v2's etag "May be used to detect modification
conflict") and reuses the canary's revision of that very configuration under its name
(`same_name_same_config: reuse`, as Knative does): the promotion names it.

Before, the rollback said nothing of it, the entry said `rolled-back`, and a later `drift
rollback CHANGE` said "already rolled back" while traffic had moved to the canary. Now the
rollback says the promotion may still land, and a later one reads the service: the promotion
landed one generation past the rollback's write (its template and traffic) is drift's own,
recorded landed and rolled back again unforced; landed, then someone's write, is judged as any
change since drift's last write (their labels: kept)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import grpc
import pytest
from google.cloud import run_v2
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.live.changeids import tagged_change
from drift.sandbox import Sandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, spec
from tests.fix.test_promotion_lost_latest import LATEST, Lost, Ran, lost  # noqa: F401  (a fixture)

PINNED = [{"revision": 1, "percent": 100}]


def rolled_back(ran: Ran, tmp_path: Path) -> tuple[str, str]:
    """The lost promotion's change, rolled back as named (unforced): its id and what it said."""
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTING, entry.history
    ui = ScriptedUI()
    back = lab.rollback(tmp_path, ui, entry.change_id)
    said = " ".join(" ".join([*ui.said, back.summary()]).split())
    assert back.exit_code is ExitCode.OK, said
    return entry.change_id, said


def update(sandbox: Sandbox, service: Any) -> None:
    with grpc.insecure_channel(sandbox.address) as channel:
        services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
        services.update_service(service=service).result(timeout=10)


def land_late(sandbox: Sandbox, ran: Ran) -> None:
    """drift's lost promotion (the last UpdateService it sent), carried out now."""
    sandbox.scenario.options.stale_etag = "ignored"
    sandbox.scenario.options.same_name_same_config = "reuse"
    update(sandbox, ran.sent[-1])


def serves_canary(sandbox: Sandbox, canary: str) -> bool:
    now = sandbox.service(LAB, "app")
    return now.template.revision == canary and now.latest_ready_revision.endswith(canary)


def test_the_rollback_of_a_lost_promotion_says_it_may_still_land(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    ran = lost(first=True)
    change, said = rolled_back(ran, tmp_path)
    assert (
        f"app: drift's promotion of {ran.canary} (change {change}), whose answer was lost, may "
        "still land over this rollback and move traffic to the canary again (a server may "
        f"carry out a request whose answer was lost): `drift rollback {change}` reads it again "
        "and puts back what served before if it did"
    ) in said, said


@pytest.mark.parametrize("traffic", [None, PINNED], ids=["latest", "by-name"])
def test_a_lost_promotion_landing_after_its_rollback_is_rolled_back_again(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
    traffic: Any,
) -> None:
    ran = lost(first=True, traffic=traffic)
    change, _ = rolled_back(ran, tmp_path)
    restored = spec(ran.sandbox.service(LAB, "app"))
    land_late(ran.sandbox, ran)
    assert serves_canary(ran.sandbox, ran.canary)  # landed late, over the rollback
    ui = ScriptedUI()
    again = lab.rollback(tmp_path, ui, change)  # unforced: drift's own write
    said = " ".join(" ".join([*ui.said, again.summary()]).split())
    assert again.exit_code is ExitCode.OK, said  # was 0 too, "already rolled back": nothing done
    assert "already rolled back" not in said and "--force" not in said, said
    assert (
        f"app: drift's promotion of {ran.canary} (change {change}), whose answer was lost, "
        "landed after its rollback (generation 5 → 6): it is drift's own and is rolled back "
        "again"
    ) in said, said
    now = ran.sandbox.service(LAB, "app")
    assert not serves_canary(ran.sandbox, ran.canary), now
    assert spec(now) == restored, (spec(now), restored)
    if traffic is None:
        assert restored == [(LATEST, "", 100, "")]
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK, entry.history
    assert [(w["step"], w["landed"]) for w in entry.writes] == [
        ("canary", True),
        ("promotion", None),
        ("rollback", True),
        ("promotion", True),  # the late landing, recorded
        ("rollback", True),
    ], entry.writes
    ui = ScriptedUI()
    last = lab.rollback(tmp_path, ui, change)
    assert last.exit_code is ExitCode.OK and "already rolled back" in " ".join(ui.said), ui.said


def test_landed_late_then_their_labels_is_judged_as_a_change_since(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The late promotion, then their label: not "already rolled back"; their change since
    judged as today (labels: what a rollback keeps), saying the generation is not known."""
    ran = lost(first=True)
    change, _ = rolled_back(ran, tmp_path)
    land_late(ran.sandbox, ran)
    theirs = ran.sandbox.service(LAB, "app")  # a teammate's label, after the late landing
    theirs.labels["late"] = "theirs"
    update(ran.sandbox, theirs)
    ui = ScriptedUI()
    again = lab.rollback(tmp_path, ui, change)
    said = " ".join(" ".join([*ui.said, again.summary()]).split())
    assert again.exit_code is ExitCode.OK, said
    assert (
        f"drift's promotion of {ran.canary} (change {change}), whose answer was lost, landed "
        "after its rollback (the service holds its template and traffic again, generation 5 → "
        "7) and someone wrote since: recorded landed at generation 6, the earliest it can have "
        "landed (which one is not known)"
    ) in said, said
    assert "which the rollback keeps" in said, said
    now = ran.sandbox.service(LAB, "app")
    assert now.labels["late"] == "theirs" and not serves_canary(ran.sandbox, ran.canary)
    assert not any(tagged_change(t.tag) for t in now.traffic)
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK, entry.history


def test_drift_check_after_the_late_landing_claims_no_rollback(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`drift check` after the late landing: the canary serves what the profile asks (no
    drift), its tag gone with the promotion: no note of a canary left, none of a rollback."""
    ran = lost(first=True)
    rolled_back(ran, tmp_path)
    land_late(ran.sandbox, ran)
    out = lab.lab_cli(ran.sandbox, tmp_path, "check", "lab")
    said = " ".join(out.stdout.split())
    assert out.returncode == 0 and "no drift" in said, out.stdout + out.stderr
    assert "rolled back" not in said and "drift rollback" not in said, said


def test_after_a_forced_rollback_over_their_deploy_alike(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Their deploy under drift's pin: the rollback refuses unforced (task 860); `--force`
    puts back what served, says the promotion may still land, and a later plain rollback
    catches it landed."""
    ran = lost(first=True, deploy=True)
    (entry,) = entries(tmp_path)
    ui = ScriptedUI()
    forced = lab.rollback(tmp_path, ui, entry.change_id, force=True)
    said = " ".join(" ".join([*ui.said, forced.summary()]).split())
    assert forced.exit_code is ExitCode.OK, said
    assert "may still land over this rollback and move traffic to the canary again" in said
    land_late(ran.sandbox, ran)
    assert serves_canary(ran.sandbox, ran.canary)
    ui = ScriptedUI()
    again = lab.rollback(tmp_path, ui, entry.change_id)
    said = " ".join(" ".join([*ui.said, again.summary()]).split())
    assert again.exit_code is ExitCode.OK and "rolled back again" in said, said
    assert not serves_canary(ran.sandbox, ran.canary)
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK, entry.history
