"""`compare staging prod` of the rows two environments must not share (drift.compare.
resources: Cloud SQL instances, Cloud Storage buckets, NFS shares), from profiles or live:
the profiles each side's `api` (a service, job or worker pool) has, the sandbox world whose
`api` mounts given volumes, and the run's findings of one target in JSON and the table."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import jsonschema

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.compare.conftest import DATA
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC

IMAGE = "us-docker.pkg.dev/acme/apps/api:1"
SCHEMA = json.loads((DATA / "compare.schema.json").read_text())
KINDS = {"services": "api", "jobs": "job/api", "worker_pools": "worker_pool/api"}
"""Each kind of workload, and how compare names its `api`."""


def profile(project: str, kind: str, settings: str, region: str = "us-central1") -> str:
    """`api` of `kind` in `project`, its settings `settings` (lines `key: value`); a worker
    pool's names its container."""
    chosen = "    container: app\n" if kind == "worker_pools" else ""
    lines = "".join(f"      {line}\n" for line in settings.splitlines())
    body = f"    settings:\n{lines}" if settings else ""
    return f"project: {project}\nregion: {region}\n{kind}:\n  api:\n{chosen}{body or '    {}'}"


def compare(
    tmp_path: Path,
    staging: str,
    prod: str,
    target: str | tuple[str, ...],
    *args: str,
    env: dict[str, str] | None = None,
) -> tuple[int, Any, str]:
    """`compare staging prod` (JSON and table) of these profiles: exit code, the JSON
    document's differences of `target` (or of each target it holds), the table."""
    (tmp_path / "staging.yaml").write_text(staging)
    (tmp_path / "prod.yaml").write_text(prod)
    runs = [
        drift("compare", "staging", "prod", "--profiles", str(tmp_path), *args, *form, env=env)
        for form in (("-f", "json"), ())
    ]
    for done in runs:
        assert "Traceback" not in done.stderr, done.stderr
    assert runs[0].returncode == runs[1].returncode, runs[1].stdout
    document = json.loads(runs[0].stdout)
    jsonschema.validate(document, SCHEMA)
    targets = (target,) if isinstance(target, str) else target
    found = [d for d in document["differences"] if d["target"] in targets]
    return runs[0].returncode, found, runs[1].stdout


def said(found: list[dict[str, Any]]) -> list[tuple[str, str | None, str]]:
    return [(d["kind"], d["side"], d["message"]) for d in found]


def workload(kind: str, volumes: list[dict[str, Any]]) -> dict[str, Any]:
    """api of `kind` mounting `volumes` (a Cloud SQL one at /cloudsql, another at
    /mnt/NAME) in its container (a worker pool's first; a job's one)."""
    mounts = [
        {
            "name": v["name"],
            "mountPath": "/cloudsql" if "cloudSqlInstance" in v else f"/mnt/{v['name']}",
        }
        for v in volumes
    ]
    if kind == "services":
        app = {"name": "app", "image": IMAGE, "volumeMounts": mounts}
        api = {"containers": [app], "volumes": volumes}
        return {"template": {"image": IMAGE, "port": 8080, "api": api}}
    spec = copy.deepcopy(JOB_SPEC if kind == "jobs" else POOL_SPEC)
    spec["template"].pop("service_account", None)
    spec["template"].pop("serviceAccount", None)
    spec["template"]["volumes"] = volumes
    if kind == "worker_pools":
        spec["template"]["containers"][0]["volumeMounts"] = mounts
    else:  # its one container (a volume no container mounts is not read: fields.ports.mounted)
        spec["template"]["containers"] = [{"volumeMounts": mounts}]
    return spec


def world(kind: str, staging: list[dict[str, Any]], prod: list[dict[str, Any]]) -> dict[str, Any]:
    """acme-staging's and acme-prod's `api` of `kind`, each mounting its volumes, and the
    secret `token` a job's or pool's (jobworld) reads, each project's its own value."""

    def project(name: str, number: int, volumes: list[dict[str, Any]]) -> dict[str, Any]:
        token = {"token": {"versions": [f"fake-{name}-token"]}}
        return {"number": number, "secrets": token, kind: {"api": workload(kind, volumes)}}

    return {
        "projects": {
            "acme-staging": project("acme-staging", 700000000001, staging),
            "acme-prod": project("acme-prod", 500000000001, prod),
        }
    }


def live(
    sandbox: Sandbox, tmp_path: Path, kind: str, target: str | tuple[str, ...]
) -> tuple[int, Any, str]:
    """`compare staging prod --live` of profiles naming `api` alone (a pool's container)."""
    chosen = "    container: consumer\n" if kind == "worker_pools" else ""
    profiles = [
        f"project: {p}\nregion: us-central1\n{kind}:\n  api:\n{chosen or '    {}'}\n"
        for p in ("acme-staging", "acme-prod")
    ]
    return compare(tmp_path, *profiles, target, "--live", env=sandbox.environ())
