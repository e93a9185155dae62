"""drift fix of a startup probe where Cloud Run's documentation leaves open what happens, under
both readings of each sandbox option, so that no test passes only because the sandbox takes
what drift writes:

- `startup_window`: the jobs' and worker pools' healthchecks pages say failureThreshold *
  periodSeconds "can't exceed 240 seconds", not whether Cloud Run refuses a longer probe.
  `startup_probe: tcp port 8080 failure 2` on Cloud Run's default probe keeps its period 240 s
  (a fix changes only what the profile states) and so writes 480 s (helper-710 F2; within the
  newest services' page's 600 s, over the older 240);
- `http_probe_h2c`: "your service must use HTTP/1 (the Cloud Run default), not HTTP/2" (the
  services' healthchecks page), not whether an HTTP probe of an h2c app then fails; drift says
  it as a note (`health_rules.HTTP1`) and writes the probe (helper-710 F4).

Taken, the probe is as the profile says; refused (or failing), nothing changes and the run says
why with exit 4 — never a probe half written nor a fix said done. Saying either in the plan
beforehand is the probe rows' to do."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world


def _fixed(make_sandbox: MakeSandbox, tmp_path: Path, world: Any, setting: str) -> Any:
    """`drift fix` of profile `env` stating `startup_probe: SETTING` on `world`: (its exit
    code, its output, the probe before, the sandbox)."""
    sandbox: Sandbox = make_sandbox(world)
    before = sandbox.service(P, "api").template.containers[0].startup_probe
    done = drift_on(sandbox, tmp_path, _profile(setting), "fix", "env", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    assert "Traceback" not in out
    return done.returncode, out, before, sandbox


def _profile(setting: str) -> tuple[str, str]:
    return ("env", HEAD + f"      startup_probe: {setting}\n")


def _probe(sandbox: Sandbox) -> Any:
    return sandbox.service(P, "api").template.containers[0].startup_probe


@pytest.mark.parametrize("option", ["refused", "taken"])
def test_a_failure_threshold_on_the_default_probe_under_either_reading(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    world = probe_world(None)  # Cloud Run's default startup probe: 240 s, failure 1
    world["options"]["startup_window"] = option
    code, out, before, sandbox = _fixed(make_sandbox, tmp_path, world, "tcp port 8080 failure 2")
    if option == "taken":
        assert code == 0, out
        assert (_probe(sandbox).period_seconds, _probe(sandbox).failure_threshold) == (240, 2)
        return
    assert code == 4 and "can't exceed 240 seconds" in out, out
    assert "nothing was changed" in out, out
    assert _probe(sandbox) == before


@pytest.mark.parametrize("option", ["passes", "fails"])
def test_an_http_probe_of_an_h2c_app_under_either_reading(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    world = probe_world(None)
    world["projects"][P]["services"]["api"]["template"]["api"]["containers"][0]["ports"] = [
        {"containerPort": 8080, "name": "h2c"}
    ]
    world["options"]["http_probe_h2c"] = option
    setting = "http /healthz port 8080"
    code, out, _, sandbox = _fixed(make_sandbox, tmp_path, world, setting)
    if option == "passes":
        assert code == 0, out
        assert _probe(sandbox).http_get.path == "/healthz"
        return
    assert code == 4 and "STARTUP HTTP probe failed 3 times" in out, out
    assert "restored the routing" in out, out
    # what serves still runs Cloud Run's default probe: the drift stays reported
    again = drift_on(sandbox, tmp_path, _profile(setting), "check", "env", "--format", "json")
    (found,) = [f for f in json.loads(again.stdout)["findings"] if "startup_probe" in f["target"]]
    assert found["actual"] == "tcp port 8080 delay 0s timeout 240s period 240s failure 1"
