"""`compare --live` names a setting's resource one way, whichever way Cloud Run keeps it: a
connector gcloud wrote by the project's number (VpcAccess.connector: "where {project} can be
project id or number") is shown as one Terraform wrote by id, short where it is the side's own
project's (`LiveState.respell`), found with one GetProject on the number."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox

STAGING, STAGING_NUMBER = "acme-staging", 700000000001
PROD, PROD_NUMBER = "acme-prod", 500000000001
CONNECTOR = "locations/us-central1/connectors/run"


def _api(connector: str) -> dict[str, Any]:
    vpc = {"connector": connector, "egress": "PRIVATE_RANGES_ONLY"}
    return {"template": {"image": "us-docker.pkg.dev/acme/apps/api:1", "api": {"vpcAccess": vpc}}}


def _compare(make_sandbox: MakeSandbox, tmp_path: Path, staging: str) -> tuple[Sandbox, Any]:
    """staging's api on connector `staging`, prod's on its own, by id (Terraform)."""
    world = {
        "projects": {
            STAGING: {"number": STAGING_NUMBER, "services": {"api": _api(staging)}},
            PROD: {
                "number": PROD_NUMBER,
                "services": {"api": _api(f"projects/{PROD}/{CONNECTOR}")},
            },
        }
    }
    sandbox = make_sandbox(world)
    for env, project in (("staging", STAGING), ("prod", PROD)):
        (tmp_path / f"{env}.yaml").write_text(
            f"project: {project}\nregion: us-central1\nservices:\n  api: {{}}\n"
        )
    done = drift(
        "compare", "staging", "prod", "--live", "--profiles", str(tmp_path), "-f", "json",
        env=sandbox.environ(),
    )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    return sandbox, json.loads(done.stdout)


def _asked(sandbox: Sandbox) -> list[str]:
    return sorted(c.request.name for c in sandbox.calls if c.short == "GetProject")


def test_each_sides_own_connector_by_number_or_id_is_equivalent(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox, document = _compare(make_sandbox, tmp_path, f"projects/{STAGING_NUMBER}/{CONNECTOR}")
    assert document["differences"] == [] and document["unverified"] == [], document
    assert _asked(sandbox) == [f"projects/{STAGING_NUMBER}"]


def test_the_other_sides_connector_by_number_is_shown_by_its_id(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """staging egresses through prod's connector, written by prod's number: foreign, shown
    as prod names its own (one name), not by a number a reader has to look up."""
    sandbox, document = _compare(make_sandbox, tmp_path, f"projects/{PROD_NUMBER}/{CONNECTOR}")
    found = [d for d in document["differences"] if d["target"] == "setting.vpc_connector"]
    assert [d["kind"] for d in found] == ["value.foreign"], document
    assert f"projects/{PROD}/{CONNECTOR}" in json.dumps(found), found
    assert str(PROD_NUMBER) not in json.dumps(found), found
