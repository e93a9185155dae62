"""The catalogue's encryption and GPU rows (drift/fields/hardware.py), end to end through the
real `drift check`, `plan` and `fix` on the sandbox: a revision's CMEK key
(RevisionTemplate.encryption_key), its GPU type (NodeSelector.accelerator) and whether GPU
zonal redundancy is off (RevisionTemplate.gpu_zonal_redundancy_disabled)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_world, updates
from tests.fix.test_cpu_below_one import _profile, _run
from tests.manifest.conftest import ANNOTATED

IMAGE = "us-docker.pkg.dev/lab/app:v1"
KEY = f"projects/{LAB}/locations/us-central1/keyRings/run/cryptoKeys/images"
OTHER_KEY = f"projects/{LAB}/locations/us-central1/keyRings/run/cryptoKeys/rotated"


def _template(**api: Any) -> dict[str, Any]:
    """An instance that can take a GPU: 4 CPU, 16 GiB, CPU always allocated (the GPU pages,
    drift/sandbox/gpu.py)."""
    return {
        "image": IMAGE,
        "port": 8080,
        "cpu": "4",
        "memory": "16Gi",
        "cpu_throttling": False,
        "api": api,
    }


def _findings(sandbox: Sandbox, tmp_path: Path) -> list[dict[str, Any]]:
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode in (0, 1), done.stdout + done.stderr
    return [f for f in json.loads(done.stdout)["findings"] if f["target"].startswith("setting.")]


GPU_L4 = {"nodeSelector": {"accelerator": "nvidia-l4"}}
GPU_RTX = {"nodeSelector": {"accelerator": "nvidia-rtx-pro-6000"}}
"""Seeded as it is (seeds are not validated); a fix to it would need 20 CPU and 80 GiB."""
GPU_LIMIT = {"containers": [{"image": IMAGE, "resources": {"limits": {"nvidia.com/gpu": "1"}}}]}


@pytest.mark.parametrize(
    ("api", "setting", "profile", "actual", "written"),
    [
        ({"encryptionKey": KEY}, "encryption_key", OTHER_KEY, KEY, OTHER_KEY),
        ({}, "encryption_key", KEY, "none (Google-managed encryption)", KEY),
        ({"encryptionKey": KEY}, "encryption_key", "none", KEY, ""),
        (GPU_RTX, "gpu_type", "nvidia-l4", "nvidia-rtx-pro-6000", "nvidia-l4"),
        (GPU_L4, "gpu_type", "none", "nvidia-l4", ""),
        ({}, "gpu_type", "nvidia-l4", "none", "nvidia-l4"),
        (GPU_L4, "gpu_zonal_redundancy_disabled", "true", "false", True),
        (
            {**GPU_L4, "gpuZonalRedundancyDisabled": True},
            "gpu_zonal_redundancy_disabled",
            "false",
            "true",
            False,
        ),
    ],
)
def test_a_drifted_setting_is_found_and_fixed(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    api: dict[str, Any],
    setting: str,
    profile: str,
    actual: str,
    written: Any,
) -> None:
    sandbox = make_sandbox(lab_world(template=_template(**api)))
    _profile(tmp_path, f"      {setting}: {profile}\n")
    (finding,) = _findings(sandbox, tmp_path)
    assert finding["target"] == f"setting.{setting}"
    assert finding["actual"] == actual, finding
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    assert script.returncode == 1, script.stdout + script.stderr  # drift to repair
    flag = {
        "encryption_key": f"--key={profile}" if profile != "none" else "--clear-key",
        "gpu_type": f"--gpu-type={profile}" if profile != "none" else "--gpu=0",
        "gpu_zonal_redundancy_disabled": "--no-gpu-zonal-redundancy"
        if written
        else "--gpu-zonal-redundancy",
    }[setting]
    assert flag in script.stdout, script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert updates(sandbox), "the fix wrote nothing"
    template = sandbox.service(LAB, "app").template
    value = {
        "encryption_key": template.encryption_key,
        "gpu_type": template.node_selector.accelerator,
        "gpu_zonal_redundancy_disabled": template.gpu_zonal_redundancy_disabled,
    }[setting]
    assert value == written
    if setting == "gpu_type":
        gpus = [c.resources.limits.get("nvidia.com/gpu") for c in template.containers]
        assert gpus == (["1"] if written else [None]), gpus
    assert _findings(sandbox, tmp_path) == []


@pytest.mark.parametrize(
    ("api", "settings"),
    [
        ({}, "      encryption_key: none\n      gpu_type: none\n"),
        (
            {"encryptionKey": KEY, **GPU_L4},
            f"      encryption_key: {KEY}\n      gpu_type: nvidia-l4\n",
        ),
        (
            {**GPU_L4, "gpuZonalRedundancyDisabled": True},
            "      gpu_zonal_redundancy_disabled: true\n",
        ),
        ({}, "      gpu_zonal_redundancy_disabled: false\n"),
    ],
)
def test_a_setting_as_the_revision_runs_it_is_clean(
    make_sandbox: MakeSandbox, tmp_path: Path, api: dict[str, Any], settings: str
) -> None:
    sandbox = make_sandbox(lab_world(template=_template(**api)))
    _profile(tmp_path, settings)
    assert _findings(sandbox, tmp_path) == []


def test_a_key_that_is_not_a_kms_key_name_is_refused_where_the_profile_gives_it(
    tmp_path: Path,
) -> None:
    _profile(tmp_path, "      encryption_key: my-key\n")
    done = drift("profiles", "validate", str(tmp_path / "profiles"), cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    out = done.stdout + done.stderr
    assert "lab.yaml:6" in out and "cryptoKeys" in out, out
    assert "Traceback" not in out


@pytest.mark.parametrize("key", ["my-key", f"{KEY}/cryptoKeyVersions/1", "projects/p/keyRings/r"])
def test_the_sandbox_refuses_a_key_that_is_not_a_crypto_key_name(key: str) -> None:
    from drift.sandbox.names import RpcError
    from drift.sandbox.pb import TaskTemplatePb, TemplatePb
    from drift.sandbox.validate import validate_encryption_key

    for template in (TemplatePb(encryption_key=key), TaskTemplatePb(encryption_key=key)):
        with pytest.raises(RpcError, match="not a Cloud KMS key name"):
            validate_encryption_key(template)
    validate_encryption_key(TemplatePb(encryption_key=KEY))
    validate_encryption_key(TemplatePb())


KNATIVE = (
    ANNOTATED
    + """\
        run.googleapis.com/encryption-key: {key}
        run.googleapis.com/gpu-zonal-redundancy-disabled: 'true'
    spec:
      nodeSelector:
        run.googleapis.com/accelerator: nvidia-l4
      containers:
      - image: gcr.io/acme/api:1
        resources:
          limits:
            cpu: '4'
            memory: 16Gi
            nvidia.com/gpu: '1'
