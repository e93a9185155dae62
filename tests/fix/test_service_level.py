"""Settings Cloud Run holds on the service, not on a revision (service-level scaling, ingress,
the IAM invoker check, the default URL): with a template change, the canary's write applies
them at once, so the plan says so; alone, the fix is one UpdateService in place, no canary and
no new revision (nothing a revision runs changes: a canary would prove nothing), traffic
untouched. A rollback puts them back as they were (judged from the sandbox's own service)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions, FixResult
from drift.fix.formats import PlanFormat
from drift.fix.render import render_plan
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    assert_serves_as_before,
    entries,
    fix,
    lab_here,
    lab_profiles,
    lab_world,
    rollback,
    spec,
    updates,
)


def min_two_wants_three(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> tuple[Sandbox, Path]:
    """The lab's service at a service-level minimum of 2, its profile asking for 3 (the
    environment set for the sandbox, the working directory `tmp_path`)."""
    world = lab_world()
    world["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 2}
    sandbox = make_sandbox(world)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = lab_profiles(tmp_path)
    lab = profiles / "lab.yaml"
    lab.write_text(lab.read_text() + "    settings:\n      min_instances: 3\n")
    return sandbox, profiles


def test_rollback_puts_back_service_level_scaling(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox, profiles = min_two_wants_three(make_sandbox, tmp_path, monkeypatch)
    ui = ScriptedUI()
    options = FixOptions(yes=True, verify=False, promote=False)
    result = fix(tmp_path, sandbox.environ(), ui, options, environment="lab", profiles=profiles)
    assert result.exit_code in (ExitCode.OK, ExitCode.DRIFT), result.summary()
    (sp,) = result.plan.services
    assert "min_instances" in {s.name for s in sp.settings}
    table = render_plan(result.plan, PlanFormat.TABLE)
    assert "applied to the service at once" in table and "min_instances" in table
    # gcloud's flag for the service-level minimum is --min (--min-instances: the revision's)
    script = render_plan(result.plan, PlanFormat.GCLOUD)
    assert " --min=3" in script and "--min-instances" not in script, script
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 3  # at once, as said
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert sandbox.service(LAB, "app").scaling.min_instance_count == 2


IMAGE = "us-docker.pkg.dev/lab/app:v1"


def _own_settings_world(**service: Any) -> dict[str, Any]:
    """`lab_world` whose template is what the profile wants (no variable drifts)."""
    world = lab_world(template={"image": IMAGE, "port": 8080})
    world["projects"][LAB]["services"]["app"].update(service)
    return world


def _fix_own(
    tmp_path: Path,
    sandbox: Sandbox,
    settings: str,
    monkeypatch: pytest.MonkeyPatch,
    ui: ScriptedUI | None = None,
) -> FixResult:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n{settings}"
    )
    ui = ui or ScriptedUI()
    options = FixOptions(yes=not ui.answers, verify=False)
    return fix(tmp_path, sandbox.environ(), ui, options, environment="lab", profiles=folder)


def _served(service: run_v2.Service) -> tuple[str, Any, Any]:
    """What runs and serves: the latest revision created, the traffic spec and statuses."""
    statuses = [(s.type_, s.revision, s.percent, s.tag) for s in service.traffic_statuses]
    return service.latest_created_revision, spec(service), statuses


@pytest.mark.parametrize(
    ("world", "settings", "held"),
    [
        ({}, "      ingress: internal\n", lambda s: s.ingress.name),
        (
            {"scaling": {"minInstanceCount": 2}},
            "      min_instances: 3\n",
            lambda s: s.scaling.min_instance_count,
        ),
        ({}, "      invoker_iam_disabled: true\n", lambda s: s.invoker_iam_disabled),
        ({}, "      default_uri_disabled: true\n", lambda s: s.default_uri_disabled),
    ],
    ids=["ingress", "service-min", "invoker-iam", "default-uri"],
)
def test_a_fix_of_the_services_own_settings_makes_no_revision_and_rolls_back(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    world: dict[str, Any],
    settings: str,
    held: Any,
) -> None:
    sandbox = make_sandbox(_own_settings_world(**world))
    before = sandbox.service(LAB, "app")
    was = held(before)
    sandbox.clear_calls()
    ui = ScriptedUI([True])
    result = _fix_own(tmp_path, sandbox, settings, monkeypatch, ui)
    assert result.exit_code is ExitCode.OK, result.summary()
    # the plan and the prompt say it: one update in place, no new revision, and why
    (sp,) = result.plan.services
    assert sp.has_patch and not sp.changes_template
    table = render_plan(result.plan, PlanFormat.TABLE)
    assert "no canary and no new revision" in table and "a canary would prove nothing" in table
    assert (
        json.loads(render_plan(result.plan, PlanFormat.JSON))["services"][0]["new_revision"]
        is False
    )
    (question,) = ui.questions
    assert "in place (no canary, no new revision" in question, question
    # one confirmed UpdateService, journaled first (etag), what runs and serves untouched
    (write,) = updates(sandbox)
    assert not write.validate_only and write.service.etag == before.etag
    after = sandbox.service(LAB, "app")
    assert held(after) != was
    assert _served(after) == _served(before)  # no revision made, traffic as it was
    assert_serves_as_before(sandbox, LAB, "app", before, canary="")
    (entry,) = entries(tmp_path)
    assert entry.kind == "service" and not entry.canary_revision and entry.state == "updated"
    assert "no new revision" in result.summary(), result.summary()
    # rollback: the setting as it was, still no revision, traffic as it was
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    restored = sandbox.service(LAB, "app")
    assert held(restored) == was
    assert _served(restored) == _served(before)


def test_a_fix_mixing_template_and_service_settings_keeps_the_canary(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(_own_settings_world())
    before = sandbox.service(LAB, "app")
    result = _fix_own(
        tmp_path, sandbox, "      ingress: internal\n      timeout: 60s\n", monkeypatch
    )
    assert result.exit_code is ExitCode.OK, result.summary()
    (sp,) = result.plan.services
    assert sp.changes_template
    (outcome,) = result.outcomes
    assert outcome.canary and outcome.state == "promoted", outcome
    after = sandbox.service(LAB, "app")
    assert after.latest_created_revision.endswith(outcome.canary)
    assert after.ingress.name == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert after.latest_created_revision != before.latest_created_revision


def test_a_dry_run_of_the_services_own_settings_validates_the_update_in_place(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sandbox = make_sandbox(_own_settings_world())
    before = sandbox.service(LAB, "app")
    sandbox.clear_calls()
    folder = lab_here(
        sandbox,
        tmp_path,
        monkeypatch,
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        "      ingress: internal\n",
    )
    options = FixOptions(dry_run=True, verify=False)
    result = fix(
        tmp_path, sandbox.environ(), ScriptedUI(), options, environment="lab", profiles=folder
    )
    assert result.exit_code is ExitCode.OK, result.summary()
    (sent,) = updates(sandbox)
    assert sent.validate_only
    assert sent.service.template.revision == before.template.revision  # no canary's name
    assert spec(sent.service) == spec(before)  # nor its pinned traffic


V1 = "us-docker.pkg.dev/lab/app:v1"
BROKEN = "us-docker.pkg.dev/lab/app:v3-broken"


def test_a_service_whose_latest_revision_failed_gets_its_own_settings_through_a_canary(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown13 1: the latest created revision failed (LATEST still serves the older ready
    one; the service is not Ready). An update in place landed as asked but was judged by that
    Ready condition ('landed but did not complete'), and so was its rollback. A service whose
    template is not what serves goes through the canary path instead, which builds on what
    serves and replaces the failed template: the fix and its rollback both complete."""
    world = lab_world(
        template={"image": BROKEN, "port": 8080},
        history=[{"image": V1, "port": 8080}],
        failed=f"Image '{BROKEN}' not found.",
    )
    sandbox = make_sandbox(world)
    before = sandbox.service(LAB, "app")
    result = _fix_own(tmp_path, sandbox, "      ingress: internal\n", monkeypatch)
    (sp,) = result.plan.services
    assert sp.changes_template and sp.failed_template
    assert result.exit_code is ExitCode.OK, result.summary()
    after = sandbox.service(LAB, "app")
    assert after.ingress.name == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert after.template.containers[0].image == V1  # built on what served, not the failed one
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK, rolled.summary()
    assert sandbox.service(LAB, "app").ingress == before.ingress


