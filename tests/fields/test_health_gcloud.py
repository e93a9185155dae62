"""What `drift plan --format gcloud` makes of a probe change (drift/fields/health.py): gcloud's
`--startup-probe` / `--liveness-probe` builds a new probe from its keys (gcloud 528
config_changes.py `_MakeProbe`), none of which says an HTTP probe's headers, so a change that
keeps a probe HTTP while the live one sends headers is left to `drift fix`, which keeps them
(SPEC invariant 2: the script changes only what the plan names)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.fields import FIELDS
from drift.fields.health import script_drops
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_health_checks import HEAD, HTTP_HEALTHZ, TOKEN, probe_world

BARE = {**HTTP_HEALTHZ, "httpGet": {"path": "/healthz"}}
"""HTTP_HEALTHZ without its header."""
FLAG = "--{}-probe=httpGet.path=/ready,httpGet.port=8080"


def _script(make_sandbox: MakeSandbox, tmp_path: Path, world: Any, setting: str) -> str:
    sandbox = make_sandbox(world)
    profile = ("env", HEAD + f"      {setting}: http /ready port 8080\n")
    done = drift_on(sandbox, tmp_path, profile, "plan", "env", "--format", "gcloud")
    assert done.returncode == 1, done.stdout + done.stderr  # changes planned
    assert TOKEN not in done.stdout + done.stderr
    return str(done.stdout)


def _runnable(script: str) -> str:
    return "\n".join(line for line in script.splitlines() if not line.startswith("#"))


@pytest.mark.parametrize(
    ("world", "setting", "left"),
    [
        (probe_world(HTTP_HEALTHZ), "startup_probe", True),
        (probe_world(None, HTTP_HEALTHZ), "liveness_probe", True),
        (probe_world(BARE), "startup_probe", False),  # no header: the flag says it all
        (probe_world(None, BARE), "liveness_probe", False),
        (probe_world(None), "startup_probe", False),  # the default TCP probe: no header
    ],
)
def test_a_probe_whose_headers_gcloud_would_drop_is_left_to_drift_fix(
    make_sandbox: MakeSandbox, tmp_path: Path, world: Any, setting: str, left: bool
) -> None:
    script = _script(make_sandbox, tmp_path, world, setting)
    kind = setting.split("_")[0]
    said = f"setting {setting}: gcloud run services update cannot keep the HTTP headers the {kind}"
    assert (said in script) is left, script
    assert (FLAG.format(kind) in _runnable(script)) is not left, script


def test_a_change_to_another_kind_drops_the_headers_with_the_probe_as_drift_fix_does() -> None:
    from google.cloud import run_v2

    service = run_v2.Service()
    header = run_v2.HTTPHeader(name="X-Probe-Token", value="t")
    probe = run_v2.Probe(http_get=run_v2.HTTPGetAction(path="/", http_headers=[header]))
    service.template.containers.append(run_v2.Container(name="app", startup_probe=probe))
    assert script_drops("startup_probe", service, "app", "http /x port 8080")
    assert script_drops("startup_probe", service, "", "http /x port 8080")  # the ingress one
    assert not script_drops("startup_probe", service, "app", "tcp port 8080")
    assert not script_drops("startup_probe", service, "app", "")
    assert not script_drops("liveness_probe", service, "app", "http /x port 8080")
    assert not script_drops("startup_probe", service, "other", "http /x port 8080")
    assert not script_drops("startup_probe", None, "app", "http /x port 8080")


@pytest.mark.parametrize(
    ("value", "flag"),
    [  # gcloud's ArgDict splits on commas: one in a path or service takes `^D^`
        ("http /a,b port 8080", "--startup-probe=^@^httpGet.path=/a,b@httpGet.port=8080"),
        ("grpc port 9000 service a,b", "--startup-probe=^@^grpc.port=9000@grpc.service=a,b"),
    ],
)
def test_a_comma_in_a_probe_takes_another_delimiter(value: str, flag: str) -> None:
    startup = FIELDS["startup_probe"]
    assert startup.flags(startup.parse(value), None) == ((flag, "primary"),)
