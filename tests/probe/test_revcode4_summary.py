"""revcode4 F3 (expected to FAIL on main): `drift probe` of a profile whose probed service
does not exist exits 1 with a `service.missing` error, and its summary line — the last line
of the table, the github format and the step summary — says "nothing to probe", the words of
a run with nothing wrong in it (drift.format.summary._verdict: a run that compared no
configuration is judged by its probes alone, its findings ignored)."""

from __future__ import annotations

from pathlib import Path

from drift.format.summary import summary_line
from drift.sandbox import Sandbox
from tests.probe.test_live import PROJECT, env, probe_only

__all__ = ["env"]  # the fixture, shared


def test_a_missing_probed_service_is_not_nothing_to_probe(
    sandbox: Sandbox, env: dict[str, str], tmp_path: Path
) -> None:
    (tmp_path / "x.yaml").write_text(
        f"project: {PROJECT}\nregion: us-central1\nservices:\n"
        "  ghost:\n    probe:\n      websocket: /ws\n      hold: 0.2s\n"
    )
    report = probe_only("x", env, tmp_path)
    assert report.exit_code == 1
    line = summary_line(report)
    assert "nothing to probe" not in line, line
