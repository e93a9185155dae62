"""Each test starts with the process as a drift process starts (tests/conftest.py
`_process_state_of_this_test_only`; revflaky F1): a command run in-process (typer's CliRunner,
as tests/format/test_sarif_rendered_once.py does, or an `Invocation` as
tests/profiles/test_environments.py does) sets the process-wide "drift" logger up for that
command (`drift.cli.session._logging`): level WARNING and a StreamHandler on the CliRunner's
stderr, closed once `invoke` returns. A later test of the same worker that looks for drift's
DEBUG lines with caplog saw none (tests/probe/test_probe.py::
test_credentials_never_appear_in_results_or_logs then checked nothing of drift's), and a drift
warning was written to a closed file. The two tests run in this order (file order)."""

from __future__ import annotations

import logging
from pathlib import Path

import pytest

from tests.cliutil import REPO


def test_1_a_command_run_in_process(
    sandbox_env: dict[str, str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from typer.testing import CliRunner

    from drift.cli.root import app

    monkeypatch.setenv("DRIFT_JOURNAL_DIR", str(tmp_path / "journal"))
    argv = ["check", "e2e", "--profiles", str(REPO / "profiles"), "--no-history"]
    done = CliRunner().invoke(app, argv, prog_name="drift")
    assert done.exit_code in (0, 1), done.output


def test_2_a_later_test_sees_drifts_debug_lines(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    logging.getLogger("drift.probe.client").debug("probing %s", "wss://example")
    assert [r.getMessage() for r in caplog.records] == ["probing wss://example"]
    assert logging.getLogger("drift").handlers == []  # no handler on a closed stream


def test_a_command_run_in_process_leaves_the_unraisable_hook_and_signals_as_they_were(
    tmp_path: Path,
) -> None:
    """`drift.cli.signals.ctrl_c_never_swallowed` wraps `sys.unraisablehook` for the rest of
    a drift process; run in a test's own process, every run wrapped the last one's, until a
    worker's thousandth run made a chain deeper than the recursion limit (an error in a
    `__del__` then raised RecursionError in the hook)."""
    import signal
    import sys

    from tests.inprocess import run

    hook = sys.unraisablehook
    handlers = [signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)]
    for _ in range(2):
        run(
            ("profiles", "validate", "--profiles", str(REPO / "profiles")),
            env={},
            cwd=tmp_path,
            stdin=None,
        )
    assert sys.unraisablehook is hook
    assert [signal.getsignal(n) for n in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP)] == handlers
