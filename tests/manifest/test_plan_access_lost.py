"""What a Terraform plan does beside the service that takes a referenced secret's access away,
or makes its deploy refused, once applied: each reference it may reach is not verified ("… by
this plan: ADDRESS"), never clean (helper-564: each of these was exit 0, clean, on 31efddb4).
A grant made conditional in place, a project named `projects/ID`, the grant to all of a
project's service accounts, the runtime account deleted, recreated or disabled, the Secret
Manager API disabled, a deny policy, a new version `latest` will name created disabled (or
`enabled` not known), and a template of two ported containers with another value unknown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import REPO
from tests.manifest.plans import API_ONLY, check_live, known_api, plan

ACCESSOR = "roles/secretmanager.secretAccessor"
EMAIL = "api@acme-chat-staging.iam.gserviceaccount.com"
SA = f"serviceAccount:{EMAIL}"
OPS = "user:ops@acme.dev"
PROJECT = "acme-chat-staging"


@pytest.fixture(scope="module")
def project_world() -> Any:
    """The default world, and `project-only`, a secret api reads through the project's policy
    alone (roles/secretmanager.secretAccessor to api on acme-chat-staging)."""
    world = yaml.safe_load((REPO / "drift/sandbox/scenarios/default.yaml").read_text())
    project = world["projects"][PROJECT]
    project["iam"][ACCESSOR] = [SA]
    project["secrets"]["project-only"] = {"versions": ["fake-project-only-value-123456"]}
    with Sandbox(world) as sandbox:
        yield sandbox


def _plan(*extra: dict[str, Any], secret: str = "jwt-secret-staging") -> dict[str, Any]:
    """plan.json's api, every value known, reading `secret` at latest (the default sandbox
    grants api access to jwt-secret-staging on the secret's own policy); then `extra`."""
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    ref = {"secret_key_ref": [{"secret": secret, "version": "latest"}]}
    env.append({"name": "JWT_SECRET_KEY", "value": "", "value_source": [ref]})
    data["resource_changes"] = [api, *extra]
    return data


def _rc(
    kind: str,
    actions: list[str],
    before: Any,
    after: Any = None,
    unknown: Any = None,
    name: str = "x",
) -> dict[str, Any]:
    return {
        "address": f"{kind}.{name}", "mode": "managed", "type": kind, "name": name,
        "change": {"actions": actions, "before": before, "after": after,
                   "after_unknown": unknown or {}, "before_sensitive": False,
                   "after_sensitive": {}},
    }  # fmt: skip


def _check(sb: Sandbox, tmp: Path, data: dict[str, Any], profile: str = API_ONLY) -> Any:
    done = check_live(sb, tmp, data, profile=profile)
    done.address = data["resource_changes"][-1]["address"]
    return done


def _not_verified(done: Any) -> None:
    """Exit 3, a reference not verified by what the plan's last resource does."""
    assert done.returncode == 3, (done.stdout, done.stderr)
    reasons = [u["reason"] for u in json.loads(done.stdout)["unverified"]]
    assert any(f" by this plan: {done.address}" in r for r in reasons), reasons


def test_baseline_the_plan_alone_is_clean(sandbox: Sandbox, tmp_path: Path) -> None:
    """(holds on HEAD) the fixture: without the extra resource the plan is clean."""
    done = _check(sandbox, tmp_path, _plan())
    assert done.returncode == 0, done.stdout


# F1 -------------------------------------------------------------------------------------------
NEVER = {"title": "expired", "expression": 'request.time < timestamp("2020-01-01T00:00:00Z")'}


def _policy(*bindings: dict[str, Any]) -> str:
    return json.dumps({"bindings": list(bindings)})


def test_f1_a_policy_update_that_makes_the_accounts_grant_conditional_is_not_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """An authoritative policy updated in place (policy_data is no ForceNew attribute) whose
    accessor binding of the runtime account gains a condition that never holds: once applied
    the unconditional grant drift reads live is gone. HEAD: `_held` counts a member of a
    conditional binding as holding the role, `lost` = before - after = {}: exit 0."""
    where = {"project": PROJECT, "secret_id": "jwt-secret-staging"}
    before = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA]})}
    after = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA],
                                              "condition": NEVER})}  # fmt: skip
    kind = "google_secret_manager_secret_iam_policy"
    done = _check(sandbox, tmp_path, _plan(_rc(kind, ["update"], before, after)))
    _not_verified(done)


def test_f1_the_same_on_the_projects_policy(project_world: Sandbox, tmp_path: Path) -> None:
    """google_project_iam_policy, where the project's grant is api's only one."""
    where = {"project": PROJECT}
    before = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA]})}
    after = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA],
                                              "condition": NEVER})}  # fmt: skip
    data = _plan(_rc("google_project_iam_policy", ["update"], before, after), secret="project-only")
    assert _check(project_world, tmp_path, _plan(secret="project-only")).returncode == 0
    done = _check(project_world, tmp_path, data)
    _not_verified(done)


