"""A value a Terraform plan marks `sensitive` (`after_sensitive`) is never shown, also inside
another variable that takes it through `$(NAME)`: Cloud Run expands the reference (run v2
`k8s.min.proto`, EnvVar.value), so that variable runs with the secret in it. It is compared
as expanded, never shown, however short the secret (`drift.redact` searches text only for
values of 8 characters or more). Which variables come before it in a container a plan cannot
tell (the google provider holds them as a set: `unknowns.set_ordered`), so such a variable's
value is not verified, and its message never shows the secret either."""

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
def test_a_short_sensitive_value_expanded_into_another_variable_is_never_shown(
    tmp_path: Path, fmt: str
) -> None:
    """HEALTH_URL takes ADMIN_PIN; PROBE takes HEALTH_URL (so the PIN too); both differ from
    the profile whatever the order (not verified: it decides what they run with), and a
    third takes the PIN plainly (drift): no value is shown in any format."""
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


def test_a_variable_taking_a_sensitive_value_is_still_compared_as_it_runs(
    tmp_path: Path,
) -> None:
    """Masked, not left out: the value the profile states (expanded, or as written) matches;
    a constraint it fails is reported with its value masked."""
    data = with_pin(("HEALTH_URL", "https://ops.example/hc?pin=$(ADMIN_PIN)"))
    for stated in (f"https://ops.example/hc?pin={PIN}", "https://ops.example/hc?pin=$(ADMIN_PIN)"):
        profile = API_ONLY + f"    env:\n      HEALTH_URL: '{stated}'\n"
        done = check_offline(tmp_path, data, profile, "-f", "json")
        assert done.returncode == 3, (stated, done.stdout)  # the order decides: not verified
        report = json.loads(done.stdout)
        assert [u["target"] for u in report["unverified"]] == ["env.HEALTH_URL"], report
        assert PIN not in done.stdout + done.stderr, done.stdout
    profile = API_ONLY + "    env:\n      HEALTH_URL: {pattern: '^https://ops[.]example/hc$'}\n"
    done = check_offline(tmp_path, data, profile)
    assert done.returncode == 3 and "HEALTH_URL" in done.stdout, done.stdout
    assert PIN not in done.stdout + done.stderr, done.stdout
