"""Services with sidecars, as teams run them: every finding on a sidecar names it in its
message, which is all some outputs show (GitHub annotations, SARIF results' text)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.test_check_shapes import check_profile, found

ACCOUNT = "shop@acme-prod.iam.gserviceaccount.com"


def world(*containers: dict[str, Any], volumes: list[Any] | None = None) -> dict[str, Any]:
    template: dict[str, Any] = {"serviceAccount": ACCOUNT, "containers": list(containers)}
    if volumes:
        template["volumes"] = volumes
    return {
        "options": {"seed": 7},
        "projects": {
            "acme-prod": {
                "number": 500000000001,
                "region": "us-central1",
                "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
                "secrets": {
                    "otel-token": {"versions": ["fake-otel-token-aaaa1111", "fake-otel-token-bb2"]}
                },
                "services": {"shop": {"template": template}},
            }
        },
    }


NGINX = {
    "name": "nginx",
    "image": "nginx:1.27",
    "ports": [{"containerPort": 8080}],
    "dependsOn": ["app"],
    "env": [{"name": "UPSTREAM", "value": "127.0.0.1:9000"}],
}
# nginx in front: the app is a sidecar listening on the port its own PORT says. "For Cloud Run
# services, Cloud Run injects the PORT environment variable into the container. If you deploy
# multiple containers to a service, this is the ingress container"
# (cloud.google.com/run/docs/configuring/containers)
APP_BEHIND = {
    "name": "app",
    "image": "us-central1-docker.pkg.dev/acme-prod/apps/shop:2.0.0",
    "env": [{"name": "PORT", "value": "9000"}, {"name": "LOG_LEVEL", "value": "INFO"}],
}
APP_INGRESS = {
    "name": "app",
    "image": "us-central1-docker.pkg.dev/acme-prod/apps/shop:2.0.0",
    "ports": [{"containerPort": 8080}],
    "dependsOn": ["otel"],
    "env": [{"name": "LOG_LEVEL", "value": "INFO"}, {"name": "MODE", "value": "live"}],
}
OTEL = {
    "name": "otel",
    "image": "otel/opentelemetry-collector-contrib:0.104.0",
    "env": [
        {"name": "LOG_LEVEL", "value": "info"},
        {
            "name": "OTEL_TOKEN",
            "valueSource": {"secretKeyRef": {"secret": "otel-token", "version": "latest"}},
        },
    ],
}
HEAD = "project: acme-prod\nregion: us-central1\nservices:\n  shop:\n"


def test_a_sidecar_secret_ref_finding_names_the_container_in_its_message(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """env.value said "LOG_LEVEL on REV (container otel) differs", but env.secret_ref said only
    "OTEL_TOKEN references X instead of Y" (no revision, no container) and mount.secret_ref
    named no container: GitHub annotations and SARIF results show only the message."""
    mounted = {**OTEL, "volumeMounts": [{"name": "creds", "mountPath": "/etc/otel"}]}
    volume = {
        "name": "creds",
        "secret": {"secret": "otel-token", "items": [{"path": "token", "version": "1"}]},
    }
    profile = (
        HEAD + "    containers:\n      otel:\n        env:\n"
        "          OTEL_TOKEN: {secret: otel-token, version: '1'}\n        mounts:\n"
        "          /etc/otel/token: {secret: otel-token, version: '2'}\n"
    )
    sidecar = world(APP_INGRESS, mounted, volumes=[volume])
    result = check_profile(make_sandbox, monkeypatch, tmp_path, sidecar, profile, "shop")
    shop = found(result, "shop")
    for key in (
        ("env.secret_ref", "env.OTEL_TOKEN"),
        ("mount.secret_ref", "mount./etc/otel/token"),
    ):
        assert shop[key].container == "otel"
        assert f"on {shop[key].revision} (container otel)" in shop[key].message, shop[key].message
