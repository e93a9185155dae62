"""`drift history` names a deploy that widened a secret file's permissions (helper-551 F2):
revision 1 creates /etc/tls/key.pem 0400; revision 2 drops the item's mode, so Cloud Run
creates it 0444 (run v2 SecretVolumeSource.default_mode: "defaulting to 0444"; the
VersionToPath.mode "If 0 or not set, the Volume's default mode will be used") — the key
readable by every user of the container. `check` said `mount.mode` since revision 2 while
`history` said revision 2 changed nothing."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from drift.sandbox import Sandbox
from tests.fix.conftest import LAB, lab_world
from tests.fix.sidecar_lab import run

READER = "serviceAccount:555000111222-compute@developer.gserviceaccount.com"
PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    mounts:\n"
    '      /etc/tls/key.pem: {secret: tls-key, version: "1", mode: "0400"}\n'
)


def _template(mode: int | None) -> dict[str, Any]:
    item: dict[str, Any] = {"path": "key.pem", "version": "1"}
    if mode is not None:
        item["mode"] = mode
    return {
        "containers": [
            {
                "name": "app",
                "image": "us-docker.pkg.dev/lab/app:v1",
                "ports": [{"containerPort": 8080}],
                "volumeMounts": [{"name": "tls", "mountPath": "/etc/tls"}],
            }
        ],
        "volumes": [{"name": "tls", "secret": {"secret": "tls-key", "items": [item]}}],
    }


def test_a_widened_mode_is_a_change_of_that_revision(reseedable: Sandbox, tmp_path: Path) -> None:
    world = lab_world(template=_template(None), history=[_template(0o400)])
    iam = {"roles/secretmanager.secretAccessor": [READER]}
    world["projects"][LAB]["secrets"] = {"tls-key": {"versions": ["fake-key-1"], "iam": iam}}
    reseedable.reset(world)
    check = run(reseedable, tmp_path, PROFILE, "check", "lab", "--format", "json")
    (finding,) = json.loads(check.stdout)["findings"]
    assert finding["rule"] == "mount.mode"
    history = run(reseedable, tmp_path, PROFILE, "history", "lab", "--format", "json")
    newest = json.loads(history.stdout)["services"][0]["revisions"][0]
    assert newest["revision"] == finding["since"]["revision"]
    assert [(c["action"], c["target"]) for c in newest["changes"]] == [
        ("changed", "mount./etc/tls/key.pem")
    ]
    table = run(reseedable, tmp_path, PROFILE, "history", "lab").stdout
    assert "changed mount./etc/tls/key.pem: mode 0400 -> mode 0444" in table, table


def test_the_same_mode_written_otherwise_is_no_change(reseedable: Sandbox, tmp_path: Path) -> None:
    """An item mode of 0444 where the volume's default (0444) applied before: the file is
    created alike, so nothing changed."""
    world = lab_world(template=_template(0o444), history=[_template(None)])
    world["projects"][LAB]["secrets"] = {"tls-key": {"versions": ["fake-key-1"]}}
    reseedable.reset(world)
    history = run(reseedable, tmp_path, PROFILE, "history", "lab", "--format", "json")
    newest = json.loads(history.stdout)["services"][0]["revisions"][0]
    assert newest["changes"] == []
