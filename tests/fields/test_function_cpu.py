"""revown40 F1: the CPU of a Cloud Run function's service. Cloud Run functions (gen2) are Cloud
Run services; their CPU for 128/256/512 MiB/1 GiB is .083/.167/.333/.583 vCPU
(cloud.google.com/functions/docs/configuring/memory) and the Functions API reports it as
`availableCpu: '0.1666'` (`gcloud functions describe` of any 256M function), a field that
"Supports the same values as Cloud Run" (cloudfunctions v2 ServiceConfig.available_cpu). The
Cloud Run service holds the same quantity: world-federation-of-advertisers/
cross-media-measurement#3832, a service "with fractional CPU (e.g. `0.3333`)", which Cloud Run
refused only for being always allocated, then took `gcloud run services update
--cpu-throttling` with that CPU unchanged.

On main (fixquantity 60a8df1/982b178/1e3a8df):
- a profile can never state it: `cpu: '0.1666'` is refused at file:line ("finer than a
  millicore");
- live, it is always "could not verify" (exit 3), so a function whose CPU drifted from the
  profile's (0.3333 where the profile says 1) is never reported as drift;
- the sandbox refuses every UpdateService of such a service ("CPU is set in increments of
  0.001"): `drift fix` of an env variable on a function fails in the sandbox, where Cloud Run
  takes it.

Repro: .venv/bin/python -m pytest -q tests/fields/test_function_cpu.py -n 0"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.profiles.loader import load_profile
from tests.conftest import ClientsFor, MakeSandbox
from tests.test_check_shapes import check_profile

pytestmark = pytest.mark.sandbox


def _function(cpu: str) -> dict[str, Any]:
    container = {
        "image": "us-central1-docker.pkg.dev/p/gcf-artifacts/fn:version_1",
        "ports": [{"containerPort": 8080}],
        "resources": {"limits": {"cpu": cpu, "memory": "256M"}, "cpuIdle": True},
    }
    api = {"containers": [container], "maxInstanceRequestConcurrency": 1}
    return {"projects": {"p": {"number": 5, "services": {"fn": {"template": {"api": api}}}}}}


@pytest.mark.parametrize("cpu", ["0.1666", "0.3333", "0.5833", "0.0833"])
def test_a_profile_states_a_functions_cpu(tmp_path: Path, cpu: str) -> None:
    (tmp_path / "prod.yaml").write_text(
        f"project: p\nregion: us-central1\nservices:\n  fn:\n    settings:\n      cpu: '{cpu}'\n"
    )
    load_profile(tmp_path, "prod")  # main: ProfileError "finer than a millicore"


def test_a_functions_cpu_that_drifted_is_reported_as_drift(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = "project: p\nregion: us-central1\nservices:\n  fn:\n    settings:\n      cpu: 1\n"
    result = check_profile(make_sandbox, monkeypatch, tmp_path, _function("0.3333"), profile)
    report = result.report
    # main: exit 3, "could not verify setting.cpu … finer than a millicore", no finding
    assert [f.target for f in report.findings] == ["setting.cpu"], (
        report.findings,
        report.unverified,
    )


def test_the_sandbox_takes_an_update_of_a_function_with_its_cpu_unchanged(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    # fixcpu2: the function is seeded at 0.1666 and the update only adds an env variable (the
    # first version set 0.1666 on a service at 1 CPU: a change, not an unchanged CPU).
    sandbox = make_sandbox(_function("0.1666"))
    services = clients_for(sandbox).services
    service = services.get_service(name="projects/p/locations/us-central1/services/fn")
    assert service.template.containers[0].resources.limits["cpu"] == "0.1666"
    service.template.containers[0].env.append(run_v2.EnvVar(name="MODE", value="prod"))
    # main: InvalidArgument "CPU is set in increments of 0.001"
    services.update_service(service=service).result()
