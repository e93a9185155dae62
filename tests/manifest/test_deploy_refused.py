"""What Cloud Run documents it refuses, stated in a manifest, is refused where the manifest
states it (`drift.manifest.deployable`; helper-662 F6): an image that is no image reference,
a service account that is no email address, more than 1,000 variables in a container, a value
over 32,768 bytes, a mount path holding ':'. `file:line` (Knative) or the JSON path (Terraform),
exit 2, nothing checked; what is within the limits reads as before."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.manifest.conftest import problems_of, read

POD = ("spec", "template", "spec")


def knative(**container: Any) -> dict[str, Any]:
    return {
        "apiVersion": "serving.knative.dev/v1",
        "kind": "Service",
        "metadata": {"name": "api", "namespace": "acme-chat-staging"},
        "spec": {
            "template": {"spec": {"containers": [{"image": "gcr.io/acme/api:1", **container}]}}
        },
    }


def plan(*, account: str | None = None, **container: Any) -> dict[str, Any]:
    template: dict[str, Any] = {"containers": [{"image": "gcr.io/acme/api:1", **container}]}
    if account is not None:
        template["service_account"] = account
    after = {"name": "api", "location": "us-central1", "template": [template]}
    change = {"actions": ["create"], "before": None, "after": after}
    return {
        "format_version": "1.2",
        "resource_changes": [
            {
                "address": "google_cloud_run_v2_service.api",
                "mode": "managed",
                "type": "google_cloud_run_v2_service",
                "name": "api",
                "change": change,
            }
        ],
    }


def with_account(doc: dict[str, Any], account: str) -> dict[str, Any]:
    doc = copy.deepcopy(doc)
    doc["spec"]["template"]["spec"]["serviceAccountName"] = account
    return doc


def variables(count: int, size: int = 1) -> list[dict[str, str]]:
    return [{"name": f"V{i}", "value": "v" * size} for i in range(count)]


NEWLINE = "api\n::error::forged"
PLAN_AT = "resource_changes[0].change.after.template[0]"

KNATIVE_REFUSED = {
    "image": (knative(image=f"gcr.io/acme/{NEWLINE}"), 10, "is not a container image reference"),
    "image-space": (knative(image="gcr.io/acme/api :1"), 10, "is not a container image reference"),
    "account": (
        with_account(knative(), f"{NEWLINE}@acme.iam.gserviceaccount.com"),
        11,
        "is not an email address",
    ),
    "account-member": (
        with_account(knative(), "serviceAccount:api@acme.iam.gserviceaccount.com"),
        11,
        "is not an email address",
    ),
    "variables": (knative(env=variables(1001)), 11, "1001 environment variables in one"),
    "value": (knative(env=variables(1, 32769)), 13, "value of 32769 bytes"),
    "mount": (
        knative(volumeMounts=[{"name": "s", "mountPath": "/etc/a:b"}]),
        13,
        "mount path '/etc/a:b' holds ':'",
    ),
}


def yaml_text(doc: dict[str, Any]) -> str:
    """`doc` as block YAML, one key a line (the lines the problems name)."""
    import yaml

    return yaml.safe_dump(doc, sort_keys=False, width=10**6)


@pytest.mark.parametrize("case", list(KNATIVE_REFUSED))
def test_knative_refused_at_its_line(case: str) -> None:
    doc, line, said = KNATIVE_REFUSED[case]
    text = yaml_text(doc)
    found = problems_of(text, "api.yaml")
    assert len(found) == 1, found
    (problem,) = found
    assert problem.startswith(f"api.yaml:{line}: "), (problem, text.splitlines()[line - 1])
    assert said in problem
    assert "\n" not in problem  # a line break in the manifest's text is shown, not written


PLAN_REFUSED = {
    "image": (plan(image=f"gcr.io/acme/{NEWLINE}"), ".containers[0].image", "not a container"),
    "account": (
        plan(account=f"{NEWLINE}@acme.iam.gserviceaccount.com"),
        ".service_account",
        "is not an email address",
    ),
    "variables": (plan(env=variables(1001)), ".containers[0].env", "1001 environment variables"),
    "value": (plan(env=variables(1, 32769)), ".containers[0].env[0].value", "32769 bytes"),
    "mount": (
        plan(volume_mounts=[{"name": "s", "mount_path": "/etc/a:b"}]),
        ".containers[0].volume_mounts[0].mount_path",
        "holds ':'",
    ),
}


@pytest.mark.parametrize("case", list(PLAN_REFUSED))
def test_plan_refused_at_its_json_path(case: str) -> None:
    doc, path, said = PLAN_REFUSED[case]
    (problem,) = problems_of(json.dumps(doc), "plan.json")
    assert problem.startswith(f"plan.json: {PLAN_AT}{path}: "), problem
    assert said in problem
    assert "\n" not in problem


@pytest.mark.parametrize(
    "doc",
    [
        knative(env=[*variables(999), {"name": "LONG", "value": "v" * 32768}]),
        with_account(knative(), "Deployer-1@acme.iam.gserviceaccount.com"),
        knative(image="us-docker.pkg.dev/acme/r/api@sha256:" + "a" * 64),
        knative(image="nginx", volumeMounts=[{"name": "s", "mountPath": "/etc/a,b=c"}]),
    ],
    ids=["limits", "account", "digest", "mount"],
)
def test_within_the_limits_knative_reads(doc: dict[str, Any]) -> None:
    (workload,) = read(yaml_text(doc), "api.yaml").workloads
    assert workload.name == "api"


@pytest.mark.parametrize(
    "doc",
    [
        plan(env=[*variables(999), {"name": "LONG", "value": "v" * 32768}]),
        plan(account="123-compute@developer.gserviceaccount.com"),
        plan(volume_mounts=[{"name": "s", "mount_path": "/etc/creds"}]),
    ],
    ids=["limits", "account", "mount"],
)
def test_within_the_limits_a_plan_reads(doc: dict[str, Any]) -> None:
    (workload,) = read(json.dumps(doc), "plan.json").workloads
    assert workload.name == "api"


def test_the_gate_exits_2_naming_the_manifest(tmp_path: Path) -> None:
    """`drift check --manifest`: one line naming the file and line, nothing checked."""
    manifest = tmp_path / "api.yaml"
    manifest.write_text(yaml_text(knative(env=variables(10_000))))
    done = drift("check", "staging", "--manifest", str(manifest), "--offline")
    assert "Traceback" not in done.stderr, done.stderr
    assert done.returncode == 2, done.stderr
    assert done.stdout == ""
    assert "api.yaml:11: spec.template.spec.containers.0.env: " in done.stderr
    assert "10000 environment variables in one container" in done.stderr
