"""A `mount.secret_ref` step for a profile key that is one FILE of a secret volume holding
several items (what `drift init` writes: onboarding/draft.py keys a mount by its file path)
(revown48 F3). A secret volume holds one secret (run v2 SecretVolumeSource), and gcloud 528
(command_lib/run/config_changes.py SecretVolumeChanges._UpdateManagedVolumes, run by
/work/notes/repro/revown48/gcloud_file_key.py and /work/notes/repro/fixown48/*.py) handles
the files of the volume the command does not name by the volume's secret: the same secret, it
keeps them as they are; another one, it refuses ("Multiple secrets are specified for
directory") or, for a volume more than one container mounts (`_CopyToNewVolume`), copies their
items under the new secret with their version numbers (/etc/k/b: old:2 -> k:2). The step's
command must give every file of the volume exactly what the profile (or the live service, for
a file the command leaves alone) says, or be absent, with the YAML route."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from tests.conftest import MakeSandbox
from tests.fix.test_secret_volume_steps import APP, plan, world

SECRETS = {
    "old": {"versions": ["fake-old-v1-aaaa", "fake-old-v2-bbbb", "fake-old-v3-cccc"]},
    "k": {"versions": ["fake-k-v1-aaaa", "fake-k-v2-bbbb", "fake-k-v3-cccc"]},
}
HEAD = "project: p\nregion: us-central1\nservices:\n  api:\n    mounts:\n"
Files = dict[str, tuple[str, str]]


def gcloud_result(flag: str, volume: Files, mount_point: str) -> Files | None:
    """The files at `mount_point` after gcloud 528 runs `flag` on a volume mounted there whose
    files are `volume` (name -> (secret, version)), or None where gcloud refuses it, by
    config_changes.py _UpdateManagedVolumes (one container mounts the volume) and
    _CopyToNewVolume (more than one does): the unnamed files are kept only under the volume's
    own secret; under another secret gcloud refuses, or carries their version numbers over.
    Either way a result other than the plan's is a command doing more than the step says."""
    new: Files = {}
    for pair in flag.split("--update-secrets=", 1)[1].split(" ", 1)[0].split(","):
        key, value = pair.split("=", 1)
        parent, _, name = key.rpartition("/")
        if parent == mount_point:
            secret, _, version = value.rpartition(":")
            new[name] = (secret, version)
    if not new:
        return volume
    secret = next(iter(new.values()))[0]
    old = {s for s, _ in volume.values()}
    if old and old != {secret} and not set(volume) <= set(new):
        return None
    return {**volume, **new}


def volume_world(make_sandbox: MakeSandbox, items: list[Any] | None, secret: str = "old") -> Any:
    source: dict[str, Any] = {"secret": secret}
    if items is not None:
        source["items"] = items
    containers = [{**APP, "volumeMounts": [{"name": "v", "mountPath": "/etc/k"}]}]
    return make_sandbox(world(SECRETS, containers, [{"name": "v", "secret": source}]))


TWO = [{"path": "a", "version": "1"}, {"path": "b", "version": "2"}]


def test_a_file_key_in_a_volume_of_several_items_gets_no_command_that_moves_the_others(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """The profile names only /etc/k/a under k: /etc/k/b (old:2) cannot stay on `old` in a
    volume of `k`, and `--update-secrets=/etc/k/a=k:3` would be refused or move it to k:2."""
    sandbox = volume_world(make_sandbox, TWO)
    api = plan(sandbox, monkeypatch, tmp_path, HEAD + '      /etc/k/a: {secret: k, version: "3"}\n')
    (step,) = [m for m in api.manual if m.target == "mount./etc/k/a"]
    live = {"a": ("old", "1"), "b": ("old", "2")}
    for command in step.commands:
        assert gcloud_result(command, live, "/etc/k") == {**live, "a": ("k", "3")}, step
    assert not step.commands, step
    assert "/etc/k/b (secret old:2) shares" in step.reason and "YAML" in step.reason, step.reason


def test_every_file_of_the_volume_named_by_the_profile_gets_its_own_version(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Both files named under k, at different versions: the step for /etc/k/a names /etc/k/b
    too, at the version the profile gives it (not a's, not old's number carried over)."""
    sandbox = volume_world(make_sandbox, TWO)
    profile = HEAD + '      /etc/k/a: {secret: k, version: "3"}\n'
    api = plan(
        sandbox, monkeypatch, tmp_path, profile + '      /etc/k/b: {secret: k, version: "1"}\n'
    )
    (step,) = [m for m in api.manual if m.target == "mount./etc/k/a"]
    (command,) = step.commands
    live = {"a": ("old", "1"), "b": ("old", "2")}
    assert gcloud_result(command, live, "/etc/k") == {"a": ("k", "3"), "b": ("k", "1")}, command
    assert "--update-secrets=/etc/k/a=k:3,/etc/k/b=k:1" in command, command


def test_a_new_version_of_the_same_secret_leaves_the_other_file_as_it_is(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Same secret: gcloud merges ("copy over existing paths that are not overridden"), so
    /etc/k/b keeps old:2 (gcloud_file_key.py `/etc/k/a=old:3` -> a old:3, b old:2): the command
    names /etc/k/a only."""
    sandbox = volume_world(make_sandbox, TWO)
    api = plan(
        sandbox, monkeypatch, tmp_path, HEAD + '      /etc/k/a: {secret: old, version: "3"}\n'
    )
    (step,) = [m for m in api.manual if m.target == "mount./etc/k/a"]
    (command,) = step.commands
    live = {"a": ("old", "1"), "b": ("old", "2")}
    assert gcloud_result(command, live, "/etc/k") == {"a": ("old", "3"), "b": ("old", "2")}
    assert "--update-secrets=/etc/k/a=old:3 " in command + " ", command


def test_a_volume_without_items_is_repointed_whole(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """A volume without items holds one file named after its secret (/etc/k/old): nothing
    else to carry over (gcloud: no items, `existing_paths` empty, accepted: fixown48's
    gcloud_no_items.py)."""
    sandbox = volume_world(make_sandbox, None)
    api = plan(
        sandbox, monkeypatch, tmp_path, HEAD + '      /etc/k/old: {secret: k, version: "3"}\n'
    )
    (step,) = [m for m in api.manual if m.target == "mount./etc/k/old"]
    (command,) = step.commands
    assert gcloud_result(command, {"old": ("old", "latest")}, "/etc/k") == {"old": ("k", "3")}
    assert "--update-secrets=/etc/k/old=k:3 " in command + " ", command
