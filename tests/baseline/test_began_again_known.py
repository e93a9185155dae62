"""A drift repaired (or replaced by another drift of its target) and put back by a later deploy
is `updated` against a baseline wherever this run's `since` shows its start is later than the
baseline's, not only where the good revision right before it is listed (revhist85 F3): the
revision before it listed with another drift of the target (FLAG missing between two wrong
values: no `last_good`, but a known start), and "or earlier" after a good revision newer
than the baseline's start (Cloud Run's numbers order them)."""

from __future__ import annotations

import json
import textwrap
from dataclasses import replace
from pathlib import Path
from typing import Any

import pytest

from drift.findings import BaselineState, Finding, Severity, Since, finding_id
from drift.same_drift import baseline_state
from drift.sandbox import Sandbox
from tests.conftest import MakeSandbox
from tests.history.cli import run
from tests.history.test_revsince import acme

PROFILE = """
project: acme
region: us-central1
services:
  flag: {env: {FLAG: "on"}}
"""


def _finding(revision: str, since: Since | None) -> Finding:
    return Finding(
        finding_id("prod", "flag", "env.value", "env.FLAG"),
        "env.value",
        Severity.ERROR,
        "flag",
        revision,
        "env.FLAG",
        "m",
        "on",
        "off",
        None,
        since=since,
    )


def _since(revision: str, last_good: str | None, earlier: bool = False, note: str = "") -> Since:
    return Since(revision, None, "", None, last_good, note=note, earlier=earlier)


def flag_off(make_sandbox: MakeSandbox, tmp_path: Path) -> tuple[Sandbox, Path]:
    """flag with FLAG off since flag-00002 (on in 00001), and the profile prod's folder."""
    service = {"template": {"env": {"FLAG": "off"}}, "history": [{"env": {"FLAG": "on"}}]}
    folder = tmp_path / "profiles"
    folder.mkdir()
    (folder / "prod.yaml").write_text(textwrap.dedent(PROFILE))
    return make_sandbox(acme({"flag": service})), folder


def test_a_wrong_value_put_back_after_the_variable_was_missing_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """The baseline: FLAG off since flag-00002. Then a deploy removes FLAG (00003: env.missing,
    another finding) and another sets it off again (00004): the env.value drift began again on
    00004, whose `since` has no last good (00003 had FLAG missing), but its start is known."""
    sandbox, folder = flag_off(make_sandbox, tmp_path)
    last = tmp_path / "last.json"
    first = run(sandbox, folder, "check", "prod", "--format", "json", "--output", str(last))
    assert first.returncode == 1, first.stderr
    (before,) = json.loads(last.read_text())["findings"]
    assert before["since"]["revision"].startswith("flag-00002-"), before
    sandbox.set_env("acme", "flag", "FLAG", None)
    sandbox.set_env("acme", "flag", "FLAG", "off")
    done = run(sandbox, folder, "check", "prod", "--format", "json", "--baseline", str(last))
    (found,) = json.loads(done.stdout)["findings"]
    assert found["since"]["revision"].startswith("flag-00004-"), found
    assert found["since"]["last_good"] is None and "env.missing" in found["since"]["note"]
    assert found["baseline"] == "updated", found


def test_or_earlier_after_a_good_revision_newer_than_the_baseline_start_is_updated() -> None:
    """The baseline: since flag-00002-aaa. Now: since flag-00005-eee or earlier (00004 deleted),
    last good flag-00003-ccc: a good revision after the baseline's start, so the drift began
    again on 00004 or 00005."""
    before = [_finding("flag-00002-aaa", _since("flag-00002-aaa", "flag-00001-zzz"))]
    now = _finding("flag-00005-eee", _since("flag-00005-eee", "flag-00003-ccc", earlier=True))
    assert baseline_state(now, before) is BaselineState.UPDATED
    # a run that reaches back to the baseline's start, or whose start may be older: unchanged
    for since in (
        _since("flag-00002-aaa", "flag-00001-zzz"),
        _since("flag-00005-eee", "flag-00001-zzz", earlier=True),
        _since("flag-00005-eee", None, earlier=True),  # as old as the oldest listed, with gaps
    ):
        assert baseline_state(replace(now, since=since), before) is BaselineState.UNCHANGED


