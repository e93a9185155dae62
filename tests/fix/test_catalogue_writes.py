"""What a fix of one catalogue setting writes, judged from the sandbox's own service after a
`drift fix` and from the YAML plan, and that drift's own re-check then agrees (the write
changes only what the plan names, and converges)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world

IMAGE = "us-docker.pkg.dev/lab/app:v1"
BARE = {
    "api": {"containers": [{"name": "app", "image": IMAGE, "ports": [{"containerPort": 8080}]}]}
}
"""A container written without `resources` (Google's docs do not say whether a read fills
them in: ResourceRequirements says only that cpu_idle is "true by default")."""
SIZED = {"image": IMAGE, "port": 8080, "cpu_throttling": True}
"""The same container with `resources` present and cpu_idle true, as gcloud writes it."""
UNTHROTTLED = {"image": IMAGE, "port": 8080, "cpu_throttling": False}


def run(sandbox: Sandbox, tmp_path: Path, settings: str, *args: str) -> tuple[int, str, str]:
    folder = tmp_path / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    settings:\n{settings}"
    )
    done = drift(
        *args,
        env={
            **sandbox.environ(),
            "DRIFT_PROFILES_DIR": str(folder),
            "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
        },
        cwd=tmp_path,
        timeout=120,
    )
    return done.returncode, done.stdout, done.stderr


def world(template: dict[str, Any], scaling: dict[str, Any] | None = None) -> dict[str, Any]:
    w = lab_world(template=template)
    if scaling is not None:
        w["projects"][LAB]["services"]["app"]["scaling"] = scaling
    return w


def yaml_annotation(text: str, key: str) -> str | None:
    (doc,) = [d for d in yaml.safe_load_all(text) if d and d.get("kind") == "Service"]
    annotations = doc["spec"]["template"]["metadata"].get("annotations") or {}
    value = annotations.get(key)
    return None if value is None else str(value)


@pytest.mark.parametrize(
    ("template", "throttled", "setting"),
    [
        (BARE, True, "memory: 1Gi"),
        (BARE, True, "cpu: 2"),
        (BARE, True, "startup_cpu_boost: true"),
        (SIZED, True, "memory: 1Gi"),
        (UNTHROTTLED, False, "memory: 1Gi"),
    ],
)
def test_a_resource_write_keeps_cpu_throttling_as_read(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    template: dict[str, Any],
    throttled: bool,
    setting: str,
) -> None:
    sandbox = make_sandbox(world(template))
    profile = f"      {setting}\n"
    code, out, err = run(sandbox, tmp_path, profile, "plan", "lab", "--format", "yaml")
    assert code == 1, err
    assert yaml_annotation(out, "run.googleapis.com/cpu-throttling") in (
        None,
        "true" if throttled else "false",
    ), out
    code, out, err = run(sandbox, tmp_path, profile, "fix", "lab", "--yes", "--no-verify")
    assert code == 0, out + err
    (container,) = sandbox.service(LAB, "app").template.containers
    assert container.resources.cpu_idle is throttled, container.resources
    code, out, err = run(sandbox, tmp_path, profile, "check", "lab")
    assert code == 0, out + err


@pytest.mark.parametrize(
    "case",
    [
        # (bound, revision level, service level, profile, (revision, service) after, flags)
        # min: the larger floor binds; lowered below the other level, both are written
        ("min", 3, 2, 1, (1, 1), ("--min=1", "--min-instances=1")),
        ("min", 3, 2, 4, (4, 2), ("--min-instances=4",)),
        ("min", 2, 3, 4, (2, 4), ("--min=4",)),
        # max: the tighter cap binds; raised above the other level, both are written
        ("max", 20, 10, 30, (30, 30), ("--max=30", "--max-instances=30")),
        ("max", 20, 10, 15, (20, 15), ("--max=15",)),
    ],
)
def test_scaling_set_at_both_levels_is_written_where_it_binds(
    make_sandbox: MakeSandbox, tmp_path: Path, case: tuple[Any, ...]
) -> None:
    setting, revision, service, wanted, after, flags = case
    key = f"{setting}_instances"
    count = f"{setting}_instance_count"
    template = {"image": IMAGE, "port": 8080, key: revision}
    sandbox = make_sandbox(world(template, scaling={f"{setting}InstanceCount": service}))
    profile = f"      {key}: {wanted}\n"
    code, out, err = run(sandbox, tmp_path, profile, "plan", "lab", "--format", "gcloud")
    assert code == 1, err
    for flag in ("--min=", "--min-instances=", "--max=", "--max-instances="):
        written = [f for f in flags if f.startswith(flag)]
        assert (flag in out) == bool(written), out
        assert all(f in out for f in written), out
    code, out, err = run(sandbox, tmp_path, profile, "fix", "lab", "--yes", "--no-verify")
    assert code == 0, out + err
    now = sandbox.service(LAB, "app")
    assert (getattr(now.template.scaling, count), getattr(now.scaling, count)) == after
    code, out, err = run(sandbox, tmp_path, profile, "check", "lab")
    assert code == 0, out + err


MANUAL = {"scalingMode": "MANUAL", "manualInstanceCount": 3}
"""Manual-scaling page: "If you set your service to manual scaling, any revision-level minimum
and maximum instance settings are ignored"; ServiceScaling.manual_instance_count: "total
instance count for the service in manual scaling mode"."""


