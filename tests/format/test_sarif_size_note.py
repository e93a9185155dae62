"""revown29 F2 (fixgha): results the SARIF size guard leaves out (`sarif_text`, past
`UPLOAD_BYTES` gzip-compressed) are not said in the run's other outputs. `check._sarif_capped`
still counts only `RESULTS_KEPT` (`left_out_of_sarif`), so `drift check --format github
--sarif FILE` (the Action) says nothing in the annotations' run, the step summary or the JSON
report while the SARIF log drops results — whose code-scanning alerts then close as fixed on
upload. With more than 5,000 results it says a wrong count ("5,000 most severe … N left out"
while the log carries far fewer)."""

from __future__ import annotations

import json

import pytest

from drift.format import OutputFormat, formatter_for, sarif
from tests.format.test_sarif_limits import _long_values


def test_the_other_formats_say_what_the_size_guard_left_out(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from drift.cli.check import _sarif_capped

    monkeypatch.setattr(sarif, "UPLOAD_BYTES", 300_000)  # the same code path, smaller
    report, _ = _sarif_capped(_long_values(20, 30, 600))
    log = formatter_for(OutputFormat.SARIF).render(report)
    kept = len(json.loads(log)["runs"][0]["results"])
    assert kept < 600  # the guard left results out of the SARIF log
    github = formatter_for(OutputFormat.GITHUB).render(report)
    assert f"{600 - kept:,} left out" in github, list(report.notes)
