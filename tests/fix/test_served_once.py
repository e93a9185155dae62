"""`drift plan` builds the template of the revision a fix builds on once per service (note23
"Left": check's `revision.rollout` and the plan's `fix_base` each built it and diffed it with
the service's template): one judgement, `drift.diff.served.served_base`, serves both."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.diff import served
from drift.sandbox import Sandbox
from tests.fix.conftest import lab_cli, lab_world

V1, V2 = "us-docker.pkg.dev/lab/app:v1", "us-docker.pkg.dev/lab/app:v2"
BAD = {"image": V1, "port": 8080, "env": {"DEBUG": "true"}}


def test_plan_builds_what_serves_once_a_service_for_check_and_fix(
    reseedable: Sandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # a `--no-traffic` deploy of v2: the template holds an image that does not serve
    world = lab_world(
        template={**BAD, "image": V2}, history=[BAD], traffic=[{"revision": 1, "percent": 100}]
    )
    reseedable.reset(world)
    built: list[str] = []
    made = served.template_from_revision

    def counted(revision: Any, template: Any) -> Any:
        built.append(revision.name.rsplit("/", 1)[-1])
        return made(revision, template)

    monkeypatch.setattr(served, "template_from_revision", counted)
    monkeypatch.setattr("drift.fix.base.template_from_revision", counted, raising=False)
    planned = lab_cli(reseedable, tmp_path, "plan", "lab")
    assert "the template differs from what serves" in planned.stdout, planned.stdout
    # main: 3 times (check's warning, the plan's blocked note, fix_base)
    assert built == ["app-00001-goj"], built