@pytest.mark.parametrize(
    "profile", ["      min_instances: 5\n      max_instances: 10\n", "      min_instances: 6\n"]
)
def test_manual_scaling_is_reported_and_left_to_a_person(
    make_sandbox: MakeSandbox, tmp_path: Path, profile: str
) -> None:
    template = {"image": IMAGE, "port": 8080, "min_instances": 5, "max_instances": 10}
    sandbox = make_sandbox(world(template, scaling=MANUAL))
    code, out, err = run(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    assert code == 1, out + err
    findings = {f["target"]: f for f in json.loads(out)["findings"]}
    wanted = {f"setting.{line.split(':')[0].strip()}" for line in profile.splitlines()}
    assert set(findings) == wanted, findings
    for finding in findings.values():
        assert finding["actual"] == "manual scaling with 3 instances", finding
    code, out, err = run(sandbox, tmp_path, profile, "plan", "lab", "--format", "json")
    (service,) = json.loads(out)["services"]
    assert service["settings"] == [], service
    steps = {m["target"]: m for m in service["manual"]}
    assert set(steps) == wanted, steps
    assert all("--scaling=auto" in " ".join(m["commands"]) for m in steps.values()), steps
    # GA gcloud (528) has no --scaling ("available in one or more alternate release tracks")
    commands = [c for m in steps.values() for c in m["commands"]]
    assert all(c.startswith("# gcloud beta run services update app ") for c in commands), commands
    before = sandbox.service(LAB, "app")
    code, out, err = run(sandbox, tmp_path, profile, "fix", "lab", "--yes", "--no-verify")
    assert code == 1, out + err  # drift remains: a manual step
    now = sandbox.service(LAB, "app")
    assert now.template.scaling == before.template.scaling
    assert (now.scaling.scaling_mode.name, now.scaling.manual_instance_count) == ("MANUAL", 3)
    assert now.latest_ready_revision == before.latest_ready_revision  # no revision rolled


def test_a_profile_drafted_from_a_manually_scaled_service_is_valid(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world({"image": IMAGE, "port": 8080}, scaling=MANUAL))
    env = {**sandbox.environ(), "DRIFT_PROFILES_DIR": str(tmp_path / "profiles")}
    where = ("--project", LAB, "--region", "us-central1")
    done = drift("init", "lab", "--from-live", *where, env=env, cwd=tmp_path, timeout=120)
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert "# min_instances: manual scaling with 3 instances" in text, text
    done = drift("profiles", "validate", str(tmp_path / "profiles"), env=env, cwd=tmp_path)
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_timeout_beyond_cloud_runs_maximum_is_a_profile_error_in_plan_and_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world({"image": IMAGE, "port": 8080}))
    for command in (("plan", "lab", "--format", "yaml"), ("fix", "lab", "--yes")):
        code, out, err = run(sandbox, tmp_path, "      timeout: 1000000\n", *command)
        assert code == 2, out + err
        assert "internal error" not in err and "lab.yaml:6:" in err, err
        assert "must be at most 3600s" in err, err


