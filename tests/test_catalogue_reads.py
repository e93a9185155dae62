"""How `check` and `compare --live` read catalogue settings a name qualifies: a Serverless VPC
Access connector is its project's and region's (VpcAccess.connector: "projects/{project}/
locations/{location}/connectors/{connector}"; a short name means the workload's own)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"
OWN = f"projects/{LAB}/locations/us-central1/connectors/shared"
HOST = "projects/network-host/locations/us-central1/connectors/shared"
ELSEWHERE = f"projects/{LAB}/locations/europe-west1/connectors/shared"


@pytest.mark.parametrize(
    ("live", "profile", "clean"),
    [
        (OWN, "shared", True),
        ("shared", OWN, True),
        (OWN, OWN, True),
        (HOST, HOST, True),
        (HOST, OWN, False),  # another project's connector of the same name
        (HOST, "shared", False),
        ("shared", HOST, False),
        (ELSEWHERE, "shared", False),  # another region's
    ],
)
def test_a_connector_is_compared_by_its_full_name(
    make_sandbox: MakeSandbox, tmp_path: Path, live: str, profile: str, clean: bool
) -> None:
    sandbox = make_sandbox(
        lab_world(template={"image": IMAGE, "port": 8080, "vpc_connector": live})
    )
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n"
        f"      vpc_connector: {profile}\n"
    )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift("check", "lab", "--format", "json", env=env, cwd=tmp_path)
    assert done.returncode == (0 if clean else 1), done.stdout + done.stderr
    if not clean:
        (finding,) = json.loads(done.stdout)["findings"]
        assert finding["target"] == "setting.vpc_connector"
        assert finding["actual"] == ("shared" if live in ("shared", OWN) else live), finding


def test_compare_live_names_a_connector_of_the_other_project(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    prod = "projects/acme-prod/locations/us-central1/connectors/shared"

    def project(number: int) -> dict[str, object]:
        template = {"image": IMAGE, "port": 8080, "vpc_connector": prod}
        return {
            "number": number,
            "region": "us-central1",
            "services": {"api": {"template": template}},
        }

    world = {
        "options": {"seed": 3},
        "projects": {"acme-staging": project(111), "acme-prod": project(222)},
    }
    sandbox = make_sandbox(world)
    folder = tmp_path / "profiles"
    folder.mkdir()
    for env_name, project_id in (("staging", "acme-staging"), ("prod", "acme-prod")):
        (folder / f"{env_name}.yaml").write_text(
            f"project: {project_id}\nregion: us-central1\nservices:\n  api: {{}}\n"
        )
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(folder)}
    done = drift("compare", "staging", "prod", "--live", env=env, cwd=tmp_path)
    assert "vpc_connector of api in staging names prod's project acme-prod" in done.stdout, (
        done.stdout
    )
