"""`drift plan --format yaml` read back as YAML 1.1, as `gcloud run services replace` reads
it (googlecloudsdk/core/yaml.py loads with `version='1.1'`): every live value comes back as
the same string, whatever YAML 1.1 would read plain as a bool, a number, null or a date."""

from __future__ import annotations

import io

import pytest
import yaml
from ruamel.yaml import YAML

from drift.sandbox import Sandbox
from tests.cliutil import drift

PROJECT = "acme-chat-staging"
# YAML 1.1's implicit types (yaml.org/type: bool, int, float, null, timestamp, merge, value)
VALUES = [
    *("y", "Y", "n", "N", "yes", "No", "ON", "Off", "true", "False"),
    *("1:30", "190:20:30", "0x1F", "0b101", "0123", "1_000", "+12", "1.5e3", "6.8523_015e+5"),
    *(".inf", "-.INF", ".NaN", "~", "null", "NULL", "2001-12-14", "2001-12-14t21:59:43.10-05:00"),
    *("<<", "=", "0o17", "plain text"),
]
VARIABLES = {f"V_{i}": value for i, value in enumerate(VALUES)}

pytestmark = pytest.mark.sandbox


def test_plan_yaml_values_read_back_as_the_same_strings_in_yaml_1_1(sandbox: Sandbox) -> None:
    for name, value in VARIABLES.items():
        sandbox.set_env(PROJECT, "web", name, value)
    done = drift("plan", "staging", "--service", "web", "--format", "yaml", env=sandbox.environ())
    assert done.returncode in (0, 1), done.stderr
    ruamel11 = YAML(typ="safe", pure=True)
    ruamel11.version = (1, 1)
    for documents in (
        list(ruamel11.load_all(io.StringIO(done.stdout))),
        list(yaml.safe_load_all(done.stdout)),  # PyYAML: YAML 1.1
    ):
        (document,) = [d for d in documents if d]
        env = document["spec"]["template"]["spec"]["containers"][0]["env"]
        got = {e["name"]: e.get("value") for e in env if e["name"] in VARIABLES}
        assert got == VARIABLES
