"""A fix waiting on a deploy that is slow to settle says so on stderr while it waits
(`drift.fix.waiting`): after `Cadence.first` seconds, then every `Cadence.every`, naming the
service, what it waits for and the seconds so far, with no terminal (pytest's capture is a
pipe), never on stdout. Before, it waited up to 600 s saying nothing. The cadence is set short
here (10 s, then every 30 s, in use)."""

from __future__ import annotations

import re
import threading
import time
from pathlib import Path

import pytest

from drift.errors import ExitCode
from drift.fix import waiting
from drift.fix.apply import FixOptions, FixResult
from tests.conftest import MakeSandbox
from tests.fix.conftest import LAB, ScriptedUI, lab_fix, lab_world

pytestmark = pytest.mark.sandbox

SAID = re.compile(
    r"^app: waiting for (.+): (\d+) s so far "
    r"\(drift waits up to 600 s in all for this write: DRIFT_WRITE_WAIT\)$"
)


def _slow_lab(**options: object) -> dict[str, object]:
    world = lab_world()
    world["options"] = {**world["options"], **options}  # type: ignore[dict-item]
    return world


def test_a_slow_deploy_is_said_on_stderr_while_it_lasts(
    make_sandbox: MakeSandbox,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    capsys: pytest.CaptureFixture[str],
) -> None:
    sandbox = make_sandbox(_slow_lab(operation_delay_ms=1500))
    monkeypatch.setattr(waiting, "CADENCE", waiting.Cadence(first=0.3, every=0.4))
    result = lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
    assert result.exit_code is ExitCode.OK, result.summary()
    out, err = capsys.readouterr()
    lines = [line for line in err.splitlines() if "so far" in line]
    assert lines, err
    for line in lines:
        assert SAID.match(line), line
    assert any("UpdateService's operation projects/" in line for line in lines), lines
    assert any(f"(revision {result.outcomes[0].canary})" in line for line in lines), lines
    assert "so far" not in out  # stdout may carry a JSON document


def test_a_deploy_that_does_not_settle_is_said_again_and_again(
    make_sandbox: MakeSandbox, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`deploys_wait`: the canary's deploy reconciles until the test settles it."""
    sandbox = make_sandbox(_slow_lab(deploys_wait=True))
    said: list[str] = []
    monkeypatch.setattr(waiting, "CADENCE", waiting.Cadence(first=0.2, every=0.2, say=said.append))
    done: list[FixResult] = []
    fixing = threading.Thread(
        daemon=True,
        target=lambda: done.append(
            lab_fix(tmp_path, sandbox, ScriptedUI(), FixOptions(yes=True), monkeypatch)
        ),
    )
    fixing.start()
    deadline = time.monotonic() + 30
    while len(said) < 3 and time.monotonic() < deadline:
        time.sleep(0.05)
    assert len(said) >= 3, said
    first, second, third = said[:3]
    assert first.startswith("app: waiting for UpdateService's operation ") and "revision" in first
    assert [int(m.group(2)) for m in map(SAID.match, said[:3]) if m] == sorted(
        int(m.group(2)) for m in map(SAID.match, said[:3]) if m
    )
    assert second.split(": ")[1] == first.split(": ")[1] == third.split(": ")[1]  # the same wait
    while fixing.is_alive() and time.monotonic() < deadline:
        if sandbox.service(LAB, "app").reconciling:
            sandbox.finish_deploy(LAB, "app")
        time.sleep(0.05)
    fixing.join(timeout=30)
    assert done and done[0].exit_code is ExitCode.OK, done and done[0].summary()
    count = len(said)
    time.sleep(0.5)
    assert len(said) == count  # nothing more once the waits ended
