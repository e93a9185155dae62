"""A service's liveness probe's initial delay over 600 s without a GPU (helper-794 A5;
drift/fields/liveness_bounds.py). The services' healthchecks page, "Configure liveness probes":
"Specify a value from 0 seconds to 600 seconds (1800 for GPU)"; run v2's Probe: "Maximum value
for liveness probe is 3600". Which one Cloud Run holds to is not documented: a profile stating
one over the page's bound loads with a note at its line, the plan says it, the fix writes it,
and where Cloud Run refuses it (the sandbox's option `liveness_delay: refused`) the fix fails
as a refused canary does (exit 4, nothing promoted, nothing written), naming the container, the
setting, the bound and both sources. Before, nothing was said anywhere."""

from __future__ import annotations

import copy
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Fault
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world
from tests.fields.test_startup_gpu_plan import L4

PAGE = '"from 0 seconds to 600 seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/'
PROTO = '"Maximum value for liveness probe is 3600" (k8s.min.proto)'
LIVE = {"httpGet": {"path": "/healthz"}, "periodSeconds": 10}
"""The service's live liveness probe: no initial delay."""


def _world(*, gpu: bool = False, delay: int = 0, option: str = "taken") -> Any:
    """Service `api` whose container `app` runs `LIVE` (its initial delay `delay`), with an L4
    GPU where `gpu`; the scenario's `liveness_delay` option."""
    world = probe_world(None, {**LIVE, "initialDelaySeconds": delay} if delay else LIVE)
    if option != "taken":  # the default
        world["options"]["liveness_delay"] = option
    if gpu:
        template = world["projects"][P]["services"]["api"]["template"]["api"]
        template["containers"][0]["resources"] = L4
        template["nodeSelector"] = {"accelerator": "nvidia-l4"}
    return world


def _env(*lines: str) -> tuple[str, str]:
    return ("env", HEAD + "".join(f"      {line}\n" for line in lines))


def _delay(sandbox: Any) -> int:
    return int(
        sandbox.service(P, "api").template.containers[0].liveness_probe.initial_delay_seconds
    )


