"""`drift fix` places a variable after the variables its value refers to.

Cloud Run expands `$(NAME)` "using the previous defined environment variables in the
container" and leaves a reference it cannot resolve "unchanged" (run v2 k8s_min.proto,
EnvVar.value). A profile that states `API_URL: "http://$(HOST):8080"` and `HOST` in that
order — as an alphabetical deploy writes them — was planned as two additions at the end in
that order; `drift fix` wrote them so, the canary ran with the text `$(HOST)`, and the fix was
promoted with the very drift its re-check then reported. A service already running `API_URL`
before `HOST` (`env.value`, "set after it") was planned as "nothing to change" though `check`
reported it. The plan now names the variable that moves and what it goes after, in every
format, and the patch moves exactly that one; the gcloud script, whose flags do not say where
a variable goes, leaves it to the YAML."""

from __future__ import annotations

import asyncio
import copy
from pathlib import Path
from typing import Any

import pytest

from drift.errors import ExitCode
from drift.expansion import reference_order
from drift.fix.apply import FixOptions, FixResult, run_fix
from drift.fix.formats.gcloud import plan_script
from drift.fix.formats.json_plan import plan_data
from drift.fix.plan import plan_environment
from drift.fix.rollback import run_rollback
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.fix.conftest import ScriptedUI
from tests.jobs.world import TODAY, write_profile
from tests.sandbox.jobworld import JOB_SPEC, world

URL = "http://$(HOST):8080"


def test_a_variable_goes_after_what_it_refers_to_and_nothing_else_moves() -> None:
    env = [("A", "$(B)/x"), ("KEEP", "1"), ("B", "$(C)"), ("C", "c"), ("LAST", "$(A)")]
    order, moved = reference_order(env, lambda n: n in ("A", "B"))
    assert order == ["KEEP", "C", "B", "A", "LAST"]  # LAST refers to A: not movable, stays last
    assert moved == {"A", "B"}
    # escaped, a secret (None), a name the container lacks: no reference to place after
    same = [("A", "$$(B)"), ("S", None), ("X", "$(NOPE)"), ("B", "b")]
    assert reference_order(same, lambda n: True) == (["A", "S", "X", "B"], set())
    # references that go round cannot all be met: the order settles, nothing loops
    order, _ = reference_order([("A", "$(B)"), ("B", "$(A)")], lambda n: True)
    assert sorted(order) == ["A", "B"]


def _service(env: dict[str, str]) -> dict[str, Any]:
    return {
        "projects": {
            "p": {
                "number": 5,
                "services": {"api": {"template": {"image": "x/api:1", "env": env}}},
            }
        }
    }


PROFILE = f"""project: p
region: us-central1
services:
  api:
    env:
      API_URL: "{URL}"
      HOST: 10.0.0.3
      MODE: live
"""


def _lab(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, scenario: Any
) -> tuple[Sandbox, Path]:
    sandbox = make_sandbox(scenario)
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, tmp_path / "profiles"


def _fix(tmp_path: Path, profiles: Path) -> FixResult:
    settings = load_settings(journal_dir=tmp_path / ".drift" / "journal")
    profile = load_profile(profiles, "prod")
    return asyncio.run(
        run_fix(profile, settings, ScriptedUI(), FixOptions(yes=True, verify=False), today=TODAY)
    )


def _order(sandbox: Sandbox) -> list[tuple[str, str]]:
    (container,) = sandbox.service("p", "api").template.containers
    return [(v.name, v.value) for v in container.env]


def test_two_variables_added_together_are_written_in_the_order_that_expands(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox, profiles = _lab(make_sandbox, monkeypatch, tmp_path, _service({"MODE": "live"}))
    write_profile(profiles, PROFILE)
    result = _fix(tmp_path, profiles)
    assert result.exit_code == ExitCode.OK, result.summary()
    assert _order(sandbox) == [("MODE", "live"), ("HOST", "10.0.0.3"), ("API_URL", URL)]
    assert result.recheck is not None and result.recheck.findings == ()


def test_a_variable_running_before_its_reference_is_planned_moved_and_fixed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    # in the order written; EXTRA is not in the profile: never moved
    live = {"API_URL": URL, "MODE": "live", "HOST": "10.0.0.3", "EXTRA": "kept"}
    sandbox, profiles = _lab(make_sandbox, monkeypatch, tmp_path, _service(live))
    write_profile(profiles, PROFILE + "    unexpected_env: ignore\n")
    planned = asyncio.run(
        plan_environment(load_profile(profiles, "prod"), load_settings(), today=TODAY)
    )
    (sp,) = planned.plan.services
    (change,) = sp.env  # the one that moves, its value as it is
    assert (change.name, change.value, change.placed_after) == ("API_URL", URL, ("HOST",))
    assert sp.fixes  # the check's env.value is what it repairs
    assert any("API_URL is placed after HOST" in n for n in sp.notes)
    (document,) = plan_data(planned.plan)["services"]
    assert document["env"][0]["placed_after"] == ["HOST"]
    script = plan_script(planned.plan)
    assert "--update-env-vars" not in script  # gcloud cannot say where it goes: by hand
    assert "API_URL: it goes after HOST" in script

    result = _fix(tmp_path, profiles)
    assert result.exit_code == ExitCode.OK, result.summary()
    assert _order(sandbox) == [
        ("MODE", "live"),
        ("HOST", "10.0.0.3"),
        ("API_URL", URL),
        ("EXTRA", "kept"),
    ]
    assert result.recheck is not None and result.recheck.findings == ()


def test_a_jobs_variable_moved_in_place_and_put_back_by_rollback(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    job = copy.deepcopy(JOB_SPEC)
    job["template"]["env"] = {"DSN": "pg://$(DB_HOST)/app", "MODE": "live", "DB_HOST": "10.1.1.1"}
    sandbox, profiles = _lab(
        make_sandbox, monkeypatch, tmp_path, world(jobs={"job": job}, pools={})
    )
    text = 'project: p\nregion: us-central1\njobs:\n  job:\n    env:\n      DSN: "pg://$(DB_HOST)/app"\n'
    write_profile(profiles, text)

    def order() -> list[str]:
        (container,) = sandbox.job("p", "job").template.template.containers
        return [v.name for v in container.env]

    result = _fix(tmp_path, profiles)
    assert result.exit_code == ExitCode.OK, result.summary()
    assert order() == ["MODE", "DB_HOST", "DSN"]
    done = asyncio.run(
        run_rollback(
            load_settings(journal_dir=tmp_path / ".drift" / "journal"), ScriptedUI(), None, yes=True
        )
    )
    assert done.exit_code == ExitCode.OK, done.summary()
    assert order() == ["DSN", "MODE", "DB_HOST"]


def test_two_templates_that_differ_only_in_the_order_of_their_variables() -> None:
    """The order matters to what runs; the line that says so was sorted by a variable name it
    does not have, and raised ValueError (a traceback from `fix`'s unreleased-template stop,
    rollback's check, since)."""
    from google.cloud import run_v2

    from drift.diff.differences import template_differences

    def template(*names: str) -> run_v2.RevisionTemplate:
        env = [run_v2.EnvVar(name=n, value=f"$(B)-{n}" if n == "A" else n) for n in names]
        return run_v2.RevisionTemplate(containers=[run_v2.Container(image="x", env=env)])

    assert template_differences(template("A", "B"), template("B", "A")) == [
        "env: the order of the variables differs"
    ]
    assert template_differences(template("A", "B"), template("A", "B")) == []
    changed = template_differences(template("A", "B"), template("B", "A", "C"))
    assert changed == ["env.C: added (C)"]  # a change said: the order is not said beside it
