"""helper-609 F4: the manual step for a secret mount gave `gcloud run services update
--update-secrets=/etc/api/config.json=api-config:4`, which writes the volume's source anew:
its secret and one item per path, no `defaultMode` and no item `mode`
(command_lib/run/secrets_mapping.py `ReachableSecret.AsSecretVolumeSource`, put in the
volume's place by config_changes.py `SecretVolumeChanges._UpdateManagedVolumes`), so files of
0440 and 0400 became 0444 (run v2 SecretVolumeSource.default_mode "defaulting to 0444"):
readable by every user in the container, which the step did not say. Where the volume sets
modes, the step now says so and gives the YAML route (`describe --format export`, then
`replace`), which keeps them, and no command that widens them; a volume without modes keeps
its command."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.fix.formats.gcloud import plan_script
from tests.conftest import MakeSandbox
from tests.jobs.world import planned_prod
from tests.profilecopy import API_HEAD

pytestmark = pytest.mark.sandbox

ACCOUNT = "api@p.iam.gserviceaccount.com"
PROFILE = API_HEAD + '    mounts:\n      /etc/api/config.json: {secret: api-config, version: "4"}\n'


def _world(modes: bool, disabled: bool = False) -> dict[str, Any]:
    third: Any = {"value": "c3", "state": "DISABLED"} if disabled else "c3"
    item: dict[str, Any] = {"path": "config.json", "version": "3"}
    secret: dict[str, Any] = {"secret": "api-config", "items": [item]}
    secret["items"].append({"path": "previous.json", "version": "2"})
    if modes:
        secret["defaultMode"] = 0o440
        item["mode"] = 0o400
    container = {
        "name": "app",
        "image": "us-docker.pkg.dev/example/api:1",
        "ports": [{"containerPort": 8080}],
        "volumeMounts": [{"name": "api-config", "mountPath": "/etc/api"}],
    }
    template = {
        "serviceAccount": ACCOUNT,
        "containers": [container],
        "volumes": [{"name": "api-config", "secret": secret}],
    }
    project = {
        "number": 3,
        "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{ACCOUNT}"]},
        "secrets": {"api-config": {"versions": ["c1", "c2", third, "c4"]}},
        "services": {"api": {"template": template}},
    }
    return {"projects": {"p": project}}


def _steps(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    scenario: dict[str, Any],
    profile: str = PROFILE,
) -> tuple[list[Any], str]:
    sandbox = make_sandbox(scenario)
    planned = planned_prod(sandbox, monkeypatch, tmp_path, profile)
    steps = [m for sp in planned.plan.services for m in sp.manual]
    return steps, plan_script(planned.plan)


def test_a_volume_with_modes_gets_the_yaml_route_not_a_command_that_widens_them(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    steps, script = _steps(make_sandbox, monkeypatch, tmp_path, _world(True))
    (step,) = [s for s in steps if s.target == "mount./etc/api/config.json"]
    assert "/etc/api/config.json 0400, /etc/api/previous.json 0440" in step.reason, step
    assert "every file would be 0444" in step.reason
    assert "`describe --format export`, then `replace`" in step.reason
    assert not any("--update-secrets" in c for c in step.commands), step
    assert "--update-secrets=/etc/api/config.json" not in script


def test_a_volume_without_modes_keeps_its_command(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    steps, _ = _steps(make_sandbox, monkeypatch, tmp_path, _world(False))
    (step,) = [s for s in steps if s.target == "mount./etc/api/config.json"]
    assert "file modes" not in step.reason
    (command,) = step.commands
    assert "--update-secrets=/etc/api/config.json=api-config:4" in command


def test_a_disabled_version_in_a_volume_with_modes_is_not_repointed_by_gcloud(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    profile = "project: p\nregion: us-central1\nservices:\n  api: {}\n"
    steps, _ = _steps(make_sandbox, monkeypatch, tmp_path, _world(True, True), profile)
    said = [s for s in steps if "0444" in s.reason]
    assert said, [s.reason for s in steps]
    for step in said:
        assert not any("--update-secrets=/etc/api" in c for c in step.commands), step
