"""Words of a container's command line that its compared text could not tell apart before
(helper-690 "Not done"): an empty argument (`--flag ""`) was dropped when read, so `[--flag,
""]` read as `[--flag]` (a false clean) and a fix rewriting args dropped it; the one argument
`none` read as `none`, which is no args at all to a profile (init wrote it so). Both are read
as they are now, compared item by item, and shown in double quotes (`lists.ordered`)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from drift.fields.lists import ordered, profile_words, words
from tests.cliutil import drift_on
from tests.conftest import MakeSandbox
from tests.fields.test_container_command import P, _findings, _run, _service, _words


@pytest.mark.parametrize(
    "held",
    [[], [""], ["--flag", ""], ["none"], ["none", "x"], ['"x"'], ['"'], ["a,b", "c\\d"], ["", ""]]
    + [[" lead", "x", "trail "], ["\tx"], ["x\n"], [" "], ["a", " b "]],
)
def test_every_list_reads_back_as_itself(held: list[str]) -> None:
    """Read, and as the text `drift init` writes of it (a profile's text is stripped: an
    item with a space at either end is quoted, helper-719 F1)."""
    assert words(ordered(held)) == held
    assert profile_words(held, "args") == ordered(held)
    assert profile_words(ordered(held), "args") == ordered(held)


def test_a_stray_comma_in_a_profiles_text_is_refused() -> None:
    with pytest.raises(ValueError, match='nothing written.*""'):
        profile_words("--flag,", "the container's args")


def test_an_empty_argument_is_drift_and_kept_by_a_fix(
    make_sandbox: MakeSandbox, tmp_path: Path
) -> None:
    sandbox = make_sandbox(_service(["--flag", ""]))
    body = "    settings:\n      args: [--flag]\n"
    code, (finding,), out = _findings(sandbox, tmp_path, body)
    assert code == 1 and (finding["actual"], finding["expected"]) == ('--flag,""', "--flag"), out
    wanted = '    settings:\n      args: [--mode, ""]\n'
    script = _run(sandbox, tmp_path, wanted, "plan", "env", "--format", "gcloud")
    assert "--args" not in script.stdout and "cannot take an empty item" in script.stdout, (
        script.stdout + script.stderr
    )
    done = _run(sandbox, tmp_path, wanted, "fix", "env", "--yes", "--no-verify")
    assert done.returncode == 0, done.stdout + done.stderr
    assert _words(sandbox)[0] == ("app", ["/server"], ["--mode", ""])
    assert _findings(sandbox, tmp_path, wanted)[:2] == (0, [])


def test_the_one_argument_none_is_no_unset_args(make_sandbox: MakeSandbox, tmp_path: Path) -> None:
    sandbox = make_sandbox(_service(["none"]))
    code, (finding,), out = _findings(sandbox, tmp_path, "    settings:\n      args: none\n")
    assert code == 1 and (finding["actual"], finding["expected"]) == ('"none"', "none"), out
    assert _findings(sandbox, tmp_path, "    settings:\n      args: [none]\n")[:2] == (0, [])
    where = ("--project", P, "--region", "us-central1")
    done = drift_on(sandbox, tmp_path, ("other", "{}"), "init", "lab", "--from-live", *where)
    assert done.returncode == 0, done.stdout + done.stderr
    written = (tmp_path / "profiles" / "lab.yaml").read_text()
    assert '      args: "\\"none\\""\n' in written, written
    checked = drift_on(sandbox, tmp_path, ("lab", written), "check", "lab", "--format", "json")
    said = [f for f in json.loads(checked.stdout)["findings"] if "args" in f["target"]]
    assert said == [], checked.stdout  # what init wrote is what runs
