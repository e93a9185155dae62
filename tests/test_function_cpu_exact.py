"""fixcpu2 (revown40 F1, F2): a CPU finer than a millicore, as a Cloud Run function's service
holds it (memory page cloud.google.com/functions/docs/configuring/memory: .083/.167/.333/.583
vCPU; Functions API `availableCpu: '0.1666'`; world-federation-of-advertisers/
cross-media-measurement#3832: a service "has fractional CPU (e.g. `0.3333`)"), is read and
compared exactly, a profile may state one of those values (and no other such value), and the
sandbox takes an update that leaves it unchanged (setting a new one: `fine_cpu`). And the
unset concurrency's default is the instance's CPU, every container's (revown40 F2)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.api_core import exceptions
from google.cloud import run_v2

from drift.fields import Source, read_settings, unreadable_settings
from drift.profiles.loader import ProfileError, load_profile
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.test_check_shapes import check_profile

NAME = "projects/p/locations/us-central1/services/fn"


def _function(cpu: str, options: dict[str, Any] | None = None) -> dict[str, Any]:
    container = {
        "image": "us-central1-docker.pkg.dev/p/gcf-artifacts/fn:version_1",
        "ports": [{"containerPort": 8080}],
        "resources": {"limits": {"cpu": cpu, "memory": "256M"}, "cpuIdle": True},
        "env": [{"name": "LOG_LEVEL", "value": "debug"}],
    }
    api = {"containers": [container], "maxInstanceRequestConcurrency": 1}
    world: dict[str, Any] = {
        "projects": {"p": {"number": 5, "services": {"fn": {"template": {"api": api}}}}}
    }
    if options:
        world["options"] = options
    return world


def _profile(cpu: str) -> str:
    return f"project: p\nregion: us-central1\nservices:\n  fn:\n    settings:\n      cpu: '{cpu}'\n"


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("live", "stated", "message"),
    [
        ("0.3333", "0.3333", ""),
        ("0.1666", "0.1666", ""),
        ("0.3333", "0.333", "is 0.3333, the profile says 333m"),
        ("0.1666", "0.167", "is 0.1666, the profile says 167m"),
        ("0.3333", "1", "is 0.3333, the profile says 1"),
        ("0.0001", "1", "is 0.0001, the profile says 1"),
    ],
)
def test_a_functions_cpu_is_compared_exactly(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    live: str,
    stated: str,
    message: str,
) -> None:
    """main: every such live value was "could not verify" (exit 3), and `0.3333` stated was a
    profile error; now read exactly: equal is clean, `0.333` (0.001 steps) is not `0.3333`."""
    result = check_profile(make_sandbox, monkeypatch, tmp_path, _function(live), _profile(stated))
    report = result.report
    assert not report.unverified, report.unverified
    messages = [f.message for f in report.findings]
    if not message:
        assert not messages and report.exit_code == 0, messages
    else:
        assert len(messages) == 1 and messages[0].endswith(message), messages


@pytest.mark.parametrize("cpu", ["0.12345", "0.1667", "0.0001", "100n", "1.0001", "0.08333"])
def test_a_profile_still_refuses_a_cpu_no_source_allows(tmp_path: Path, cpu: str) -> None:
    (tmp_path / "prod.yaml").write_text(_profile(cpu))
    with pytest.raises(ProfileError) as caught:
        load_profile(tmp_path, "prod")
    assert "prod.yaml:6" in str(caught.value) and "cloud.google.com" in str(caught.value)


@pytest.mark.parametrize("cpu", ["0.0833", "0.1666", "0.3333", "0.5833", "0.083", "0.167"])
def test_a_profile_states_a_functions_cpu(tmp_path: Path, cpu: str) -> None:
    (tmp_path / "prod.yaml").write_text(_profile(cpu))
    load_profile(tmp_path, "prod")


def _update(clients_for: ClientsFor, make_sandbox: MakeSandbox, world: dict[str, Any], cpu: str):
    services = clients_for(make_sandbox(world)).services
    service = services.get_service(name=NAME)
    container = service.template.containers[0]
    container.resources.limits["cpu"] = cpu
    container.env.append(run_v2.EnvVar(name="MODE", value="prod"))
    return services.update_service(service=service).result()


@pytest.mark.sandbox
def test_the_sandbox_takes_a_functions_cpu_resent_unchanged(
    make_sandbox: MakeSandbox, clients_for: ClientsFor
) -> None:
    done = _update(clients_for, make_sandbox, _function("0.1666"), "0.1666")
    assert done.template.containers[0].resources.limits["cpu"] == "0.1666"


@pytest.mark.sandbox
@pytest.mark.parametrize(("option", "taken"), [("unchanged", False), ("any", True)])
def test_setting_a_new_cpu_finer_than_0_001_is_the_fine_cpu_option(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, taken: bool
) -> None:
    """Not documented either way: the CPU page's 0.001 steps are what a user selects; the
    Functions service sets finer ones. Both readings are the sandbox's options."""
    world = _function("0.1666", {"fine_cpu": option})
    if taken:
        done = _update(clients_for, make_sandbox, world, "0.3333")
        assert done.template.containers[0].resources.limits["cpu"] == "0.3333"
    else:
        with pytest.raises(exceptions.InvalidArgument, match="increments of 0.001"):
            _update(clients_for, make_sandbox, world, "0.3333")