@pytest.fixture(scope="module")
def folder_world() -> Any:
    """acme-chat-staging under folders/3000 (organizations/77), whose policy alone lets api
    read `folder-only` (as tests/manifest/test_plan_folder_grants.py)."""
    world = yaml.safe_load((REPO / "drift/sandbox/scenarios/default.yaml").read_text())
    world["organizations"] = {"77": {}}
    world["folders"] = {"3000": {"parent": "organizations/77", "iam": {ACCESSOR: [SA]}}}
    world["projects"][PROJECT]["parent"] = "folders/3000"
    world["projects"][PROJECT]["secrets"]["folder-only"] = {
        "versions": ["fake-folder-only-value-123456"]
    }
    with Sandbox(world) as sandbox:
        yield sandbox


def test_f1_the_same_on_a_folders_policy(folder_world: Sandbox, tmp_path: Path) -> None:
    """google_folder_iam_policy (34417854 reads it as on every project), the folder's grant
    api's only one: made conditional in place, exit 0."""
    where = {"folder": "folders/3000"}
    before = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA]})}
    after = {**where, "policy_data": _policy({"role": ACCESSOR, "members": [SA],
                                              "condition": NEVER})}  # fmt: skip
    data = _plan(_rc("google_folder_iam_policy", ["update"], before, after), secret="folder-only")
    assert _check(folder_world, tmp_path, _plan(secret="folder-only")).returncode == 0
    done = _check(folder_world, tmp_path, data)
    _not_verified(done)


# F2 -------------------------------------------------------------------------------------------
ACCOUNT = {
    "account_id": "api", "project": PROJECT, "email": EMAIL, "name":
    f"projects/{PROJECT}/serviceAccounts/{EMAIL}", "member": SA, "disabled": False,
    "display_name": "api", "unique_id": "1234567890",
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "actions", "after", "unknown"),
    [
        ("replaced (tainted / -replace): a new identity, no old grant",
         ["delete", "create"], {**ACCOUNT, "unique_id": None},
         {"unique_id": True, "name": True}),
        ("deleted", ["delete"], None, None),
        ("disabled", ["update"], {**ACCOUNT, "disabled": True}, None),
    ],
)  # fmt: skip
def test_f2_a_plan_that_replaces_deletes_or_disables_the_runtime_account_is_not_clean(
    sandbox: Sandbox, tmp_path: Path, case: str, actions: list[str], after: Any, unknown: Any
) -> None:
    """The service runs as api@ (a literal email in the plan); the plan replaces, deletes or
    disables google_service_account api. A recreated account of the same email "is treated as
    a separate identity; it does not inherit the roles granted to the deleted service account"
    (cloud.google.com/iam/docs/service-accounts-delete-undelete); a deleted or disabled one
    cannot authenticate. HEAD: the resource is not read: exit 0."""
    extra = _rc("google_service_account", actions, ACCOUNT, after, unknown, name="api")
    done = _check(sandbox, tmp_path, _plan(extra))
    _not_verified(done)


# F3 -------------------------------------------------------------------------------------------
def test_f3_a_plan_that_disables_the_secret_manager_api_is_not_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """google_project_service secretmanager.googleapis.com destroyed with disable_on_destroy
    true (the provider's default): the API is disabled for the project, and no secret of it
    can be accessed. HEAD: exit 0."""
    before = {"project": PROJECT, "service": "secretmanager.googleapis.com",
              "disable_on_destroy": True, "disable_dependent_services": False}  # fmt: skip
    extra = _rc("google_project_service", ["delete"], before, name="secretmanager")
    done = _check(sandbox, tmp_path, _plan(extra))
    _not_verified(done)


