"""`drift.probe` re-exports what other modules import, and importing it loads no websockets."""

from __future__ import annotations

import subprocess
import sys

import drift.probe
from drift.probe import client

LOADED = """
import sys
import drift.probe
print(",".join(sorted(m for m in sys.modules if m.startswith(("google", "grpc", "websockets")))))
"""


def test_importing_the_package_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""


def test_every_reexport_resolves() -> None:
    for name in drift.probe.__all__:
        assert getattr(drift.probe, name) is not None, name
    assert drift.probe.probe is client.probe and drift.probe.probe_all is client.probe_all
