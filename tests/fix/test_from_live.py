"""`drift rollback CHANGE --from-live ENV` (drift/fix/recover.py) and what `check` and `plan` say
of a killed fix's canary, where the journal cannot be read: whose pin it is (the revisions
tell a pin older than the canary), whether the fix may still be running (its canary's age),
and what a 0 % tag on the pinned revision may have been. Against the sandbox (revown11)."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import LAB, ScriptedUI
from tests.fix.test_killed_fix import aged, killed_after_the_canary_landed, said

LATEST = "TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST"
REVISION = "TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION"
CANDIDATE = "us-docker.pkg.dev/lab/app:v2-candidate"


def teams_hold(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> tuple[Sandbox, str, list[Any], str]:
    """The team holds its deploys back (`gcloud run deploy --no-traffic`: rev 1 pinned 100 %,
    rev 2 a ready candidate at 0 %); a `drift fix --from-template` on it is killed after its
    canary landed: the sandbox, the change, the team's traffic as it was before the fix, and
    the candidate revision."""
    sandbox = make_sandbox(lab.lab_world())
    held = lab.deploy_no_traffic(clients_for(sandbox), lab.lab_name(), CANDIDATE)
    candidate = held.latest_ready_revision.rsplit("/", 1)[-1]
    team_pin = lab.spec(sandbox.service(LAB, "app"))
    assert [t[0] for t in team_pin] == [REVISION]
    options = FixOptions(yes=True, from_template=True)
    _, change, _ = killed_after_the_canary_landed(
        make_sandbox, tmp_path, monkeypatch, sandbox=sandbox, options=options
    )
    return sandbox, change, team_pin, candidate


def test_from_live_keeps_a_pin_the_revisions_prove_was_the_teams(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """drift's canary write pins LATEST's share to the latest ready revision before the canary
    (rev 2 here): a pin on rev 1, older than the ready rev 2, was there before drift. The
    journal's rollback puts that pin back; `--from-live` turned it into LATEST 100 %, so the
    team's next deploy would have served at once. It now keeps the pin exactly, removes the
    canary's target and tag, and puts the template back to the candidate's configuration (as
    the journal's rollback does), which the pin gives no traffic."""
    sandbox, change, team_pin, candidate = teams_hold(
        make_sandbox, tmp_path, monkeypatch, clients_for
    )
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    done = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert done.returncode == 0, said(done)
    now = sandbox.service(LAB, "app")
    assert lab.spec(now) == team_pin, said(done)  # the team's pin, the canary's tag gone
    assert "is older than drift's canary" in said(done) and "stays exactly as it is" in said(done)
    assert not any(t.tag for t in now.traffic_statuses)
    new = now.latest_created_revision.rsplit("/", 1)[-1]
    assert new not in lab.shares(now)  # the restored template serves nothing under the pin
    restored = lab.config(sandbox.revision(LAB, "app", new))
    assert restored == lab.config(sandbox.revision(LAB, "app", candidate))
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert "revision.pinned" not in said(check), said(check)


def test_no_to_latest_command_for_a_deploy_held_by_the_teams_own_pin(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """After the killed fix the team deploys its next candidate (v3), which its own pin keeps
    at 0 % as it means to. The journal's refusal offers no `--to-latest` (its routing had no
    LATEST before drift); without the journal, `check`, `plan` and `--from-live` called v3
    caught by drift's pin and printed `gcloud run services update-traffic app --to-latest`,
    which would send the untested candidate 100 %. Each now says the pin is the team's."""
    sandbox, change, *_ = teams_hold(make_sandbox, tmp_path, monkeypatch, clients_for)
    aged(sandbox)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v3-candidate")
    with_journal = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--yes")
    assert "--to-latest" not in said(with_journal), said(with_journal)
    shutil.rmtree(tmp_path / ".drift")
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    plan = lab.lab_cli(sandbox, tmp_path, "plan", "lab")
    sandbox.clear_calls()
    live = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert live.returncode == 4 and lab.updates(sandbox) == [], said(live)
    for run in (check, plan, live):
        assert "--to-latest" not in said(run), said(run)
        assert "is older than drift's canary" in said(run), said(run)
    assert "is held at 0 % by that pin" in said(check), said(check)


def test_from_live_does_not_roll_back_a_fix_that_is_still_running(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix runs in CI and waits at its promotion prompt (it may hold its probe for up to an
    hour). A teammate's `drift check` named `drift rollback CHANGE --from-live lab` for that
    canary, and `--from-live` rolled the fix in flight back (its lock is in the CI journal,
    out of reach). A canary younger than a fix can run (`CLEANUP_WINDOW`) is now refused
    without --stopped (which names what the operator asserts), and check says a fix may still
    be running instead of offering it. `--force` (someone's change since drift's last write)
    does not lift it: the refusal stays and names --stopped."""
    sandbox = make_sandbox(lab.lab_world())
    laptop = tmp_path / "laptop"
    laptop.mkdir()
    seen: dict[str, Any] = {}

    def at_prompt(question: str) -> None:
        if "Move all traffic" not in question or "check" in seen:
            return
        change = lab.entries(tmp_path)[0].change_id
        seen["check"] = lab.lab_cli(sandbox, laptop, "check", "lab")
        seen["live"] = lab.lab_cli(
            sandbox, laptop, "rollback", change, "--from-live", "lab", "--yes"
        )
        sandbox.clear_calls()
        seen["forced"] = lab.lab_cli(
            sandbox, laptop, "rollback", change, "--from-live", "lab", "--yes", "--force"
        )
        seen["writes"] = lab.updates(sandbox)

    ui = ScriptedUI([True, True, True], on_confirm=at_prompt)
    result = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(), monkeypatch)
    assert "live" in seen, ui.questions
    assert "--from-live" not in said(seen["check"]), said(seen["check"])
    assert "a fix may still be running" in said(seen["check"]), said(seen["check"])
    refused = said(seen["live"])
    assert seen["live"].returncode == 4, refused
    assert "a fix may still be running" in refused and "--stopped" in refused, refused
    assert "--force" not in refused, refused
    forced = said(seen["forced"])
    assert seen["forced"].returncode == 4 and seen["writes"] == [], forced
    assert "a fix may still be running" in forced and "with --stopped once" in forced, forced
    assert result.exit_code == 0, (result, ui.said)  # the fix went on and was promoted


def tag_latest(clients: Any, tag: str) -> None:
    """What `gcloud run services update-traffic app --update-tags head=LATEST` leaves: LATEST
    100 % and a 0 % LATEST target carrying the tag (a preview URL that follows each deploy)."""
    kinds = run_v2.TrafficTargetAllocationType
    service = clients.services.get_service(name=lab.lab_name())
    service.traffic = [
        run_v2.TrafficTarget(type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=100),
        run_v2.TrafficTarget(type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, tag=tag),
    ]
    service.client, service.client_version = "gcloud", "467.0.0"
    clients.services.update_service(service=service).result()


def test_from_live_says_a_tag_on_the_pinned_revision_may_have_followed_latest(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """`head`, a 0 % tag on LATEST, is pinned to the serving revision with LATEST's share by
    the canary write. Without the journal it reads as a tag that was always on that revision:
    `--from-live` left it there and its preview called that "the revision it was before". It
    still leaves it (the routing is not guessed), and says before the prompt that `head` may
    have followed LATEST, which only the journal tells."""
    sandbox = make_sandbox(lab.lab_world())
    tag_latest(clients_for(sandbox), "head")
    _, change, _ = killed_after_the_canary_landed(
        make_sandbox, tmp_path, monkeypatch, sandbox=sandbox
    )
    served = next(iter(lab.shares(sandbox.service(LAB, "app"))))
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    done = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert done.returncode == 0, said(done)
    preview = said(done).split("afterwards:")[0]
    assert "(head) may have followed LATEST" in preview, said(done)
    assert lab.spec(sandbox.service(LAB, "app")) == [
        (LATEST, "", 100, ""),
        (REVISION, served, 0, "head"),
    ]


def test_the_to_latest_command_says_a_tag_it_leaves_may_have_followed_latest(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    clients_for: ClientsFor,
) -> None:
    """The same `head` tag, and the team deployed under drift's pin since: the `--to-latest
    --remove-tags drift-…` command check and `--from-live` name lets their deploy serve, and
    leaves `head` where the pin froze it; each says so."""
    sandbox = make_sandbox(lab.lab_world())
    tag_latest(clients_for(sandbox), "head")
    _, change, _ = killed_after_the_canary_landed(
        make_sandbox, tmp_path, monkeypatch, sandbox=sandbox
    )
    shutil.rmtree(tmp_path / ".drift")
    aged(sandbox)
    sandbox.deploy(LAB, "app", image="us-docker.pkg.dev/lab/app:v2-from-ci")
    check = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    live = lab.lab_cli(sandbox, tmp_path, "rollback", change, "--from-live", "lab", "--yes")
    assert live.returncode == 4, said(live)
    for run in (check, live):
        assert "--to-latest" in said(run), said(run)
        assert "(head) may have followed LATEST" in said(run), said(run)
        assert "that command leaves them on it" in said(run), said(run)


def test_fix_beside_a_canary_a_fix_may_still_be_deploying_says_what_check_says(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A fix from another journal (CI) is still deploying its canary when `drift fix` runs
    here. It called the canary "left by a fix that did not finish" and offered `drift
    rollback CHANGE --from-live lab`, which refuses a canary that young, and its plan's step
    said so too (revkill60 F2). Both now say what `drift check` says: a fix may still be
    running; wait for it, or finish it from its journal."""
    sandbox, change, _ = killed_after_the_canary_landed(make_sandbox, tmp_path, monkeypatch)
    shutil.rmtree(tmp_path / ".drift")  # its journal is the CI runner's; its canary is young
    ui = ScriptedUI()
    refused = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    assert refused.exit_code is ExitCode.ABORTED, refused.summary()
    (plan,) = ui.plans
    step = render_plan(plan, PlanFormat.TABLE)
    for text in (refused.message, step):
        assert "a fix may still be running: its canary app-drift-" in text, text
        assert "did not finish" not in text and "stopped before its promotion" not in text
        assert "--from-live" not in text, text  # refused while a fix may be running
        assert f"`drift rollback {change}` where it is" in text, text