def test_an_unreleased_template_stops_a_fix_of_the_services_own_settings(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown13 2: a --no-traffic deploy left the template (min 0) unlike what serves
    (revision 1, min 5, pinned); the service holds min 1; the profile wants 2 (the check reads
    max(5, 1) = 5). The plan chose where to write from the template (service level only) and
    the update went in place: the service's min 1 -> 2, 'updated', still reading 5. Now the
    unreleased template stops the fix, nothing written (SPEC invariant 8)."""
    world = lab_world(
        template={"image": V1, "port": 8080, "min_instances": 0},
        history=[{"image": V1, "port": 8080, "min_instances": 5}],
        traffic=[{"revision": 1, "percent": 100}],
    )
    world["projects"][LAB]["services"]["app"]["scaling"] = {"minInstanceCount": 1}
    sandbox = make_sandbox(world)
    before = sandbox.service(LAB, "app")
    result = _fix_own(tmp_path, sandbox, "      min_instances: 2\n", monkeypatch)
    assert result.exit_code is ExitCode.ABORTED, result.summary()
    assert "the template differs from what serves" in result.summary(), result.summary()
    after = sandbox.service(LAB, "app")
    assert after.scaling.min_instance_count == 1 and after.etag == before.etag


def test_ingress_is_fixed_in_place_beside_a_held_deploy(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """revown14 1: a team holds a ready `--no-traffic` deploy (template v2, traffic pinned to
    revision 1). A fix of ingress alone reads nothing from the template: it is made in place,
    the template sent back unchanged — no revision, the held deploy still held — instead of
    the canary path stopping on the unreleased change and offering `--from-template`, which
    would roll the held image out with the fix."""
    V2 = "us-docker.pkg.dev/lab/app:v2"
    world = lab_world(
        template={"image": V2, "port": 8080},
        history=[{"image": V1, "port": 8080}],
        traffic=[{"revision": 1, "percent": 100}],
    )
    sandbox = make_sandbox(world)
    before = sandbox.service(LAB, "app")
    result = _fix_own(tmp_path, sandbox, "      ingress: internal\n", monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    after = sandbox.service(LAB, "app")
    assert after.ingress.name == "INGRESS_TRAFFIC_INTERNAL_ONLY"
    assert after.template.containers[0].image == V2  # the team's held deploy stays held
    assert after.latest_created_revision == before.latest_created_revision  # no revision
    assert list(after.traffic) == list(before.traffic)
