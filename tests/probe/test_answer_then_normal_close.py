"""A request/response WebSocket endpoint under `hold: 0s` with `expect`: it answers the
expected message, then closes with 1000. That failed as `probe.unexpected` (exit 1; under
`fix` the canary "failed", exit 4) (helper-837 F2), though RFC 6455 §7.4.1 says 1000
"indicates a normal closure, meaning that the purpose for which the connection was
established has been fulfilled". With `hold: 0s` nothing was to stay open: the watch after
the message is for a crash (1011) or a drop (1006), which still fail. A hold asks the socket
to stay open: a 1000 before it ends still fails (tests/probe/test_probe.py)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.sandbox import Sandbox
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox

pytestmark = pytest.mark.sandbox

PING = """'{"type": "ping"}'"""


def _sandbox(make_sandbox: MakeSandbox) -> Sandbox:
    api = {
        "template": {"image": "x/api:1", "env": {"A": "1"}},
        "backend": {"path": "/ws", "closes_after_answer": True},
    }
    services = {"api": api}
    return make_sandbox(
        {"projects": {"p": {"number": 5, "region": "us-central1", "services": services}}}
    )


def _probe(sandbox: Sandbox, tmp_path: Path, hold: str) -> tuple[int, str]:
    profile = (
        "lab",
        "project: p\nregion: us-central1\nservices:\n  api:\n    env: {A: '1'}\n"
        f"    probe: {{websocket: /ws, hold: {hold}, send: {PING}, expect: pong, timeout: 5s}}\n",
    )
    done = drift_on(sandbox, tmp_path, profile, "probe", "lab", "--format", "json")
    return done.returncode, done.stdout + done.stderr


def test_a_normal_close_after_the_expected_answer_passes(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    code, out = _probe(_sandbox(make_sandbox), tmp_path, "0s")
    assert code == 0, out
    assert '"outcome": "ok"' in out and "closed with 1000" in out, out


def test_a_normal_close_before_the_hold_still_fails(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    code, out = _probe(_sandbox(make_sandbox), tmp_path, "1s")
    assert code == 1, out
    assert '"outcome": "unexpected"' in out, out
