"""helper-609 F3: under `--from-template` the table, the JSON plan and `drift fix` build on
the service template (SPEC invariant 8: "unless `--from-template` says to build on the
template (then the plan shows those differences as changes too)"), but `--format gcloud` kept
its command a comment ("would release it too … `drift fix` builds on what serves", false
then), the JSON plan's `gcloud` was null, and `--format yaml` marked its document not
appliable while its header named only the profile's change, not the template's image it
carries. Now both formats do what was asked: the runnable `gcloud run services update`
(which builds on the template) and an appliable document, each naming the template's
differences that roll out with it; without `--from-template` nothing changes."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.fix.formats.gcloud import plan_script
from drift.fix.formats.json_plan import plan_data
from drift.fix.formats.knative_yaml import NOT_APPLIABLE, plan_yaml
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.sandbox.scenario import default_scenario_path
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.jobs.world import TODAY, write_profile

pytestmark = pytest.mark.sandbox

SHAPES = default_scenario_path().with_name("real-shapes.yaml")
PROFILE = """\
project: acme-prod
region: us-central1
services:
  web:
    env:
      NODE_ENV: staging
"""
RC = "web:v3.0.0-rc1"  # the template's image; web-00001-bup (v2.9.4) serves, pinned by name


def _planned(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, asked: bool
) -> Any:
    sandbox = make_sandbox(yaml.safe_load(SHAPES.read_text()))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    profiles = write_profile(tmp_path / "profiles", PROFILE)
    settings = load_settings()
    return asyncio.run(
        plan_environment(load_profile(profiles, "prod"), settings, today=TODAY, from_template=asked)
    )


def test_from_template_gives_the_command_and_an_appliable_document(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planned = _planned(make_sandbox, monkeypatch, tmp_path, True)
    (sp,) = planned.plan.services
    assert sp.from_template and sp.unreleased, sp
    script = plan_script(planned.plan)
    lines = script.splitlines()
    assert "gcloud run services update web \\" in lines, script  # runnable, not a comment
    assert "not run" not in script
    assert "builds on what serves" not in script
    assert any(
        line.startswith("# built on the template (--from-template); these roll out: image:")
        and RC in line
        for line in lines
    ), script
    # the update's revision gets the pinned traffic only once moved, as drift fix does
    assert any("#   gcloud run services update-traffic web" in line for line in lines)
    (data,) = plan_data(planned.plan)["services"]
    assert data["from_template"] is True
    assert data["gcloud"] and data["gcloud"].startswith("gcloud run services update web")

    text = plan_yaml(planned.plan, planned.patched)
    assert NOT_APPLIABLE not in text, text
    header = [line for line in text.splitlines() if line.startswith("#")]
    said = "\n".join(header)
    assert "#   set_value NODE_ENV = staging" in said
    assert "#   built on the template (--from-template); these roll out with the patch:" in said
    assert any(RC in line for line in header), said  # the image change the document carries
    (document,) = [d for d in yaml.safe_load_all(text) if d]
    (container,) = document["spec"]["template"]["spec"]["containers"]
    assert container["image"].endswith(RC)


def test_without_it_both_still_refuse_to_release_the_template(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    planned = _planned(make_sandbox, monkeypatch, tmp_path, False)
    script = plan_script(planned.plan)
    assert "gcloud run services update web \\" not in script.splitlines()
    assert "#   gcloud run services update web \\" in script.splitlines()
    assert plan_data(planned.plan)["services"][0]["gcloud"] is None
    assert NOT_APPLIABLE in plan_yaml(planned.plan, planned.patched)
