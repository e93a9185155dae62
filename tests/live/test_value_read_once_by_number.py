"""helper-781 C2: one secret version's value is read once a run however the workloads name it
(SPEC: each API call is made once; each read is an entry in Secret Manager's data-access audit
log): two services holding the very same reference, and one holding `latest` while the other
pins the version `latest` is (the read of `latest` answers with the version it resolved to,
AccessSecretVersionResponse.name, google/cloud/secretmanager/v1/service.proto)."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.live.shapes import run


def _world(pins: dict[str, str], versions: list[str]) -> dict[str, Any]:
    def service(name: str) -> dict[str, Any]:
        ref = {"secret": "db-url", "version": pins[name]}
        account = f"{name}@p.iam.gserviceaccount.com"
        return {"template": {"service_account": account, "env": {"DB": ref}}}

    return {
        "projects": {
            "p": {
                "number": 111,
                "region": "us-central1",
                "secrets": {"db-url": {"versions": versions}},
                "services": {name: service(name) for name in pins},
            }
        }
    }


def _profile(folder: Path, pins: dict[str, str]) -> Path:
    rule = "{{secret: db-url, version: '{}', min_length: 8}}"
    services = "".join(f"  {n}:\n    env:\n      DB: {rule.format(v)}\n" for n, v in pins.items())
    (folder / "prod.yaml").write_text(f"project: p\nregion: us-central1\nservices:\n{services}")
    return folder


def _reads(sandbox: Sandbox) -> Counter[str]:
    calls = sandbox.calls
    return Counter(c.request.name for c in calls if c.short == "AccessSecretVersion")


VERSIONS = "projects/p/secrets/db-url/versions"


@pytest.mark.parametrize("pinned", ["api", "web"])  # whichever is described first
@pytest.mark.parametrize(
    ("pin", "versions", "read"),
    [
        ("latest", ["fake-db-url-123456"], 1),  # the very same reference
        ("1", ["fake-db-url-123456"], 1),  # `latest` is version 1: by either name, once
        ("1", ["fake-db-url-123456", "fake-db-url-654321"], 2),  # `latest` is version 2
    ],
)
def test_check_reads_each_version_once(
    make_sandbox: MakeSandbox,
    monkeypatch: pytest.MonkeyPatch,
    tmp_path: Path,
    pinned: str,
    pin: str,
    versions: list[str],
    read: int,
) -> None:
    pins = {"api": "latest", "web": "latest"} | {pinned: pin}
    sandbox = make_sandbox(_world(pins, versions))
    result = run(sandbox, monkeypatch, _profile(tmp_path, pins))
    reads = _reads(sandbox)
    assert sorted(reads.values()) == [1] * read, reads
    assert set(reads) <= {f"{VERSIONS}/latest", f"{VERSIONS}/{pin}"}, reads
    # the values were judged: no rule left unverified, none broken
    assert not result.report.unverified and not [
        f for f in result.report.findings if f.rule.startswith("env.")
    ], result.report
