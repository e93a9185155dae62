"""An instance whose env secret cannot be retrieved does not start (revsbx67 F1, F2): "If the
secret is an environment variable, the value of the secret is retrieved prior to starting the
instance, so if secret retrieval fails, the instance does not start"
(cloud.google.com/run/docs/configuring/services/secrets). Retrieval is the revision's service
account's: a version disabled since the deploy and a grant removed since both stop it. A
request then gets no handshake but an HTTP status (`options.no_instance_status`, 503 or 429:
run/docs/known-issues), and `drift check --probe` says `probe.rejected`, tied to the secret
finding of the same service. A mounted secret is read when the file is read: the instance
starts."""

from __future__ import annotations

import asyncio
from pathlib import Path
from typing import Any

import pytest

from drift.check import run_check
from drift.findings import ProbeOutcome
from drift.profiles.loader import load_profile
from drift.settings import load_settings
from tests.conftest import MakeSandbox
from tests.sandbox.helpers import probe

SA = "api@p.iam.gserviceaccount.com"
ACCESSOR = "roles/secretmanager.secretAccessor"
IMAGE = "us-docker.pkg.dev/lab/app:v1"


def service(secret: str) -> dict[str, Any]:
    env = {"K": {"secret": secret}}
    return {"template": {"image": IMAGE, "port": 8080, "service_account": SA, "env": env}}


def world(**options: Any) -> dict[str, Any]:
    granted = {ACCESSOR: [f"serviceAccount:{SA}"]}
    mounted = {
        "template": {
            "service_account": SA,
            "containers": [
                {
                    "image": IMAGE,
                    "ports": [{"containerPort": 8080}],
                    "volumeMounts": [{"name": "k", "mountPath": "/etc/k"}],
                }
            ],
            "volumes": [{"name": "k", "secret": {"secret": "disabled"}}],
        }
    }
    return {
        "options": {"seed": 1, **options},
        "projects": {
            "p": {
                "number": 5,
                "secrets": {
                    "disabled": {
                        "versions": [{"value": "fake-v1", "state": "DISABLED"}],
                        "iam": granted,
                    },
                    "ungranted": {"versions": ["fake-v1"]},
                    "fine": {"versions": ["fake-v1"], "iam": granted},
                },
                "services": {
                    "a": service("disabled"),
                    "b": service("ungranted"),
                    "c": service("fine"),
                    "m": mounted,
                },
            }
        },
    }


@pytest.mark.parametrize("status", [503, 429])
def test_no_instance_starts_without_its_env_secret(make_sandbox: MakeSandbox, status: int) -> None:
    sandbox = make_sandbox(world(no_instance_status=status))
    for name in ("a", "b"):  # a version not ENABLED; an account not granted
        assert probe(sandbox.service("p", name).uri).status == status, name
    assert probe(sandbox.service("p", "c").uri).status == 101
    assert probe(sandbox.service("p", "m").uri).status == 101  # a mounted one: it starts


@pytest.mark.parametrize("status", [503, 429])
def test_drift_probe_is_rejected_and_tied_to_the_secret(
    make_sandbox: MakeSandbox, monkeypatch: pytest.MonkeyPatch, tmp_path: Path, status: int
) -> None:
    sandbox = make_sandbox(world(no_instance_status=status))
    for key, value in sandbox.environ().items():
        monkeypatch.setenv(key, value)
    (tmp_path / "prod.yaml").write_text(
        "project: p\nregion: us-central1\nservices:\n"
        + "".join(
            f"  {name}:\n    env:\n      K: {{secret: {secret}}}\n"
            "    probe: {websocket: /ws, hold: 0.2s}\n"
            for name, secret in (("a", "disabled"), ("b", "ungranted"))
        )
    )
    profile = load_profile(tmp_path, "prod")
    report = asyncio.run(
        run_check(profile, load_settings(wait=0), services=["a", "b"], probe=True, environ={})
    ).report
    probes = {p.service: p for p in report.probes}
    for name, cause in (("a", "secret.disabled secret.disabled"), ("b", "secret.no_access")):
        result = probes[name]
        assert (result.outcome, result.http_status) == (ProbeOutcome.REJECTED, status), result
        (finding,) = [
            f for f in report.findings if f.rule == "probe.rejected" and f.service == name
        ]
        assert f"suspected cause: {cause}" in finding.message
        assert "1011" not in finding.message, finding.message
