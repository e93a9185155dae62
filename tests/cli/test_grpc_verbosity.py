"""gRPC core's own log lines are not drift's one message (helper-810 F4: `I… chttp2_transport.cc:
1403] … Got goaway` on stderr before drift said that no emulator answers, when the sandbox
stopped during a check): drift starts gRPC at GRPC_VERBOSITY=ERROR, set before anything
imports it ("GRPC_VERBOSITY is used to set the minimum level of log messages printed by
gRPC", grpc/TROUBLESHOOTING.md), unless the user set one of their own."""

from __future__ import annotations

import subprocess
import sys

import pytest

from tests.cliutil import REPO, buffered

# drift's console entry point (`drift.cli:main`) in a fresh interpreter, which says on stderr
# what GRPC_VERBOSITY holds when anything first imports gRPC
AT_IMPORT = """
import os, sys

class Watch:
    def find_spec(self, name, path=None, target=None):
        if name == "grpc":
            sys.stderr.write(f"GRPC_VERBOSITY at import: {os.environ.get('GRPC_VERBOSITY')}\\n")
            sys.meta_path.remove(self)

sys.meta_path.insert(0, Watch())
sys.argv = ["drift", *sys.argv[1:]]
from drift.cli import main
main()
"""


@pytest.mark.parametrize(("given", "seen"), [(None, "ERROR"), ("DEBUG", "DEBUG"), ("", "")])
def test_grpc_logs_only_its_errors_unless_the_user_says_otherwise(
    sandbox_env: dict[str, str], given: str | None, seen: str
) -> None:
    env = {k: v for k, v in buffered().items() if not k.startswith(("DRIFT_", "GRPC_"))}
    env |= {**sandbox_env, "PYTHONPATH": str(REPO), "NO_COLOR": "1"}
    if given is not None:
        env["GRPC_VERBOSITY"] = given
    done = subprocess.run(
        [sys.executable, "-c", AT_IMPORT, "check", "staging", "--quiet"],
        capture_output=True,
        text=True,
        env=env,
        cwd=REPO,
        timeout=120,
    )
    assert done.returncode == 1, done.stderr  # the default scenario's staging drifts
    assert f"GRPC_VERBOSITY at import: {seen}\n" in done.stderr
