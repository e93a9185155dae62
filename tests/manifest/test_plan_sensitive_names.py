"""A value a Terraform plan marks sensitive itself is a secret whatever field holds it, one
drift takes for a name too: a password given as the service account, a mount path, a revision
name, another workload's name or a secret's name (`service_account = var.db_password`) was
printed whole — in the exit-2 refusal, a reason, a note, a finding and its target — where
Terraform shows `(sensitive value)` (helper-834 F2). What refers to it still says which field
of which resource it is. A block marked whole keeps its names
(`test_plan_sensitive_anywhere`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.manifest.terraform import SERVICE
from tests.manifest.plans import API_ONLY, check_offline, check_written, known_api, plan

PW = "Sup3rS3cretPassw0rd"
FORMATS = ["table", "json", "sarif", "github", "markdown"]
HIDDEN = "(sensitive: not shown)"


def _api(field: str, value: Any, marks: Any) -> dict[str, Any]:
    """The plan with api alone (`known_api`), its template's `field` set to `value`, and its
    template's `after_sensitive` `marks`."""
    data = plan()
    api = known_api(data)
    api["change"]["after"]["template"][0][field] = value
    api["change"]["after_sensitive"] = {"template": [marks]}
    data["resource_changes"] = [api]
    return data


def _mount() -> dict[str, Any]:
    mounts = [{"name": "v", "mount_path": f"/a:{PW}"}]
    container = {"volume_mounts": [{"mount_path": True}]}
    data = _api("service_account", "api@acme-chat-staging.iam.gserviceaccount.com", {})
    after = data["resource_changes"][0]["change"]
    after["after"]["template"][0]["containers"][0]["volume_mounts"] = mounts
    after["after_sensitive"] = {"template": [{"containers": [container]}]}
    return data


REFUSED = {
    "service account": (
        lambda: _api("service_account", PW, {"service_account": True}),
        "change.after.template[0].service_account: service account (sensitive: not shown) is "
        "not an email address",
    ),
    "mount path": (
        _mount,
        "change.after.template[0].containers[0].volume_mounts[0].mount_path: mount path "
        "(sensitive: not shown) holds ':'",
    ),
}


@pytest.mark.parametrize("fmt", ["table", "json"])
@pytest.mark.parametrize("field", REFUSED)
def test_a_marked_value_cloud_run_refuses_is_named_by_its_field_not_shown(
    tmp_path: Path, field: str, fmt: str
) -> None:
    make, said = REFUSED[field]
    done = check_offline(tmp_path, make(), API_ONLY, "-f", fmt)
    assert done.returncode == 2, done.stderr
    assert f"plan.json: resource_changes[0].{said}" in done.stderr
    assert PW not in done.stdout + done.stderr


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_marked_revision_name_is_named_not_shown(tmp_path: Path, fmt: str) -> None:
    data = _api("revision", f"bad_{PW}", {"revision": True})
    done, written = check_written(tmp_path, data, API_ONLY, fmt)
    assert done.returncode == 3, done.stderr
    assert f"the revision name {HIDDEN} does not start with api-" in written.replace("\\", "")
    assert PW not in done.stdout + done.stderr + written


def _other(*, api: bool = True) -> dict[str, Any]:
    """The plan with a service of a marked name, outside the profile (and api, or not)."""
    data = plan()
    other = json.loads(json.dumps(known_api(data)))
    other["address"] = f"{SERVICE}.other"
    other["change"]["after"]["name"] = f"svc-{PW.lower()}"
    other["change"]["after_sensitive"] = {"name": True}
    data["resource_changes"] = [known_api(data), other] if api else [other]
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_another_workloads_marked_name_is_not_shown(tmp_path: Path, fmt: str) -> None:
    done, written = check_written(tmp_path, _other(), API_ONLY, fmt)
    assert done.returncode == 0, done.stderr
    if fmt in ("table", "json"):  # the formats that carry notes
        assert f"{SERVICE}.other) not checked: not in the profile" in written
    assert PW.lower() not in (done.stdout + done.stderr + written).lower()


def test_a_plan_of_only_a_marked_name_is_refused_by_its_address(tmp_path: Path) -> None:
    done = check_offline(tmp_path, _other(api=False), API_ONLY)
    assert done.returncode == 2, done.stderr
    assert f"plan.json: {SERVICE}.other: " in done.stderr and "it has ***;" in done.stderr
    assert PW.lower() not in done.stderr.lower()


def _secret_ref() -> dict[str, Any]:
    ref = [{"secret_key_ref": [{"secret": f"db-pass-{PW.lower()}", "version": "latest"}]}]
    data = _api("service_account", "api@acme-chat-staging.iam.gserviceaccount.com", {})
    change = data["resource_changes"][0]["change"]
    env = change["after"]["template"][0]["containers"][0]["env"]
    env.append({"name": "DB_PASS", "value": "", "value_source": ref})
    marks: list[Any] = [{} for _ in env]
    marks[-1] = {"value_source": [{"secret_key_ref": [{"secret": True}]}]}
    change["after_sensitive"] = {"template": [{"containers": [{"env": marks}]}]}
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_marked_secret_name_is_not_shown(tmp_path: Path, fmt: str) -> None:
    profile = API_ONLY + "    env:\n      DB_PASS: {secret: db-pass}\n"
    done, written = check_written(tmp_path, _secret_ref(), profile, fmt)
    assert done.returncode == 1, done.stderr
    assert "DB_PASS" in written  # env.secret_ref, as before
    assert PW.lower() not in (done.stdout + done.stderr + written).lower()


def test_a_marked_secret_name_is_masked_on_the_data(tmp_path: Path) -> None:
    """The target of what is not verified is masked before it is rendered: the table's column
    is as wide as the mask, not as the name."""
    profile = API_ONLY + "    env:\n      DB_PASS: {secret: db-pass}\n"
    done = check_offline(tmp_path, _secret_ref(), profile, "-f", "table")
    assert "api       secret.***   not read (--offline)" in done.stdout, done.stdout


def test_a_marked_service_account_is_not_shown_in_its_finding(tmp_path: Path) -> None:
    """A marked service account that is an address is no name drift prints: its finding
    masks it, and so does a plain variable holding a copy (freed as a name, it was shown)."""
    account = f"{PW.lower()}@acme-chat-staging.iam.gserviceaccount.com"
    data = _api("service_account", account, {"service_account": True})
    env = data["resource_changes"][0]["change"]["after"]["template"][0]["containers"][0]["env"]
    env.append({"name": "COPY", "value": account, "value_source": []})
    other = "other@acme-chat-staging.iam.gserviceaccount.com"
    profile = API_ONLY.replace("20}", f"20, service_account: {other}}}")
    profile += "    unexpected_env: error\n"
    done, written = check_written(tmp_path, data, profile, "json")
    assert done.returncode == 1, done.stderr
    assert "setting.service_account" in written and "env.COPY" in written
    assert PW.lower() not in (done.stdout + done.stderr + written).lower()
