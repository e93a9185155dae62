"""A plan that changes an accessor grant on a folder or the organisation
(`google_folder_iam_*`, `google_organization_iam_*`): Secret Manager grants roles "at the level
of the Google Cloud organization, folder, project, or secret", and a live check counts the
folders and the organisation when readable. What the plan removes there leaves each reference
of an account that loses it unverified, never clean (helper-560 F1: a delete of the folder
grant the runtime account relied on was "no drift", exit 0)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.manifest.plans import check_live, known_api, plan

ACCESSOR = "roles/secretmanager.secretAccessor"
SA = "serviceAccount:api@acme-chat-staging.iam.gserviceaccount.com"
OPS = "user:ops@acme.dev"


@pytest.fixture(scope="module")
def folder_world() -> Iterator[Sandbox]:
    """acme-chat-staging under folders/3000, whose policy alone lets api read `folder-only`."""
    world = yaml.safe_load((REPO / "drift/sandbox/scenarios/default.yaml").read_text())
    world["organizations"] = {"77": {}}
    world["folders"] = {"3000": {"parent": "organizations/77", "iam": {ACCESSOR: [SA]}}}
    world["projects"]["acme-chat-staging"]["parent"] = "folders/3000"
    world["projects"]["acme-chat-staging"]["secrets"]["folder-only"] = {
        "versions": ["fake-folder-only-value-123456"]
    }
    with Sandbox(world) as sandbox:
        yield sandbox


def _plan(*extra: dict[str, Any]) -> dict[str, Any]:
    """plan.json's api, every value known, reading `folder-only` in FOLDER_ONLY; then `extra`."""
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    ref = {"secret_key_ref": [{"secret": "folder-only", "version": "latest"}]}
    env.append({"name": "FOLDER_ONLY", "value": "", "value_source": [ref]})
    data["resource_changes"] = [api, *extra]
    return data


def _iam(kind: str, actions: list[str], before: Any, after: Any = None) -> dict[str, Any]:
    return {
        "address": f"{kind}.grant", "mode": "managed", "type": kind, "name": "grant",
        "change": {"actions": actions, "before": before, "after": after, "after_unknown": {},
                   "before_sensitive": False, "after_sensitive": {}},
    }  # fmt: skip


def _check(sb: Sandbox, tmp: Path, data: dict[str, Any]) -> Any:
    return check_live(sb, tmp, data)


@pytest.fixture(scope="module")
def clean(folder_world: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> Any:
    """The check of the plan that removes nothing, run once for the module: the same run of
    the same world (nothing written to it) that each case below made before its own."""
    return _check(folder_world, tmp_path_factory.mktemp("clean"), _plan())


def _unverified(done: Any) -> list[str]:
    report = json.loads(done.stdout)
    return [u["reason"] for u in report["unverified"]]


FOLDER = {"folder": "folders/3000"}
ORG = {"org_id": "77"}


@pytest.mark.parametrize(
    ("case", "kind", "actions", "before", "after"),
    [
        ("folder member deleted", "google_folder_iam_member", ["delete"],
         {**FOLDER, "role": ACCESSOR, "member": SA}, None),
        ("folder binding without api", "google_folder_iam_binding", ["update"],
         {**FOLDER, "role": ACCESSOR, "members": [SA, OPS]},
         {**FOLDER, "role": ACCESSOR, "members": [OPS]}),
        ("folder policy created", "google_folder_iam_policy", ["create"], None,
         {**FOLDER, "policy_data": json.dumps({"bindings": [{"role": ACCESSOR,
                                                              "members": [OPS]}]})}),
        ("organisation member deleted", "google_organization_iam_member", ["delete"],
         {**ORG, "role": ACCESSOR, "member": SA}, None),
        ("organisation binding created", "google_organization_iam_binding", ["create"], None,
         {**ORG, "role": ACCESSOR, "members": [OPS]}),
    ],
)  # fmt: skip
def test_a_grant_above_the_project_the_account_loses_leaves_its_references_unverified(
    folder_world: Sandbox,
    clean: Any,
    tmp_path: Path,
    case: str,
    kind: str,
    actions: list[str],
    before: Any,
    after: Any,
) -> None:
    assert clean.returncode == 0, clean.stdout  # the folder's grant is read, live
    done = _check(folder_world, tmp_path, _plan(_iam(kind, actions, before, after)))
    assert done.returncode == 3, (case, done.stdout, done.stderr)
    node = "folders/3000" if "folder" in kind else "organizations/77"
    want = f"access removed by this plan: {kind}.grant (a grant on {node}: every project under it)"
    assert want in _unverified(done), _unverified(done)


def test_a_grant_above_the_project_another_member_loses_changes_nothing(
    folder_world: Sandbox, tmp_path: Path
) -> None:
    gone = _iam("google_folder_iam_member", ["delete"], {**FOLDER, "role": ACCESSOR, "member": OPS})
    done = _check(folder_world, tmp_path, _plan(gone))
    assert done.returncode == 0, done.stdout


def test_a_role_that_reads_no_secret_changes_nothing(folder_world: Sandbox, tmp_path: Path) -> None:
    viewer = {**FOLDER, "role": "roles/viewer", "member": SA}
    done = _check(
        folder_world, tmp_path, _plan(_iam("google_folder_iam_member", ["delete"], viewer))
    )
    assert done.returncode == 0, done.stdout
