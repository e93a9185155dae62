"""`drift init --from-live` writes a CMEK revocation action and shutdown hours only with a key
(shutdown hours only with shut-down), GPU zonal redundancy only with a GPU: without one they
mean nothing (Field.moot). The profile it writes checks clean either way."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fields.test_hardware_settings import KEY, _template
from tests.fix.conftest import LAB, lab_world

MOOT = ("encryption_key_revocation_action", "encryption_key_shutdown_hours", "gpu_zonal_redundancy")
KEYED = {
    "encryptionKey": KEY,
    "encryptionKeyRevocationAction": "SHUTDOWN",
    "encryptionKeyShutdownDuration": "7200s",
    "nodeSelector": {"accelerator": "nvidia-l4"},
}


@pytest.mark.parametrize(
    ("api", "written"),
    [
        ({}, []),
        (
            KEYED,
            [
                "encryption_key_revocation_action: shut-down",
                "encryption_key_shutdown_hours: 2",
                "gpu_zonal_redundancy_disabled: false",
            ],
        ),
        (
            {"encryptionKey": KEY},
            ["encryption_key_revocation_action: prevent-new"],
        ),
    ],
    ids=["no-key-no-gpu", "key-shut-down-gpu", "key-prevent-new"],
)
def test_init_writes_only_the_settings_that_mean_something(
    make_sandbox: MakeSandbox, tmp_path: Path, api: dict[str, Any], written: list[str]
) -> None:
    sandbox = make_sandbox(lab_world(template=_template(**api)))
    env = sandbox.environ()
    profiles = tmp_path / "profiles"
    done = drift(
        "init", "lab", "--from-live", "--project", LAB, "--region", "us-central1",
        "--profiles", str(profiles), env=env, cwd=tmp_path,
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (profiles / "lab.yaml").read_text()
    lines = [line.strip() for line in text.splitlines() if line.strip().startswith(MOOT)]
    assert lines == written, text
    clean = drift("check", "lab", "--profiles", str(profiles), "--format", "json", env=env)
    assert clean.returncode == 0, clean.stdout + clean.stderr
    assert json.loads(clean.stdout)["findings"] == []
