"""`drift check` writing a SARIF log renders it once (note13 "Left": the log was rendered a
second time only to count what it left out, about 0.5 s at 30,000 findings), and what it writes
is the log `SarifFormat` renders (fixleft3)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from drift.format import sarif
from tests.cliutil import REPO


@pytest.mark.parametrize(
    "args",
    [
        ["--format", "github", "--sarif", "{out}/a.sarif"],
        ["--format", "sarif", "--output", "{out}/a.sarif"],
        ["--format", "sarif", "--output", "{out}/a.sarif", "--sarif", "{out}/b.sarif"],
    ],
    ids=["github+sarif", "sarif", "sarif+sarif"],
)
def test_a_sarif_log_is_rendered_once(
    sandbox_env: dict[str, str],
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    args: list[str],
) -> None:
    from typer.testing import CliRunner

    from drift.cli.root import app

    made: list[int] = []
    real = sarif.sarif_log

    def counted(*given: Any, **named: Any) -> dict[str, Any]:
        made.append(1)
        return real(*given, **named)

    monkeypatch.setattr(sarif, "sarif_log", counted)
    monkeypatch.setenv("DRIFT_JOURNAL_DIR", str(tmp_path / "journal"))
    argv = ["check", "e2e", "--profiles", str(REPO / "profiles"), "--no-history"]
    argv += [a.format(out=tmp_path) for a in args]
    done = CliRunner().invoke(app, argv, prog_name="drift")
    assert done.exit_code in (0, 1), (done.exit_code, done.output)
    assert len(made) == 1, len(made)  # main: 2 (3 with both --output and --sarif)
    logs = sorted(tmp_path.glob("*.sarif"))
    texts = {p.read_text() for p in logs}
    assert len(texts) == 1, logs  # the same log wherever it is written
    (run,) = json.loads(texts.pop())["runs"]
    assert run["tool"]["driver"]["name"] == "drift"
