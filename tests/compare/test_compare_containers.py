"""`compare --live` pairs two environments' containers by name (`Container.name`: "Name of
the container specified as a DNS_LABEL", run v2 k8s_min.proto), in whatever order each lists
them: a worker pool or a job has no ingress container, so which one comes first says nothing.
A container on one side only is `container.only_in`, even the new front container that took
the port; the main containers are paired when neither finds its name on the other side."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

POOL_ORDER = REPO / "tests" / "data" / "compare" / "pool_order.yaml"
STAGING = "project: acme-staging\nregion: us-central1\n"
E2E = "project: acme-e2e\nregion: europe-west1\n"
Key = tuple[str, str, str, str | None]


def _compare(scenario: Any, directory: Path, body: str) -> tuple[int, set[Key], str]:
    (directory / "staging.yaml").write_text(STAGING + body)
    (directory / "e2e.yaml").write_text(E2E + body)
    with Sandbox(scenario) as sandbox:
        done = drift(
            "compare", "staging", "e2e", "--live", "--profiles", str(directory), "-f", "json",
            env=sandbox.environ(),
        )  # fmt: skip
    assert "Traceback" not in done.stderr, done.stderr
    document = json.loads(done.stdout)
    found = {(d["kind"], d["service"], d["target"], d["side"]) for d in document["differences"]}
    return done.returncode, found, done.stdout


def test_a_pool_with_the_same_containers_in_another_order_is_equivalent(tmp_path: Path) -> None:
    """staging lists consumer then metrics-agent, e2e the other way round (revcompare T1):
    main said `container consumer runs only in e2e` and put QUEUE and BATCH on the wrong
    container (8 differences)."""
    code, found, out = _compare(POOL_ORDER, tmp_path, "worker_pools:\n  consumer: {}\n")
    assert (code, found) == (0, set()), out


def _container(name: str, image: str, env: dict[str, str], port: bool = False) -> dict[str, Any]:
    spec: dict[str, Any] = {"name": name, "image": image, "env": [
        {"name": k, "value": v} for k, v in env.items()
    ]}  # fmt: skip
    if port:
        spec["ports"] = [{"containerPort": 8080}]
    return spec


def _world(staging: dict[str, Any], e2e: dict[str, Any]) -> dict[str, Any]:
    return {
        "projects": {
            "acme-staging": {"number": 700000000001, "region": "us-central1", **staging},
            "acme-e2e": {"number": 800000000002, "region": "europe-west1", **e2e},
        }
    }


def test_a_job_with_the_same_containers_in_another_order_is_equivalent(tmp_path: Path) -> None:
    migrate = _container(
        "migrate", "us-docker.pkg.dev/example/migrate:1", {"MODE": "up", "BATCH": "100"}
    )
    proxy = _container("sql-proxy", "us-docker.pkg.dev/example/proxy:2", {"PORT": "5432"})

    def job(containers: list[dict[str, Any]]) -> dict[str, Any]:
        return {"jobs": {"migrate": {"template": {"containers": containers}}}}

    world = _world(job([migrate, proxy]), job([proxy, migrate]))
    code, found, out = _compare(world, tmp_path, "jobs:\n  migrate: {}\n")
    assert (code, found) == (0, set()), out


def test_a_new_front_container_is_reported_and_the_app_still_paired(tmp_path: Path) -> None:
    """e2e put nginx in front of app (nginx now holds the port): nginx is the newcomer, app and
    its variables are in both (main said `app` ran only in staging, and never named nginx)."""
    app = {"LOG_LEVEL": "INFO", "WORKERS": "4"}

    def api(*containers: dict[str, Any]) -> dict[str, Any]:
        return {"services": {"api": {"template": {"containers": list(containers)}}}}

    nginx = _container("nginx", "nginx:1.27", {}, port=True)
    world = _world(
        api(_container("app", "us-docker.pkg.dev/example/api:1", app, port=True)),
        api(nginx, _container("app", "us-docker.pkg.dev/example/api:1", app)),
    )
    code, found, out = _compare(world, tmp_path, "services:\n  api: {}\n")
    assert found == {("container.only_in", "api", "container.nginx", "b")}, out
    assert code == 1


def test_main_containers_named_otherwise_are_paired(tmp_path: Path) -> None:
    """The main container is `app` in staging and `api` in e2e (no other container shares a
    name): the main containers are paired, their variables compared as before."""
    env = {"LOG_LEVEL": "INFO"}

    def api(name: str, extra: dict[str, str]) -> dict[str, Any]:
        containers = [
            _container(name, "us-docker.pkg.dev/example/api:1", {**env, **extra}, port=True)
        ]
        containers.append(_container("otel", "otel/collector:0.1", {"SAMPLE": "0.1"}))
        return {"services": {"api": {"template": {"containers": containers}}}}

    world = _world(api("app", {"ONLY_STAGING": "1"}), api("api", {}))
    code, found, out = _compare(world, tmp_path, "services:\n  api: {}\n")
    assert found == {("env.only_in", "api", "env.ONLY_STAGING", "a")}, out
    assert code == 1
