"""The catalogue's `cloudsql_instances` row (drift/fields/cloudsql.py), end to end through the
real `drift check`, `plan` and `fix` on the sandbox: the Cloud SQL volumes of a service's
revision (with a sidecar), a job's task and a worker pool's revision (helper-676 H1: staging
pointed at prod's database read clean)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.labrun import findings, volumes_world, workload_profile
from tests.fields.labrun import run as _run
from tests.fix.conftest import LAB, lab_world
from tests.sandbox.jobworld import world

IMAGE = "us-docker.pkg.dev/lab/app:v1"
STAGING = "acme-staging:us-central1:chat-db"
PROD = "acme-prod:us-central1:chat-db"
SIDECAR = {"name": "otel", "image": "us-docker.pkg.dev/lab/otel:1"}


def _service(
    volumes: list[dict[str, Any]],
    mounts: list[dict[str, Any]],
    sidecar_mounts: tuple[dict[str, Any], ...] = (),
) -> dict[str, Any]:
    sidecar = {**SIDECAR, "volumeMounts": list(sidecar_mounts)}
    app = {
        "name": "app",
        "image": IMAGE,
        "ports": [{"containerPort": 8080}],
        "volumeMounts": mounts,
    }
    api = {"containers": [app, sidecar], "volumes": volumes}
    return lab_world(template={"image": IMAGE, "port": 8080, "api": api})


def _sql(name: str, *instances: str) -> dict[str, Any]:
    return {"name": name, "cloudSqlInstance": {"instances": list(instances)}}


def _findings(sandbox: Sandbox, tmp_path: Path, setting: str) -> tuple[int, list[Any]]:
    return findings(sandbox, tmp_path, setting, "cloudsql_instances")


def _volumes(sandbox: Sandbox) -> tuple[list[Any], list[Any]]:
    template = sandbox.service(LAB, "app").template
    volumes = [(v.name, list(v.cloud_sql_instance.instances)) for v in template.volumes]
    mounts = [[(m.name, m.mount_path) for m in c.volume_mounts] for c in template.containers]
    return volumes, mounts


@pytest.mark.parametrize(
    ("volumes", "mounts", "setting", "actual", "flag", "after"),
    [
        (  # staging pointed at prod: the live volume keeps its name and mount
            [_sql("db", PROD)],
            [{"name": "db", "mountPath": "/cloudsql"}],
            f"cloudsql_instances: {STAGING}",
            PROD,
            f"--set-cloudsql-instances={STAGING}",
            ([("db", [STAGING])], [[("db", "/cloudsql")], []]),
        ),
        (  # none: gcloud's volume `cloudsql` at /cloudsql in the ingress container
            [],
            [],
            f"cloudsql_instances: [{STAGING}]",
            "none",
            f"--set-cloudsql-instances={STAGING}",
            ([("cloudsql", [STAGING])], [[("cloudsql", "/cloudsql")], []]),
        ),
        (  # dropped: the volume and its mount go, as --clear-cloudsql-instances
            [_sql("db", PROD, STAGING)],
            [{"name": "db", "mountPath": "/cloudsql"}],
            "cloudsql_instances: none",
            f"{PROD},{STAGING}",
            "--clear-cloudsql-instances",
            ([], [[], []]),
        ),
    ],
)
def test_a_drifted_cloud_sql_connection_is_found_planned_and_fixed(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    volumes: list[dict[str, Any]],
    mounts: list[dict[str, Any]],
    setting: str,
    actual: str,
    flag: str,
    after: tuple[list[Any], list[Any]],
) -> None:
    sandbox = make_sandbox(_service(volumes, mounts))
    line = f"      {setting}\n"
    code, (finding,) = _findings(sandbox, tmp_path, line)
    assert code == 1 and finding["actual"] == actual, finding
    script = _run(sandbox, tmp_path, line, "plan", "lab", "--format", "gcloud")
    assert flag in script.stdout, script.stdout + script.stderr
    before = sandbox.service(LAB, "app").template
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox) == after
    template = sandbox.service(LAB, "app").template
    # only the Cloud SQL volumes changed: the containers' images, ports and env are as read
    for was, now in zip(before.containers, template.containers, strict=True):
        assert (was.name, was.image, list(was.ports), list(was.env)) == (
            now.name,
            now.image,
            list(now.ports),
            list(now.env),
        )
    assert _findings(sandbox, tmp_path, line) == (0, [])
    back = _run(sandbox, tmp_path, line, "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert _findings(sandbox, tmp_path, line)[1][0]["actual"] == actual


def test_the_same_instances_in_another_order_or_volume_are_clean(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    volumes = [_sql("a", PROD), _sql("b", STAGING)]
    mount = [{"name": "a", "mountPath": "/cloudsql"}]  # b: the sidecar's
    sandbox = make_sandbox(_service(volumes, mount, ({"name": "b", "mountPath": "/cloudsql"},)))
    line = f"      cloudsql_instances: {STAGING},{PROD}\n"
    assert _findings(sandbox, tmp_path, line) == (0, [])


def test_a_profile_naming_no_connection_name_is_refused_at_its_line(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service([], []))
    done = _run(sandbox, tmp_path, "      cloudsql_instances: chat-db\n", "check", "lab")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "lab.yaml:6" in done.stderr and "PROJECT:REGION:INSTANCE" in done.stderr, done.stderr
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("kind", ["jobs", "worker_pools"])
def test_a_job_or_pool_pointed_at_prod_is_drift_and_fixed(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    world_ = volumes_world([_sql("db", PROD)], [{"name": "db", "mountPath": "/cloudsql"}])
    sandbox = make_sandbox(world_)
    text = workload_profile(kind, f"cloudsql_instances: {STAGING}")
    done = drift_on(sandbox, tmp_path, ("prod", text), "check", "prod", "--format", "json")
    found = [f for f in json.loads(done.stdout)["findings"] if "cloudsql" in f["target"]]
    assert done.returncode == 1 and [f["actual"] for f in found] == [PROD], done.stdout
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    again = drift_on(sandbox, tmp_path, ("prod", text), "check", "prod", "--format", "json")
    assert not [f for f in json.loads(again.stdout)["findings"] if "cloudsql" in f["target"]]


@pytest.mark.parametrize(
    ("volume", "mount", "wrong"),
    [
        (_sql("db", "chat-db"), None, "cloud_sql_instance.instances"),
        (_sql("db", PROD), {"name": "db", "mountPath": "/sql"}, "mount_path"),
    ],
)
def test_the_sandbox_refuses_what_the_api_documents_as_invalid(
    volume: dict[str, Any], mount: dict[str, Any] | None, wrong: str
) -> None:
    from google.cloud import run_v2

    from drift.sandbox.container_rules import validate_fields

    container: dict[str, Any] = {"image": IMAGE, "volume_mounts": [mount] if mount else []}
    if mount:
        container["volume_mounts"] = [{"name": "db", "mount_path": mount["mountPath"]}]
    template = run_v2.RevisionTemplate(
        containers=[container],
        volumes=[
            {
                "name": "db",
                "cloud_sql_instance": {"instances": volume["cloudSqlInstance"]["instances"]},
            }
        ],
    )
    with pytest.raises(Exception, match=wrong):
        validate_fields(run_v2.RevisionTemplate.pb(template))


def test_init_from_live_writes_the_instances_the_service_connects_to(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service([_sql("db", PROD)], [{"name": "db", "mountPath": "/cloudsql"}]))
    where = ("--project", LAB, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert f"      cloudsql_instances: {PROD}\n" in written, written


def test_a_pool_without_cloud_sql_gets_it_in_the_container_the_profile_names(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Two containers, neither with a port: gcloud's volume, mounted where the profile says."""
    sandbox = make_sandbox(world())
    text = (
        "project: p\nregion: us-central1\nworker_pools:\n  pool:\n    container: consumer\n"
        f"    settings:\n      cloudsql_instances: {STAGING}\n"
    )
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    template = sandbox.worker_pool("p", "pool").template
    assert [(v.name, list(v.cloud_sql_instance.instances)) for v in template.volumes] == [
        ("cloudsql", [STAGING])
    ]
    mounts = {
        c.name: [(m.name, m.mount_path) for m in c.volume_mounts] for c in template.containers
    }
    assert mounts == {"consumer": [("cloudsql", "/cloudsql")], "agent": []}