def _sized(name: str, image: str, *, port: bool = False) -> dict[str, Any]:
    container: dict[str, Any] = {
        "name": name,
        "image": image,
        "resources": {"limits": {"cpu": "1000m", "memory": "512Mi"}, "cpuIdle": True},
    }
    if port:
        container["ports"] = [{"containerPort": 8080}]
    return container


@pytest.mark.parametrize(
    ("setting", "field", "annotation"),
    [
        ("cpu_throttling: false", "cpu_idle", "run.googleapis.com/cpu-throttling"),
        ("startup_cpu_boost: true", "startup_cpu_boost", "run.googleapis.com/startup-cpu-boost"),
    ],
)
def test_cpu_allocation_is_written_for_the_whole_instance(
    make_sandbox: MakeSandbox, tmp_path: Path, setting: str, field: str, annotation: str
) -> None:
    """gcloud's --[no-]cpu-throttling and --[no-]cpu-boost are revision flags; Knative has
    one annotation per revision: every container that sets resources gets the value."""
    containers = [_sized("app", IMAGE, port=True), _sized("otel", "us-docker.pkg.dev/lab/otel:v1")]
    sandbox = make_sandbox(world({"api": {"containers": containers}}))
    profile = f"      {setting}\n"
    value = setting.endswith("true")
    code, out, err = run(sandbox, tmp_path, profile, "plan", "lab", "--format", "yaml")
    assert code == 1 and "NOT APPLIABLE" not in out, out + err
    assert yaml_annotation(out, annotation) == str(value).lower(), out
    code, out, err = run(sandbox, tmp_path, profile, "fix", "lab", "--yes", "--no-verify")
    assert code == 0, out + err
    written = {
        c.name: getattr(c.resources, field) for c in sandbox.service(LAB, "app").template.containers
    }
    assert written == {"app": value, "otel": value}, written
    code, out, err = run(sandbox, tmp_path, profile, "check", "lab")
    assert code == 0, out + err


DIRECT_VPC = {
    "image": IMAGE,
    "port": 8080,
    "api": {"vpcAccess": {"networkInterfaces": [{"network": "default", "subnetwork": "default"}]}},
}


@pytest.mark.parametrize(
    ("template", "setting", "actual", "command"),
    [
        # an egress alone: no VPC access to route
        (
            {"image": IMAGE, "port": 8080},
            "vpc_egress: all-traffic",
            "unset (no VPC access)",
            "--vpc-connector=<CONNECTOR> --vpc-egress=all-traffic",
        ),
        # a connector on a revision that reaches its VPC directly
        (
            DIRECT_VPC,
            "vpc_connector: c1",
            "none (no connector)",
            "--vpc-connector=c1 --clear-network",
        ),
    ],
)
def test_vpc_access_google_would_refuse_is_a_manual_step(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    template: dict[str, Any],
    setting: str,
    actual: str,
    command: str,
) -> None:
    """VpcAccess names a connector or network interfaces, "one and only one" (the API's
    INVALID_ARGUMENT, googleapis/google-cloud-node#4731): the plan writes neither shape."""
    sandbox = make_sandbox(world(template))
    profile = f"      {setting}\n"
    code, out, err = run(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    assert code == 1, out + err
    (finding,) = json.loads(out)["findings"]
    assert finding["actual"] == actual, finding
    code, out, err = run(sandbox, tmp_path, profile, "plan", "lab", "--format", "json")
    (service,) = json.loads(out)["services"]
    assert service["settings"] == [], service
    (step,) = service["manual"]
    assert step["commands"][0].endswith(command), step
    # a switch that clears VPC access clears its egress too (gcloud's
    # ClearNetworkInterfacesChange): the egress is set again by a second command
    # (helper-557 G2)
    cleared = "--clear-network" in command
    if cleared:
        again = step["commands"][0].replace(command, "--vpc-egress=<EGRESS>")
        assert step["commands"][1:] == [again], step
    assert ("clears the VPC egress too" in step["reason"]) is cleared, step
    before = sandbox.service(LAB, "app")
    code, out, err = run(sandbox, tmp_path, profile, "fix", "lab", "--yes", "--no-verify")
    assert code == 1, out + err
    now = sandbox.service(LAB, "app")
    assert now.template.vpc_access == before.template.vpc_access
    assert now.latest_ready_revision == before.latest_ready_revision
