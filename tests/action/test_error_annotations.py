"""revdocs60 (noticed, not counted): under `--format github` an error that is not a bad
input's (an API refusal, an unset variable, a baseline refused, an output not written) was
only a plain stderr line, so the run's page said "exit code 2" and nothing more. Every
`drift: error:` line is now followed by the same message as an `::error` workflow command
(drift.cli.output.error), escaped as GitHub's runner reads it; the action's step passes it on,
but not for the refused baseline it recovers from (checked as a first run)."""

from __future__ import annotations

from pathlib import Path

import pytest

from drift.cli import output
from drift.cli.session import STATE
from tests.action.step import run_step
from tests.action.test_own_annotations import ANNOTATE
from tests.runner_commands import commands

HOSTILE = "cannot read the baseline gs://b/x%0A::warning::forged,\nsecond line"


@pytest.mark.parametrize("annotate", [True, False])
def test_an_error_line_is_also_an_error_annotation_under_format_github(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, annotate: bool
) -> None:
    monkeypatch.setattr(STATE, "annotate", annotate)
    output.error(HOSTILE)
    err = capsys.readouterr().err
    plain = err.splitlines()[0]
    assert plain.startswith("drift: error: cannot read the baseline gs://b/x%0A")
    if not annotate:
        assert commands(err) == []
        return
    # main: no command at all
    ((name, props, message),) = commands(err)  # one command: nothing forged in the message
    assert (name, props) == ("error", {"title": "drift"}), err
    said = err.partition("\n::error")[0].removeprefix("drift: error: ")  # its lines, as said
    assert message == said and "second line" in said, err


def test_a_bad_inputs_error_line_is_not_annotated_twice(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch
) -> None:
    """Its problems are annotated at their lines (`output.annotate`)."""
    monkeypatch.setattr(STATE, "annotate", True)
    output.error("profiles/e2e.yaml:14: not a mapping", annotated=True)
    assert commands(capsys.readouterr().err) == []


def _step(tmp_path: Path, stub: str, baseline: str = "") -> str:
    done = run_step(tmp_path, stub, baseline)
    return done.stdout + done.stderr  # the runner reads commands on both


REFUSED = (
    "drift: error: the baseline {0} is not a report\n"
    "::error title=drift::the baseline {0} is not a report"
)


def test_the_action_passes_drifts_error_annotation_on(tmp_path: Path) -> None:
    log = _step(tmp_path, f"printf '{REFUSED.format('x')}\\n' >&2; exit 2")
    assert [(n, m) for n, _, m in commands(log)] == [("error", "the baseline x is not a report")]


def test_the_action_leaves_out_the_annotation_of_a_baseline_it_recovers_from(
    tmp_path: Path,
) -> None:
    baseline = tmp_path / "old.json"
    baseline.write_text("{}")
    refuse = (
        f"case \"$*\" in *--baseline*) printf '{REFUSED.format(baseline)}\\n' >&2; exit 2;; esac"
    )
    log = _step(tmp_path, f"{refuse}\n{ANNOTATE}exit 1", str(baseline))
    assert [n for n, _, _ in commands(log)] == ["notice"] * 10 + ["warning"] * 10, log
    assert f"drift: error: the baseline {baseline} is not a report" in log  # still logged
    assert "baseline not used" in log
