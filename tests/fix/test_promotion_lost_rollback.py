"""`drift rollback CHANGE`, as named by a promotion whose answer was lost with a teammate's
writes since (`drift.fix.promotion_lost.unlanded`: exit 3, the entry left `promoting`, the
lock kept). Before (task 860), the named command refused unforced whatever was read ("changed
since drift's last write"), so the canary's pin stayed until `--force`.

Where the service still routes as drift's canary write pinned it (the same targets by
revision and tag, the canary's 0 % tag included, the canary still the latest revision made)
the promotion had not landed when read (it removes that tag: `routed_as_pinned`), and their
writes since are judged as after the canary's write (`kept_since`): labels only, which a
rollback keeps (it writes the template, the traffic and what the change set), so plain
`drift rollback CHANGE` restores what served before and says that theirs stays. Anything
else (their deploy: a revision of theirs) cannot be told apart from drift's promotion landed
and overwritten: refused, saying why and what to run."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix.journal import State
from drift.live.changeids import tagged_change
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI, entries, spec
from tests.fix.test_lock import as_killed
from tests.fix.test_promotion_lost_latest import LATEST, Lost, lost  # noqa: F401  (a fixture)

PINNED = [{"revision": 1, "percent": 100}]


@pytest.mark.parametrize("traffic", [None, PINNED], ids=["latest", "by-name"])
def test_the_named_rollback_restores_a_pin_their_labels_left(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
    traffic: list[dict[str, int]] | None,
) -> None:
    ran = lost(first=True, traffic=traffic)
    assert ran.result.exit_code is ExitCode.INCOMPLETE, ran.said
    (entry,) = entries(tmp_path)
    assert entry.state == State.PROMOTING, entry.history
    before = [tuple(t) for t in spec(ran.sandbox.service(LAB, "app"))]
    assert any(tagged_change(t.tag) for t in ran.sandbox.service(LAB, "app").traffic), before
    ui = ScriptedUI()
    back = lab.rollback(tmp_path, ui, entry.change_id)  # as named, unforced
    said = " ".join(" ".join([*ui.said, back.summary()]).split())
    assert back.exit_code is ExitCode.OK, said  # was 4: "changed since … --force"
    assert "--force" not in said, said
    assert "they changed only its labels again, team, which the rollback keeps" in said, said
    now = ran.sandbox.service(LAB, "app")
    assert (now.labels["team"], now.labels["again"]) == ("theirs", "theirs")  # theirs kept
    assert not any(tagged_change(t.tag) for t in (*now.traffic, *now.traffic_statuses))
    if traffic is None:
        assert spec(now) == [(LATEST, "", 100, "")]
    else:
        assert spec(now) == before[:1] and before[0][2] == 100, (spec(now), before)
    (entry,) = entries(tmp_path)
    assert entry.state == State.ROLLED_BACK, entry.history
    assert not list((lab.journal(tmp_path).directory / "locks").glob("*.lock")), "lock kept"


def test_the_named_rollback_refuses_over_their_deploy_and_says_why(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    """Their deploy made a revision (under drift's pin, which it keeps), and whether drift's
    promotion landed before it cannot be told from the read. Refused, naming why (the lost
    promotion) and what to run."""
    ran = lost(first=True, deploy=True)
    assert ran.result.exit_code is ExitCode.INCOMPLETE, ran.said
    (entry,) = entries(tmp_path)
    refused = lab.rollback(tmp_path, change_id=entry.change_id)
    said = " ".join(refused.summary().split())
    assert refused.exit_code is ExitCode.ABORTED, said
    assert "was changed since drift's last write" in said, said
    assert (
        f"drift's promotion of {ran.canary} was sent and its answer lost, and the service no "
        "longer holds drift's canary write as it landed (its configuration, its routing by "
        "revision and tag, the canary the latest revision made), so whether that promotion "
        "landed before their change, or may land over it yet, cannot be told"
    ) in said, said
    assert f"`drift rollback {entry.change_id} --force`" in said, said
    now = ran.sandbox.service(LAB, "app")
    assert now.template.containers[0].image == "us-docker.pkg.dev/lab/app:v2-from-ci"


def test_drift_check_names_the_rollback_as_it_now_judges_it(
    lost: Lost,  # noqa: F811
    tmp_path: Path,
) -> None:
    """`drift check` on the canary the lost promotion left (its fix gone, the lock stale)
    says what `drift rollback CHANGE` does (`drift.fix.canary_left`, judged as the rollback
    judges it): it restores, keeping their labels; before, "which refuses it (`--force` …)"."""
    ran = lost(first=True)
    (entry,) = entries(tmp_path)
    as_killed(lab.journal(tmp_path).directory / "locks")
    out = lab.lab_cli(ran.sandbox, tmp_path, "check", "lab")
    said = " ".join(out.stdout.split())
    assert (
        f"`drift rollback {entry.change_id}` removes the canary and restores the traffic as it "
        "was before the change (LATEST 100%)"
    ) in said, out.stdout + out.stderr
    assert "which refuses it" not in said, said
