"""helper-739: a secret that the main container uses at one version and a sidecar at another
(a TLS bundle the app pins to 2, its proxy to 3) got its bad version's finding with
`container` the main container's even when only the sidecar uses that version: the message
said "/etc/tls3/cert.pem in proxy", JSON and SARIF said `app`. The finding of a version names
the first container that uses that version (the main one first), as its message does."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.check.test_secret_container_order import _world
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n"
    "    env:\n      K: {secret: k}\n    containers:\n      proxy:\n"
    "        env:\n          PROXY_K: {secret: k}\n"
)


def _container(name: str, version: str, port: bool = False) -> dict[str, Any]:
    """A container reading secret k at `version` (`_world`'s k: version 2, its latest, is
    DISABLED; version 1 is enabled)."""
    var = "K" if port else "PROXY_K"
    ref = {"secretKeyRef": {"secret": "k", "version": version}}
    return {
        "name": name,
        "image": f"us-docker.pkg.dev/lab/{name}:v1",
        "env": [{"name": var, "valueSource": ref}],
        **({"ports": [{"containerPort": 8080}]} if port else {}),
    }


def _denied_but_version_1(world: dict[str, Any]) -> dict[str, Any]:
    """The runtime account's grant holds for version 1 only (a condition on the version's name,
    as IAM sees it for Secret Manager); a third version, enabled and latest."""
    project = world["projects"][LAB]
    account = project["iam"]["roles/secretmanager.secretAccessor"][0]
    condition = {"title": "v1", "expression": 'resource.name.endsWith("/versions/1")'}
    role = "roles/secretmanager.secretAccessor"
    project["iam"] = [{"role": role, "members": [account], "condition": condition}]
    project["secrets"]["k"]["versions"].append("third-value-cccc")
    return world


@pytest.mark.parametrize(
    ("rule", "app", "proxy", "container", "said"),
    [
        ("secret.disabled", "1", "2", "proxy", "referenced by PROXY_K in proxy on"),
        ("secret.disabled", "2", "1", "app", "referenced by K on"),
        ("secret.no_access", "1", "3", "proxy", "on k version 3 (used by PROXY_K in proxy)"),
        ("secret.no_access", "3", "1", "app", "on k version 3 (used by K)"),
    ],
    ids=["sidecars-disabled", "mains-disabled", "sidecars-denied", "mains-denied"],
)
def test_a_versions_finding_names_the_container_that_uses_that_version(
    tmp_path: Path, rule: str, app: str, proxy: str, container: str, said: str
) -> None:
    world = _world([_container("app", app, port=True), _container("proxy", proxy)])
    if rule == "secret.no_access":
        world = _denied_but_version_1(world)
    with Sandbox(world) as sandbox:
        done = run(sandbox, tmp_path, PROFILE, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (found,) = [f for f in json.loads(done.stdout)["findings"] if f["rule"] == rule]
    assert said in found["message"], found["message"]
    assert found["container"] == container, found