"""
)


def test_a_knative_manifest_is_checked_for_them_before_it_is_deployed(tmp_path: Path) -> None:
    from tests.manifest.conftest import check_offline, findings_of

    profile = (
        "project: acme\nregion: us-central1\nservices:\n  api:\n    settings:\n"
        f"      encryption_key: {KEY}\n      gpu_type: nvidia-l4\n"
        "      gpu_zonal_redundancy_disabled: true\n"
    )
    same = check_offline(tmp_path, profile, ("api.yaml", KNATIVE.format(key=KEY)))
    assert not {t for _, t in findings_of(same) if t.startswith("setting.")}, same.stdout
    other = check_offline(tmp_path, profile, ("api.yaml", KNATIVE.format(key=OTHER_KEY)))
    assert {t for _, t in findings_of(other) if t.startswith("setting.")} == {
        "setting.encryption_key"
    }, other.stdout


SHUT_DOWN = {
    "encryptionKey": KEY,
    "encryptionKeyRevocationAction": "SHUTDOWN",
    "encryptionKeyShutdownDuration": "7200s",
}


@pytest.mark.parametrize(
    ("api", "settings", "found", "flags"),
    [
        (
            {"encryptionKey": KEY},
            "      encryption_key_revocation_action: shut-down\n"
            "      encryption_key_shutdown_hours: 4\n",
            {
                "encryption_key_revocation_action": "prevent-new",
                "encryption_key_shutdown_hours": "0",
            },
            ("--post-key-revocation-action-type=shut-down", "--encryption-key-shutdown-hours=4"),
        ),
        (
            SHUT_DOWN,
            "      encryption_key_revocation_action: prevent-new\n"
            "      encryption_key_shutdown_hours: 0\n",
            {"encryption_key_revocation_action": "shut-down", "encryption_key_shutdown_hours": "2"},
            (
                "--post-key-revocation-action-type=prevent-new",
                "--clear-encryption-key-shutdown-hours",
            ),
        ),
    ],
)
def test_what_a_revoked_key_does_is_found_and_fixed(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    api: dict[str, Any],
    settings: str,
    found: dict[str, str],
    flags: tuple[str, ...],
) -> None:
    sandbox = make_sandbox(lab_world(template=_template(**api)))
    _profile(tmp_path, settings)
    assert {
        f["target"].removeprefix("setting."): f["actual"] for f in _findings(sandbox, tmp_path)
    } == found
    script = _run(sandbox, tmp_path, "plan", "lab", "--format", "gcloud")
    for flag in flags:
        assert flag in script.stdout, script.stdout
    done = _run(sandbox, tmp_path, "fix", "lab", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _findings(sandbox, tmp_path) == []


def test_a_shutdown_of_part_of_an_hour_is_not_judged(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(
        lab_world(template=_template(**{**SHUT_DOWN, "encryptionKeyShutdownDuration": "5400s"}))
    )
    _profile(tmp_path, "      encryption_key_shutdown_hours: 1\n")
    done = _run(sandbox, tmp_path, "check", "lab", "--format", "json", "--no-history")
    assert done.returncode == 3, done.stdout + done.stderr
    doc = json.loads(done.stdout)
    assert not [f for f in doc["findings"] if f["target"].startswith("setting.")]
    assert "not whole hours" in json.dumps(doc["unverified"]), doc["unverified"]
