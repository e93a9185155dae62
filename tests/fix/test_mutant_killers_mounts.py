"""Killer test for a survivor of revmutant6 in `drift.fix.mount_step`: passes on main, fails on
mutant M01 (/work/notes/reports/revmutant6.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import MakeSandbox
from tests.fix.test_secret_volume_steps import APP, K, etc_k_step, world


def test_a_sibling_directory_sharing_the_prefix_is_not_repointed(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The profile's `/etc/k` holds the files under `/etc/k/`, not `/etc/kx/` (another volume,
    another secret). Mutant M01 (`p.startswith(path)`) repoints /etc/kx's file to k:3 too:
    the command would mount secret k over a volume the profile never named."""
    secrets = {**K, "other": {"versions": ["fake-other-v1-dddd"]}}
    containers = [
        {
            **APP,
            "volumeMounts": [
                {"name": "v", "mountPath": "/etc/k"},
                {"name": "w", "mountPath": "/etc/kx"},
            ],
        }
    ]
    volumes = [
        {"name": "v", "secret": {"secret": "k"}},
        {"name": "w", "secret": {"secret": "other"}},
    ]
    sandbox = make_sandbox(world(secrets, containers, volumes))
    step = etc_k_step(sandbox, monkeypatch, tmp_path)
    (command,) = step.commands
    assert command.endswith("--update-secrets=/etc/k/k=k:3"), command
    assert "/etc/kx" not in command, command
