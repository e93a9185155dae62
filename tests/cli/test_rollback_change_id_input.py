"""helper-517's review: `drift rollback "$CHANGE_ID" --yes` with the variable unset rolled back
the latest change (an empty id read as none given), and `--from-live ENV x` (or a month 13)
ended as an internal error from a date parser. Each is one line and exit 2 now, before any
journal or API is read: nothing is rolled back."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.live.changeids import well_formed
from tests.cliutil import drift

CASES = {
    "empty id": (("", "--yes"), "CHANGE_ID is empty (an unset variable?): nothing was rolled"),
    "blank id": (("  ", "--yes"), "CHANGE_ID is empty"),
    "empty --from-live": (
        ("20261124-173012-ab12c", "--from-live", ""),
        "--from-live is empty",
    ),
    "not an id, --from-live": (("x", "--from-live", "staging"), "not a change id: 'x'"),
    "month 13, --from-live": (
        ("20261324-173012-ab12c", "--from-live", "staging"),
        "not a change id: '20261324-173012-ab12c'",
    ),
}


@pytest.mark.parametrize("case", CASES)
def test_a_change_id_that_names_nothing_is_refused(tmp_path: Path, case: str) -> None:
    args, said = CASES[case]
    (tmp_path / "profiles").mkdir()
    done = drift("rollback", *args, cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert said in done.stderr, done.stderr
    assert "Traceback" not in done.stderr and "internal error" not in done.stderr
    assert not (tmp_path / ".drift").exists()  # no journal made, no lock taken


def test_well_formed() -> None:
    assert well_formed("20261124-173012-ab12c")
    assert well_formed("20261124-173012-ab12")
    assert not well_formed("20261124-253012-ab12c")
    assert not well_formed("20261124-173012-AB12C")
    assert not well_formed("")
