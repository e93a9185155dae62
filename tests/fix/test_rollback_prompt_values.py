"""The rollback prompt says what it puts back, values included: a cpu or memory limit, a
Direct VPC subnet (revexact F2: "resources differs", "vpc_access.network_interfaces differs";
harness: /work/notes/repro/revexact/exact.py)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_world

pytestmark = pytest.mark.sandbox
NAME = f"projects/{LAB}/locations/us-central1/services/app"


def _cli(sandbox: Sandbox, tmp: Path, settings: str, *args: str) -> Any:
    folder = tmp / "profiles"
    folder.mkdir(exist_ok=True)
    (folder / "lab.yaml").write_text(
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
        f"      MODE: live\n    settings:\n{settings}"
    )
    env = {
        **sandbox.environ(),
        "DRIFT_PROFILES_DIR": str(folder),
        "DRIFT_JOURNAL_DIR": str(tmp / "j"),
    }
    return drift(*args, env=env, cwd=tmp, timeout=120)


def _resources(clients_for: ClientsFor, sandbox: Sandbox) -> None:
    """Limits as a user writes them: cpu as millicores, memory as 0.5Gi, an ephemeral-storage
    limit drift has no row for; cpu_idle set explicitly."""
    services = clients_for(sandbox).services
    s = services.get_service(name=NAME)
    s.template.revision = ""
    res = s.template.containers[0].resources
    res.limits.clear()
    res.limits.update({"cpu": "1000m", "memory": "0.5Gi", "ephemeral-storage": "1Gi"})
    res.cpu_idle = True
    services.update_service(service=s).result()


def _world() -> dict[str, Any]:
    return lab_world(
        template={"image": "us-docker.pkg.dev/lab/app:v1", "port": 8080, "env": {"MODE": "live"}}
    )


@pytest.mark.parametrize("setting,shown", [("cpu: '2'", "cpu"), ("memory: 1Gi", "memory")])
def test_the_rollback_prompt_of_a_cpu_or_memory_change_says_what_it_puts_back(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, setting: str, shown: str
) -> None:
    """The rollback of `cpu: '2'` says only "resources differs (container app-1)": the
    person confirming is not told the cpu limit goes back 2 → 1000m."""
    sandbox = make_sandbox(_world())
    _resources(clients_for, sandbox)
    done = _cli(sandbox, tmp_path, f"      {setting}\n", "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    back = _cli(sandbox, tmp_path, f"      {setting}\n", "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "resources differs" not in back.stdout, back.stdout
    assert shown in back.stdout.split("serving now")[0].split("drift changed")[1], back.stdout


def test_the_rollback_prompt_of_a_subnet_change_says_what_it_puts_back(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path
) -> None:
    """A repeated message (VpcAccess.network_interfaces) prints only
    "vpc_access.network_interfaces differs"."""
    sandbox = make_sandbox(_world())
    services = clients_for(sandbox).services
    s = services.get_service(name=NAME)
    s.template.revision = ""
    s.template.vpc_access = run_v2.VpcAccess(
        egress=run_v2.VpcAccess.VpcEgress.PRIVATE_RANGES_ONLY,
        network_interfaces=[
            run_v2.VpcAccess.NetworkInterface(network="default", subnetwork="sub-a")
        ],
    )
    services.update_service(service=s).result()
    done = _cli(sandbox, tmp_path, "      vpc_subnet: sub-b\n", "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    back = _cli(sandbox, tmp_path, "      vpc_subnet: sub-b\n", "rollback", "--yes")
    assert back.returncode == 0, back.stdout + back.stderr
    assert "network_interfaces differs" not in back.stdout, back.stdout
    assert "sub-a" in back.stdout, back.stdout
