"""The sandbox worlds and `drift` runs the tests of a container's own settings share (`command`,
`args`, `working_dir`: drift/fields/command.py) and of the revision's mesh (drift/fields/mesh.py):
service `api` (ingress container `app` reading API_KEY from Secret Manager, sidecar `otel`), a
job and a worker pool (tests.sandbox.jobworld), each container given the fields a test names."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

P = "p1"
NUMBER = 123456789012
IMAGE = "us-docker.pkg.dev/p1/r/api:v1"
SECRET = "fake-upstream-key-7c1e0b9a4f2d"
ACCOUNT = "api@p1.iam.gserviceaccount.com"
HEAD = f"project: {P}\nregion: us-central1\nservices:\n  api:\n"
READS_SECRET = "    env:\n      API_KEY: {secret: api-key, min_length: 20}\n"


def service_world(
    app: dict[str, Any], otel: dict[str, Any], options: dict[str, Any] | None = None, **more: Any
) -> dict[str, Any]:
    """Service `api`: `app` (port 8080, API_KEY from secret `api-key`) and `otel`, each with
    the container fields given (v2 JSON); `more`: other fields of its template."""
    app = {
        "name": "app",
        "image": IMAGE,
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}}],
        **app,
    }
    otel = {"name": "otel", "image": "us-docker.pkg.dev/p1/r/otel:1", **otel}
    secret = {
        "versions": [SECRET],
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
    }
    template = {"service_account": ACCOUNT, "api": {"containers": [app, otel], **more}}
    return {"options": {"seed": 7, **(options or {})}, "projects": {P: {
        "number": NUMBER, "region": "us-central1",
        "secrets": {"api-key": secret},
        "services": {"api": {"template": template}},
    }}}  # fmt: skip


def run(sandbox: Sandbox, tmp_path: Path, body: str, *args: str) -> Any:
    """`drift ARGS` with the profile of `api` (its API_KEY rule, then `body`)."""
    return drift_on(sandbox, tmp_path, ("env", HEAD + READS_SECRET + body), *args)


def findings(
    sandbox: Sandbox, tmp_path: Path, body: str, *names: str
) -> tuple[int, list[Any], str]:
    """`drift check`'s exit code, its findings on the settings `names`, and all it said."""
    done = run(sandbox, tmp_path, body, "check", "env", "--format", "json", "--no-history")
    assert "Traceback" not in done.stderr, done.stderr
    found = json.loads(done.stdout)["findings"]
    targets = {f"setting.{n}" for n in names}
    return done.returncode, [f for f in found if f["target"] in targets], done.stdout + done.stderr


def jobs_world(fields: dict[str, Any], agent: dict[str, Any] | None = None) -> dict[str, Any]:
    """Job `job` (one container) and worker pool `pool` (`consumer`, then `agent`): the
    fields given on the job's container and the consumer, `agent` on the agent."""
    job = copy.deepcopy(JOB_SPEC)
    template = job["template"]
    template["api"] = {"containers": [{"image": template.pop("image"), **fields}]}
    template.pop("env")
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["containers"][0].update(fields)
    pool["template"]["containers"][1].update(agent or {})
    return world(jobs={"job": job}, pools={"pool": pool})


JOB_OR_POOL = [("jobs", "job:"), ("worker_pools", "pool:\n    container: consumer")]
"""A profile's job, or its pool described by the consumer (the parameters of
`checked_and_fixed`)."""


def checked_and_fixed(
    sandbox: Sandbox, tmp_path: Path, section: str, named: str, body: str, name: str
) -> tuple[list[str], list[Any]]:
    """`drift check` of the job or pool stating `body` (exit 1 asserted): what its findings on
    setting `name` say is there; then `drift fix`: the workload's containers as it leaves them."""
    profile = ("prod", f"project: p\nregion: us-central1\n{section}:\n  {named}\n{body}")
    checked = drift_on(sandbox, tmp_path, profile, "check", "prod", "--format", "json")
    found = json.loads(checked.stdout)["findings"]
    said = [f["actual"] for f in found if f["target"] == f"setting.{name}"]
    assert checked.returncode == 1, checked.stdout + checked.stderr
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    if section == "jobs":
        return said, list(sandbox.job("p", "job").template.template.containers)
    return said, list(sandbox.worker_pool("p", "pool").template.containers)


def drifted(sandbox: Sandbox, tmp_path: Path, body: str, name: str) -> tuple[str, str]:
    """`drift check` finds setting `name` drifted (exit 1, one `setting.value`): what the
    finding says is there and what the profile says."""
    code, (finding,), out = findings(sandbox, tmp_path, body, name)
    assert (code, finding["rule"]) == (1, "setting.value"), out
    return finding["actual"], finding["expected"]


def script(sandbox: Sandbox, tmp_path: Path, body: str) -> str:
    """`drift plan --format gcloud`, its continued lines joined, its spaces one each."""
    done = run(sandbox, tmp_path, body, "plan", "env", "--format", "gcloud")
    return " ".join(done.stdout.replace("\\\n", " ").split())


def fixed(sandbox: Sandbox, tmp_path: Path, body: str) -> None:
    """`drift fix --yes --no-verify`, which succeeds."""
    done = run(sandbox, tmp_path, body, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
