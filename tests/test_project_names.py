"""One project, one name (drift/live/projects.py): a secret reference naming its project by id
and one naming it by number are the same when the read learnt that number is that id's, and
NOT the same when the read learnt the id's number and it is another: a project has one number
(revown60a F1: a live reference into project 999… against the profile's own-project secret was
"cannot tell", and the plan dropped the repair it made before)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.live.state import LiveState
from drift.refs import SecretRef
from tests.conftest import MakeSandbox
from tests.fix.planning import plan_of_profile

OWN, NUMBER, OTHER = "team", "777000111222", "999000000001"
ACCOUNT = f"app@{OWN}.iam.gserviceaccount.com"


@pytest.mark.parametrize(
    ("projects", "live", "same"),
    [
        ({NUMBER: OWN}, NUMBER, True),  # the own project by its number
        ({NUMBER: OWN}, OTHER, False),  # the own project's number is known: another
        ({}, OTHER, None),  # nothing known of either number: not decided
        ({OTHER: "partner"}, OTHER, False),  # that number is another id's
    ],
)
def test_a_number_is_one_projects(projects: dict[str, str], live: str, same: bool | None) -> None:
    state = LiveState(projects=projects)
    expected, found = SecretRef("db-url"), SecretRef("db-url", project=live)
    assert state.same_ref(expected, found, OWN) is same
    assert state.same_ref(found, expected, OWN) is same


WORLD = {
    "projects": {
        OWN: {
            "number": int(NUMBER),
            "region": "us-central1",
            "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
            "secrets": {"db-url": {"versions": ["postgresql://x:fake-pw-1234@10.0.0.1/db"]}},
            "services": {
                "app": {
                    "template": {
                        "service_account": ACCOUNT,
                        "env": {
                            "DATABASE_URL": {"secret": f"projects/{OTHER}/secrets/db-url"},
                            # the own project by number: the read learns that number (GetProject)
                            "DB_COPY": {"secret": f"projects/{NUMBER}/secrets/db-url"},
                        },
                    }
                }
            },
        }
    }
}
PROFILE = f"""\
project: {OWN}
region: us-central1
services:
  app:
    env:
      DATABASE_URL: {{secret: db-url}}
      DB_COPY: {{secret: db-url}}
"""


def test_a_reference_into_another_numbered_project_is_planned_back(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    for key, value in make_sandbox(WORLD).environ().items():
        monkeypatch.setenv(key, value)
    planned = plan_of_profile(tmp_path, PROFILE)
    (app,) = planned.plan.services
    assert [(c.name, c.ref) for c in app.env] == [("DATABASE_URL", SecretRef("db-url"))], app
