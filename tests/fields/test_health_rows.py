"""The probe rows' own parts (drift/fields/health.py): what a patch writes (only what the
profile states: the probe's timings it leaves out and its HTTP headers kept where the kind
stays), gcloud's flag for the same change, and a fingerprint leaving Cloud Run's default probe
out (journals written before the rows digest none of it)."""

from __future__ import annotations

from typing import Any

import pytest
from google.cloud import run_v2

from drift.fields import FIELDS
from drift.fields.base import PlannedSetting
from drift.fields.catalogue import digested
from drift.kinds import Kind

STARTUP = FIELDS["startup_probe"]
READ = "http /healthz port 8080 delay 0s timeout 1s period 5s failure 12"


def _container() -> Any:
    header = run_v2.HTTPHeader(name="X-Probe-Token", value="t0ken")
    get = run_v2.HTTPGetAction(path="/healthz", http_headers=[header])
    probe = run_v2.Probe(period_seconds=5, failure_threshold=12, http_get=get)
    ports = [run_v2.ContainerPort(container_port=8080)]
    return run_v2.Container(name="app", ports=ports, startup_probe=probe)


def test_a_patch_of_the_path_keeps_the_timings_and_headers_the_profile_leaves_out() -> None:
    container = _container()
    STARTUP.write(None, container, "http /ready port 8080 timeout 2s")
    probe = container.startup_probe
    assert (probe.http_get.path, probe.http_get.port) == ("/ready", 8080)
    assert (probe.timeout_seconds, probe.period_seconds, probe.failure_threshold) == (2, 5, 12)
    assert [(h.name, h.value) for h in probe.http_get.http_headers] == [("X-Probe-Token", "t0ken")]


def test_a_patch_to_another_kind_takes_the_api_defaults_and_none_removes_it() -> None:
    container = _container()
    STARTUP.write(None, container, "tcp port 8080")
    assert container.startup_probe == run_v2.Probe(tcp_socket=run_v2.TCPSocketAction(port=8080))
    STARTUP.write(None, container, "")
    assert "startup_probe" not in container


@pytest.mark.parametrize(
    ("after", "before", "flag"),
    [
        (  # gcloud builds a new probe: the timings kept are stated
            "http /ready port 8080",
            READ,
            "--startup-probe=httpGet.path=/ready,httpGet.port=8080,initialDelaySeconds=0,"
            "timeoutSeconds=1,periodSeconds=5,failureThreshold=12",
        ),
        (
            "grpc port 9000 service health failure 2",
            READ,
            "--startup-probe=grpc.port=9000,grpc.service=health,failureThreshold=2",
        ),
        ("", READ, "--startup-probe="),
    ],
)
def test_gcloud_makes_the_change_a_patch_makes(after: str, before: str, flag: str) -> None:
    assert STARTUP.flags(STARTUP.parse(after), before) == ((flag, "primary"),)


def test_the_default_probe_is_left_out_of_a_fingerprint() -> None:
    default = "tcp port 9090 delay 0s timeout 240s period 240s failure 1"
    assert digested({"startup_probe": default, "liveness_probe": ""}, ()) == {}
    assert digested({"startup_probe": READ}, ()) == {"startup_probe": READ}


@pytest.mark.parametrize(
    ("after", "before", "note"),
    [
        (
            "http /ready port 8080 period 10s",
            READ,
            "the probe's timings the profile leaves out stay as they are: delay 0s timeout 1s "
            "failure 12",
        ),
        (
            "http /ready port 8080",
            "tcp port 8080 delay 0s timeout 240s period 240s failure 1",
            "the probe's delay, timeout, period, failure the profile leaves out: Cloud Run's "
            "defaults",
        ),
        ("http /ready port 8080 delay 0s timeout 1s period 5s failure 3", READ, ""),
        ("", READ, ""),
    ],
)
def test_a_plan_says_what_the_probe_keeps(after: str, before: str, note: str) -> None:
    assert STARTUP.plan_note is not None
    change = PlannedSetting(Kind.SERVICE, before, after, {"startup_probe"}, {})
    assert STARTUP.plan_note(change) == note
