"""A fix of a service gcloud deployed: the v1 system labels and annotations it carries
(`run.googleapis.com/client-name` on the template, Cloud Run's `operation-id` on the service)
are not sent back — under either reading of the v2 comments the sandbox can take (refused
outright: `reserved_metadata: reject`; or copied onto the new revision, as v1 revisions carry
the template's: `revision_client_annotations: false`) — and every other byte of the service is
sent back as read."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from google.cloud import run_v2

from drift import __version__
from drift.diff.differences import system_key
from drift.errors import ExitCode
from drift.fix.apply import FixOptions
from tests.conftest import MakeSandbox
from tests.fix.conftest import (
    LAB,
    ScriptedUI,
    as_written,
    lab_fix,
    lab_world,
    rollback,
    updates,
)

USER_ANNOTATION = {"client.knative.dev/user-image": "us-docker.pkg.dev/lab/app:v1", "team": "a"}
SYSTEM = {
    "run.googleapis.com/client-name": "gcloud",
    "run.googleapis.com/client-version": "467.0.0",
    "features.run.googleapis.com/x": "1",
}


def gcloud_world(**options: Any) -> dict[str, Any]:
    world = lab_world(
        template={
            "image": "us-docker.pkg.dev/lab/app:v1",
            "port": 8080,
            "env": {"DEBUG": "true", "KEEP": "1"},
            "labels": {"app": "lab", "run.googleapis.com/startupProbeType": "Default"},
            "annotations": {**USER_ANNOTATION, **SYSTEM},
        }
    )
    service = world["projects"][LAB]["services"]["app"]
    service["labels"] = {"app": "lab"}
    service["annotations"] = {"run.googleapis.com/operation-id": "6f1c2a7e", "team": "a"}
    world["options"].update(options)
    return world


@pytest.mark.parametrize(
    "options",
    [{"reserved_metadata": "reject"}, {"revision_client_annotations": False}],
    ids=["refused", "copied-to-revision"],
)
def test_a_fix_sends_no_system_metadata_and_everything_else_as_read(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    options: dict[str, Any],
) -> None:
    sandbox = make_sandbox(gcloud_world(**options))
    before = sandbox.service(LAB, "app")
    assert set(SYSTEM) <= set(before.template.annotations)

    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)

    assert result.exit_code is ExitCode.OK, result
    canary = updates(sandbox)[0].service
    for part in (canary, canary.template):
        assert not [k for k in [*part.labels, *part.annotations] if system_key(k)]
    # the rest of the proto, field for field (message equality: a map's serialized order is
    # not fixed, so bytes may differ between equal messages): what was read, without the
    # system keys, with the plan's variables, the canary's name and traffic, and drift as the
    # client
    expected = as_written(before)
    expected.template.containers[0].env = [
        run_v2.EnvVar(name="KEEP", value="1"),
        run_v2.EnvVar(name="MODE", value="live"),
    ]
    expected.template.revision = canary.template.revision
    expected.traffic = canary.traffic
    expected.client, expected.client_version = "drift", __version__
    assert canary == expected
    assert dict(canary.template.annotations) == USER_ANNOTATION
    # the canary is not recorded as gcloud's (what `drift history` reads)
    revision = sandbox.revision(LAB, "app", canary.template.revision)
    assert revision.annotations.get("run.googleapis.com/client-name") != "gcloud"
    # and a rollback restores what served, sending no system key either
    rolled = rollback(tmp_path)
    assert rolled.exit_code is ExitCode.OK and rolled.restored == ["app"], rolled.summary()
    restored = updates(sandbox)[-1].service
    assert restored.template == as_written(before).template


def test_system_keys_are_the_documented_namespaces() -> None:
    for key in (
        "run.googleapis.com/client-name",
        "features.run.googleapis.com/x",
        "serving.knative.dev/creator",
        "autoscaling.knative.dev/maxScale",
        "cloud.googleapis.com/location",
    ):
        assert system_key(key), key
    for key in ("client.knative.dev/user-image", "team", "run.googleapis.com.example.org/x"):
        assert not system_key(key), key
