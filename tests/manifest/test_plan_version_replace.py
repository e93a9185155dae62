"""`check --manifest` of a plan that replaces a `google_secret_manager_secret_version` (the
usual rotation: `secret_data` changed forces a new resource; Terraform's JSON output format
writes a replace as `actions` ["delete","create"], or ["create","delete"] with
create_before_destroy). `latest` is "an alias to the most recently created SecretVersion"
(secretmanager v1 AccessSecretVersionRequest): once applied it names the new version, as for a
version the plan creates. revcode3 F2: drift said "removed by this plan" and exited 3 on every
rotation."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.manifest.plans import change_of, plan
from tests.manifest.test_plan_secrets import (  # noqa: F401  (fixtures)
    SECRET,
    VERSION,
    check,
    new_version,
    said,
    sandbox,
    staging,
)

ORDERS = [["delete", "create"], ["create", "delete"]]
ADDRESS = "google_secret_manager_secret_version.database_url"


def _replace(data: dict[str, Any], actions: list[str], enabled: bool = True) -> dict[str, Any]:
    rotation = new_version(enabled)
    rotation["change"]["actions"] = actions
    rotation["change"]["before"] = copy.deepcopy(VERSION)
    data["resource_changes"].append(rotation)
    return data


def _pin(data: dict[str, Any], version: str) -> dict[str, Any]:
    api = change_of(data, "google_cloud_run_v2_service.api")
    for container in api["change"]["after"]["template"][0]["containers"]:
        for e in container["env"]:
            if e["name"] == "DATABASE_URL":
                e["value_source"][0]["secret_key_ref"][0]["version"] = version
    return data


@pytest.fixture(scope="module")
def unreplaced(staging: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    """The check of the plan that replaces nothing, run once for the module: the same run of
    the same world (reset, as `sandbox` gives it) that each case below made first."""
    staging.reset()
    return check(staging, tmp_path_factory.mktemp("unreplaced"), plan())


@pytest.mark.parametrize("actions", ORDERS, ids=["destroy-first", "create-first"])
def test_a_replaced_version_leaves_latest_verified(
    sandbox: Sandbox,  # noqa: F811
    unreplaced: dict[str, Any],
    tmp_path: Path,
    actions: list[str],
) -> None:
    """api's DATABASE_URL is database-url-staging at `latest` (version 1); the plan replaces
    version 1 by a new enabled one: what is said of the secret is what is said without it."""
    before = unreplaced
    after = check(sandbox, tmp_path, _replace(plan(), actions))
    assert said(after, SECRET) == said(before, SECRET), said(after, SECRET)
    assert after["exit"] == before["exit"]


@pytest.mark.parametrize("actions", ORDERS, ids=["destroy-first", "create-first"])
def test_a_replaced_version_a_reference_pins_is_said_replaced(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
    actions: list[str],
) -> None:
    """A reference pinned to version 1 loses it (the new version has another number): not
    verified, and the reason says it is replaced, not removed."""
    report = check(sandbox, tmp_path, _replace(_pin(plan(), "1"), actions))
    why = (
        f"replaced by this plan: {ADDRESS} (version 1 destroyed; the new version has another "
        "number)"
    )
    assert said(report, SECRET) == [("unverified", f"secret.{SECRET}", why)], said(report, SECRET)


def test_a_version_replaced_by_a_disabled_one_still_leaves_latest_unverified(
    sandbox: Sandbox,  # noqa: F811
    tmp_path: Path,
) -> None:
    """The new version is created disabled: `latest` names it once applied; not verified."""
    report = check(sandbox, tmp_path, _replace(plan(), ["delete", "create"], enabled=False))
    why = (
        f"replaced by this plan: {ADDRESS} (version 1 destroyed; the new version is created "
        "disabled)"
    )
    assert said(report, SECRET) == [("unverified", f"secret.{SECRET}", why)], said(report, SECRET)


def _deleted() -> dict[str, Any]:
    """The plan, version 1 of database-url-staging destroyed and none created."""
    base = plan()
    gone = new_version()
    gone["change"]["actions"] = ["delete"]
    gone["change"]["before"] = copy.deepcopy(VERSION)
    gone["change"]["after"] = None
    base["resource_changes"].append(gone)
    return base


@pytest.fixture(scope="module")
def deleted(staging: Sandbox, tmp_path_factory: pytest.TempPathFactory) -> dict[str, Any]:  # noqa: F811
    """The check of `_deleted()`, run once for the module: the same run of the same world
    (reset, as `sandbox` gives it) that each case below made first."""
    staging.reset()
    return check(staging, tmp_path_factory.mktemp("deleted"), _deleted())


@pytest.mark.parametrize(
    "moved_to",
    [
        "projects/acme-chat-staging/secrets/other-secret",
        "projects/acme-chat-other/secrets/" + SECRET,
        None,
    ],
    ids=["another-secret", "another-project", "not-known"],
)
def test_a_version_replaced_into_another_secret_leaves_latest_unverified(
    sandbox: Sandbox,  # noqa: F811
    deleted: dict[str, Any],
    tmp_path: Path,
    moved_to: str | None,
) -> None:
    """revown53 F2: `secret` forces a replace too (Terraform
    google_secret_manager_secret_version). Version 1 moved into another secret (or into one
    not known until apply) is destroyed and none is created in database-url-staging: api's
    DATABASE_URL at `latest` loses it once applied, as with a plain ["delete"]; drift said
    nothing of it."""
    assert [u[0] for u in said(deleted, SECRET)] == ["unverified"] and deleted["exit"] != 0

    data = _replace(plan(), ["delete", "create"])
    data["resource_changes"][-1]["change"]["after"]["secret"] = moved_to
    report = check(sandbox, tmp_path, data)
    assert [u[0] for u in said(report, SECRET)] == ["unverified"], said(report, SECRET)
    assert f"by this plan: {ADDRESS}" in said(report, SECRET)[0][2]
    assert report["exit"] != 0
