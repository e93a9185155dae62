"""A baseline is input from a file: anything but a drift JSON report of the same environment is
one clear message naming the file and exit 2 (nothing is checked), never a traceback; a
report with hostile strings in it is shown safely in every format and never unmasked."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest

from drift.format import OutputFormat
from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

FINDING: dict[str, Any] = {
    "id": "0123456789abcdef",
    "rule": "env.missing",
    "severity": "error",
    "service": "api",
    "revision": "api-00001-abc",
    "target": "env.GONE",
    "message": "GONE is not set",
    "expected": "secret gone:latest",
    "actual": None,
    "location": {"file": "profiles/staging.yaml", "line": 3},
    "ignored": False,
}


def report(**changes: Any) -> dict[str, Any]:
    data: dict[str, Any] = {
        "schema": "drift.report/v1",
        "environment": "staging",
        "project": "acme-chat-staging",
        "region": "us-central1",
        "status": "drift",
        "exit_code": 1,
        "summary": {},
        "findings": [dict(FINDING)],
        "probes": [],
        "unverified": [],
        "fix_commands": [],
    }
    data.update(changes)
    return data


def write(tmp_path: Path, content: str | bytes) -> Path:
    path = tmp_path / "baseline.json"
    if isinstance(content, bytes):
        path.write_bytes(content)
    else:
        path.write_text(content)
    return path


CASES: dict[str, tuple[Any, str]] = {
    "malformed JSON": ('{"schema": "drift.report/v1",', "is not valid JSON"),
    "not UTF-8": (b'{"schema": "\xff"}', "is not valid JSON"),
    # Python's "maximum recursion depth exceeded while decoding…" in drift's words (helper-810)
    "nested too deep": ("[" * 200_000 + "]" * 200_000, "is not valid JSON: nested too deeply"),
    "a list": ("[]", "is no drift report (it has no schema)"),
    "another schema": (json.dumps(report(schema="drift.history/v1")), "schema 'drift.history/v1'"),
    "a newer drift's": (  # revcompat F4: not "pass a report written with --format json"
        json.dumps(report(schema="drift.report/v2")),
        "was written by a newer drift (drift.report/v2; this drift reads drift.report/v1): "
        "upgrade drift or write it again with this one (`drift check ENVIRONMENT --json FILE`)",
    ),
    "a SARIF log": (json.dumps({"$schema": "x", "version": "2.1.0", "runs": []}), "a SARIF log"),
    "another environment": (
        json.dumps(report(environment="production")),
        "is a report of environment production",
    ),
    "another project": (json.dumps(report(project="acme-chat-prod")), "(acme-chat-prod,"),
    "findings not a list": (
        json.dumps(report(findings={})),
        "findings: Input should be a valid list",
    ),
    "a bad severity": (
        json.dumps(report(findings=[{**FINDING, "severity": "fatal"}])),
        "findings[0].severity:",
    ),
    "an id that is no fingerprint": (
        json.dumps(report(findings=[{**FINDING, "id": "../../etc"}])),
        "findings[0].id:",
    ),
    "a number for a text": (
        json.dumps(report(findings=[{**FINDING, "target": 7}])),
        "findings[0].target:",
    ),
    # helper-611 F6: no JSON (RFC 8259), which Python's reader takes
    "NaN": (
        json.dumps(report()).replace('"exit_code": 1', '"exit_code": NaN'),
        "is not valid JSON",
    ),
    "Infinity": (json.dumps(report(summary={"services": float("inf")})), "is not valid JSON"),
    # helper-766's rule for a manifest (RFC 7493): a hand-merged report is not read as half
    # of itself, the first list of findings dropped unsaid
    "a key said twice": (
        json.dumps(report()).replace('"findings": [', '"findings": [], "findings": [', 1),
        'is not valid JSON: duplicate key "findings" at the top level',
    ),
    "a lone surrogate": (
        json.dumps(report()).replace("GONE is not set", "GONE \\udc80 is not set"),
        "is not valid JSON: ",
    ),
    "a line no file has": (
        json.dumps(report(findings=[{**FINDING, "location": {"file": "p.yaml", "line": 10**30}}])),
        "findings[0].location.line:",
    ),
}


@pytest.mark.parametrize("case", CASES, ids=list(CASES))
def test_a_bad_baseline_is_exit_2_naming_the_file(tmp_path: Path, case: str) -> None:
    content, says = CASES[case]
    path = write(tmp_path, content)
    done = drift("check", "staging", "--baseline", str(path))
    assert done.returncode == 2, done.stdout + done.stderr
    first = done.stderr.splitlines()[0]
    assert first.startswith("drift: error: ") and str(path) in first, done.stderr
    assert says in done.stderr
    assert "Traceback" not in done.stderr and done.stdout == ""
    assert "newer" not in case or "--format json" not in done.stderr, done.stderr


def test_a_missing_or_unreadable_baseline(tmp_path: Path) -> None:
    """A missing one (the first run of a schedule) says how to write one (helper-835 F6: no
    hint, where every other bad baseline had one); a directory is no first run."""
    for path, hint in ((tmp_path / "nope.json", True), (tmp_path, False)):
        done = drift("check", "staging", "--baseline", str(path))
        assert done.returncode == 2
        assert done.stderr.startswith(f"drift: error: cannot read the baseline {path}: ")
        said = "a first run has none: write one with --json FILE" in done.stderr
        assert said is hint, done.stderr


def test_a_huge_baseline_is_refused_without_reading_it_all(tmp_path: Path) -> None:
    path = tmp_path / "huge.json"
    with path.open("wb") as handle:
        handle.truncate(65 * 1024 * 1024)  # sparse: no time spent writing it
    done = drift("check", "staging", "--baseline", str(path))
    assert done.returncode == 2
    assert "is over 64 MiB" in done.stderr and "Traceback" not in done.stderr


HOSTILE = "x\x1b]52;c;cGF3bmVk\x07 ::error::forged%0A\n::warning::two <img src=x> @octocat | `"


@pytest.mark.sandbox
@pytest.mark.parametrize("fmt", list(OutputFormat))
def test_hostile_strings_in_a_baseline_are_shown_safely(
    sandbox: Sandbox, tmp_path: Path, fmt: OutputFormat
) -> None:
    """A resolved finding comes from the file: its text is escaped like a live value in every
    format, and "***" stays "***" (nothing is ever unmasked)."""
    gone = {
        **FINDING,
        "service": "api",
        "target": f"env.{HOSTILE}",
        "message": HOSTILE,
        "expected": "***",
        "actual": HOSTILE,
        "location": {"file": f"profiles/{HOSTILE}.yaml", "line": 1},
    }
    path = write(tmp_path, json.dumps(report(findings=[gone])))
    done = drift(
        "check", "staging", "--baseline", str(path), "--format", fmt.value, env=sandbox.environ()
    )
    assert done.returncode == 1, done.stderr
    assert "Traceback" not in done.stderr
    out = done.stdout
    if fmt is OutputFormat.JSON:  # values as they are, JSON-escaped
        (resolved,) = json.loads(out)["resolved"]
        assert resolved["message"] == HOSTILE and resolved["expected"] == "***"
        return
    if fmt is OutputFormat.SARIF:  # resolved: no result at all (code scanning closes its alert)
        results = json.loads(out)["runs"][0]["results"]
        assert results and not [r for r in results if r["message"]["text"].startswith(HOSTILE)]
        return
    assert "\x1b" not in out and "\x07" not in out
    lines = out.splitlines()
    # no line a runner would read as a workflow command but drift's own
    commands = [line for line in lines if line.startswith("::")]
    assert all(re.match(r"::(error|warning|notice) ", line) for line in commands), commands
    assert not any(line.startswith("::warning::two") for line in lines)
    if fmt is OutputFormat.MARKDOWN:
        assert not re.search(r"(?<!\\)<img", out)  # escaped: shown, never rendered


def test_a_refused_baseline_is_named_as_written(tmp_path: Path) -> None:
    """`./last.json` stays itself in the refusal: the GitHub Action recognises a refused
    baseline by its name in drift's error, and then checks as a first run (revown2 4)."""
    write(tmp_path, json.dumps(report(environment="production")))
    args = ("check", "staging", "--profiles", str(REPO / "profiles"))
    done = drift(*args, "--baseline", "./baseline.json", cwd=tmp_path)
    assert done.returncode == 2, done.stdout + done.stderr
    assert done.stderr.startswith("drift: error: ./baseline.json is a report of "), done.stderr
