"""A setting whose value a Terraform plan marks sensitive (`after_sensitive`: a configuration
decoded from a secret, `jsondecode(data.google_secret_manager_secret_version.cfg.secret_data)`,
makes every value taken from it sensitive) is compared, and never shown: Terraform shows
"(sensitive value)", and so must every format of drift (SPEC invariant 1). Only variables'
values were masked on the data (`EnvVar.sensitive`); a setting's finding showed its value
(`drift.diff.settings`: `field.show(read)`), masked only where that text held a registered
string of at least `SEARCH_MIN` characters (revtf87 F3). The settings a plan marks (each marked
path mapped to its settings as `after_unknown` marks are, `unknowns.settings_at`) are carried
on the revision's configuration (`RevisionConfig.hidden`), shown `***`."""

from __future__ import annotations

import copy
import json
import re
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

SHOWN = {"max_instance_count": ("7", "max_instances"), "memory": ("3Gi", "memory")}
SIDES = ["after_sensitive", "before_sensitive"]
"""Where the plan marks it: marked in the state before only (the configuration no longer says
`sensitive`; the value is the same), it is sensitive still, as Terraform's own plan shows
`(sensitive value)` where either side is (terraform
`internal/command/jsonformat/differ/sensitive.go`, `checkForSensitive`): a number is no text
`redact` finds, and it was shown (helper-787)."""


def _marked(api: dict[str, Any], marks: Any, side: str) -> None:
    """`api`'s template `marks` marked on `side`: `before_sensitive`, a `before` holding the
    same values as its `after`."""
    change = api["change"]
    if side == "before_sensitive":
        change["before"] = copy.deepcopy(change["after"])
    change[side] = {"template": [marks]}


def _sensitive_api(tmp: Path, which: str, side: str) -> Any:
    data = plan()
    api = known_api(data)
    template = api["change"]["after"]["template"][0]
    if which == "max_instance_count":
        template["scaling"][0]["max_instance_count"] = 7
        marks: dict[str, Any] = {"scaling": [{"max_instance_count": True}]}
    else:
        template["containers"][0]["resources"][0]["limits"]["memory"] = "3Gi"
        marks = {"containers": [{"resources": [{"limits": {"memory": True}}]}]}
    _marked(api, marks, side)
    profile = API_ONLY.replace("max_instances: 20}", "max_instances: 20, memory: 1Gi}")
    return check_offline(tmp, data, profile, "--service", "api", "-f", "json")


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("which", sorted(SHOWN))
def test_a_setting_terraform_marks_sensitive_is_compared_and_never_shown(
    tmp_path: Path, which: str, side: str
) -> None:
    value, setting = SHOWN[which]
    done = _sensitive_api(tmp_path, which, side)
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout  # compared: it differs from the profile's
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if not f["ignored"]]
    assert finding["target"] == f"setting.{setting}"
    assert finding["actual"] == "***", finding
    assert f" is ***, the profile says {finding['expected']}" in finding["message"], finding
    assert value not in finding["message"].replace(finding["revision"], ""), finding
    shown = done.stdout.replace(finding["revision"], "").replace(finding["id"], "")
    assert f'"{value}"' not in shown and f" {value}," not in shown, shown


def test_a_resource_marked_sensitive_as_a_whole_shows_none_of_its_values(tmp_path: Path) -> None:
    """`after_sensitive: true`: the format's "all sensitive leaf values replaced with true" for
    an `after` sensitive as a whole (`jsonstate.SensitiveAsBool` of a value marked at its
    root). It was read as nothing marked: the short value of LOG_LEVEL (`dbg`, the profile
    says INFO) was printed in its env.value finding."""
    data = plan()
    api = known_api(data)
    env = api["change"]["after"]["template"][0]["containers"][0]["env"]
    (level,) = [e for e in env if e["name"] == "LOG_LEVEL"]
    level["value"] = "dbg"
    api["change"]["after_sensitive"] = True
    profile = API_ONLY + "    env:\n      LOG_LEVEL: INFO\n"
    done = check_offline(tmp_path, data, profile, "--service", "api", "-f", "json")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 1, done.stdout
    (finding,) = [f for f in json.loads(done.stdout)["findings"] if not f["ignored"]]
    assert finding["target"] == "env.LOG_LEVEL"  # its name is shown, never its value
    assert "dbg" not in done.stdout
    # where it runs is no value of it: the region is not masked wherever it is named
    assert json.loads(done.stdout)["region"] == "us-central1"


@pytest.mark.parametrize("side", SIDES)
@pytest.mark.parametrize("fmt", ["table", "github", "sarif", "markdown"])
def test_a_sensitive_setting_is_masked_in_every_format(tmp_path: Path, fmt: str, side: str) -> None:
    """Masked on the data: no format shows the number (7, against the profile's 20)."""
    data = plan()
    template = known_api(data)["change"]["after"]["template"][0]
    template["scaling"][0]["max_instance_count"] = 7
    _marked(known_api(data), {"scaling": [{"max_instance_count": True}]}, side)
    done = check_offline(tmp_path, data, API_ONLY, "--service", "api", "-f", fmt)
    assert done.returncode == 1, done.stdout
    assert "max_instances" in done.stdout, done.stdout
    assert re.search(r"\b7\b", done.stdout.replace(str(tmp_path), "")) is None, done.stdout
