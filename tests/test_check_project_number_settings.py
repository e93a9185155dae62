"""A setting naming a resource of a project names it by the project's id or by its number
(VpcAccess.connector: "Format: projects/{project}/locations/{location}/connectors/{connector},
where {project} can be project id or number", run v2 vendor_settings.proto), and Cloud Run
keeps the name it is sent: a service gcloud wrote (numbers) and one Terraform wrote (ids) run
the same connector, a job's CMEK key of another project by number is the profile's key by id.
`drift check` finds them the same when the read learnt the project's id (one GetProject per
project named by number, none more), and not verified — never clean, never drift — when it
could not (GetProject denied), as a secret reference is (`drift.diff.secrets.unknown_refs`)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.check import CheckResult, run_check
from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.sandbox import Sandbox
from drift.settings import load_settings
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PROD, PROD_NUMBER = "acme-prod", 500000000001
KMS, KMS_NUMBER = "acme-kms", 600000000002
REGION = "us-central1"
IMAGE = "us-docker.pkg.dev/acme-prod/app/api:1"
CONNECTOR = f"locations/{REGION}/connectors/run"
KEY = f"locations/{REGION}/keyRings/run/cryptoKeys/images"
NETWORK = "global/networks/prod-vpc"
SUBNET = f"regions/{REGION}/subnetworks/run"


def _service(vpc: dict[str, Any]) -> dict[str, Any]:
    return {
        "client": "gcloud",
        "client_version": "528.0.0",
        "template": {"image": IMAGE, "port": 8080, "api": {"vpcAccess": vpc}},
    }


def _world(*, denied: bool = False) -> dict[str, Any]:
    connector = {"egress": "PRIVATE_RANGES_ONLY"}
    job = {"template": {"api": {"encryptionKey": f"projects/{KMS_NUMBER}/{KEY}"}}}
    deny = {"deny": ["GetProject"]} if denied else {}
    return {
        "options": {"seed": 3},
        "projects": {
            PROD: {
                "number": PROD_NUMBER,
                "region": REGION,
                **deny,
                "services": {
                    # gcloud, the console: the project by number
                    "by-number": _service(
                        {**connector, "connector": f"projects/{PROD_NUMBER}/{CONNECTOR}"}
                    ),
                    # Terraform: `google_vpc_access_connector.run.id`, by id
                    "by-id": _service({**connector, "connector": f"projects/{PROD}/{CONNECTOR}"}),
                    "direct": _service(
                        {
                            "networkInterfaces": [
                                {
                                    "network": f"projects/{PROD_NUMBER}/{NETWORK}",
                                    "subnetwork": f"projects/{PROD_NUMBER}/{SUBNET}",
                                }
                            ]
                        }
                    ),
                },
                "jobs": {"batch": job},
            },
            KMS: {"number": KMS_NUMBER, "region": REGION, **deny},
        },
    }


PROFILE = f"""\
project: {PROD}
region: {REGION}
services:
  by-number:
    settings:
      vpc_connector: run
  by-id:
    settings:
      vpc_connector: projects/{PROD_NUMBER}/{CONNECTOR}
  direct:
    settings:
      vpc_network: prod-vpc
      vpc_subnet: projects/{PROD}/{SUBNET}
jobs:
  batch:
    settings:
      encryption_key: projects/{KMS}/{KEY}
"""


def _environ(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Path:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "prod.yaml").write_text(PROFILE)
    return folder


def _check(sandbox: Sandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> CheckResult:
    profile = load_profile(_environ(sandbox, monkeypatch, tmp_path), "prod")
    return asyncio.run(run_check(profile, load_settings()))


def _settings(result: CheckResult) -> list[tuple[str, str, str]]:
    return [
        (f.service, f.target, f.message)
        for f in result.report.findings
        if f.target.startswith("setting.")
    ]


def test_a_resource_named_by_the_projects_number_is_the_one_named_by_its_id(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world())
    result = _check(sandbox, monkeypatch, tmp_path)
    assert _settings(result) == []
    assert not [u for u in result.report.unverified if u.target.startswith("setting.")]
    # one GetProject per project named by number, each once: the numbers tell the ids
    asked = sorted(c.request.name for c in sandbox.calls if c.short == "GetProject")
    assert asked == [f"projects/{PROD_NUMBER}", f"projects/{KMS_NUMBER}"], asked
    # no history either: judged early (before GetProject answered), nothing had drifted
    assert not [c for c in sandbox.calls if c.short == "ListRevisions"]


def test_another_projects_connector_by_number_is_still_drift(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The key's project is acme-kms (600000000002): a profile naming acme-prod's key of the
    same ring and name is another key."""
    sandbox = make_sandbox(_world())
    profile = PROFILE.replace(f"projects/{KMS}/{KEY}", f"projects/{PROD}/{KEY}")
    folder = _environ(sandbox, monkeypatch, tmp_path)
    (folder / "prod.yaml").write_text(profile)
    result = asyncio.run(run_check(load_profile(folder, "prod"), load_settings()))
    found = _settings(result)
    assert [(s, t) for s, t, _ in found] == [("batch", "setting.encryption_key")], found
    # shown by the project's id, as the profile names it
    assert f"projects/{KMS}/{KEY}" in found[0][2], found


def test_unmatched_numbers_are_not_verified_never_drift_nor_clean(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_world(denied=True))
    result = _check(sandbox, monkeypatch, tmp_path)
    assert _settings(result) == []
    unverified = {
        (u.service, u.target): u.reason
        for u in result.report.unverified
        if u.target.startswith("setting.")
    }
    assert set(unverified) == {
        ("by-number", "setting.vpc_connector"),
        ("by-id", "setting.vpc_connector"),
        ("direct", "setting.vpc_network"),
        ("direct", "setting.vpc_subnet"),
        ("batch", "setting.encryption_key"),
    }, unverified
    why = unverified[("batch", "setting.encryption_key")]
    assert f"GetProject on projects/{KMS_NUMBER}: PERMISSION_DENIED" in why, why
    assert result.report.exit_code == 3