@pytest.mark.parametrize(
    ("lines", "said"),
    [
        (
            ("liveness_probe: http /healthz port 8080 delay 900s",),
            "env.yaml:6: note: api: liveness_probe http /healthz port 8080 delay 900s: its delay "
            "900s is over 600 s without a GPU (the profile does not state gpu_type): ",
        ),
        (
            ("gpu_type: none", "liveness_probe: http /healthz port 8080 delay 601s"),
            "env.yaml:7: note: api: liveness_probe http /healthz port 8080 delay 601s: its delay "
            "601s is over 600 s without a GPU: ",
        ),
        (
            ("gpu_type: nvidia-l4", "liveness_probe: http /healthz port 8080 delay 2000s"),
            "env.yaml:7: note: api: liveness_probe http /healthz port 8080 delay 2000s: its "
            "delay 2000s is over 1800 s with a GPU: ",
        ),
        (("liveness_probe: http /healthz port 8080 delay 600s",), ""),
        (("gpu_type: nvidia-l4", "liveness_probe: http /healthz port 8080 delay 900s"), ""),
    ],
)
def test_a_liveness_delay_over_the_pages_bound_is_a_note_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, lines: tuple[str, ...], said: str
) -> None:
    """Within the proto's 3600: never refused, so the environment's checks run."""
    sandbox = make_sandbox(_world())
    done = drift_on(sandbox, tmp_path, _env(*lines), "profiles", "validate")
    out = done.stdout + done.stderr
    assert done.returncode == 0 and "Traceback" not in out, out
    if not said:
        assert "liveness_probe" not in out, out
        return
    assert said in out and PAGE in out and PROTO in out, out
    done = drift_on(sandbox, tmp_path, _env(*lines), "check", "env", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr


@pytest.mark.parametrize("option", ["taken", "refused"])
def test_a_liveness_delay_over_600_s_without_a_gpu_is_said_and_written(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    """`taken`: the proto's 3600, written. `refused`: the page's 600 s; the canary is refused,
    traffic stays, the journal says nothing was written, and the next plan is the same."""
    sandbox = make_sandbox(_world(option=option))
    profile = _env("liveness_probe: http /healthz port 8080 delay 900s")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    said = "container app's liveness_probe delay 900s is over 600 s without a GPU: "
    assert "note: api: after the fix, " + said in plan.stdout, plan.stdout
    assert PAGE in plan.stdout and PROTO in plan.stdout and "0 manual steps" in plan.stdout
    before = list(sandbox.service(P, "api").traffic)
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    assert "Traceback" not in out, out
    if option == "taken":
        assert done.returncode == 0 and _delay(sandbox) == 900, out
        return
    assert done.returncode == 4 and _delay(sandbox) == 0, out
    assert f"  hint: {said}" in out and PAGE in out and PROTO in out, out
    assert "state a liveness_probe delay of at most 600s in the profile" in out, out
    assert "nothing was written, nothing to roll back" in out, out
    assert list(sandbox.service(P, "api").traffic) == before, out  # nothing promoted
    again = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert again.returncode == 1 and "set  setting liveness_probe" in again.stdout, again.stdout


def test_a_gpus_liveness_delay_within_1800_s_is_written_unsaid(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """With a GPU, 900 s is within the page's 1800 s: no note, and a sandbox holding to the
    page takes it."""
    sandbox = make_sandbox(_world(gpu=True, option="refused"))
    profile = _env("liveness_probe: http /healthz port 8080 delay 900s")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "over 600 s" not in plan.stdout and "set  setting liveness_probe" in plan.stdout
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0 and _delay(sandbox) == 900, done.stdout + done.stderr


def test_a_liveness_delay_the_service_runs_is_not_said_by_the_plan(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A service Cloud Run took 900 s on (the proto's reading) is left as it runs: the plan
    changes another timing and says nothing of the delay."""
    sandbox = make_sandbox(_world(delay=900))
    profile = _env("liveness_probe: http /healthz port 8080 delay 900s failure 5")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    assert "set  setting liveness_probe" in plan.stdout, plan.stdout
    assert "after the fix, container app's liveness_probe" not in plan.stdout, plan.stdout


def test_a_gpu_the_plan_takes_away_under_a_live_delay_over_600_s_is_said(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The service runs 900 s with a GPU (within 1800 s); the plan takes the GPU away, so the
    workload it writes runs 900 s without one: said, as the profile's delay would be."""
    sandbox = make_sandbox(_world(gpu=True, delay=900))
    plan = drift_on(sandbox, tmp_path, _env("gpu_type: none"), "plan", "env")
    said = "after the fix, container app's liveness_probe delay 900s is over 600 s without a GPU"
    assert "set  setting gpu_type" in plan.stdout and said in plan.stdout, plan.stdout


def test_an_invalid_argument_of_another_setting_is_not_blamed_on_the_delay(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-812 B-1: Cloud Run refuses the canary for another reason (its words name an
    environment variable, not the liveness probe): no hint to lower a delay it may take."""
    sandbox = make_sandbox(_world())
    words = "spec.template.spec.containers[0].env[0].name: invalid"
    sandbox.inject(Fault(method="UpdateService", code="INVALID_ARGUMENT", message=words))
    profile = _env("liveness_probe: http /healthz port 8080 delay 900s")
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    assert done.returncode == 4 and words in out and _delay(sandbox) == 0, out
    assert "hint: container app's liveness_probe" not in out, out


@pytest.mark.parametrize(("serving", "template"), [(900, 0), (0, 900)])
def test_a_canary_on_the_serving_revision_is_judged_on_it_by_the_plan_and_the_hint(
    make_sandbox: MakeSandbox, tmp_path: Path, serving: int, template: int
) -> None:
    """helper-812 B-2: the template's revision failed, so the canary is built on the serving
    revision (SPEC invariant 8), as the plan's note judges it (`plan.written_on`); the
    refusal's hint judged the template. The serving revision runs `serving` s (the delay the
    profile asks: not said), the failed template `template` s."""
    world = _world(delay=serving)
    api = world["projects"][P]["services"]["api"]
    api["history"] = [copy.deepcopy(api["template"])]  # 00001 serves
    app = api["template"]["api"]["containers"][0]
    app["livenessProbe"] = {**LIVE, "initialDelaySeconds": template} if template else LIVE
    api["failed"] = "Container failed to start."  # 00002, its template, failed
    world["options"]["liveness_delay"] = "refused"
    sandbox = make_sandbox(world)
    profile = _env("liveness_probe: http /healthz port 8080 delay 900s failure 5")
    plan = drift_on(sandbox, tmp_path, profile, "plan", "env")
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    said = "container app's liveness_probe delay 900s is over 600 s without a GPU"
    assert done.returncode == 4 and "Traceback" not in out, out
    assert ("after the fix, " + said in plan.stdout) is (serving == 0), plan.stdout
    assert (f"hint: {said}" in out) is (serving == 0), out