def test_a_service_gets_it_in_the_ingress_container_whichever_the_profile_describes(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """As Knative's annotation reads back (drift.fix.knative.pod): the container with the port."""
    sandbox = make_sandbox(_service([], []))
    text = (
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    container: otel\n"
        f"    settings:\n      cloudsql_instances: {STAGING}\n"
    )
    fixed = drift_on(sandbox, tmp_path, ("lab", text), "fix", "lab", "--yes", "--no-verify")
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    assert _volumes(sandbox) == ([("cloudsql", [STAGING])], [[("cloudsql", "/cloudsql")], []])


ANALYTICS = "acme-staging:us-central1:analytics"
NEW = "acme-staging:us-central1:new-db"


@pytest.mark.parametrize(
    ("setting", "after"),
    [
        (  # one added: it joins the volume the ingress container mounts; the sidecar's stays
            f"[{STAGING}, {ANALYTICS}, {NEW}]",
            (
                [("db", [STAGING, NEW]), ("db2", [ANALYTICS])],
                [[("db", "/cloudsql")], [("db2", "")]],
            ),
        ),
        (  # the app's dropped: its volume and mount go; the sidecar's connection stays
            f"[{ANALYTICS}]",
            ([("db2", [ANALYTICS])], [[], [("db2", "")]]),
        ),
        (  # the sidecar's dropped and one added: the app's volume takes it
            f"[{STAGING}, {NEW}]",
            ([("db", [STAGING, NEW])], [[("db", "/cloudsql")], []]),
        ),
    ],
)
def test_with_two_cloud_sql_volumes_only_the_instances_the_plan_names_change(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str, after: tuple[list[Any], list[Any]]
) -> None:
    """helper-689 H1: every instance went into a copy of the first volume, never sent; the
    sidecar's volume and mount were dropped, and the re-check found drift."""
    volumes = [_sql("db", STAGING), _sql("db2", ANALYTICS)]
    app_mount = [{"name": "db", "mountPath": "/cloudsql"}]
    sandbox = make_sandbox(_service(volumes, app_mount, ({"name": "db2"},)))
    line = f"      cloudsql_instances: {setting}\n"
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _volumes(sandbox) == after
    assert _findings(sandbox, tmp_path, line) == (0, [])


PROXY = {"name": "sockets", "emptyDir": {"medium": "MEMORY"}}
"""An in-memory volume the app shares at /cloudsql with a Cloud SQL Auth Proxy sidecar."""


@pytest.mark.parametrize("option", ["refused", "taken"])
@pytest.mark.parametrize("path", ["/cloudsql", "/cloudsql/"])
def test_a_new_cloud_sql_volume_where_another_volume_holds_cloudsql_is_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path, option: str, path: str
) -> None:
    """No Cloud SQL volume to join, and the ingress container mounts another volume at
    /cloudsql, the one path a Cloud SQL volume may take (VolumeMount.mount_path: "it can be
    left empty, or must otherwise be /cloudsql"). A new one there was refused where Knative's
    rule holds (option `mount_path_twice`: the fix failed, exit 4) or hid the other volume
    where taken (the re-check read clean). Now the plan says it as a manual step naming the
    clash, and nothing is written, under either reading (helper-710 F12)."""
    world_ = _service([PROXY], [{"name": "sockets", "mountPath": path}])
    world_["options"]["mount_path_twice"] = option
    sandbox = make_sandbox(world_)
    line = f"      cloudsql_instances: {STAGING}\n"
    plan = _run(sandbox, tmp_path, line, "plan", "lab")
    said = f"manual  setting.cloudsql_instances: cloudsql_instances: instance {STAGING}"
    assert said in plan.stdout, plan.stdout + plan.stderr
    assert "container 'app' mounts volume 'sockets' at /cloudsql" in plan.stdout, plan.stdout
    before = sandbox.service(LAB, "app").template
    done = _run(sandbox, tmp_path, line, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 1 and "'sockets'" in done.stdout, done.stdout + done.stderr
    assert sandbox.service(LAB, "app").template == before, done.stdout
    assert [f["actual"] for f in _findings(sandbox, tmp_path, line)[1]] == ["none"]


@pytest.mark.parametrize("kind", ["jobs", "worker_pools"])
def test_a_job_or_pool_holding_cloudsql_for_another_volume_gets_a_manual_step(
    make_sandbox: MakeSandbox, tmp_path: Path, kind: str
) -> None:
    """The container the profile describes (a job's only one, the pool's `consumer`) mounts
    the proxy's volume at /cloudsql: as a service's ingress container, nothing is written."""
    sandbox = make_sandbox(volumes_world([PROXY], [{"name": "sockets", "mountPath": "/cloudsql"}]))
    text = workload_profile(kind, f"cloudsql_instances: {STAGING}")
    fixed = drift_on(sandbox, tmp_path, ("prod", text), "fix", "prod", "--yes", "--no-verify")
    assert fixed.returncode == 1, fixed.stdout + fixed.stderr
    assert "mounts volume 'sockets' at /cloudsql" in fixed.stdout, fixed.stdout
    workload = sandbox.job("p", "job") if kind == "jobs" else sandbox.worker_pool("p", "pool")
    template = workload.template.template if kind == "jobs" else workload.template
    assert [v.name for v in template.volumes] == ["sockets"]
