"""A secret reference with no version: the google provider makes `secret_key_ref.version`
optional for services and worker pools, and SecretKeySelector.version documents no default, so
whether Cloud Run stores "" or `latest` is open (sandbox option `empty_secret_version`). drift
reads "" as `latest` (an instance reads the latest version) and must say the same under either
reading: clean against a profile that names no version, no repoint in the history between a
revision of "" and one of `latest`, a plan from `latest`, and a fix proven (helper-556 S6)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor
from tests.test_since import acme_profile, acme_world

ACCOUNT = "api@acme.iam.gserviceaccount.com"
VALUE = "k" * 40


def world(option: str) -> dict[str, Any]:
    """`api` reads `jwt` with no version now (Terraform's), with `latest` before (gcloud's)."""
    jwt = {"secretKeyRef": {"secret": "jwt", "version": ""}}
    template = {
        "serviceAccount": ACCOUNT,
        "containers": [
            {
                "name": "app",
                "image": "us-docker.pkg.dev/cloudrun/container/hello",
                "ports": [{"containerPort": 8080}],
                "env": [{"name": "JWT", "valueSource": jwt}],
            }
        ],
    }
    older = {"env": {"JWT": {"secret": "jwt", "version": "latest"}}, "created": "5d"}
    grant = {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]}
    secret = {"versions": [{"value": VALUE}, {"value": VALUE}], "iam": grant}
    out = acme_world({"api": {"template": template, "history": [older]}}, secrets={"jwt": secret})
    out["options"]["empty_secret_version"] = option
    return out


PROFILE = """\
settings: {service_account: api@acme.iam.gserviceaccount.com}
env:
  JWT: {secret: jwt%s}
"""


@pytest.fixture(params=["kept", "latest"], scope="module")
def sandbox(request: pytest.FixtureRequest) -> Iterator[Sandbox]:
    with Sandbox(world(request.param)) as sb:
        yield sb


def _run(sb: Sandbox, tmp: Path, profile: str, *args: str) -> Any:
    (tmp / "profiles").mkdir(exist_ok=True)
    (tmp / "profiles" / "prod.yaml").write_text(acme_profile(profile))
    return drift(*args, env=sb.environ(), cwd=tmp)


def test_the_option_stores_the_version_as_sent_or_as_latest(
    sandbox: Sandbox, clients_for: ClientsFor
) -> None:
    option = sandbox.scenario.options.empty_secret_version
    svc = clients_for(sandbox).services.get_service(
        name="projects/acme/locations/us-central1/services/api"
    )
    (var,) = [v for v in svc.template.containers[0].env if v.name == "JWT"]
    assert var.value_source.secret_key_ref.version == ("" if option == "kept" else "latest")


def test_a_reference_of_no_version_is_the_latest_one(sandbox: Sandbox, tmp_path: Path) -> None:
    done = _run(sandbox, tmp_path, PROFILE % "", "check", "prod", "-f", "json")
    assert done.returncode == 0, done.stdout + done.stderr


def test_no_repoint_between_no_version_and_latest(sandbox: Sandbox, tmp_path: Path) -> None:
    done = _run(sandbox, tmp_path, PROFILE % "", "history", "prod", "--service", "api")
    assert done.returncode == 0, done.stdout + done.stderr
    assert "JWT" not in done.stdout, done.stdout


def test_a_plan_from_no_version_names_latest(sandbox: Sandbox, tmp_path: Path) -> None:
    done = _run(sandbox, tmp_path, PROFILE % ", version: '2'", "plan", "prod", "-f", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (service,) = json.loads(done.stdout)["services"]
    (change,) = service["env"]
    assert (change["before"], change["after"]) == ("secret jwt:latest", "secret jwt:2"), change


def test_a_fix_from_no_version_is_proven(
    sandbox: Sandbox, tmp_path: Path, clients_for: ClientsFor
) -> None:
    """Last (it writes)."""
    done = _run(sandbox, tmp_path, PROFILE % ", version: '2'", "fix", "prod", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    again = _run(sandbox, tmp_path, PROFILE % ", version: '2'", "check", "prod")
    assert again.returncode == 0, again.stdout
    svc = clients_for(sandbox).services.get_service(
        name="projects/acme/locations/us-central1/services/api"
    )
    (var,) = [v for v in svc.template.containers[0].env if v.name == "JWT"]
    assert var.value_source.secret_key_ref.version == "2"
