"""A probe read that the profile's grammar bounds or cannot say (drift/fields/health.py): a
liveness probe's period over a startup probe's 240s (Probe.period_seconds: "Maximum value for
liveness probe is 3600") is compared, and a probe whose HTTP path holds a space is left
unjudged (exit 3, naming why, its path masked as every output shows it: never quoting the
text read); neither is an internal error any more."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, PROFILE, probe_world
from tests.manifest.conftest import MINIMAL, check_offline

SLOW = {"httpGet": {"path": "/healthz"}, "periodSeconds": 600, "initialDelaySeconds": 1200}
"""A liveness probe within its bounds, above a startup probe's."""


@pytest.mark.parametrize(
    ("stated", "code"),
    [
        ("http /healthz port 8080", 0),
        ("http /healthz port 8080 period 600s delay 1200s", 0),
        ("http /healthz port 8080 period 60s", 1),
    ],
)
def test_a_slow_liveness_probe_is_compared(
    make_sandbox: MakeSandbox, tmp_path: Path, stated: str, code: int
) -> None:
    sandbox = make_sandbox(probe_world(None, SLOW))
    profile = ("env", HEAD + f"      liveness_probe: {stated}\n")
    done = drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history")
    assert done.returncode == code, done.stdout + done.stderr


def test_a_probe_drift_cannot_say_is_left_unjudged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world({"httpGet": {"path": "/a b"}}))
    profile = ("env", HEAD + "      startup_probe: http /a port 8080\n")
    done = drift_on(sandbox, tmp_path, profile, "check", "env", "--no-history")
    out = done.stdout + done.stderr
    assert done.returncode == 3 and "internal error" not in out, out
    assert "startup_probe is one drift cannot write as a probe's text" in out, out


TOKEN = "ghp_A1b2C3d4E5f6G7h8I9j0K1l2M3n4O5p6Q7r8"


@pytest.mark.parametrize(
    ("path", "says"),
    [
        # helper-706 F2: a path spelling the probe's own words, re-read as them
        ("/a port 9", "its HTTP path `/a port 9` holds whitespace"),
        ("/a period 5", "its HTTP path `/a period 5` holds whitespace"),
        # the reason names the path as every output shows it: its token masked
        (f"/x?token={TOKEN} b", "its HTTP path `/x?token=*** b` holds whitespace"),
    ],
)
def test_a_probe_drift_cannot_say_is_unjudged_in_check_plan_fix_and_a_manifest(
    make_sandbox: MakeSandbox, tmp_path: Path, path: str, says: str
) -> None:
    sandbox = make_sandbox(probe_world({"httpGet": {"path": path, "port": 8080}}))
    profile = ("env", HEAD + "      startup_probe: http /healthz port 8080\n")
    runs = [("check", "env", "--no-history"), ("plan", "env"), ("fix", "env", "--yes")]
    done = [drift_on(sandbox, tmp_path, profile, *args) for args in runs]
    manifest = MINIMAL + f'        startupProbe:\n          httpGet:\n            path: "{path}"\n'
    stated = PROFILE + "      startup_probe: http /healthz port 8080\n"
    done.append(check_offline(tmp_path, stated, ("api.yaml", manifest)))
    for each in done:
        out = each.stdout + each.stderr
        assert each.returncode == 3 and "internal error" not in out, out
        assert says in out and TOKEN not in out, out


@pytest.mark.parametrize(
    ("stated", "says"),
    [
        # helper-706 F6: str.isdigit takes an Arabic-Indic 8 and a superscript 2
        ("tcp port \u0668", "`port \u0668`: a TCP port number, 1 to 65535"),
        ("tcp port 8080 delay \u00b2", "`delay \u00b2`: whole seconds (10s)"),
        ("tcp port 8080 failure \u0663", "`failure \u0663`: a count"),
        ("tcp port 7" + "9" * 5000, "a TCP port number, 1 to 65535"),
    ],
)
def test_a_probe_number_is_ascii_digits_only(
    make_sandbox: MakeSandbox, tmp_path: Path, stated: str, says: str
) -> None:
    sandbox = make_sandbox(probe_world(None))
    profile = ("env", HEAD + f"      startup_probe: {stated}\n")
    done = drift_on(sandbox, tmp_path, profile, "profiles", "validate")
    out = done.stdout + done.stderr
    assert done.returncode == 2 and "env.yaml:6" in out and says in out, out
    assert "Traceback" not in out and "invalid literal" not in out
