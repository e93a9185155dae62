"""The sandbox holds only what Cloud Run could hold (helper-591 F4): labels as Google Cloud
labels are (lowercase letters, digits, `_`, `-`, international characters, at most 63
characters, a key starting with a letter, 64 at most), container images as image references,
secret references to a project id or number and to `latest`, a number or an alias. A
scenario seeding anything else is a scenario error naming the resource; a write of it is
refused (INVALID_ARGUMENT), through the official clients. Real shapes are all taken."""

from __future__ import annotations

from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.errors import InputError
from drift.sandbox import Sandbox
from tests.conftest import ClientsFor, MakeSandbox
from tests.sandbox.helpers import service_name
from tests.sandbox.jobworld import JOB, sandbox_of

DIGEST = "sha256:" + "4f0de9" * 10 + "abcd"


def world(
    template: dict[str, Any], registries: str = "supported", **service: Any
) -> dict[str, Any]:
    secrets = {"k": {"versions": ["value-1", "value-2"], "aliases": {"prod": 2}}}
    other = {"number": 600000000002, "region": "us-central1", "secrets": {"k": {"versions": ["v"]}}}
    acme = {"number": 111, "region": "us-central1", "secrets": secrets}
    acme["services"] = {"api": {"template": template, **service}}
    options = {"seed": 1, "image_registries": registries}
    return {"options": options, "projects": {"acme": acme, "acme-shared": other}}


REAL = [
    {"labels": {"goog-terraform-provisioned": "true", "team": "payments", "cost_center": ""}},
    {"labels": {"équipe": "données-2"}},  # international characters are allowed
    {"image": f"europe-west1-docker.pkg.dev/acme-prod/app/api@{DIGEST}"},
    {"image": f"gcr.io/acme/api:v1.2.3-rc_1@{DIGEST}"},
    {"image": "docker.io/library/nginx:1.25"},
    {"image": "nginx"},
    {"image": "ghcr.io/acme/api:1"},  # run/docs/deploying's newer copies take it
    {"image": f"us.gcr.io/acme/api@sha512:{'a' * 128}"},
    {"env": {"A": {"secret": "k", "version": "prod"}, "B": {"secret": "k", "version": "2"}}},
    {"env": {"A": {"secret": "projects/600000000002/secrets/k", "version": "latest"}}},
    {"env": {"A": {"secret": "projects/acme-shared/secrets/k", "version": "1"}}},
]


@pytest.mark.parametrize("template", REAL)
def test_real_shapes_are_seeded(template: dict[str, Any]) -> None:
    with Sandbox(world(template)) as sandbox:
        assert sandbox.environ()


REFUSED = [
    ({"labels": {"Team": "a"}}, "Label key 'Team' violates format constraints"),
    ({"labels": {"team\n::error::x": "a"}}, "Label key"),
    ({"labels": {"team": "a\n::error::forged"}}, "Label value 'a"),
    ({"labels": {"team": "Payments"}}, "Label value 'Payments'"),
    ({"labels": {"run.googleapis.com/x": "A\n::error::forged"}}, "Label 'run.googleapis.com/x'"),
    ({"labels": {"team": "x" * 64}}, "at most 63"),
    ({"labels": {"k" * 64: "x"}}, "at most 63"),
    ({"labels": {f"l{n}": "x" for n in range(65)}}, "at most 64 labels"),
    ({"image": "us-docker.pkg.dev/acme/app/api:2\n::error::IMG\x1b[2J"}, "container image"),
    ({"image": "us-docker.pkg.dev/acme/App/api:2"}, "container image"),
    ({"image": "us-docker.pkg.dev/acme/app/api@sha256:4f0de9"}, "container image"),
    ({"image": f"us-docker.pkg.dev/acme/app/api@sha256:{'a' * 32}"}, "container image"),
    ({"image": f"us-docker.pkg.dev/acme/app/api@sha256:{'A' * 64}"}, "container image"),
    ({"image": f"us-docker.pkg.dev/acme/app/api@blake3:{'a' * 64}"}, "container image"),
    ({"image": "localhost:5000/team__app/api-x:latest"}, "where host is one of"),
    (
        {"image": "registry.example.com/api:1"},
        "but obtained registry.example.com/api:1 (ghcr.io too; options.image_registries: any",
    ),
    ({"env": {"A": {"secret": "k", "version": "1\n::error::VER"}}}, "holds no resource name"),
    ({"env": {"A": {"secret": "k", "version": "0"}}}, "not 'latest', a number or an alias"),
]


