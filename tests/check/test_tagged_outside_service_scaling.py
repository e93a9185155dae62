"""helper-547 F2: service-level minimum and maximum instances apply to the revisions of the
traffic split, not to one reached only through a tag. Min-instances page, "Tagged revisions
and service-level minimum instances": "Tagged revisions are started, but only count toward
the service-level minimum instances if they are a part of a traffic split"; the max-instances
page says the same of the maximum; ServiceScaling: "divided among all revisions with
specified traffic". drift read the service's bounds into every revision, so an E2E tag's
revision running cold and uncapped (its own min 0, max 100) checked clean against `min 2,
max 10`. Now it is judged by its own bounds, with its tag; a revision with traffic keeps the
service's."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    settings:\n      min_instances: 2\n      max_instances: 10\n"
)
APP = {"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080}


def _world(tagged_scaling: dict[str, int] | None, *, tag_is_latest: bool) -> dict[str, Any]:
    """`app` scaled 2..10 at the service level, its template with no bounds of its own; a
    revision reached only through the tag `e2e`: an older one (`tag_is_latest` False), or the
    latest, deployed `--no-traffic --tag e2e` (the template describes it). That revision's own
    bounds: `tagged_scaling` (None: none)."""
    own = {"scaling": tagged_scaling} if tagged_scaling else {}
    served = {"name": "app-00001-srv"}
    if tag_is_latest:
        history = [served]
        template = {**APP, **own}
        traffic = [
            {"revision": "app-00001-srv", "percent": 100},
            {"latest": True, "percent": 0, "tag": "e2e"},
        ]
    else:
        history = [{"name": "app-00001-e2e", **own}]
        template = dict(APP)
        traffic = [{"latest": True, "percent": 100}, {"revision": "app-00001-e2e", "tag": "e2e"}]
    service = {
        "client": "gcloud",
        "client_version": "467.0.0",
        "scaling": {"minInstanceCount": 2, "maxInstanceCount": 10},
        "template": template,
        "history": history,
        "traffic": traffic,
    }
    return {
        "options": {"seed": 7},
        "projects": {
            LAB: {"number": 555000111444, "region": "us-central1", "services": {"app": service}}
        },
    }


@pytest.mark.parametrize("tag_is_latest", [False, True])
def test_a_tagged_revision_runs_with_its_own_bounds(
    reseedable: Sandbox, tmp_path: Path, tag_is_latest: bool
) -> None:
    reseedable.reset(_world(None, tag_is_latest=tag_is_latest))
    done = run(reseedable, tmp_path, PROFILE, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    findings = json.loads(done.stdout)["findings"]
    seen = {(f["target"], f["tag"], f["actual"]) for f in findings}
    assert seen == {("setting.min_instances", "e2e", "0"), ("setting.max_instances", "e2e", "100")}
    # said why, where a team reads "the service has 2" (helper-608 F1)
    said = {f["target"]: f["message"] for f in findings}
    assert said["setting.min_instances"].endswith(
        "is 0, the profile says 2 (the service's own 2 holds only for revisions with traffic: "
        "a revision reached only through a tag runs with its own, as its deploy set them)"
    ), said
    assert "the service's own 10 holds only" in said["setting.max_instances"], said


@pytest.mark.parametrize("tag_is_latest", [False, True])
def test_a_tagged_revision_with_the_bounds_of_its_own_is_clean(
    reseedable: Sandbox, tmp_path: Path, tag_is_latest: bool
) -> None:
    bounds = {"minInstanceCount": 2, "maxInstanceCount": 10}
    reseedable.reset(_world(bounds, tag_is_latest=tag_is_latest))
    done = run(reseedable, tmp_path, PROFILE, "check", "lab")
    assert done.returncode == 0, done.stdout + done.stderr


def test_the_split_keeps_the_services_bounds(reseedable: Sandbox, tmp_path: Path) -> None:
    """The same older revision, given 10 % of the traffic instead: in the split, the
    service's bounds count for it (none of its own)."""
    world = _world(None, tag_is_latest=False)
    service = world["projects"][LAB]["services"]["app"]
    service["traffic"] = [
        {"latest": True, "percent": 90},
        {"revision": "app-00001-e2e", "percent": 10, "tag": "e2e"},
    ]
    reseedable.reset(world)
    done = run(reseedable, tmp_path, PROFILE, "check", "lab")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_tagged_revision_whose_own_bound_equals_the_services_is_its_own_finding(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """helper-549 F4: the e2e revision's own minimum is 2, as the service's is; the profile
    says 3. A service-level write to 3 never reaches the tag's revision: it is a finding of
    that revision (a tag step), not folded into the service's."""
    reseedable.reset(_world({"minInstanceCount": 2}, tag_is_latest=False))
    text = PROFILE.replace("min_instances: 2", "min_instances: 3")
    done = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    seen = {(f["target"], f.get("tag"), f["actual"]) for f in json.loads(done.stdout)["findings"]}
    assert ("setting.min_instances", "e2e", "2") in seen, seen
    assert ("setting.min_instances", None, "2") in seen, seen  # the service's own, once
    # the service does not hold the profile's 3: no "the service's own" on the tag's
    said = [f["message"] for f in json.loads(done.stdout)["findings"]]
    assert [m for m in said if m.startswith("min_instances") and "service's own" in m] == [], said
