"""revcoverage F1: drift/fix/byhand.py's service-level part of a hand promotion never ran in
the suite (branch coverage). It is the "promoted by hand" recognition of a change that
set `min_instances`/`max_instances` (FIELDS' `service_part` "scaling"): `setattr(expected,
"scaling", now.scaling)` on a proto-plus message makes `scaling` PRESENT (empty) in the
expected service even when the live service has none, so the comparison with the live
service (message equality counts field presence) fails. `fix --no-promote`, then the
promotion exactly as drift printed it, is then taken for someone else's write: `rollback
--list` says "pinned" and `drift rollback CHANGE` refuses (exit 4, "changed since … rolling
back would undo their change too"). The same steps with an `ingress` change are recognised.
Service.scaling is an optional message (google/cloud/run/v2/service.proto `ServiceScaling
scaling = 33 [(google.api.field_behavior) = OPTIONAL]`): a service without service-level
scaling has none."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from tests.cliutil import drift
from tests.conftest import ClientsFor, MakeSandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.test_no_promote_finish import _gcloud_update_traffic

pytestmark = pytest.mark.sandbox

PROFILE = """project: {lab}
region: us-central1
services:
  app:
    settings:
      {setting}
    env:
      MODE: live
      DEBUG: {{forbidden: true}}
"""


def _drift(tmp_path: Path, env: dict[str, str], *args: str) -> tuple[int, str]:
    done = drift(
        *args,
        env={
            **env,
            "DRIFT_PROFILES_DIR": str(tmp_path / "profiles"),
            "DRIFT_JOURNAL_DIR": str(tmp_path / ".drift" / "journal"),
        },
        cwd=tmp_path,
        timeout=120,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.mark.parametrize("setting", ["ingress: internal", "min_instances: 2", "max_instances: 7"])
def test_the_printed_promotion_of_a_scaling_change_is_drifts_own(
    make_sandbox: MakeSandbox, clients_for: ClientsFor, tmp_path: Path, setting: str
) -> None:
    history = [{"image": "us-docker.pkg.dev/lab/app:v1", "env": {"DEBUG": "true"}}]
    sandbox = make_sandbox(lab_world(history=history))
    (tmp_path / "profiles").mkdir()
    (tmp_path / "profiles" / "lab.yaml").write_text(PROFILE.format(lab=LAB, setting=setting))
    env = sandbox.environ()
    _, said = _drift(tmp_path, env, "fix", "lab", "--yes", "--no-promote")
    promote = re.search(r"promote \((gcloud run services update-traffic [^)]*)\)", said)
    change = re.search(r"`drift rollback (\S+)`", said)
    assert promote and change, said
    _gcloud_update_traffic(clients_for, sandbox, promote.group(1))  # as printed, nothing else

    _, listed = _drift(tmp_path, env, "rollback", "--list")
    row = next(line for line in listed.splitlines() if line.startswith(change.group(1)))
    # main, min/max_instances: "… app  pinned  env.MODE, env.DEBUG, setting.min_instances"
    assert "promoted by hand" in row, row
    code, said = _drift(tmp_path, env, "rollback", change.group(1), "--yes")
    # main, min/max_instances: exit 4, "app was changed since drift's last write of change …
    # (generation 3 → 4, last modified by deployer@example.com with gcloud 467.0.0): rolling
    # back would undo their change too"
    assert code == 0, said
    assert "was promoted by hand, as `drift fix --no-promote` printed" in said, said
