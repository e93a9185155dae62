"""A service manifest of several containers where not exactly one declares a port: Cloud Run
refuses it (the ingress container, and it alone, declares the port: run/docs/deploying#sidecars),
so it never runs. `check --manifest` called it clean (helper-537 F5); it is not verified."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tests.manifest.conftest import MINIMAL, check_offline

SERVICE = MINIMAL.replace(
    "      - image: gcr.io/acme/api:1\n",
    "      - name: app\n        image: gcr.io/acme/api:1\nAPP_PORT\n"
    "      - name: proxy\n        image: gcr.io/acme/proxy:1\nPROXY_PORT\n",
)
PORT = "        ports:\n        - containerPort: 8080"
PROFILE = "project: acme-prod\nregion: us-central1\nservices:\n  api:\n    settings: {}\n"


@pytest.mark.parametrize(
    ("app", "proxy", "said"),
    [
        (PORT, "", ""),
        ("", "", "none declares a port"),
        (PORT, PORT.replace("8080", "9090"), "2 of them (app, proxy) declare a port"),
    ],
    ids=["one", "none", "two"],
)
def test_not_exactly_one_port_among_several_containers_is_not_verified(
    tmp_path: Path, app: str, proxy: str, said: str
) -> None:
    text = SERVICE.replace("APP_PORT\n", app + "\n" if app else "")
    text = text.replace("PROXY_PORT\n", proxy + "\n" if proxy else "")
    done = check_offline(tmp_path, PROFILE, ("service.yaml", text))
    assert "Traceback" not in done.stderr, done.stderr
    doc = json.loads(done.stdout)
    refused = [u for u in doc["unverified"] if "Cloud Run refuses it" in u["reason"]]
    if not said:
        assert refused == [] and done.returncode == 0, doc
        return
    assert done.returncode == 3, doc
    (one,) = refused
    assert said in one["reason"] and "Cloud Run refuses it" in one["reason"], one