@pytest.mark.sandbox
@pytest.mark.parametrize("option", ["unchanged", "any"])
@pytest.mark.parametrize(
    ("cpu", "why"), [("0.0001", "minimum vCPU"), ("1.5001", "integer"), ("1.5", "integer")]
)
def test_what_no_reading_allows_is_refused_under_both_options(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, option: str, cpu: str, why: str
) -> None:
    with pytest.raises(exceptions.InvalidArgument, match=why):
        _update(clients_for, make_sandbox, _function("0.1666", {"fine_cpu": option}), cpu)


@pytest.mark.sandbox
def test_drift_fix_of_an_env_drift_on_a_function(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """main: "deploying the canary … failed (… CPU is set in increments of 0.001.)", exit 4."""
    sandbox = make_sandbox(_function("0.1666"))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n  fn:\n    env:\n      LOG_LEVEL: info\n"
    )
    env = sandbox.environ()
    fixed = drift("fix", "prod", "--yes", env=env, cwd=tmp_path)
    assert fixed.returncode == 0, fixed.stdout + fixed.stderr
    after = drift("check", "prod", env=env, cwd=tmp_path)
    assert after.returncode == 0, after.stdout + after.stderr


def _source(*cpus: str | None) -> Source:
    containers = [
        run_v2.Container(
            name=f"c{i}",
            image="x",
            resources=run_v2.ResourceRequirements(limits={"cpu": cpu} if cpu else {}),
        )
        for i, cpu in enumerate(cpus)
    ]
    template = run_v2.RevisionTemplate(containers=containers)
    pb = run_v2.Service.pb(run_v2.Service(name=NAME, template=template))
    return Source(pb, pb.template, pb.template.containers[0])


@pytest.mark.parametrize(
    ("cpus", "want"),
    [
        (("500m", "500m"), 80),  # main: 1, the ingress container's 0.5 alone
        (("0.5833", "0.5"), 80),
        (("500m", "250m"), 1),
        (("500m", None), 80),  # a sidecar without a limit has the default, 1 CPU
        (("1",), 80),
        (("0.1666",), 1),
    ],
)
def test_an_unset_concurrency_defaults_by_the_instances_cpu(
    cpus: tuple[str | None, ...], want: int
) -> None:
    assert read_settings(_source(*cpus))["concurrency"] == want


def test_an_unset_concurrency_under_a_sidecars_unreadable_cpu_is_unread() -> None:
    """main: the ingress container's CPU alone was read, so the default was claimed."""
    unread = unreadable_settings(_source("1", "-1"))
    assert "concurrency" in unread and "-1" in unread["concurrency"], unread
    assert "cpu" not in unread  # the ingress container's own CPU is read


@pytest.mark.sandbox
@pytest.mark.parametrize(
    ("live", "written"), [("0.1666", 'cpu: "0.1666"'), ("0.0001", "# cpu: 0.0001")]
)
def test_init_from_live_writes_a_functions_cpu_and_the_profile_loads(
    make_sandbox: MakeSandbox, tmp_path: Path, live: str, written: str
) -> None:
    """A function's CPU is written as read (main: "not written, drift cannot read it"); one a
    profile cannot state (no source shows a service holding 0.0001) is a comment saying why,
    so the file still loads."""
    sandbox = make_sandbox(_function(live))
    profiles = tmp_path / "profiles"
    done = drift(
        "init", "prod", "--from-live", "--project", "p", "--region", "us-central1",
        "--profiles", str(profiles), env=sandbox.environ(),
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (profiles / "prod.yaml").read_text()
    assert written in text, text
    load_profile(profiles, "prod")
    checked = drift("check", "prod", "--profiles", str(profiles), env=sandbox.environ())
    assert checked.returncode == 0, checked.stdout + checked.stderr
