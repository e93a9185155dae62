"""A secret rotated under a running revision (the story's 1011: a JWT secret rotated, some
instances of a service still holding the version before): env secrets are resolved when an
instance starts, so `latest` can differ between instances (Cloud Run, "Configure secrets";
CLOUD_RUN_FACTS). The configuration says `latest` before and after, so it is no finding; a
note names each revision deployed before the version its variable names now was added."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import grpc
from google.cloud import run_v2, secretmanager_v1
from google.cloud.run_v2.services.services.transports import ServicesGrpcTransport
from google.cloud.secretmanager_v1.services.secret_manager_service.transports import (
    SecretManagerServiceGrpcTransport,
)

from drift.sandbox import Sandbox
from tests.check.test_secret_container_order import app_lab
from tests.fix.conftest import LAB
from tests.fix.sidecar_lab import run

PROFILE = (
    f"project: {LAB}\nregion: us-central1\nservices:\n  app:\n    env:\n"
    "      JWT: {secret: jwt}\n      SESSION: {secret: sess, version: '1'}\n"
)
LATEST = {"secretKeyRef": {"secret": "jwt", "version": "latest"}}
PINNED = {"secretKeyRef": {"secret": "sess", "version": "1"}}


def _world() -> dict[str, Any]:
    account = f"app@{LAB}.iam.gserviceaccount.com"
    app = {
        "name": "app",
        "image": "us-docker.pkg.dev/lab/app:v1",
        "ports": [{"containerPort": 8080}],
        "env": [{"name": "JWT", "valueSource": LATEST}, {"name": "SESSION", "valueSource": PINNED}],
        "volumeMounts": [{"name": "jwt-file", "mountPath": "/etc/jwt"}],
    }
    volume = {"name": "jwt-file", "secret": {"secret": "jwt"}}
    service = {"template": {"serviceAccount": account, "containers": [app], "volumes": [volume]}}
    secrets = {
        "jwt": {"versions": ["jwt-value-one-aaaa"]},
        "sess": {"versions": ["session-value-1111"]},
    }
    return app_lab(account, secrets, service)


def _add_version(sandbox: Sandbox, secret: str, data: bytes) -> None:
    channel = grpc.insecure_channel(sandbox.address)
    try:
        client = secretmanager_v1.SecretManagerServiceClient(
            transport=SecretManagerServiceGrpcTransport(channel=channel)
        )
        client.add_secret_version(parent=f"projects/{LAB}/secrets/{secret}", payload={"data": data})
    finally:
        channel.close()


def _tag(sandbox: Sandbox) -> None:
    """`gcloud run services update-traffic app --update-tags stable=REVISION`: a write that
    makes no revision, and moves the service's `update_time`."""
    channel = grpc.insecure_channel(sandbox.address)
    try:
        client = run_v2.ServicesClient(transport=ServicesGrpcTransport(channel=channel))
        service = client.get_service(name=f"projects/{LAB}/locations/us-central1/services/app")
        revision = service.latest_ready_revision.rsplit("/", 1)[-1]
        service.traffic.append(run_v2.TrafficTarget(revision=revision, tag="stable"))
        client.update_service(service=service).result()
    finally:
        channel.close()


def _notes(sandbox: Sandbox, tmp_path: Path, profile: str = PROFILE) -> tuple[int, list[str], str]:
    tmp_path.mkdir()
    done = run(sandbox, tmp_path, profile, "check", "lab", "--format", "json")
    doc = json.loads(done.stdout)
    rotated = [n for n in doc["notes"] if "resolve it when they start" in n]
    return done.returncode, rotated, done.stdout


def test_a_secret_rotated_after_the_revision_was_deployed_is_said(tmp_path: Path) -> None:
    with Sandbox(_world()) as sandbox:
        code, before, _ = _notes(sandbox, tmp_path / "a")
        assert (code, before) == (0, []), before  # nothing added since the deploy
        sandbox.advance(60)
        _add_version(sandbox, "jwt", b"jwt-value-two-bbbb")
        _add_version(sandbox, "sess", b"session-value-2222")  # pinned to 1: nothing to say
        code, after, out = _notes(sandbox, tmp_path / "b")
    assert code == 0, out  # the configuration is what the profile says: a note, no finding
    (note,) = after
    assert (
        note.startswith("app: app-00001-") and " reads secret jwt by latest, which names " in note
    )
    assert "version 2 since " in note and "after the revision was deployed" in note, note
    assert "jwt-value" not in out and "session-value" not in out


def test_no_rotation_note_where_the_version_latest_names_is_not_enabled(tmp_path: Path) -> None:
    """helper-614 L3: a new revision would fail Cloud Run's deploy-time check of that version
    ("Configure secrets"): its `secret.disabled` finding says what to do, not the note."""
    with Sandbox(_world()) as sandbox:
        sandbox.advance(60)
        _add_version(sandbox, "jwt", b"jwt-value-two-bbbb")
        channel = grpc.insecure_channel(sandbox.address)
        try:
            client = secretmanager_v1.SecretManagerServiceClient(
                transport=SecretManagerServiceGrpcTransport(channel=channel)
            )
            client.disable_secret_version(name=f"projects/{LAB}/secrets/jwt/versions/2")
        finally:
            channel.close()
        code, notes, out = _notes(sandbox, tmp_path / "a")
    assert code == 1 and '"secret.disabled"' in out, out
    assert notes == [], notes


def test_a_later_write_that_makes_no_revision_does_not_hide_it_where_the_history_is_read(
    tmp_path: Path,
) -> None:
    """helper-614 L2: the revision the template describes was dated by the service's last
    write, which a tag added after the rotation moves past the version: the note went. Where
    drift reads the service's history (there is drift), the revision's own `create_time`
    dates it."""
    drifted = PROFILE + "      MODE: strict\n"  # the service lacks it: its history is read
    with Sandbox(_world()) as sandbox:
        sandbox.advance(60)
        _add_version(sandbox, "jwt", b"jwt-value-two-bbbb")
        sandbox.advance(60)
        _tag(sandbox)
        code, notes, out = _notes(sandbox, tmp_path / "a", drifted)
    assert code == 1 and '"env.missing"' in out, out
    (note,) = notes
    assert " reads secret jwt by latest, which names version 2 since " in note, note
