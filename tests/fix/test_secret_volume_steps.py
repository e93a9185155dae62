"""The plan's steps for secret volumes as the run v2 protos describe them (SecretVolumeSource,
VersionToPath, VolumeMount): a mount step's `--update-secrets` names the file gcloud changes,
never the directory (gcloud mounts the volume at the key's parent), and a volume's file no
container sees is still a secret the new revision uses (revsecrets2 findings 1 and 2)."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.fix.plan import plan_environment
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox

SA = "api@p.iam.gserviceaccount.com"
ACCESSOR = "roles/secretmanager.secretAccessor"


def world(secrets: dict[str, Any], containers: list[Any], volumes: list[Any]) -> dict[str, Any]:
    service = {"template": {"service_account": SA, "containers": containers, "volumes": volumes}}
    project = {
        "number": 5,
        "secrets": secrets,
        "services": {"api": service},
        "iam": {ACCESSOR: [f"serviceAccount:{SA}"]},
    }
    return {"projects": {"p": project}}


def plan(sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, profile: str) -> Any:
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(profile)
    settings = load_settings(journal_dir=tmp_path / "journal", wait=0)
    (api,) = asyncio.run(plan_environment(load_profile(tmp_path, "prod"), settings)).plan.services
    return api


def etc_k_step(sandbox: Any, monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Any:
    """The plan's manual step for a profile mounting `k` version 3 at `/etc/k`."""
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
    api = plan(
        sandbox, monkeypatch, tmp_path, profile + '      /etc/k: {secret: k, version: "3"}\n'
    )
    (step,) = [m for m in api.manual if m.target == "mount./etc/k"]
    return step


def gcloud_mount_point(flag: str) -> str:
    """Where gcloud mounts the volume of `--update-secrets=/PATH=SECRET:VERSION`:
    googlecloudsdk/command_lib/run/config_changes.py SecretVolumeChanges._UpdateManagedVolumes,
    `mount_point = file_path.rsplit('/', 1)[0]`; the flag's help: "'--update-secrets=
    /secrets/api/key=mysecret:latest' will mount a volume at '/secrets/api' containing a file
    'key'" (command_lib/run/flags.py)."""
    key = flag.split("--update-secrets=", 1)[1].split("=", 1)[0]
    return key.rsplit("/", 1)[0]


K = {"k": {"versions": ["fake-k-v1-aaaa", "fake-k-v2-bbbb", "fake-k-v3-cccc"]}}
APP = {"name": "app", "image": "x/api:1", "ports": [{"containerPort": 8080}]}


@pytest.mark.parametrize(
    "volume",
    [
        {"name": "v", "secret": {"secret": "k"}},  # no items: the file is named after the secret
        {"name": "v", "secret": {"secret": "k", "items": [{"path": "key.pem", "version": "1"}]}},
    ],
    ids=["no-items", "items"],
)
def test_the_mount_step_mounts_under_the_profiles_path_not_over_its_parent(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, volume: Any
) -> None:
    """The profile's `/etc/k` is the directory the volume is mounted at (README: `/etc/tls:
    {secret: tls-cert, version: "3"}`); keyed by it, `--update-secrets=/etc/k=k:3` would make
    gcloud mount a new volume at /etc (shadowing all of /etc) and leave /etc/k as it was: the
    step names the file the container reads (the secret's name for a volume without items)."""
    containers = [{**APP, "volumeMounts": [{"name": "v", "mountPath": "/etc/k"}]}]
    sandbox = make_sandbox(world(K, containers, [volume]))
    step = etc_k_step(sandbox, monkeypatch, tmp_path)
    (command,) = step.commands
    assert gcloud_mount_point(command) == "/etc/k", command
    file = volume["secret"]["items"][0]["path"] if "items" in volume["secret"] else "k"
    assert command.endswith(f"--update-secrets=/etc/k/{file}=k:3"), command