@pytest.mark.parametrize(("template", "said"), REFUSED)
def test_what_cloud_run_could_not_hold_is_a_scenario_error(
    template: dict[str, Any], said: str
) -> None:
    with pytest.raises(InputError) as caught:
        Sandbox(world(template)).start()
    assert "projects.acme.services.api: " in str(caught.value) and said in str(caught.value)


def test_a_hostile_project_in_a_reference_or_a_volume_version_is_a_scenario_error() -> None:
    api = {
        "volumes": [
            {"name": "v", "secret": {"secret": "k", "items": [{"path": "a", "version": "1 2"}]}}
        ],
        "containers": [{"image": "img/app:1", "volumeMounts": [{"name": "v", "mountPath": "/v"}]}],
    }
    for template in (
        {"api": api},
        {"env": {"A": {"secret": "projects/Acme Shared/secrets/k"}}},
    ):
        with pytest.raises(InputError, match="projects.acme.services.api: secret"):
            Sandbox(world(template)).start()


def test_service_labels_are_checked_too() -> None:
    with pytest.raises(InputError, match="Label key 'Owner'"):
        Sandbox(world({}, labels={"Owner": "x"})).start()


def _hostile_version(service: Any) -> None:
    ref = run_v2.SecretKeySelector(secret="k", version="1\n::error::VER")
    env = run_v2.EnvVar(name="K", value_source=run_v2.EnvVarSource(secret_key_ref=ref))
    service.template.containers[0].env.append(env)


@pytest.mark.parametrize(
    ("edit", "said"),
    [
        (lambda s: s.labels.update({"Team": "a"}), "labels: At least one label does not"),
        (lambda s: s.template.labels.update({"team": "a b"}), "template.labels: At least one"),
        (lambda s: setattr(s.template.containers[0], "image", "img/app:1\n"), "image"),
        (lambda s: setattr(s.template.containers[0], "image", "quay.io/x/app:1"), "host is"),
        (_hostile_version, "spec.template.spec: secret reference 'k'"),
    ],
)
def test_a_write_of_what_cloud_run_could_not_hold_is_refused(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, edit: Any, said: str
) -> None:
    client = clients_for(make_sandbox(None)).services
    api = client.get_service(name=service_name("api"))
    edit(api)
    with pytest.raises(exceptions.InvalidArgument, match=said.replace("[", r"\[")):
        client.update_service(service=api)
    fine = client.get_service(name=service_name("api"))
    fine.labels["team"] = "payments"  # a label as labels are: taken
    assert client.update_service(service=fine).result(timeout=10).labels["team"] == "payments"


def test_a_job_write_with_a_bad_label_is_refused(make_sandbox: MakeSandbox, run_for: Any) -> None:
    client = run_for(sandbox_of(make_sandbox)).jobs
    job = client.get_job(name=JOB)
    job.template.labels["Nightly"] = "yes"
    with pytest.raises(exceptions.InvalidArgument, match="template.labels: At least one label"):
        client.update_job(job=job)


@pytest.mark.parametrize("image", ["localhost:5000/team__app/api-x:latest", "quay.io/acme/api:2"])
def test_any_registry_is_taken_under_the_option_any(image: str) -> None:
    """`image_registries: any`: a registry Cloud Run may come to take (its docs add GitHub's)."""
    with Sandbox(world({"image": image}, registries="any")) as sandbox:
        assert sandbox.environ()
