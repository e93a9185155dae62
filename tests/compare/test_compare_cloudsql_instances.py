"""`compare` sees the Cloud SQL instances two environments connect to (`cloudsql_instances`,
each PROJECT:REGION:INSTANCE): one instance both environments' service, job or worker pool
connect to is `value.shared` (staging on production's database), and an instance of one that
names the other's project is `value.foreign` — from profiles and live, in the table and in
JSON. Between two regions of one project the same instance is shared still (as the same secret
is `secret.shared`); one deployment (e2e built on staging) shares it as meant. main: both
"equivalent", exit 0 (no row naming a project but the account, a connector, a network, a key
and a policy was compared)."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.compare import stateful
from tests.compare.stateful import KINDS, said
from tests.conftest import MakeSandbox

STAGING_DB = "acme-staging:us-central1:chat-db"
PROD_DB = "acme-prod:us-central1:chat-db"
ORDERS = "acme-prod:us-central1:orders"
TARGET = "setting.cloudsql_instances"


def _profile(project: str, kind: str, instances: str, region: str = "us-central1") -> str:
    settings = f"cloudsql_instances: {instances}" if instances else ""
    return stateful.profile(project, kind, settings, region)


def _compare(tmp_path: Path, staging: str, prod: str) -> tuple[int, Any, str]:
    return stateful.compare(tmp_path, staging, prod, TARGET)


@pytest.mark.parametrize("kind", list(KINDS))
def test_profiles_of_staging_on_prods_database_are_shared(tmp_path: Path, kind: str) -> None:
    code, found, table = _compare(
        tmp_path,
        _profile("acme-staging", kind, f"[{PROD_DB}, {STAGING_DB}]"),
        _profile("acme-prod", kind, PROD_DB),
    )
    name = KINDS[kind]
    message = (
        f"{name} connects to Cloud SQL instance {PROD_DB} (prod's project acme-prod) in both "
        "staging and prod"
    )
    assert said(found) == [("value.shared", None, message)], found
    assert (found[0]["a"], found[0]["b"]) == (f"{PROD_DB},{STAGING_DB}", PROD_DB)
    assert code == 1
    assert f"value.shared  {TARGET}" in table and message in table, table


def test_profiles_naming_the_other_projects_instance_are_foreign(tmp_path: Path) -> None:
    """Not one prod's api uses, and the shared one is said once, as shared."""
    code, found, table = _compare(
        tmp_path,
        _profile("acme-staging", "services", f"{PROD_DB},{ORDERS}"),
        _profile("acme-prod", "services", PROD_DB),
    )
    foreign = (
        f"api in staging connects to Cloud SQL instance {ORDERS}, which names prod's project "
        "acme-prod"
    )
    assert [k for k, _, _ in said(found)] == ["value.shared", "value.foreign"], found
    assert said(found)[1] == ("value.foreign", "a", foreign)
    assert code == 1 and foreign in table, table


def test_profiles_each_on_its_own_database_are_equivalent(tmp_path: Path) -> None:
    code, found, table = _compare(
        tmp_path,
        _profile("acme-staging", "services", STAGING_DB),
        _profile("acme-prod", "services", PROD_DB),
    )
    assert (code, found) == (0, []), table
    assert "staging and prod are equivalent" in table


def test_two_regions_of_one_project_sharing_an_instance_say_so(tmp_path: Path) -> None:
    """As the very same secret both reference is `secret.shared` there: the project is said
    shared, and so is the database; an instance of the shared project is no side's own."""
    code, found, _ = _compare(
        tmp_path,
        _profile("acme-staging", "services", f"{STAGING_DB},acme-staging:us-central1:cache"),
        _profile("acme-staging", "services", STAGING_DB, region="europe-west1"),
    )
    assert [(k, s) for k, s, _ in said(found)] == [("value.shared", None)], found
    assert STAGING_DB in found[0]["message"] and "cache" not in found[0]["message"]
    assert code == 1


def test_one_deployment_built_on_the_other_shares_its_instance_as_meant(tmp_path: Path) -> None:
    (tmp_path / "base.yaml").write_text(_profile("acme-staging", "services", STAGING_DB))
    code, found, table = _compare(tmp_path, "extends: base\n", "extends: staging\n")
    assert (code, found) == (0, []), table
    assert "shared values are expected and not looked for" in table


# -- live ------------------------------------------------------------------------------------


def _sql(*instances: str) -> dict[str, Any]:
    return {"name": "db", "cloudSqlInstance": {"instances": list(instances)}}


def _world(kind: str, staging: tuple[str, ...], prod: tuple[str, ...]) -> dict[str, Any]:
    return stateful.world(kind, [_sql(*staging)], [_sql(*prod)])


def _live(sandbox: Sandbox, tmp_path: Path, kind: str) -> tuple[int, Any, str]:
    return stateful.live(sandbox, tmp_path, kind, TARGET)


@pytest.mark.parametrize("kind", list(KINDS))
def test_live_staging_on_prods_database_is_shared(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    sandbox = make_sandbox(_world(kind, (PROD_DB, STAGING_DB), (PROD_DB,)))
    code, found, table = _live(sandbox, tmp_path, kind)
    message = (
        f"{KINDS[kind]} connects to Cloud SQL instance {PROD_DB} (prod's project acme-prod) in "
        "both staging and prod"
    )
    assert said(found) == [("value.shared", None, message)], found
    assert code == 1 and message in table, table


@pytest.mark.parametrize("kind", ["services", "worker_pools"])
def test_live_an_instance_of_the_other_project_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    sandbox = make_sandbox(_world(kind, (ORDERS,), (PROD_DB,)))
    code, found, table = _live(sandbox, tmp_path, kind)
    foreign = (
        f"{KINDS[kind]} in staging connects to Cloud SQL instance {ORDERS}, which names "
        "prod's project acme-prod"
    )
    assert said(found) == [("value.foreign", "a", foreign)], found
    assert (found[0]["a"], found[0]["b"]) == (ORDERS, PROD_DB)
    assert code == 1 and foreign in table, table


def test_live_each_on_its_own_database_is_equivalent(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world("services", (STAGING_DB,), (PROD_DB,)))
    code, found, table = _live(sandbox, tmp_path, "services")
    assert (code, found) == (0, []), table


def test_live_a_revision_split_onto_prods_database_is_foreign(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """10 % of staging's requests run on a revision connecting to prod's database: no pair
    for it, and what it names of prod is said with the revision."""
    world = _world("services", (STAGING_DB,), (PROD_DB,))
    api = world["projects"]["acme-staging"]["services"]["api"]
    older = copy.deepcopy(api["template"])
    older["api"]["volumes"] = [_sql(PROD_DB)]
    api["history"] = [older]
    api["traffic"] = [{"revision": 1, "percent": 10}, {"revision": 2, "percent": 90}]
    sandbox = make_sandbox(world)
    code, found, table = _live(sandbox, tmp_path, "services")
    assert [(d["kind"], d["side"], d["a"]) for d in found] == [("value.foreign", "a", PROD_DB)]
    assert "api in staging's revision api-" in found[0]["message"], found
    assert code == 1, table