def test_a_file_mounted_by_sub_path_gets_no_update_secrets_command(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """gcloud's --update-secrets knows no sub_path: `/etc/k=k:3` for a file mounted at /etc/k
    by sub_path would mount a new volume at /etc. The step says to edit the YAML instead."""
    mounts = [{"name": "v", "mountPath": "/etc/k", "subPath": "key.pem"}]
    items = [{"path": "key.pem", "version": "1"}]
    volume = {"name": "v", "secret": {"secret": "k", "items": items}}
    sandbox = make_sandbox(world(K, [{**APP, "volumeMounts": mounts}], [volume]))
    step = etc_k_step(sandbox, monkeypatch, tmp_path)
    assert step.commands == (), step.commands
    assert "sub_path" in step.reason and "YAML" in step.reason, step.reason


def test_every_file_under_the_mount_is_repointed_by_its_own_path(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    items = [{"path": "a", "version": "1"}, {"path": "b", "version": "2"}]
    volume = {"name": "v", "secret": {"secret": "k", "items": items}}
    containers = [{**APP, "volumeMounts": [{"name": "v", "mountPath": "/etc/k"}]}]
    sandbox = make_sandbox(world(K, containers, [volume]))
    step = etc_k_step(sandbox, monkeypatch, tmp_path)
    (command,) = step.commands
    assert command.endswith("--update-secrets=/etc/k/a=k:3,/etc/k/b=k:3"), command


def test_a_missing_mount_step_does_not_mount_over_the_parent_directory(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    sandbox = make_sandbox(world(K, [APP], []))
    step = etc_k_step(sandbox, monkeypatch, tmp_path)
    assert all(gcloud_mount_point(c) != "/etc" for c in step.commands), step.commands
    # no file is known: a placeholder the step's text says to fill in
    (command,) = step.commands
    assert command.endswith("--update-secrets=/etc/k/<FILE>=k:3"), command
    assert "replace /etc/k/<FILE> with the path of the file" in step.reason, step.reason


UNMOUNTED = {
    "k": {"versions": ["fake-k-v1-aaaa", "fake-k-v2-bbbb"]},
    "old": {"versions": [{"value": "fake-old-v1-oooo", "state": "DESTROYED"}, "fake-old-v2-pppp"]},
}
K1 = {"name": "K", "valueSource": {"secretKeyRef": {"secret": "k", "version": "1"}}}
OLD = {"name": "o", "secret": {"secret": "old", "items": [{"path": "x", "version": "1"}]}}


@pytest.mark.parametrize(
    ("mounts", "volume"),
    [
        ([], OLD),  # a volume no container mounts (a volume_mounts block removed, not the volume)
        (  # a volume mounted by sub_path: the other item is in no container's view
            [{"name": "o", "mountPath": "/etc/cur", "subPath": "cur"}],
            {
                "name": "o",
                "secret": {
                    "secret": "old",
                    "items": [{"path": "x", "version": "1"}, {"path": "cur", "version": "2"}],
                },
            },
        ),
    ],
    ids=["unmounted", "sub-path"],
)
def test_a_destroyed_version_in_an_unmounted_volume_item_is_not_claimed_as_fixed(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    mounts: list[Any],
    volume: Any,
) -> None:
    """check reports secret.destroyed on `old` (drift/live/normalize.py `_unmounted`: Cloud
    Run checks every secret a revision uses). The plan's patch keeps the volume: the finding is
    not among its fixes, and `doomed` stops `drift fix` before it deploys a canary Cloud Run
    refuses (and a restore that fails too). No --update-secrets reaches a file no container
    sees: the step says to edit the YAML, with no command keyed by `volume o (x)`."""
    containers = [{**APP, "env": [K1], "volumeMounts": mounts}]
    sandbox = make_sandbox(world(UNMOUNTED, containers, [volume]))
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    profile += '      K: {secret: k, version: "2"}\n'
    api = plan(sandbox, monkeypatch, tmp_path, profile)
    assert api.doomed, "a new revision still holds old:1 (DESTROYED): Cloud Run refuses it"
    (step,) = [m for m in api.manual if m.target == "secret.old"]
    assert not any("volume o" in c for c in step.commands), step.commands
    assert "no container mounts volume o (x)" in step.reason, step.reason
    assert len(api.fixes) == 1, api.fixes  # env K's (k:1 -> k:2), not secret.old's


def test_a_destroyed_version_mounted_by_sub_path_gets_no_update_secrets_command(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """`--update-secrets=/etc/cur=old:<VERSION>` for a file mounted at /etc/cur by sub_path
    would mount a new volume at /etc: the step says to edit the YAML instead; a change of the
    template (a variable) stops at the destroyed version (a change that makes no revision does
    not: revjobs60 F1)."""
    mounts = [{"name": "o", "mountPath": "/etc/cur", "subPath": "cur"}]
    volume = {"name": "o", "secret": {"secret": "old", "items": [{"path": "cur", "version": "1"}]}}
    sandbox = make_sandbox(world(UNMOUNTED, [{**APP, "volumeMounts": mounts}], [volume]))
    profile = "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n      NEW: x\n"
    api = plan(sandbox, monkeypatch, tmp_path, profile)
    (step,) = [m for m in api.manual if m.target == "secret.old"]
    assert not any("--update-secrets" in c for c in step.commands), step.commands
    assert "cannot change /etc/cur" in step.reason, step.reason
    assert api.doomed
