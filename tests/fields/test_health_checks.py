"""The catalogue's `startup_probe` and `liveness_probe` rows (drift/fields/health.py), end to
end: read live from the sandbox, from a Knative manifest and from a Terraform plan (`drift
check --manifest`, the gate before a deploy: a startup probe on a path the app does not serve
fails every new revision; `readiness_probe`'s too, drift/fields/readiness.py), `drift init
--from-live` leaving Cloud Run's default probe out, and a probe's HTTP headers (which may carry
a token) never shown."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift, drift_on
from tests.conftest import MakeSandbox
from tests.manifest.conftest import MINIMAL, check_offline
from tests.manifest.plans import change_of, known_api, plan
from tests.manifest.plans import check_offline as check_plan_offline

P = "p1"
IMAGE = "us-docker.pkg.dev/p1/r/api:v1"
HEAD = f"project: {P}\nregion: us-central1\nservices:\n  api:\n    settings:\n"
TOKEN = "probe-hdr-7Qx2Lm9Vw4Zk"
"""A header value a probe sends (say, a token the health endpoint checks): never shown."""


def probe_world(startup: dict[str, Any] | None, liveness: dict[str, Any] | None = None) -> Any:
    app: dict[str, Any] = {"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]}
    if startup is not None:
        app["startupProbe"] = startup
    if liveness is not None:
        app["livenessProbe"] = liveness
    return {"options": {"seed": 7}, "projects": {P: {
        "number": 123456789012, "region": "us-central1",
        "services": {"api": {"template": {"api": {"containers": [app]}}}},
    }}}  # fmt: skip


HTTP_HEALTHZ: dict[str, Any] = {
    "httpGet": {
        "path": "/healthz",
        "httpHeaders": [{"name": "X-Probe-Token", "value": TOKEN}],
    },
    "periodSeconds": 5,
    "failureThreshold": 12,
}


def _check(sandbox: Sandbox, tmp_path: Path, settings: str, *more: str) -> Any:
    return drift_on(
        sandbox, tmp_path, ("env", HEAD + settings), "check", "env", "--no-history", *more
    )


def probe_findings(report: str) -> list[dict[str, Any]]:
    found = json.loads(report)["findings"]
    return [f for f in found if f["target"].startswith("setting.") and "probe" in f["target"]]


def test_a_startup_probe_on_another_path_is_drift(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    done = _check(sandbox, tmp_path, "      startup_probe: http /ready port 8080\n", "-f", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = probe_findings(done.stdout)
    assert (finding["rule"], finding["target"]) == ("setting.value", "setting.startup_probe")
    # port 0 is the container's port; every timing read is shown, the default ones too, and
    # each header it sends, its value never
    assert finding["actual"] == (
        "http /healthz port 8080 header X-Probe-Token=*** delay 0s timeout 1s period 5s failure 12"
    )
    assert finding["expected"] == "http /ready port 8080"


@pytest.mark.parametrize(
    ("settings", "code"),
    [
        # timings a profile leaves out are not compared; those it states are
        ("      startup_probe: http /healthz port 8080\n", 0),
        ("      startup_probe: http /healthz port 8080 period 5s failure 12\n", 0),
        ("      startup_probe: http /healthz port 8080 period 10s\n", 1),
        ("      startup_probe: http /healthz port 9090\n", 1),
        ("      startup_probe: tcp port 8080\n", 1),
        ("      liveness_probe: none\n", 0),
        ("      liveness_probe: http /healthz port 8080\n", 1),
    ],
)
def test_what_a_profile_states_of_a_probe_is_compared(
    make_sandbox: MakeSandbox, tmp_path: Path, settings: str, code: int
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    done = _check(sandbox, tmp_path, settings, "-f", "json")
    assert done.returncode == code, done.stdout + done.stderr
    assert len(probe_findings(done.stdout)) == code


def test_the_default_tcp_probe_is_what_a_profile_names_on_the_port(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """A service with no startup probe of its own has Cloud Run's (`tcp port 8080 timeout 240s
    period 240s failure 1`): `tcp port 8080` names it; an HTTP one is drift."""
    sandbox = make_sandbox(probe_world(None))
    clean = _check(sandbox, tmp_path, "      startup_probe: tcp port 8080\n", "-f", "json")
    assert clean.returncode == 0, clean.stdout + clean.stderr
    done = _check(sandbox, tmp_path, "      startup_probe: http /healthz port 8080\n", "-f", "json")
    assert done.returncode == 1
    (finding,) = probe_findings(done.stdout)
    assert finding["actual"] == "tcp port 8080 delay 0s timeout 240s period 240s failure 1"


@pytest.mark.parametrize(
    ("setting", "says"),
    [
        ("liveness_probe: tcp port 8080", "a liveness probe is http or grpc"),
        ("startup_probe: http /healthz", "name the port"),
        ("startup_probe: http /healthz port 8080 period 1801s", "period 1801"),
        ("startup_probe: udp port 53", "`udp`"),
    ],
)
def test_a_probe_cloud_run_refuses_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str, says: str
) -> None:
    sandbox = make_sandbox(probe_world(None))
    done = _check(sandbox, tmp_path, f"      {setting}\n")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "env.yaml:6" in done.stderr and says in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("form", ["table", "json", "markdown", "sarif", "github"])
def test_a_probe_header_value_is_never_shown(
    make_sandbox: MakeSandbox, tmp_path: Path, form: str
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ, HTTP_HEALTHZ))
    done = _check(
        sandbox,
        tmp_path,
        "      startup_probe: http /ready port 8080\n      liveness_probe: grpc port 8080\n",
        "-f",
        form,
    )
    assert done.returncode == 1, done.stdout + done.stderr
    assert "/healthz" in done.stdout and TOKEN not in done.stdout + done.stderr


@pytest.mark.parametrize("form", ["table", "json", "gcloud", "yaml"])
def test_a_plan_never_shows_a_probe_header_value(
    make_sandbox: MakeSandbox, tmp_path: Path, form: str
) -> None:
    sandbox = make_sandbox(probe_world(HTTP_HEALTHZ))
    profile = ("env", HEAD + "      startup_probe: http /ready port 8080\n")
    done = drift_on(sandbox, tmp_path, profile, "plan", "env", "--format", form)
    assert done.returncode in (0, 1), done.stdout + done.stderr
    # the script leaves the change to drift fix (gcloud's flag would drop the header), naming it
    shown = "setting startup_probe:" if form == "gcloud" else "/ready"
    assert shown in done.stdout and TOKEN not in done.stdout + done.stderr


KNATIVE_PROBE = MINIMAL + (
    "        ports:\n"
    "        - containerPort: 8080\n"
    "        startupProbe:\n"
    "          httpGet:\n"
    "            path: /ready\n"
    "          periodSeconds: 3\n"
)
KNATIVE_READINESS = MINIMAL + (
    "        ports:\n"
    "        - containerPort: 8080\n"
    "        readinessProbe:\n"
    "          grpc:\n"
    "            service: health\n"
    "          periodSeconds: 3\n"
)
PROFILE = "project: acme\nregion: us-central1\nservices:\n  api:\n    settings:\n"


@pytest.mark.parametrize(
    ("manifest", "want", "found"),
    [
        # the deploy would start each instance with a probe on a path the profile does not name
        (KNATIVE_PROBE, "startup_probe: http /healthz port 8080", True),
        (KNATIVE_PROBE, "startup_probe: http /ready port 8080 period 3s", False),
        # no startupProbe: Cloud Run's default one on the container's port
        (MINIMAL, "startup_probe: tcp port 8080", False),
        (MINIMAL, "startup_probe: http /healthz port 8080", True),
        # a readiness probe's timings where stated; none: no readinessProbe (no default one)
        (KNATIVE_READINESS, "readiness_probe: grpc port 8080 service health period 3s", False),
        (KNATIVE_READINESS, "readiness_probe: grpc port 8080 service health period 10s", True),
        (KNATIVE_READINESS, "readiness_probe: none", True),
        (MINIMAL, "readiness_probe: none", False),
        (MINIMAL, "readiness_probe: http /ready port 8080", True),
    ],
)
def test_a_knative_manifest_is_checked_before_the_deploy(
    tmp_path: Path, manifest: str, want: str, found: bool
) -> None:
    done = check_offline(tmp_path, PROFILE + f"      {want}\n", ("api.yaml", manifest))
    assert "Traceback" not in done.stderr, done.stderr
    targets = {f["target"] for f in json.loads(done.stdout)["findings"]}
    assert (f"setting.{want.split(':')[0]}" in targets) is found, done.stdout
    assert done.returncode == (1 if found else 0), done.stdout + done.stderr


API = """\
project: acme-chat-staging
region: us-central1
services:
  api:
    settings: {{min_instances: 1, max_instances: 20, {probe}: http /healthz port 8080}}
"""


@pytest.mark.parametrize("probe", ["startup_probe", "readiness_probe"])
@pytest.mark.parametrize(("path", "code"), [("/ready", 1), ("/healthz", 0)])
def test_a_terraform_plan_is_checked_before_the_deploy(
    tmp_path: Path, path: str, code: int, probe: str
) -> None:
    data = plan()
    app = known_api(data)["change"]["after"]["template"][0]["containers"][0]
    block = {"http_get": [{"path": path, "port": 0, "http_headers": []}], "period_seconds": 3}
    app[probe] = [block]
    others = [rc for rc in data["resource_changes"] if rc["type"] != "google_cloud_run_v2_service"]
    data["resource_changes"] = [change_of(data, "google_cloud_run_v2_service.api"), *others]
    done = check_plan_offline(tmp_path, data, API.format(probe=probe), "-f", "json")
    assert "Traceback" not in done.stderr, done.stderr
    found = [f for f in json.loads(done.stdout)["findings"] if f["target"] == f"setting.{probe}"]
    assert len(found) == code and done.returncode == code, done.stdout + done.stderr


def test_init_writes_a_probe_of_its_own_and_not_the_default_one(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    world = probe_world(None)
    second = json.loads(json.dumps(world["projects"][P]["services"]["api"]))
    second["template"]["api"]["containers"][0]["startupProbe"] = HTTP_HEALTHZ
    world["projects"][P]["services"]["web"] = second
    sandbox = make_sandbox(world)
    done = drift(
        "init", "staging", "--from-live", "--project", P, "--region", "us-central1",
        env=sandbox.environ(), cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "profiles" / "staging.yaml").read_text()
    web = text.split("  web:")[1]
    api = text.split("  api:")[1].split("  web:")[0]
    assert "startup_probe" not in api, text
    assert (
        'startup_probe: "http /healthz port 8080 delay 0s timeout 1s period 5s failure 12"' in web
    )
    assert TOKEN not in text
    again = drift("check", "staging", "--no-history", env=sandbox.environ(), cwd=tmp_path)
    assert again.returncode == 0, again.stdout + again.stderr
