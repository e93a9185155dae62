"""A container startup order naming a container the template does not have, or a cycle:
Cloud Run's `Container.depends_on` holds "Names of the containers that must start before this
container" (run v2 k8s.min.proto), which neither can be. The conversion kept only the entries
of containers it had, so such an order was passed over in silence; `drift check --manifest`
refuses it at its line (Knative annotation) or JSON path (Terraform `depends_on`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.manifest.conftest import ANNOTATED, APP_AND_PROXY, check_offline
from tests.manifest.plans import API_ONLY, known_api, plan
from tests.manifest.plans import check_offline as check_plan

TWO = (
    ANNOTATED
    + """\
        run.googleapis.com/container-dependencies: 'ORDER'
"""
    + APP_AND_PROXY
)
PROFILE = "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings: {}\n"


@pytest.mark.parametrize(
    ("order", "said"),
    [
        pytest.param(
            '{"app": ["proxi"]}',
            "'app' starts after 'proxi', which is no container of this template (it has "
            "'app', 'proxy')",
            id="a-misspelt-dependency",
        ),
        pytest.param(
            '{"ap": ["proxy"]}',
            "'ap' is no container of this template",
            id="a-misspelt-container",
        ),
        pytest.param(
            '{"app": ["proxy"], "proxy": ["app"]}',
            "the containers wait on each other ('app' -> 'proxy' -> 'app')",
            id="a-cycle",
        ),
    ],
)
def test_an_order_the_deploy_cannot_honour_is_refused_at_its_line(
    tmp_path: Path, order: str, said: str
) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", TWO.replace("ORDER", order)))
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert f"m.yaml:9: run.googleapis.com/container-dependencies: {said}" in done.stderr


def test_an_order_of_its_own_containers_is_read(tmp_path: Path) -> None:
    done = check_offline(tmp_path, PROFILE, ("m.yaml", TWO.replace("ORDER", '{"app": ["proxy"]}')))
    assert done.returncode == 0, (done.returncode, done.stdout, done.stderr)


def _two_containers(depends_on: list[str]) -> dict:
    data = plan()
    api = known_api(data)
    containers = api["change"]["after"]["template"][0]["containers"]
    sidecar = {"name": "proxy", "image": "gcr.io/acme/proxy:1", "env": [], "ports": []}
    containers[0]["name"] = "app"
    containers[0]["depends_on"] = depends_on
    containers.append(sidecar)
    data["resource_changes"] = [api]
    return data


@pytest.mark.parametrize(
    ("depends_on", "said"),
    [
        (["proxi"], "'app' starts after 'proxi', which is no container of this template"),
        (["app"], "the containers wait on each other ('app' -> 'app')"),
    ],
)
def test_a_plans_depends_on_is_checked_the_same_way(
    tmp_path: Path, depends_on: list[str], said: str
) -> None:
    done = check_plan(tmp_path, _two_containers(depends_on), API_ONLY, "-f", "json")
    assert done.returncode == 2, (done.returncode, done.stdout, done.stderr)
    assert "resource_changes[0].change.after.template[0].containers[0].depends_on" in done.stderr
    assert said in done.stderr, done.stderr


def test_a_plans_order_of_its_own_containers_is_read(tmp_path: Path) -> None:
    done = check_plan(tmp_path, _two_containers(["proxy"]), API_ONLY, "-f", "json")
    assert json.loads(done.stdout)["findings"] == [], done.stdout
