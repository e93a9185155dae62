"""A value a Terraform plan marks `sensitive` (`after_sensitive`) is never shown, however short
(`drift.redact` searches text only for values of 8 characters or more). Another variable that
names it (`$(ADMIN_PIN)`) holds that text, not the value: Cloud Run expands no reference (run
v2 k8s.min.proto EnvVar.value, "Variable references are not supported in Cloud Run"), so it is
compared as written, whatever the order of the container's variables (which a plan cannot
tell: the google provider holds them as a set). drift once expanded it and left it unverified."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.manifest.plans import API_ONLY, check_offline, known_api, plan

PIN = "4829"
FORMATS = ("table", "json", "github", "sarif", "markdown")


def with_pin(*variables: tuple[str, str]) -> dict[str, Any]:
    """The plan's api with ADMIN_PIN (sensitive) and `variables` after it."""
    data = plan()
    api = known_api(data)
    c = api["change"]
    env = c["after"]["template"][0]["containers"][0]["env"]
    env.append({"name": "ADMIN_PIN", "value": PIN, "value_source": []})
    pin = len(env) - 1
    env += [{"name": n, "value": v, "value_source": []} for n, v in variables]
    marks: list[dict[str, Any]] = [{} for _ in env]
    marks[pin] = {"value": True}
    c["after_sensitive"] = {"template": [{"containers": [{"env": marks}]}]}
    data["resource_changes"] = [api]
    return data


@pytest.mark.parametrize("fmt", FORMATS)
def test_a_short_sensitive_value_is_never_shown_beside_variables_naming_it(
    tmp_path: Path, fmt: str
) -> None:
    """HEALTH_URL names ADMIN_PIN, PROBE names HEALTH_URL, both differ from the profile, and a
    third holds the PIN plainly: drift on each, and no value is shown in any format."""
    data = with_pin(
        ("HEALTH_URL", "https://ops.example/hc?pin=$(ADMIN_PIN)"),
        ("PROBE", "GET $(HEALTH_URL)"),
        ("PIN_COPY", PIN),
    )
    profile = API_ONLY + (
        "    env:\n      HEALTH_URL: https://ops.example/hc\n      PROBE: GET /hc\n"
        "      PIN_COPY: '0000'\n"
    )
    done = check_offline(tmp_path, data, profile, "-f", fmt)
    assert done.returncode == 1, (fmt, done.stdout, done.stderr)
    assert PIN not in done.stdout + done.stderr, (fmt, done.stdout)
    assert "HEALTH_URL" in done.stdout and "PROBE" in done.stdout, done.stdout
    assert "PIN_COPY" in done.stdout, done.stdout


def test_a_variable_naming_a_sensitive_one_is_compared_as_written(tmp_path: Path) -> None:
    """Stated as written: clean (589ebdac: not verified, exit 3); stated with the PIN written
    out, or by a pattern it fails: drift, and the variable's value never shows the PIN (the
    profile's own text, which holds it in the first case, is the profile's to show: a value
    under 8 characters is masked only where it is shown whole, `drift.redact`)."""
    data = with_pin(("HEALTH_URL", "https://ops.example/hc?pin=$(ADMIN_PIN)"))
    profile = API_ONLY + "    env:\n      HEALTH_URL: 'https://ops.example/hc?pin=$(ADMIN_PIN)'\n"
    done = check_offline(tmp_path, data, profile, "-f", "json")
    report = json.loads(done.stdout)
    assert (done.returncode, report["findings"], report["unverified"]) == (0, [], []), report
    for rule in (f"'https://ops.example/hc?pin={PIN}'", "{pattern: '^https://ops[.]example/hc$'}"):
        profile = API_ONLY + f"    env:\n      HEALTH_URL: {rule}\n"
        done = check_offline(tmp_path, data, profile, "-f", "json")
        [finding] = json.loads(done.stdout)["findings"]
        assert (done.returncode, finding["target"]) == (1, "env.HEALTH_URL"), done.stdout
        assert PIN not in finding["actual"], finding
    for fmt in FORMATS:
        done = check_offline(tmp_path, data, profile, "-f", fmt)
        assert done.returncode == 1 and PIN not in done.stdout + done.stderr, (fmt, done.stdout)
