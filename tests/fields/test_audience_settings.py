"""The catalogue's `iap_enabled` and `custom_audiences` rows (drift/fields/audiences.py), end
to end through the real `drift check`, `plan`, `fix` and `rollback` on the sandbox, on a
service with a sidecar and a tag at 0 %: Service.iap_enabled, Service.custom_audiences."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fields.test_network_settings import _world
from tests.fix.conftest import LAB
from tests.fix.test_cpu_below_one import _profile, _run

AUD = ["https://chat.acme.example", "https://api.acme.example"]


def _findings(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    found = json.loads(done.stdout)["findings"]
    return [f for f in found if f["target"].startswith("setting.") and not f.get("tag")]


@pytest.mark.parametrize(
    ("own", "setting", "actual", "flag", "after"),
    [
        ({}, "iap_enabled: true", "false", "has no flag", {"iap": True, "aud": []}),
        ({"iapEnabled": True}, "iap_enabled: false", "true", "has no flag", {"iap": False}),
        (
            {"customAudiences": AUD[:1]},
            f"custom_audiences: [{AUD[1]}, {AUD[0]}]",
            AUD[0],
            f"--set-custom-audiences={AUD[1]},{AUD[0]}",
            {"aud": sorted(AUD)},
        ),
        (
            {"customAudiences": AUD},
            "custom_audiences: none",
            ",".join(sorted(AUD)),
            "--clear-custom-audiences",
            {"aud": []},
        ),
    ],
)
def test_a_drifted_access_setting_is_found_fixed_and_rolled_back(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    own: dict[str, Any],
    setting: str,
    actual: str,
    flag: str,
    after: dict[str, Any],
) -> None:
    world = _world(None)
    world["projects"][LAB]["services"]["app"].update(own)
    sandbox = make_sandbox(world)
    _profile(tmp_path, f"      {setting}\n")
    (finding,) = _findings(sandbox, tmp_path)
    assert finding["actual"] == actual, finding
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert flag in script.stdout, script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    service = sandbox.service(LAB, "app")
    held = {"iap": service.iap_enabled, "aud": sorted(service.custom_audiences)}
    assert {k: held[k] for k in after} == after
    assert _findings(sandbox, tmp_path) == []
    back = _run(sandbox, tmp_path, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert [f["actual"] for f in _findings(sandbox, tmp_path)] == [actual]


@pytest.mark.parametrize("fmt", ["table", "json", "gcloud", "yaml"])
def test_an_audience_holding_a_password_is_masked_in_check_and_every_plan_format(
    make_sandbox: MakeSandbox, tmp_path: Path, fmt: str
) -> None:
    """An audience is a URL (Service.custom_audiences: "the full URL in a string"), which may
    carry a user and password: shown as every URL of a setting is (`credentials.masked_text`:
    `***host`); 917363ab showed it whole as the finding's actual and the plan's before."""
    live = "https://ops:Hunter2pw9@chat.acme.example"
    world = _world(None)
    world["projects"][LAB]["services"]["app"]["customAudiences"] = [live]
    sandbox = make_sandbox(world)
    _profile(tmp_path, f"      custom_audiences: {AUD[1]}\n")
    (finding,) = _findings(sandbox, tmp_path)
    assert finding["actual"] == "***chat.acme.example", finding
    done = _run(sandbox, tmp_path, "plan", "lab", "--format", fmt)
    assert done.returncode == 1 and AUD[1] in done.stdout, done.stdout + done.stderr
    assert "Hunter2pw9" not in done.stdout + done.stderr, done.stdout
