"""revshapes3 repros: real service shapes (Binary Authorization breakglass, custom audiences,
CMEK with a revocation action, a Cloud Run function's build_config) through fix --yes,
rollback and plan --format yaml/gcloud. Expected to FAIL on main; each docstring says why.

    .venv/bin/python -m pytest -q tests/review/test_revshapes3.py -n 2 -p no:randomly
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, fix, lab_cli, lab_name, lab_world

KEY = f"projects/{LAB}/locations/us-central1/keyRings/kr/cryptoKeys/k"


def _world(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    shape: Callable[[Any], None],
) -> tuple[Any, Any]:
    """The lab service (DEBUG set, MODE missing) reshaped by `shape` through UpdateService, as
    gcloud or Terraform would have written it: the sandbox, the clients."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service = clients.services.get_service(name=lab_name())
    shape(service)
    clients.services.update_service(service=service).result()
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    monkeypatch.chdir(tmp_path)
    return sandbox, clients


def _fix(sandbox: Any, tmp_path: Path, settings: str) -> None:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
        f"    settings:\n{settings}"
        "    env:\n      MODE: live\n      DEBUG: {forbidden: true}\n"
    )
    done = fix(tmp_path, sandbox.environ(), ScriptedUI(), FixOptions(yes=True), None, "lab", folder)
    assert done.exit_code is ExitCode.OK, done.summary()


def test_a_cloud_run_functions_yaml_is_appliable(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    """F3. A service deployed as a function (`gcloud run deploy --function`: Service.build_config)
    gets a `plan --format yaml` marked NOT APPLIABLE ("build_config has no Knative form",
    drift/fix/knative/service.py:102), which gcloud refuses. gcloud 528 has the Knative form:
    the service annotations run.googleapis.com/build-source-location, build-function-target,
    build-image-uri, build-base-image, build-enable-automatic-updates,
    build-environment-variables, build-service-account, build-worker-pool
    (googlecloudsdk/api_lib/run/service.py:46-69)."""

    def shape(service: Any) -> None:
        service.build_config = run_v2.BuildConfig(
            source_location="gs://run-sources-lab/services/app/1700000000.zip",
            function_target="helloHttp",
            image_uri="us-central1-docker.pkg.dev/fix-lab/cloud-run-source-deploy/app",
            base_image="us-central1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs22",
            enable_automatic_updates=True,
        )

    sandbox, _ = _world(make_sandbox, clients_for, monkeypatch, tmp_path, shape)
    out = lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml")
    assert "driftNotAppliable" not in out.stdout, out.stdout[:600]
    assert "run.googleapis.com/build-function-target" in out.stdout
