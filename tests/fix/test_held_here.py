"""A canary held by `drift fix --no-promote`, its journal here (revown61a F1-F3). The plan's
step, the dry run's stop, the fix's stop and `drift check` said it two ways in one run: the
fix's stop read the journal ("held with no traffic by `drift fix --no-promote` … promote it …
or `drift rollback C`"), the others judged the canary by its age alone ("a fix may still be
running … let that fix finish"), though no fix was. One judgement now says what such a canary
is (`drift.fix.canary_left.canary_left`, which check reaches through `JournalCanaries.left`), and
a fix's stop is an `::error` under `--format github`, as the dry run's is."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.errors import ExitCode, UsageError
from drift.fix.apply import FixOptions
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix import conftest as lab
from tests.fix.conftest import ScriptedUI
from tests.runner_commands import commands

HELD = "held with no traffic by `drift fix --no-promote`"
RUNNING = "a fix may still be running"


def held_here(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, str]:
    """`drift fix lab --yes --no-promote`, finished, its journal in tmp_path: the sandbox and
    the change. The canary is minutes old: by its age alone, its fix could still be running."""
    sandbox = make_sandbox(lab.lab_world())
    options = FixOptions(yes=True, promote=False)
    done = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch)
    assert done.change_id is not None, done.summary()
    return sandbox, done.change_id


def test_plan_dry_run_fix_and_check_say_a_held_canary_from_its_journal_here(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, change = held_here(make_sandbox, tmp_path, monkeypatch)
    dry_ui = ScriptedUI()
    with pytest.raises(UsageError) as dry:  # main: "whose journal is not here"
        lab.lab_fix(tmp_path, sandbox, dry_ui, FixOptions(dry_run=True), monkeypatch)
    ui = ScriptedUI()
    stopped = lab.lab_fix(tmp_path, sandbox, ui, FixOptions(yes=True), monkeypatch)
    assert stopped.exit_code is ExitCode.ABORTED, stopped.summary()
    steps = [render_plan(plan, PlanFormat.TABLE) for plan in (*dry_ui.plans, *ui.plans)]
    assert len(steps) == 2
    for text in (str(dry.value), stopped.message, *steps):  # main: the steps said RUNNING
        assert f"the canary app-drift-{change} of change {change}, {HELD}" in text, text
        assert f"`drift rollback {change}` removes the canary" in text, text
        assert RUNNING not in text and "journal is not here" not in text, text
    # revown62a F3: the plan's `blocked:` line said "--from-template builds on the template:
    # its differences roll out", the wrong way on for a change of drift's own; fix's words now
    stop = stopped.message.removeprefix("app: ").removesuffix(": nothing was changed")
    assert [s.stops for plan in (*dry_ui.plans, *ui.plans) for s in plan.services] == [stop] * 2
    assert "--from-template" not in stop and f"{HELD}). Finish that change first" in stop, stop
    checked = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    assert checked.returncode == 1, checked.stderr
    said = " ".join(checked.stdout.split())  # fixjournal62: it said "promote the canary or
    # `drift rollback C` its change where its journal is", not what the journal here says
    assert f"the canary app-drift-{change} of change {change}, {HELD}" in said, said
    assert "promote it (gcloud run services update-traffic app" in said, said
    assert f"`drift rollback {change}` removes the canary" in said, said
    assert RUNNING not in said and "where its journal is" not in said, said  # main: RUNNING


def test_a_fix_that_stops_says_why_as_an_error_annotation_under_format_github(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, change = held_here(make_sandbox, tmp_path, monkeypatch)
    stopped = lab.lab_cli(sandbox, tmp_path, "fix", "lab", "--yes", "--format", "github")
    assert stopped.returncode == ExitCode.ABORTED, stopped.stderr
    errors = [m for name, props, m in commands(stopped.stderr) if props == {"title": "drift"}]
    assert len(errors) == 1, stopped.stderr  # main: none
    assert HELD in errors[0] and errors[0].endswith("nothing was changed"), errors


def test_a_canary_held_beside_a_rollout_is_measured_against_the_revision_it_was_built_on(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown63 F5: the template's revision v2 serves 40% by name beside v1's 60%; a fix
    builds on it and holds its canary (`--no-promote`). Its change (the variables) was built
    on the v2 revision: fix's stop, the plan's and check's warning measured it against v1, the
    larger share, listing the rollout's image as part of it."""
    v1, v2 = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2"
    bad = {"image": v1, "port": 8080, "env": {"DEBUG": "true"}}
    split = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    reseedable.reset(lab.lab_world(template={**bad, "image": v2}, history=[bad], traffic=split))
    held = lab.lab_fix(
        tmp_path, reseedable, ScriptedUI(), FixOptions(yes=True, promote=False), monkeypatch
    )
    assert held.change_id is not None, held.summary()
    ui = ScriptedUI()
    stopped = lab.lab_fix(tmp_path, reseedable, ui, FixOptions(yes=True), monkeypatch)
    assert stopped.exit_code is ExitCode.ABORTED, stopped.summary()
    change = "env.MODE: added (live); env.DEBUG: removed (was true)"
    said = f"the template differs from what serves (app-00002-bav): {change} (the canary"
    (plan,) = ui.plans
    for text in (stopped.message, *(s.stops for s in plan.services)):
        assert said in text and v1 not in text, text  # main: app-00001-goj, image: v1 → v2
    # the differences listed under the `blocked:` line are those it names (helper-811 F1)
    assert [s.template_differences for s in plan.services] == [tuple(change.split("; "))]
    table = render_plan(plan, PlanFormat.TABLE)
    listed = table.split("from what serves:\n", 1)[1]
    assert v1 not in listed.split("\n  set_value", 1)[0], listed  # main: image: v1 → v2
    # the older side's steps move its share onto the revision the change was built on, never
    # the newer side's onto the older image (main: app-00002-bav: v2 → v1)
    assert f"{v2} → {v1}" not in table and f"app-00001-goj: {v1} → {v2}" in table, table
    checked = lab.lab_cli(reseedable, tmp_path, "check", "lab", "--format", "json")
    warned = {f["revision"]: f["message"] for f in json.loads(checked.stdout)["findings"]
              if f["rule"] == "revision.rollout"}  # fmt: skip
    assert f"({change})" in warned["app-00002-bav"], warned
    assert v1 not in warned["app-00001-goj"], warned


