"""Importing `drift.probe` and its light submodules loads no websockets, Google or gRPC module."""

from __future__ import annotations

import subprocess
import sys

LOADED = """
import sys
import drift.probe, drift.probe.targets, drift.probe.expand, drift.probe.idtoken
print(",".join(sorted(m for m in sys.modules if m.startswith(("google", "grpc", "websockets")))))
"""


def test_importing_the_package_loads_no_heavy_library() -> None:
    done = subprocess.run(
        [sys.executable, "-c", LOADED], capture_output=True, text=True, check=True
    )
    assert done.stdout.strip() == ""