# F4 -------------------------------------------------------------------------------------------
def test_f4_a_deny_policy_the_plan_creates_on_the_accounts_secret_access_is_not_clean(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """google_iam_deny_policy created on the project, denying the runtime account
    secretmanager.googleapis.com/versions.access (the v2 form SERVICE_FQDN/RESOURCE.ACTION):
    "IAM always checks relevant deny policies before checking relevant allow policies"
    (cloud.google.com/iam/docs/deny-overview). drift reads no deny
    policy live (a documented limit), but this one is in the plan it was given. HEAD: exit 0."""
    parent = f"cloudresourcemanager.googleapis.com%2Fprojects%2F{PROJECT}"
    after = {
        "parent": parent, "name": "no-secrets", "display_name": "no secrets",
        "rules": [{"description": "", "deny_rule": [{
            "denied_principals": [f"principal://iam.googleapis.com/projects/-/serviceAccounts/{EMAIL}"],
            "denial_condition": [],
            "denied_permissions": ["secretmanager.googleapis.com/versions.access"],
            "exception_principals": [], "exception_permissions": []}]}],
    }  # fmt: skip
    extra = _rc("google_iam_deny_policy", ["create"], None, after, {"etag": True, "id": True})
    done = _check(sandbox, tmp_path, _plan(extra))
    _not_verified(done)


# F5 -------------------------------------------------------------------------------------------
def test_f5_two_ported_containers_are_refused_even_when_another_value_is_unknown(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """Cloud Run refuses a template of several containers where not exactly one declares a
    port (`refused.no_ingress`: the workload is not verified, never clean). HEAD checks that
    only when the workload has no unknown at all (source.py: `if not workload.unknown`), so
    any unrelated value not known until apply — here a plain variable no rule judges — turns
    the refused deploy into exit 0."""
    data = _plan()
    api = data["resource_changes"][0]["change"]
    containers = api["after"]["template"][0]["containers"]
    sidecar = json.loads(json.dumps(containers[0]))
    sidecar.update(name="proxy", env=[{"name": "BUILD", "value": None, "value_source": []}])
    containers[0]["name"] = "api"
    containers.append(sidecar)  # two containers, each with port 8080
    unknown = [{}, {"env": [{"value": True}]}]
    api["after_unknown"] = {"template": [{"containers": unknown}]}
    done = _check(sandbox, tmp_path, data)
    assert done.returncode == 3, done.stdout
    reasons = [u["reason"] for u in json.loads(done.stdout)["unverified"]]
    said = "its template has 2 containers and 2 of them (api, proxy) declare a port: Cloud Run"
    assert any(said in r for r in reasons), reasons


def test_f5_control_without_the_unknown_it_is_not_verified(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """(holds on HEAD) the same template with every value known: exit 3."""
    data = _plan()
    api = data["resource_changes"][0]["change"]
    containers = api["after"]["template"][0]["containers"]
    sidecar = json.loads(json.dumps(containers[0]))
    sidecar.update(name="proxy", env=[{"name": "BUILD", "value": "1", "value_source": []}])
    containers[0]["name"] = "api"
    containers.append(sidecar)
    done = _check(sandbox, tmp_path, data)
    assert done.returncode == 3, done.stdout


# F6 -------------------------------------------------------------------------------------------
VERSION = {
    "secret": f"projects/{PROJECT}/secrets/jwt-secret-staging", "enabled": True,
    "secret_data": "x", "deletion_policy": "DELETE", "version": "2",
    "name": "projects/401234567890/secrets/jwt-secret-staging/versions/2",
}  # fmt: skip


@pytest.mark.parametrize(
    ("case", "actions"),
    [("replaced (rotation)", ["create", "delete"]), ("updated", ["update"])],
)
def test_f6_a_version_whose_enabled_is_not_known_until_apply_is_not_clean(
    sandbox: Sandbox, tmp_path: Path, case: str, actions: list[str]
) -> None:
    """google_secret_manager_secret_version with `enabled` not known until apply
    (`enabled = var.x` from another resource's attribute: after null, after_unknown true):
    once applied the version `latest` names may be disabled. HEAD reads the unknown as the
    default (true): removed.py `made.get("enabled") is not False`, and an update's
    `after.get("enabled") is False` never holds for null: exit 0."""
    after = {**VERSION, "enabled": None}
    if case.startswith("replaced"):
        after.update(version=None, name=None)
    unknown = {"enabled": True, "version": True, "name": True, "id": True, "create_time": True}
    extra = _rc("google_secret_manager_secret_version", actions, VERSION, after, unknown)
    done = _check(sandbox, tmp_path, _plan(extra))
    _not_verified(done)


# F7 -------------------------------------------------------------------------------------------
ALL_ACCOUNTS = (
    "principalSet://cloudresourcemanager.googleapis.com/projects/401234567890/type/ServiceAccount"
)


@pytest.fixture(scope="module")
def set_world() -> Any:
    """`set-only`: a secret api reads only through the project's grant to all of
    acme-chat-staging's service accounts (a set drift decides: the project's number is read)."""
    world = yaml.safe_load((REPO / "drift/sandbox/scenarios/default.yaml").read_text())
    project = world["projects"][PROJECT]
    project["iam"][ACCESSOR] = [ALL_ACCOUNTS]
    project["secrets"]["set-only"] = {"versions": ["fake-set-only-value-123456"]}
    with Sandbox(world) as sandbox:
        yield sandbox


def test_f7_removing_the_all_service_accounts_grant_the_account_relies_on_is_not_clean(
    set_world: Sandbox, tmp_path: Path
) -> None:
    """The live check counts the grant to "all service accounts in a project" (iam_policy
    `accessor_bindings`: `own in b.members`) as api's; the plan deletes that very member.
    HEAD: removed.py `_loses` only knows the account's own name and allUsers /
    allAuthenticatedUsers: exit 0."""
    assert _check(set_world, tmp_path, _plan(secret="set-only")).returncode == 0
    before = {"project": PROJECT, "role": ACCESSOR, "member": ALL_ACCOUNTS, "condition": []}
    extra = _rc("google_project_iam_member", ["delete"], before)
    done = _check(set_world, tmp_path, _plan(extra, secret="set-only"))
    _not_verified(done)


# F8 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize(
    ("case", "enabled", "unknown"),
    [("created disabled", False, {}), ("created, enabled not known", None, {"enabled": True})],
)
def test_f8_a_new_version_latest_will_name_that_may_be_disabled_is_not_clean(
    sandbox: Sandbox, tmp_path: Path, case: str, enabled: Any, unknown: dict[str, bool]
) -> None:
    """api reads jwt-secret-staging at `latest` (version 2, ENABLED, live). The plan adds a
    version created with `enabled = false` (or not known until apply): `latest` "is an alias
    to the most recently created SecretVersion" (secretmanager v1 AccessSecretVersionRequest),
    so once applied it names a DISABLED version: the deploy fails and env secrets stop
    resolving at instance start. HEAD: planned.py makes it `latest=False` and nothing else
    looks at it (removed.py reads only a `before`): exit 0."""
    after = {**VERSION, "enabled": enabled, "version": None, "name": None}
    unknown = {**unknown, "version": True, "name": True, "id": True, "create_time": True}
    extra = _rc("google_secret_manager_secret_version", ["create"], None, after, unknown)
    done = _check(sandbox, tmp_path, _plan(extra))
    _not_verified(done)


# F9 -------------------------------------------------------------------------------------------
@pytest.mark.parametrize("kind", ["google_project_iam_member", "google_project_iam_binding"])
def test_f9_a_project_grant_named_projects_slash_id_that_goes_is_not_clean(
    project_world: Sandbox, tmp_path: Path, kind: str
) -> None:
    """`project = "projects/acme-chat-staging"`: the provider takes either form ("We can
    either get "projects/project-id" or "project-id", so strip any prefixes":
    terraform-provider-google google/iam_project.go compareProjectName) and the plan holds it
    as written. HEAD compares it as a project id (planned.same_project): not the profile's
    project, so the grant api relies on is deleted and the plan is clean."""
    assert _check(project_world, tmp_path, _plan(secret="project-only")).returncode == 0
    before = {"project": f"projects/{PROJECT}", "role": ACCESSOR, "condition": []}
    before.update({"member": SA} if kind.endswith("member") else {"members": [SA]})
    extra = _rc(kind, ["delete"], before)
    done = _check(project_world, tmp_path, _plan(extra, secret="project-only"))
    _not_verified(done)


# What takes nothing away stays clean --------------------------------------------------------
OTHER = "other@x.iam.gserviceaccount.com"
SERVICE_API = {"project": PROJECT, "service": "secretmanager.googleapis.com"}
DENY = {
    "parent": f"cloudresourcemanager.googleapis.com%2Fprojects%2F{PROJECT}", "name": "n",
    "rules": [{"deny_rule": [{"denied_principals": ["principalSet://goog/public:all"],
                              "denied_permissions": ["compute.googleapis.com/instances.delete"]}]}],
}  # fmt: skip


@pytest.mark.parametrize(
    ("kind", "actions", "before", "after"),
    [
        ("google_service_account", ["update"], ACCOUNT, {**ACCOUNT, "display_name": "API"}),
        ("google_service_account", ["delete"], {**ACCOUNT, "email": OTHER}, None),
        ("google_project_service", ["delete"], {**SERVICE_API, "disable_on_destroy": False},
         None),
        ("google_project_service", ["delete"], {**SERVICE_API, "service": "run.googleapis.com"},
         None),
        ("google_iam_deny_policy", ["create"], None, DENY),
        ("google_secret_manager_secret_version", ["create"], None,
         {**VERSION, "version": None, "name": None}),
    ],
    ids=["account renamed", "another account", "api kept", "another api", "deny of another",
         "version enabled"],
)  # fmt: skip
def test_what_takes_nothing_away_is_clean(
    sandbox: Sandbox, tmp_path: Path, kind: str, actions: list[str], before: Any, after: Any
) -> None:
    done = _check(sandbox, tmp_path, _plan(_rc(kind, actions, before, after)))
    assert done.returncode == 0, done.stdout
