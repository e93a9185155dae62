"""A service deployed as a Cloud Run function or from source (`Service.build_config`) has a
Knative form (revshapes3 F3): gcloud 528 writes build_config as service annotations
(api_lib/run/service.py `RUN_FUNCTIONS_BUILD_*`, command_lib/run/serverless_operations.py
`_AddRunFunctionsAnnotations`), so `drift plan --format yaml` of one is appliable and reads
back as the live service plus the patch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2
from ruamel.yaml import YAML

from drift.fix.formats.knative_yaml import NOT_APPLIABLE
from drift.fix.knative import from_knative, writable
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix import shapes
from tests.fix.conftest import lab_cli, lab_name, lab_world
from tests.fix.test_knative import by_hand, render, same

RUN = "run.googleapis.com"
BUILD = run_v2.BuildConfig(
    name="projects/1234/locations/europe-west1/builds/b-1",
    source_location="gs://run-sources-acme/services/api/1700000000.zip",
    function_target="helloHttp",
    image_uri="europe-west1-docker.pkg.dev/acme-prod/cloud-run-source-deploy/api",
    base_image="europe-west1-docker.pkg.dev/serverless-runtimes/google-22/runtimes/nodejs22",
    enable_automatic_updates=True,
    worker_pool="projects/acme-prod/locations/europe-west1/workerPools/builders",
    environment_variables={"NODE_ENV": "production", "GOOGLE_NODE_RUN_SCRIPTS": ""},
    service_account="projects/acme-prod/serviceAccounts/builder@acme-prod.iam.gserviceaccount.com",
)


def test_a_functions_yaml_is_appliable_and_reads_back_with_its_build_config() -> None:
    live = shapes.cloud_sql()
    live.build_config = BUILD
    text, doc = render(live)
    assert NOT_APPLIABLE not in doc, doc.get(NOT_APPLIABLE)
    assert "Apply: gcloud run services replace FILE --project=acme-prod" in text
    ann = doc["metadata"]["annotations"]
    assert ann[f"{RUN}/build-function-target"] == "helloHttp"
    assert ann[f"{RUN}/build-enable-automatic-updates"] == "true"
    variables = json.loads(ann[f"{RUN}/build-environment-variables"])
    assert variables == dict(BUILD.environment_variables)
    back = from_knative(doc)
    assert back.build_config == BUILD
    same(writable(back), by_hand(live))


def test_automatic_updates_off_is_written_as_gcloud_writes_it() -> None:
    live = shapes.cloud_sql()
    live.build_config = run_v2.BuildConfig(source_location="gs://b/s.zip")
    _, doc = render(live)
    assert doc["metadata"]["annotations"][f"{RUN}/build-enable-automatic-updates"] == "false"
    assert from_knative(doc).build_config == live.build_config


def function_plan(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    **build: Any,
) -> Any:
    """`drift plan lab --format yaml` of the lab service deployed from source as a function
    (`build_config`: its source, and `build`)."""
    sandbox = make_sandbox(lab_world())
    clients = clients_for(sandbox)
    service: Any = clients.services.get_service(name=lab_name())
    service.build_config = run_v2.BuildConfig(
        source_location="gs://run-sources-lab/services/app/1700000000.zip", **build
    )
    clients.services.update_service(service=service).result()
    monkeypatch.chdir(tmp_path)
    return lab_cli(sandbox, tmp_path, "plan", "lab", "--format", "yaml")


def test_the_plan_of_a_function_in_the_sandbox_is_appliable(
    make_sandbox: MakeSandbox,
    clients_for: ClientsFor,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
) -> None:
    target = {"function_target": "helloHttp", "enable_automatic_updates": True}
    out = function_plan(make_sandbox, clients_for, monkeypatch, tmp_path, **target)
    assert "driftNotAppliable" not in out.stdout, out.stdout[:600]
    doc = YAML(typ="safe", pure=True).load(out.stdout)
    assert doc["metadata"]["annotations"][f"{RUN}/build-function-target"] == "helloHttp"