def test_fix_plans_no_change_for_a_project_named_the_other_way(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Equal (GetProject answered) or undecided (denied): no setting change either way; the
    undecided one is a manual step saying why, never a write of the profile's spelling."""
    for denied in (False, True):
        sandbox = make_sandbox(_world(denied=denied))
        profile = load_profile(_environ(sandbox, monkeypatch, tmp_path), "prod")
        planned = asyncio.run(plan_environment(profile, load_settings()))
        changes = [(s.service, c.name) for s in planned.plan.services for c in s.settings]
        assert changes == [], (denied, changes)


def _asked(sandbox: Sandbox) -> list[str]:
    return sorted(c.request.name for c in sandbox.calls if c.short == "GetProject")


def test_the_own_project_looked_up_for_a_connector_is_not_asked_again(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The profile names the default compute account by number (its number is then needed:
    `AccessDecisions.own_number`) and the connector by short name: GetProject on the
    connector's project number tells both, and the id is not asked again."""
    sandbox = make_sandbox(_world())
    folder = _environ(sandbox, monkeypatch, tmp_path)
    account = f"      service_account: {PROD_NUMBER}-compute@developer.gserviceaccount.com\n"
    text = PROFILE.replace("      vpc_connector: run\n", "      vpc_connector: run\n" + account)
    (folder / "prod.yaml").write_text(text)
    result = asyncio.run(
        run_check(load_profile(folder, "prod"), load_settings(), services=["by-number"])
    )
    assert not result.report.findings and not result.report.unverified, result.report
    assert _asked(sandbox) == [f"projects/{PROD_NUMBER}"]


def test_no_lookup_where_every_project_is_named_by_id(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Terraform's names (ids) against a profile naming ids or short names: two ids are two
    projects, nothing to match, no GetProject."""
    sandbox = make_sandbox(_world())
    folder = _environ(sandbox, monkeypatch, tmp_path)
    text = PROFILE.replace(f"projects/{PROD_NUMBER}/{CONNECTOR}", f"projects/{PROD}/{CONNECTOR}")
    (folder / "prod.yaml").write_text(text)
    result = asyncio.run(
        run_check(load_profile(folder, "prod"), load_settings(), services=["by-id"])
    )
    assert not result.report.findings and not result.report.unverified, result.report
    assert _asked(sandbox) == []


def test_a_profile_by_number_and_a_terraform_connector_by_id(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The profile names its project by number, Cloud Run answers names as asked (sandbox
    option `project_in_names: as_asked`: the service is `projects/500000000001/…`), the
    connector is Terraform's, by id: the profile's `run`, GetProject on the number telling."""
    world = _world()
    world["options"]["project_in_names"] = "as_asked"
    sandbox = make_sandbox(world)
    folder = _environ(sandbox, monkeypatch, tmp_path)
    text = f"project: '{PROD_NUMBER}'\nregion: {REGION}\nservices:\n"
    (folder / "prod.yaml").write_text(text + "  by-id:\n    settings:\n      vpc_connector: run\n")
    profile = load_profile(folder, "prod")
    result = asyncio.run(run_check(profile, load_settings()))
    assert not result.report.findings and not result.report.unverified, result.report
    read = [c for c in sandbox.calls if c.short in ("GetService", "ListServices")]
    names = [getattr(c.request, "name", "") or c.request.parent for c in read]
    assert names and all(n.startswith(f"projects/{PROD_NUMBER}/") for n in names), names
    assert _asked(sandbox) == [f"projects/{PROD_NUMBER}"]


def test_two_revisions_naming_one_connector_two_ways_run_one_configuration(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """gcloud deployed revision 1 (the connector by number), Terraform the latest (by id), a
    tag keeps revision 1 reached: one configuration, no rollout in progress, and `init
    --from-live` writes the connector once, short."""
    from drift.onboarding.init import init_from_live

    vpc = {"egress": "PRIVATE_RANGES_ONLY"}
    old = {
        "image": IMAGE,
        "port": 8080,
        "api": {"vpcAccess": {**vpc, "connector": f"projects/{PROD_NUMBER}/{CONNECTOR}"}},
    }
    service = _service({**vpc, "connector": f"projects/{PROD}/{CONNECTOR}"})
    service["history"] = [old]
    service["traffic"] = [
        {"latest": True, "percent": 100},
        {"revision": 1, "percent": 0, "tag": "blue"},
    ]
    world = {
        "options": {"seed": 3},
        "projects": {PROD: {"number": PROD_NUMBER, "services": {"api": service}}},
    }
    sandbox = make_sandbox(world)
    folder = _environ(sandbox, monkeypatch, tmp_path)
    stated = "services:\n  api:\n    settings:\n      vpc_connector: run\n"
    (folder / "prod.yaml").write_text(f"project: {PROD}\nregion: {REGION}\n{stated}")
    result = asyncio.run(run_check(load_profile(folder, "prod"), load_settings()))
    assert not result.report.findings and not result.report.unverified, result.report
    settings = load_settings(profiles_dir=tmp_path / "init", project=PROD, region=REGION, wait=0)
    done = asyncio.run(init_from_live("prod", settings, services=None))
    assert done.rollouts == () and int(done.exit_code) == 0, done.summary()
    written = (tmp_path / "init" / "prod.yaml").read_text()
    assert "      vpc_connector: run\n" in written, written
