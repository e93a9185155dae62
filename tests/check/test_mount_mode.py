"""helper-545 F4: a mounted secret's file mode (`volumes[].secret.items[].mode`, else the
volume's `defaultMode`, else 0444, less Cloud Run's umask 0222: run v2 k8s_min.proto,
VersionToPath.mode and SecretVolumeSource.default_mode) can be stated — `mounts: {PATH:
{secret, version, mode: "0400"}}` — and a change that widens it (0400 -> 0444: the key
readable by every user of the container) is `mount.mode`. Before, init dropped it and check
never looked. `plan` gives a step (no gcloud flag sets it); `init` writes a mode other than
0444."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.sidecar_lab import run

READER = "serviceAccount:555000111222-compute@developer.gserviceaccount.com"


def _world(item_mode: int | None, default_mode: int | None = None) -> dict[str, Any]:
    item: dict[str, Any] = {"path": "key.pem", "version": "1"}
    if item_mode is not None:
        item["mode"] = item_mode
    secret: dict[str, Any] = {"secret": "tls-key", "items": [item]}
    if default_mode is not None:
        secret["defaultMode"] = default_mode
    template = {
        "containers": [
            {
                "name": "app",
                "image": "us-docker.pkg.dev/lab/app:v1",
                "ports": [{"containerPort": 8080}],
                "volumeMounts": [{"name": "tls", "mountPath": "/etc/tls"}],
            }
        ],
        "volumes": [{"name": "tls", "secret": secret}],
    }
    world = lab_world(template=template)
    iam = {"roles/secretmanager.secretAccessor": [READER]}
    world["projects"][LAB]["secrets"] = {"tls-key": {"versions": ["fake-key-1"], "iam": iam}}
    return world


def _profile(mode: str) -> str:
    return (
        f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    mounts:\n"
        f'      /etc/tls/key.pem: {{secret: tls-key, version: "1", mode: {mode}}}\n'
    )


@pytest.mark.parametrize(
    ("item", "default", "stated"),
    [
        (0o400, None, '"0400"'),
        (None, 0o400, '"0400"'),  # the volume's default
        (None, None, '"0444"'),  # neither: 0444
        (0o640, None, '"0440"'),  # less the umask 0222
        (0o640, None, '"0640"'),  # the profile's too
    ],
)
def test_a_mode_as_cloud_run_creates_the_file_is_clean(
    reseedable: Sandbox, tmp_path: Path, item: int | None, default: int | None, stated: str
) -> None:
    reseedable.reset(_world(item, default))
    done = run(reseedable, tmp_path, _profile(stated), "check", "lab")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_widened_mode_is_a_finding_with_a_step(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(_world(0o444))
    text = _profile('"0400"')
    done = run(reseedable, tmp_path, text, "check", "lab", "--format", "json")
    assert done.returncode == 1, done.stdout + done.stderr
    (finding,) = json.loads(done.stdout)["findings"]
    assert (finding["rule"], finding["target"]) == ("mount.mode", "mount./etc/tls/key.pem")
    assert (finding["expected"], finding["actual"]) == ("0400", "0444")
    plan = json.loads(run(reseedable, tmp_path, text, "plan", "lab", "--format", "json").stdout)
    (sp,) = plan["services"]
    (step,) = sp["manual"]
    assert "gcloud has no flag for a secret file's mode" in step["reason"]
    assert "gcloud run services replace FILE" in step["reason"]
    assert sp["env"] == [] and sp["settings"] == []


@pytest.mark.parametrize(
    ("mode", "said"), [("0400", "write 0400 in quotes"), ("400", "write the mode quoted")]
)
def test_an_unquoted_mode_is_refused_at_its_line(
    reseedable: Sandbox, tmp_path: Path, mode: str, said: str
) -> None:
    """YAML 1.1 reads 0400 as 256, YAML 1.2 as 400: a bare number is never guessed at."""
    reseedable.reset(_world(0o400))
    done = run(reseedable, tmp_path, _profile(mode), "check", "lab")
    assert done.returncode == 2, done.stdout + done.stderr
    assert "profiles/lab.yaml:6:" in done.stderr and said in done.stderr


def test_init_writes_a_mode_other_than_the_default(reseedable: Sandbox, tmp_path: Path) -> None:
    reseedable.reset(_world(0o400))
    done = run(
        reseedable, tmp_path, _profile('"0400"'),
        "init", "fresh", "--from-live", "--project", LAB, "--region", "us-central1",
    )  # fmt: skip
    assert done.returncode == 0, done.stdout + done.stderr
    text = (tmp_path / "profiles" / "fresh.yaml").read_text()
    assert '/etc/tls/key.pem: {secret: tls-key, version: "1", mode: "0400"}' in text
    check = run(reseedable, tmp_path, text, "check", "lab")
    assert check.returncode == 0, check.stdout + check.stderr