def test_a_held_canarys_stop_gives_no_promotion_once_the_traffic_was_moved_since(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown65 F4: v1 60 %, v2 (the template) 40 %; `fix --no-promote` holds a canary built
    on v2, then a teammate moves all traffic to v1. The stop gave the promotion it printed
    (`v1=60,canary=40`: taking back their share) and said `drift rollback` restores the
    traffic as it was, which rollback then refuses (changed since). The same judgement as
    rollback's (`drift.fix.restore.changed_since`) now says so, with no promotion as printed."""
    v1, v2 = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2"
    bad = {"image": v1, "port": 8080, "env": {"DEBUG": "true"}}
    split = [{"revision": 1, "percent": 60}, {"revision": 2, "percent": 40}]
    reseedable.reset(lab.lab_world(template={**bad, "image": v2}, history=[bad], traffic=split))
    options = FixOptions(yes=True, promote=False)
    held = lab.lab_fix(tmp_path, reseedable, ScriptedUI(), options, monkeypatch)
    change = held.change_id
    assert change is not None, held.summary()
    reseedable.update_traffic("fix-lab", "app", {"app-00001-goj": 100})
    plan = lab.lab_cli(reseedable, tmp_path, "plan", "lab")
    fix = lab.lab_cli(reseedable, tmp_path, "fix", "lab", "--yes")
    assert fix.returncode == ExitCode.ABORTED, fix
    for text in (plan.stdout, fix.stdout):
        assert f"the canary app-drift-{change} of change {change}, {HELD}" in text, text
        assert "update-traffic" not in text, text  # main: the journal's split, as printed
        assert "restores the traffic as it was" not in text, text
        assert f"app was changed since drift's last write of change {change}" in text, text
    rollback = lab.lab_cli(reseedable, tmp_path, "rollback", change, "--yes")
    assert rollback.returncode == ExitCode.ABORTED, rollback  # as the stop says


def test_a_held_canarys_promotion_stays_when_only_a_label_changed_since(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown66 F1: someone adds a label (`gcloud run services update --update-labels`: a new
    generation, traffic as drift's canary write left it). The stop said the printed promotion
    "would undo that change" and withheld it, though it moves only the traffic, which nobody
    moved: it is still given, with the change said beside it. The rollback keeps their label
    (it writes only the template, the traffic and what the change set: helper-661 A7), so it
    is offered as it is, never "which refuses it"."""
    import grpc
    from google.cloud import run_v2
    from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport

    reseedable.reset(lab.lab_world())
    options = FixOptions(yes=True, promote=False)
    held = lab.lab_fix(tmp_path, reseedable, ScriptedUI(), options, monkeypatch)
    change = held.change_id
    assert change is not None, held.summary()
    channel = grpc.insecure_channel(reseedable.address)
    services = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
    service = services.get_service(name=reseedable.service("fix-lab", "app").name)
    service.labels["team"] = "payments"
    services.update_service(service=service).result()
    channel.close()
    plan = lab.lab_cli(reseedable, tmp_path, "plan", "lab")
    fix = lab.lab_cli(reseedable, tmp_path, "fix", "lab", "--yes")
    assert fix.returncode == ExitCode.ABORTED, fix
    for text in (plan.stdout, fix.stdout):
        assert f"the canary app-drift-{change} of change {change}, {HELD}" in text, text
        assert "gcloud run services update-traffic app" in text, text  # the promotion, given
        assert "would undo that change" not in text, text
        assert f"app was changed since drift's last write of change {change}" in text, text
        assert f"`drift rollback {change}` removes the canary and restores the" in text, text
        assert "which refuses it" not in text, text


@pytest.mark.parametrize("by_name", [False, True], ids=["to-latest", "to-revisions"])
def test_a_held_canary_a_teammate_routed_latest_to_is_said_with_its_tag_left(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch, by_name: bool
) -> None:
    """revown66: a teammate promotes the held canary themselves (`gcloud run services
    update-traffic app --to-latest`: LATEST → the canary, 100 %). check said "no drift" and
    nothing of drift's tag left on it or of the change its journal still holds: it now says
    the canary serves, that nothing is left to promote, and the command that drops the tag.
    revown67 F3: the same by name (`--to-revisions CANARY=100`, its tag kept), where check said
    "held with no traffic" and "promote the canary by hand"."""
    sandbox, change = held_here(make_sandbox, tmp_path, monkeypatch)
    to = {f"app-drift-{change}": 100} if by_name else {"LATEST": 100}
    sandbox.update_traffic("fix-lab", "app", to)
    checked = lab.lab_cli(sandbox, tmp_path, "check", "lab")
    said = " ".join(checked.stdout.split())
    assert f"drift's canary app-drift-{change} of change {change} serves 100%" in said, said
    assert "nothing is left to promote" in said, said
    assert "held with no traffic" not in said and "promote the canary" not in said, said
    untag = (
        f"gcloud run services update-traffic app --remove-tags drift-{change} "
        "--project fix-lab --region us-central1"
    )
    assert f"remove it with `{untag}`" in said, said
    sandbox.update_traffic("fix-lab", "app", to, remove_tags=(f"drift-{change}",))
    assert "revision.pinned" not in lab.lab_cli(sandbox, tmp_path, "check", "lab").stdout


def test_a_promoted_canary_the_team_pinned_away_from_is_no_pin_of_drifts(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown68 F3: a promoted change, then the team's own pin by name on what served before
    (`gcloud run services update-traffic app --to-revisions app-00001=100`), then a deploy of
    theirs that fails. drift's promoted canary, untagged, is the latest ready revision: check
    said "drift's change C pinned the traffic by name … `drift rollback C` releases the pin",
    which that rollback refuses. drift pins by name only a restoration of a canary that never
    served; this one served, with or without its journal here."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service("fix-lab", "app").latest_ready_revision.rsplit("/", 1)[-1]
    done = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert done.exit_code is ExitCode.OK and done.change_id is not None, done.summary()
    sandbox.update_traffic("fix-lab", "app", {before: 100})
    sandbox.hold_deploys(True)
    sandbox.deploy("fix-lab", "app", image="us-docker.pkg.dev/lab/app:v9")
    sandbox.finish_deploy("fix-lab", "app", failure="Container failed to start.")
    for journal in (tmp_path / ".drift" / "journal", tmp_path / "elsewhere"):
        env = {"DRIFT_JOURNAL_DIR": str(journal)}
        said = " ".join(lab.lab_cli(sandbox, tmp_path, "check", "lab", env=env).stdout.split())
        assert "revision.rollout" in said, said  # their failed deploy is said
        assert "revision.pinned" not in said and "pinned the traffic by name" not in said, said


def test_a_held_canary_a_teammate_routed_a_share_to_is_said_so_by_the_plan_too(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown68 F6: `--to-revisions CANARY=10,BEFORE=90`, its tag kept. check said the canary
    serves 10 %; the plan's step (and `fix --dry-run`'s) called it "held with no traffic" and
    told to promote it by hand. One wording now (`drift.diff.pinned.serving_words`)."""
    sandbox = make_sandbox(lab.lab_world())
    before = sandbox.service("fix-lab", "app").latest_ready_revision.rsplit("/", 1)[-1]
    options = FixOptions(yes=True, promote=False)
    change = lab.lab_fix(tmp_path, sandbox, ScriptedUI(), options, monkeypatch).change_id
    sandbox.update_traffic("fix-lab", "app", {f"app-drift-{change}": 10, before: 90})
    planned = " ".join(lab.lab_cli(sandbox, tmp_path, "plan", "lab").stdout.split())
    assert f"drift's canary app-drift-{change} of change {change} serves 10%" in planned, planned
    assert "held with no traffic" not in planned and "promote the canary" not in planned, planned
