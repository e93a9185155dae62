"""drift fix of a startup probe whose failure threshold times its period is over 240 seconds,
under both readings of the sandbox option `startup_window` (the jobs' and worker pools'
healthchecks pages: that time "can't exceed 240 seconds", not whether Cloud Run refuses a
longer one). `startup_probe: tcp port 8080 failure 3` on Cloud Run's default probe keeps its
period 240 s (a fix changes only what the profile states) and so writes 720 s: taken, the
probe is as the profile says; refused, the write is refused and nothing changes — never a
probe half written nor a fix said done (helper-710 F2; saying it in the plan, as a period
below the timeout is, is the probe rows' to do)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, P, probe_world


@pytest.mark.parametrize("option", ["refused", "taken"])
def test_a_failure_threshold_on_the_default_probe_under_either_reading(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str
) -> None:
    world = probe_world(None)  # Cloud Run's default startup probe: 240 s, failure 1
    world["options"]["startup_window"] = option
    sandbox = make_sandbox(world)
    before = sandbox.service(P, "api").template.containers[0].startup_probe
    profile = ("env", HEAD + "      startup_probe: tcp port 8080 failure 3\n")
    done = drift_on(sandbox, tmp_path, profile, "fix", "env", "--yes", "--no-verify")
    out = done.stdout + done.stderr
    probe = sandbox.service(P, "api").template.containers[0].startup_probe
    assert "Traceback" not in out
    if option == "taken":
        assert done.returncode == 0, out
        assert (probe.period_seconds, probe.failure_threshold) == (240, 3)
        return
    assert done.returncode == 4 and "can't exceed 240 seconds" in out, out
    assert "nothing was changed" in out, out
    assert probe == before
