"""A service that echoes a value it gets from Secret Manager (an env reference no rule asked
drift to read) in a close reason: drift printed it unmasked in `drift probe`, `check --probe`
(every format) and `fix`'s canary failure, journal included (helper-837 F1, SPEC safety
invariant 1). What a server sends is untrusted: the values of the secret versions the probed
revision references are read, only when a result carries the server's text, and masked in it;
where one cannot be read, the server's text is not shown.

The sandbox's backend quotes the variable in its 1011's reason (scenario `backend.echo`)."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.format import OutputFormat
from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

SA = "api@p.iam.gserviceaccount.com"
VALUE = "s3cr3t-Value-from-env-9a8b7c6d5e4f"
PROFILE = (
    "lab",
    "project: p\nregion: us-central1\nservices:\n  api:\n    env:\n"
    "      API_KEY: {secret: api-key}\n      MODE: live\n"
    "    probe: {websocket: /ws, hold: 1s, timeout: 5s}\n",
)
NOT_SHOWN = "not shown: the service's secret values could not be read to mask it"


def _world(**faults: Any) -> dict[str, Any]:
    env = [
        {"name": "API_KEY", "valueSource": {"secretKeyRef": {"secret": "api-key"}}},
        {"name": "MODE", "value": "test"},  # drifted: `fix` deploys a canary, which echoes too
    ]
    template = {"serviceAccount": SA, "containers": [{"image": "x/api:1", "env": env}]}
    api = {"template": template, "backend": {"path": "/ws", "echo": "API_KEY"}}
    world: dict[str, Any] = {
        "projects": {
            "p": {
                "number": 5,
                "iam": {"roles/secretmanager.secretAccessor": [f"serviceAccount:{SA}"]},
                "region": "us-central1",
                "secrets": {"api-key": {"versions": [VALUE]}},
                "services": {"api": api},
            }
        }
    }
    if faults:
        world["faults"] = [faults]
    return world


def _runs(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    out = {}
    done = drift_on(sandbox, tmp_path, PROFILE, "probe", "lab")
    out["probe"] = done.stdout + done.stderr
    for fmt in OutputFormat:
        done = drift_on(sandbox, tmp_path, PROFILE, "check", "lab", "--probe", "--format", fmt)
        out[f"check {fmt.value}"] = done.stdout + done.stderr
    done = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes")
    assert done.returncode == 4, done.stdout + done.stderr  # the canary failed its probe
    out["fix"] = done.stdout + done.stderr
    journal = sorted((tmp_path / ".drift" / "journal").rglob("*.json"))
    assert journal, "fix wrote no journal"
    out["journal"] = "".join(path.read_text() for path in journal)
    return out


def test_an_echoed_secret_value_is_masked(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    runs = _runs(make_sandbox(_world()), tmp_path)
    for name, shown in runs.items():
        assert VALUE[:12] not in shown, f"{name}: {shown}"
        assert "bad key" in shown, f"{name}: {shown}"


def test_an_echo_whose_secret_cannot_be_read_is_not_shown(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    fault = {"method": "AccessSecretVersion", "code": "PERMISSION_DENIED", "match": "api-key"}
    runs = _runs(make_sandbox(_world(**fault)), tmp_path)
    for name, shown in runs.items():
        assert VALUE[:12] not in shown, f"{name}: {shown}"
        assert "bad key" not in shown, f"{name}: {shown}"
    assert NOT_SHOWN in runs["probe"], runs["probe"]


def test_a_probe_that_passes_reads_no_secret(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    """The values are read only for a result that carries the server's text: a pass costs no
    AccessSecretVersion (an entry in Secret Manager's data-access audit log); an echo costs
    one read of each version."""
    world = _world()
    del world["projects"]["p"]["services"]["api"]["backend"]
    sandbox = make_sandbox(world)
    sandbox.clear_calls()
    done = drift_on(sandbox, tmp_path, PROFILE, "probe", "lab")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not [c for c in sandbox.calls if "AccessSecretVersion" in str(c)], sandbox.calls


def test_an_echo_reads_each_version_once(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_world())
    sandbox.clear_calls()
    drift_on(sandbox, tmp_path, PROFILE, "probe", "lab")
    assert len([c for c in sandbox.calls if "AccessSecretVersion" in str(c)]) == 1, sandbox.calls


def test_a_fix_reads_the_version_its_canary_echoes_once(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """`fix` reads the versions its journal entry references before its question
    (`drift.fix.payloads`); the echo masker of its probes takes that read (the check's value
    reads, `Context.known`), so the failed canary's echo costs no second AccessSecretVersion
    (task 852: the read added for the journal is the one the echo used to make)."""
    sandbox = make_sandbox(_world())
    sandbox.clear_calls()
    done = drift_on(sandbox, tmp_path, PROFILE, "fix", "lab", "--yes")
    assert done.returncode == 4 and VALUE not in done.stdout + done.stderr, done.stdout
    reads = [c.request.name for c in sandbox.calls if c.short == "AccessSecretVersion"]
    assert reads == ["projects/p/secrets/api-key/versions/1"], reads
