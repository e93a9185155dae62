"""A reference the plan sets whose access drift cannot decide is never read as granted
(revleak63 F3): with GetProject refused, the default compute account's address (it needs the
project's number) is unknown, so whether it can read the secret is too. The plan said "1
change, 0 manual steps" and `drift fix` deployed a canary that failed with "Permission denied
on secret"; the change now comes with its grant step, which says why drift could not verify
it (`LiveState.grant`'s UNKNOWN, its detail from the access decision). Since the access
decision takes the number Secret Manager's answer gives (fixplan65), what stays unknown here is
a grant above the project: GetProject refused, its parent cannot be read."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault, Sandbox
from tests.cliutil import drift

pytestmark = pytest.mark.sandbox

WORLD = {
    "options": {"seed": 3},
    "projects": {
        "fix-lab": {
            "number": 555000111222,
            "region": "us-central1",
            "secrets": {"mode-secret": {"versions": ["v"]}},  # no binding anywhere
            "services": {
                "app": {
                    "client": "gcloud",
                    "client_version": "467.0.0",
                    "template": {"image": "x/app:v1", "port": 8080, "env": {"MODE": "x"}},
                }
            },
        }
    },
}
PROFILE = "project: fix-lab\nregion: us-central1\nservices:\n  app:\n    env:\n" + (
    "      MODE: {secret: mode-secret}\n"
)


def planned(
    sandbox: Sandbox, tmp_path: Path, world: dict[str, Any], profile: str = PROFILE
) -> dict[str, Any]:
    """The one service's plan (JSON) of `profile` against `world`, GetProject refused."""
    sandbox.reset(world)
    sandbox.inject(Fault(method="GetProject", code="PERMISSION_DENIED"))
    (tmp_path / "lab.yaml").write_text(profile)
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path)}
    out = drift("plan", "lab", "--format", "json", env=env, cwd=tmp_path).stdout
    (sp,) = json.loads(out)["services"]
    return sp


def test_a_grant_drift_cannot_judge_gives_the_change_its_grant_step(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    sp = planned(reseedable, tmp_path, WORLD)
    assert [c["name"] for c in sp["env"]] == ["MODE"], sp  # the plan still counts the change
    (step,) = sp["manual"]
    assert step["target"] == "secret.mode-secret", step
    assert step["reason"].startswith("drift cannot verify that "), step
    assert "GetProject on projects/fix-lab: PERMISSION_DENIED" in step["reason"], step
    (grant,) = step["commands"]
    assert "gcloud secrets add-iam-policy-binding mode-secret " in grant, grant
    assert "-compute@developer.gserviceaccount.com" in grant, grant


def test_access_is_judged_with_the_number_another_read_learnt(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """fixgrant64's left: with GetProject refused, the number is still known from Secret
    Manager's answer (it names a secret by its project's number), which the grant command
    already used; the access judgement asked GetProject only, and said "unknown" where the
    secret's own policy grants the default compute account by that number."""
    world = copy.deepcopy(WORLD)
    member = "serviceAccount:555000111222-compute@developer.gserviceaccount.com"
    world["projects"]["fix-lab"]["secrets"]["mode-secret"]["iam"] = {
        "roles/secretmanager.secretAccessor": [member]
    }
    sp = planned(reseedable, tmp_path, world)
    assert [c["name"] for c in sp["env"]] == ["MODE"], sp
    assert sp["manual"] == [], sp  # main: "the default service account is unknown"


def test_the_default_account_stays_unknown_when_no_read_teaches_its_number(
    reseedable: Sandbox, tmp_path: Path
) -> None:
    """The secret is another project's: Secret Manager's answer names that project's number,
    not fix-lab's, so with GetProject refused the default compute account of fix-lab has no
    address: access is not judged granted, and the grant command leaves the number to fill in."""
    world = copy.deepcopy(WORLD)
    world["projects"]["fix-lab"]["secrets"] = {}
    world["projects"]["shared-lab"] = {
        "number": 777000111222,
        "region": "us-central1",
        "secrets": {"mode-secret": {"versions": ["v"]}},
    }
    other = PROFILE.replace("{secret: mode-secret}", "{secret: mode-secret, project: shared-lab}")
    sp = planned(reseedable, tmp_path, world, other)
    assert [c["name"] for c in sp["env"]] == ["MODE"], sp
    (step,) = sp["manual"]
    assert step["reason"].startswith("drift cannot verify that "), step
    assert "default service account is unknown" in step["reason"], step
    (grant,) = step["commands"]
    assert "gcloud secrets add-iam-policy-binding mode-secret " in grant, grant
    assert grant.endswith(" --project=shared-lab"), grant  # the secret's own project
    assert "<PROJECT_NUMBER>-compute@developer.gserviceaccount.com" in grant, grant
