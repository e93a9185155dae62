"""The catalogue's `service_mesh` row (drift/fields/mesh.py): the Cloud Service Mesh a service's
or worker pool's revision joins (run v2 `RevisionTemplate.service_mesh`, a Revision's too; a
job's TaskTemplate has none), end to end through the real `drift check`, `plan`, `fix`, `init`
and `--manifest` on the sandbox. drift did not read it: a profile could not state it, and
`check` was clean whatever mesh the revision joined, or none."""

from __future__ import annotations

import copy
import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from google.api_core import exceptions
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.compare.test_compare_rows_naming_a_project import _compare
from tests.conftest import ClientsFor, MakeSandbox
from tests.fields.container_world import (
    NUMBER,
    P,
    drifted,
    findings,
    fixed,
    run,
    script,
    service_world,
)
from tests.manifest.conftest import MINIMAL
from tests.manifest.plans import check_offline, known_api, plan
from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world


def mesh(name: str, project: str | int = P) -> str:
    return f"projects/{project}/locations/global/meshes/{name}"


def _service(live: str | None, **options: Any) -> dict[str, Any]:
    more = {} if live is None else {"serviceMesh": {"mesh": live}}
    return service_world({"args": ["-v"]}, {"args": ["--quiet"]}, options, **more)


def _findings(sandbox: Sandbox, tmp_path: Path, body: str) -> tuple[int, list[Any]]:
    code, found, _ = findings(sandbox, tmp_path, body, "service_mesh")
    return code, found


def _template(sandbox: Sandbox) -> Any:
    return sandbox.service(P, "api").template


def _said(body: str) -> str:
    return f"    settings:\n      service_mesh: {body}\n"


def test_a_mesh_drifted_is_found_planned_fixed_and_rolled_back(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service(mesh("prod-mesh")))
    body = _said("staging-mesh")
    assert drifted(sandbox, tmp_path, body, "service_mesh") == ("prod-mesh", "staging-mesh")
    # GA gcloud 528's `run services update` has no --mesh: the beta track's (BETA_FLAGS)
    words = script(sandbox, tmp_path, body)
    assert "gcloud beta run services update api" in words and "--mesh=staging-mesh" in words, words
    knative = run(sandbox, tmp_path, body, "plan", "env", "--format", "yaml").stdout
    assert f"run.googleapis.com/mesh: {mesh('staging-mesh')}" in knative, knative
    containers = list(_template(sandbox).containers)
    fixed(sandbox, tmp_path, body)
    template = _template(sandbox)
    assert template.service_mesh.mesh == mesh("staging-mesh")  # written in full
    assert list(template.containers) == containers  # the sidecar and the rest as they were
    assert _findings(sandbox, tmp_path, body) == (0, [])
    back = run(sandbox, tmp_path, body, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _template(sandbox).service_mesh.mesh == mesh("prod-mesh")


@pytest.mark.parametrize(
    ("live", "body", "drifted"),
    [
        (mesh("prod-mesh"), mesh("prod-mesh", NUMBER), False),  # by number: the same project
        (mesh("prod-mesh", NUMBER), "prod-mesh", False),
        (mesh("prod-mesh", "host"), "prod-mesh", True),  # another project's of the same name
        (mesh("prod-mesh"), mesh("prod-mesh", "host"), True),
        (None, "none", False),
        (mesh("prod-mesh"), "none", True),
        (None, "prod-mesh", True),
    ],
)
def test_which_mesh_a_name_means(
    make_sandbox: MakeSandbox, tmp_path: Path, live: str | None, body: str, drifted: bool
) -> None:
    sandbox = make_sandbox(_service(live))
    code, found = _findings(sandbox, tmp_path, _said(body))
    assert (code, len(found)) == ((1, 1) if drifted else (0, 0)), found


def test_none_takes_the_mesh_away(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_service(mesh("prod-mesh")))
    body = _said("none")
    words = script(sandbox, tmp_path, body)
    assert "--mesh= " in words or words.endswith("--mesh="), words
    fixed(sandbox, tmp_path, body)
    assert "service_mesh" not in _template(sandbox)
    assert [c.name for c in _template(sandbox).containers] == ["app", "otel"]


@pytest.mark.parametrize(
    ("said", "says"),
    [
        ("projects/p1/meshes/m", "projects/PROJECT/locations/global/meshes/MESH"),
        # helper-706 F9: a line break or a control character is no mesh's name
        ('"m\\n1"', "holds no space nor control character"),
        ('"m\\a"', "holds no space nor control character"),
    ],
)
def test_a_mesh_of_another_form_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path, said: str, says: str
) -> None:
    sandbox = make_sandbox(_service(None))
    done = run(sandbox, tmp_path, _said(said), "check", "env")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stderr
    assert says in done.stdout + done.stderr


@pytest.mark.parametrize("live", [mesh("prod-mesh"), None])
def test_init_writes_the_mesh_only_where_one_is_set(
    make_sandbox: MakeSandbox, tmp_path: Path, live: str | None
) -> None:
    sandbox = make_sandbox(_service(live))
    where = ("--project", P, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "env", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "env.yaml").read_text()
    if live is None:
        assert "mesh" not in written, written
    else:
        assert "      service_mesh: prod-mesh\n" in written, written
    checked = drift_on(sandbox, tmp_path, ("env", written), "check", "env", "--no-history")
    assert checked.returncode == 0, checked.stdout + checked.stderr