@pytest.mark.parametrize("first", ["flag-00001-aaa", "flag-00002-aaa"])
def test_a_start_with_no_last_good_is_known_only_where_nothing_before_it_is_unlisted(
    first: str,
) -> None:
    """No last good and not "or earlier": the revision before the start was listed and had
    another drift of the target, or the start is revision 00001 (nothing before it). Names a
    writer chose carry no number: such a start stays unknown, the rest decides."""
    before = [_finding(first, _since(first, None))]
    now = _finding("flag-00004-ddd", _since("flag-00004-ddd", None, note="before it, …"))
    assert baseline_state(now, before) is BaselineState.UPDATED
    named = _finding("flag-v9", _since("flag-v9", None))
    assert baseline_state(named, before) is BaselineState.UNCHANGED


def test_a_known_start_older_than_the_baselines_is_no_later_deploy() -> None:
    """A run that now reaches further back than the baseline's (the revision before the
    baseline's start judged otherwise, as tests/test_check_never_clean.py's tagged revision)
    did not begin on a later deploy: the rest decides."""
    before = [_finding("flag-00002-bbb", _since("flag-00002-bbb", "flag-00001-aaa"))]
    now = _finding("flag-00002-bbb", _since("flag-00001-aaa", None))
    assert baseline_state(now, before) is BaselineState.UNCHANGED


def _checked(sandbox: Sandbox, folder: Path, *args: str) -> tuple[int, dict[str, Any]]:
    done = run(sandbox, folder, "check", "prod", "--format", "json", *args)
    return done.returncode, json.loads(done.stdout)


def test_a_drift_put_back_after_a_baseline_with_no_since_is_updated(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    """helper-835 F2 (failed before): the baseline, written with `--no-history`, found FLAG off
    on flag-00002 and recorded no start. Then FLAG on (00003), and off again (00004): this run's
    last good revision, 00003, is one Cloud Run numbered after the one the baseline found the
    drift on, so it began again: `updated` (exit 1 with --fail-on-new), not `unchanged`. With
    `--no-history` too, the run cannot tell: `unchanged`, and a note says so."""
    sandbox, folder = flag_off(make_sandbox, tmp_path)
    last = tmp_path / "last.json"
    first = run(sandbox, folder, "check", "prod", "--no-history", "--json", str(last))
    assert first.returncode == 1 and "since" not in last.read_text(), first.stdout
    _, same = _checked(sandbox, folder, "--baseline", str(last), "--fail-on-new")
    assert [f["baseline"] for f in same["findings"]] == ["unchanged"]  # never repaired
    sandbox.set_env("acme", "flag", "FLAG", "on")
    sandbox.set_env("acme", "flag", "FLAG", "off")
    code, report = _checked(sandbox, folder, "--baseline", str(last), "--fail-on-new")
    (found,) = report["findings"]
    assert found["since"]["last_good"].startswith("flag-00003-"), found
    assert (code, found["baseline"]) == (1, "updated"), found
    assert not [n for n in report["notes"] if "put back" in n], report["notes"]
    args = ("--baseline", str(last), "--fail-on-new", "--no-history")
    code, blind = _checked(sandbox, folder, *args)
    assert (code, [f["baseline"] for f in blind["findings"]]) == (0, ["unchanged"])
    assert [n for n in blind["notes"] if "put back" in n] == [PUT_BACK], blind["notes"]


PUT_BACK = (
    "no revision history was read (--no-history, or a manifest): a drift repaired and put back "
    "since the baseline cannot be told from one that never left, and is counted unchanged"
)


def test_a_good_revision_after_every_one_the_baseline_found_the_drift_on() -> None:
    """A baseline with no start: updated only where the last good revision is numbered after
    each revision the drift held on (`also_on` too), all of them numbered."""
    now = _finding("flag-00007-ggg", _since("flag-00007-ggg", "flag-00006-fff"))
    before = _finding("flag-00004-ddd", None)
    assert baseline_state(now, [before]) is BaselineState.UPDATED
    for held in (
        replace(before, also_on=("flag-00006-fff",)),  # the split held it after 00006 too
        replace(before, also_on=("flag-v9",)),  # a name its writer chose: no number
        replace(before, revision="flag-00006-fff"),
    ):
        assert baseline_state(now, [held]) is BaselineState.UNCHANGED, held
    for since in (None, _since("flag-00007-ggg", None)):  # no good revision listed
        assert baseline_state(replace(now, since=since), [before]) is BaselineState.UNCHANGED
