"""The fix's re-check shows its own probes; the canary's proof (the revision that served
before the fix failing, the canary passing) is said to be of before the fix, apart from them:
a reader, or a script reading `probes[].ok`, never takes the old failure for the re-check's
(revfirstday 5). The JSON's `probes` agree with its summary; the proof is `proof`."""

from __future__ import annotations

import json
from pathlib import Path

import jsonschema

from drift.sandbox import Sandbox
from tests.cliutil import REPO, drift

SCHEMA = json.loads((REPO / "tests" / "data" / "report.schema.json").read_text())


def _env(sandbox: Sandbox, tmp_path: Path) -> dict[str, str]:
    return {
        **sandbox.environ(),
        **sandbox.test_tokens(),
        "DRIFT_JOURNAL_DIR": str(tmp_path / "journal"),
    }


def test_the_recheck_does_not_show_the_old_failure_as_its_own(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """The README's example: `drift fix e2e --service api --yes`."""
    done = drift("fix", "e2e", "--service", "api", "--yes", env=_env(sandbox, tmp_path), cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    recheck = done.stdout[done.stdout.index("re-check after the fix:") :]
    assert "no drift (exit 0)" in recheck
    probes, _, proof = recheck.partition("The canary's proof, taken before the fix moved")
    assert "close_1011" not in probes  # the re-check's own probes: the fixed revision's
    (failing,) = [line for line in proof.splitlines() if "close_1011" in line]
    assert failing.lstrip().startswith("before the fix:"), failing
    assert "the patch fixes the failure" in proof


def test_the_recheck_json_probes_agree_with_its_summary(sandbox: Sandbox, tmp_path: Path) -> None:
    env = _env(sandbox, tmp_path)
    done = drift("fix", "e2e", "-s", "api", "--yes", "--format", "json", env=env, cwd=REPO)
    assert done.returncode == 0, done.stdout + done.stderr
    report = json.loads(done.stdout)  # prose goes to stderr with --format json
    jsonschema.validate(report, SCHEMA)
    assert report["summary"]["errors"] == 0 and report["status"] == "clean"
    assert report["probes"] and all(p["outcome"] == "ok" for p in report["probes"])
    assert all(p["confirmed"] is None for p in report["probes"])
    (proof,) = report["proof"]
    assert proof["service"] == "api" and proof["confirmed"] is True
    assert proof["before"]["outcome"] == "close_1011" and proof["canary"]["outcome"] == "ok"
    assert proof["canary"]["revision"] == report["probes"][0]["revision"]


def test_a_check_report_has_no_proof(sandbox: Sandbox) -> None:
    done = drift("check", "staging", "--format", "json", env=sandbox.environ(), cwd=REPO)
    assert "proof" not in json.loads(done.stdout)


def test_a_proof_whose_two_probes_passed_is_not_said_unconfirmed(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """revown68: `drift fix staging --service api --yes` on the default sandbox, where what
    serves passes its probe: the proof's headline said "not confirmed", as if the patch were in
    doubt; there was no failure to confirm (`confirmed` stays false, as SPEC has it)."""
    done = drift(
        "fix", "staging", "--service", "api", "--yes", env=_env(sandbox, tmp_path), cwd=REPO
    )
    recheck = done.stdout[done.stdout.index("re-check after the fix:") :]
    _, _, proof = recheck.partition("The canary's proof, taken before the fix moved")
    assert "api  nothing to confirm: what served passed its probe before the fix too" in proof
    assert "not confirmed" not in proof, proof
