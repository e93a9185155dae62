"""Review revnewer: a Cloud Run newer than the installed google-cloud-run. A live service
carries fields the client does not know (proto3 keeps unknown fields: "unknown fields are
retained during parsing and included in the serialized output", protobuf.dev/programming-
guides/proto3#unknowns). drift's read-modify-write must send them back unchanged ("fix changes
only what its plan names", SPEC): a write that drops them silently deletes a setting Google
added (a newer scaling, GPU or networking field) on the next revision.

Repro: .venv/bin/python -m pytest -q tests/newer -n 0"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, lab_cli, lab_world

pytestmark = pytest.mark.sandbox


def _varint(n: int) -> bytes:
    out = b""
    while True:
        b, n = n & 0x7F, n >> 7
        out += bytes([b | (0x80 if n else 0)])
        if not n:
            return out


def unknown(number: int, text: str) -> bytes:
    """A length-delimited field `number` (one no installed message defines) holding `text`."""
    data = text.encode()
    return _varint(number << 3 | 2) + _varint(len(data)) + data


SVC, TPL, CTR = b"NEWGOOGLE-service", b"NEWGOOGLE-template", b"NEWGOOGLE-container"


def newer_google(sandbox: Sandbox, service: str = "app") -> None:
    """The live service as a newer Cloud Run returns it: an unknown field on the Service, on
    its RevisionTemplate and on its container (stored in the sandbox, returned on the wire)."""

    def apply() -> None:
        world: Any = sandbox._core.world  # noqa: SLF001 — a test-only patch of the emulator
        rec = world.find_service(LAB, service)
        rec.pb.MergeFromString(unknown(900, SVC.decode()))
        rec.pb.template.MergeFromString(unknown(900, TPL.decode()))
        rec.pb.template.containers[0].MergeFromString(unknown(900, CTR.decode()))

    sandbox._run(apply)  # noqa: SLF001


def _bytes(request: Any) -> bytes:
    return (
        request.SerializeToString()
        if hasattr(request, "SerializeToString")
        else (type(request).serialize(request))
    )


def writes(sandbox: Sandbox, method: str = "UpdateService") -> list[bytes]:
    return [_bytes(c.request) for c in sandbox.calls if c.short == method]


def missing(blob: bytes) -> list[str]:
    return [m.decode() for m in (SVC, TPL, CTR) if m not in blob]


def test_fix_sends_back_fields_the_client_does_not_know(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(lab_world())
    newer_google(sandbox)
    assert not missing(bytes(sandbox.service(LAB, "app")._pb.SerializeToString()))  # on the wire
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = writes(sandbox)
    assert sent, "no UpdateService"
    assert [missing(b) for b in sent] == [[] for _ in sent]


def test_rollback_sends_back_fields_the_client_does_not_know(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """Rollback rebuilds the template from the journal's JSON (drift/fix/recorded.py
    `base_template`: `to_json` at fix time, `from_json(..., ignore_unknown_fields=True)` now):
    JSON has no place for unknown fields, so the restored revision loses them."""
    sandbox = make_sandbox(lab_world())
    newer_google(sandbox)
    done = lab_cli(sandbox, tmp_path, "fix", "lab", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    assert not missing(bytes(sandbox.service(LAB, "app")._pb.SerializeToString()))
    sandbox.clear_calls()
    done = lab_cli(sandbox, tmp_path, "rollback", "--yes")
    assert done.returncode == 0, done.stdout + done.stderr
    sent = writes(sandbox)
    assert sent, "no UpdateService"
    assert [missing(b) for b in sent] == [[] for _ in sent]
    # what now runs: the restored template carries the setting again
    assert not missing(bytes(sandbox.service(LAB, "app")._pb.SerializeToString()))
