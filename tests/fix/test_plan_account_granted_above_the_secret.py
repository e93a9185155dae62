"""A plan sets the runtime account the profile names when IAM grants that account the secret
on the project or a folder, not only on the secret itself. It used not to: access was decided
for the live revision's account only, and `LiveState.grant` judged any other account on the
secret's own policy alone — DENIED — so the plan dropped the change and asked for a
secret-level grant duplicating the project's or folder's (reviam2 F1). Secret Manager access
control: roles can be granted "at the level of the Google Cloud organization, folder, project,
or secret"; the sandbox's IAM (World.can_access) counts every level as Google does."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.test_check_access_indirect import ACCESSOR, SA, world

NEW = "serviceAccount:new@p.iam.gserviceaccount.com"
MOVE = (
    "project: p\nregion: us-central1\nservices:\n  api:\n"
    "    settings:\n      service_account: new@p.iam.gserviceaccount.com\n"
    "    env:\n      K: {secret: k}\n"
)


def _plan(make_sandbox: MakeSandbox, tmp_path: Path, w: Any) -> str:
    sandbox = make_sandbox(w)
    (tmp_path / "prod.yaml").write_text(MOVE)
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(tmp_path),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }
    done = drift("plan", "prod", env=env, cwd=tmp_path)
    return done.stdout + done.stderr


def _folder_world() -> Any:
    w = world({ACCESSOR: [SA]})
    w["projects"]["p"]["parent"] = "folders/11"
    w["folders"] = {"11": {"parent": "organizations/1", "iam": {ACCESSOR: [NEW]}}}
    w["organizations"] = {"1": {}}
    return w


@pytest.mark.parametrize("where", ["project", "folder"])
def test_plan_sets_an_account_granted_above_the_secret(
    make_sandbox: MakeSandbox, tmp_path: Path, where: str
) -> None:
    w = world({ACCESSOR: [SA]}, {ACCESSOR: [NEW]}) if where == "project" else _folder_world()
    out = _plan(make_sandbox, tmp_path, w)
    assert "cannot access k" not in out, out
    assert "new@p.iam.gserviceaccount.com" in out and "set  setting service_account" in out, out


def test_plan_does_not_set_an_account_granted_nowhere(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The other side: an account no level grants is still refused, with the grant to add."""
    out = _plan(make_sandbox, tmp_path, world({ACCESSOR: [SA]}))
    assert "new@p.iam.gserviceaccount.com cannot access k" in out, out
    assert "add-iam-policy-binding k" in out, out