def test_compare_flags_a_mesh_of_the_other_environments_project(tmp_path: Path) -> None:
    done, report = _compare(
        tmp_path,
        f"      service_mesh: {mesh('prod-mesh', 'acme-prod')}\n",
        "      service_mesh: prod-mesh\n",
    )
    (found,) = [d for d in report["differences"] if d["target"] == "setting.service_mesh"]
    assert "acme-prod" in found["message"] and done.returncode == 1, done.stdout


def _pool_world() -> dict[str, Any]:
    pool = copy.deepcopy(POOL_SPEC)
    pool["template"]["serviceMesh"] = {"mesh": "projects/p/locations/global/meshes/old"}
    return world(jobs={"job": copy.deepcopy(JOB_SPEC)}, pools={"pool": pool})


def test_a_pools_mesh_is_drift_and_fixed(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_pool_world())
    profile = (
        "prod",
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
        "    settings:\n      service_mesh: new\n",
    )
    checked = drift_on(sandbox, tmp_path, profile, "check", "prod", "--format", "json")
    said = [f["actual"] for f in json.loads(checked.stdout)["findings"] if "mesh" in f["target"]]
    assert (checked.returncode, said) == (1, ["old"]), checked.stdout
    script = drift_on(sandbox, tmp_path, profile, "plan", "prod", "--format", "gcloud")
    assert "gcloud beta run worker-pools update pool" in script.stdout, script.stdout
    assert "--mesh=new" in script.stdout, script.stdout
    containers = list(sandbox.worker_pool("p", "pool").template.containers)
    fixed = drift_on(sandbox, tmp_path, profile, "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    template = sandbox.worker_pool("p", "pool").template
    assert template.service_mesh.mesh == "projects/p/locations/global/meshes/new"
    assert list(template.containers) == containers


def test_a_job_has_no_mesh_to_state(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_pool_world())
    profile = (
        "prod",
        "project: p\nregion: us-central1\njobs:\n  job:\n    settings:\n      service_mesh: m\n",
    )
    done = drift_on(sandbox, tmp_path, profile, "check", "prod")
    assert done.returncode == 2 and "Traceback" not in done.stderr, done.stdout + done.stderr
    assert "service_mesh is a setting of services and worker pools, not of a job" in (
        done.stdout + done.stderr
    )


@pytest.mark.parametrize(("option", "kept"), [("full", False), ("kept", True)])
def test_the_sandbox_keeps_a_mesh_and_refuses_or_keeps_a_short_name(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, kept: bool
) -> None:
    """ServiceMesh.mesh: "Format: projects/{project}/locations/global/meshes/{mesh}"; what the
    API does with a short name is not documented (option `mesh_name`). A full name is kept by
    the write and carried by the revision it makes."""
    sandbox = make_sandbox(_service(None, mesh_name=option))
    services = clients_for(sandbox).services
    name = f"projects/{P}/locations/us-central1/services/api"
    service = services.get_service(name=name)
    service.template.service_mesh = run_v2.ServiceMesh(mesh=mesh("m1"))
    services.update_service(service=service).result()
    written = services.get_service(name=name)
    assert written.template.service_mesh.mesh == mesh("m1")
    revision = clients_for(sandbox).revisions.get_revision(name=written.latest_created_revision)
    assert revision.service_mesh.mesh == mesh("m1")
    written.template.service_mesh = run_v2.ServiceMesh(mesh="m2")
    if not kept:
        with pytest.raises(exceptions.InvalidArgument, match="service_mesh"):
            services.update_service(service=written).result()
        return
    services.update_service(service=written).result()
    assert services.get_service(name=name).template.service_mesh.mesh == "m2"


STATES = "    settings: {service_mesh: other, working_dir: /app}\n"
"""What the manifests' profile of `api` states: each manifest runs another directory."""


def _offline(tmp_path: Path, manifest: dict[str, Any], project: str) -> dict[str, str]:
    """`drift check --offline` of `manifest` (JSON, which is YAML too): each finding's target
    and what it says is there (exit 1 asserted: the working directory differs)."""
    profile = f"project: {project}\nregion: us-central1\nservices:\n  api:\n{STATES}"
    done = check_offline(tmp_path, manifest, profile, "-f", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    return {f["target"]: f["actual"] for f in json.loads(done.stdout)["findings"]}


def test_a_knative_manifests_mesh_and_working_dir_are_judged(tmp_path: Path) -> None:
    doc = yaml.safe_load(MINIMAL)
    template = doc["spec"]["template"]
    template["metadata"] = {"annotations": {"run.googleapis.com/mesh": mesh("other", "elsewhere")}}
    template["spec"]["containers"][0]["workingDir"] = "/srv/app"
    found = _offline(tmp_path, doc, "acme")
    # another project's mesh of the profile's mesh's name: not the profile's
    assert found == {
        "setting.service_mesh": mesh("other", "elsewhere"),
        "setting.working_dir": "/srv/app",
    }, found


def test_a_terraform_plans_mesh_and_working_dir_are_judged(tmp_path: Path) -> None:
    data = plan()
    after = known_api(data)["change"]["after"]
    after["template"][0]["containers"][0]["working_dir"] = "/srv/app"
    after["template"][0]["service_mesh"] = [{"mesh": mesh("other", "acme-chat-staging")}]
    found = _offline(tmp_path, data, "acme-chat-staging")
    # the workloads' own project's mesh `other`: the profile's
    assert found == {"setting.working_dir": "/srv/app"}, found
