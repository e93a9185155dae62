"""The GitHub Action's step (scripts/github-action.sh), run locally against the sandbox with a
fake runner environment: annotations, SARIF file, step summary appended, exit code passed on."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import jsonschema
from ruamel.yaml import YAML

from drift.sandbox import Sandbox
from tests.cliutil import REPO

SCRIPT = REPO / "scripts" / "github-action.sh"


def run_action(sandbox: Sandbox, tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(sandbox.environ())
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
            "DRIFT_BIN": str(Path(sys.executable).parent / "drift"),
            "DRIFT_ACTION_PROFILES": str(REPO / "profiles"),
            "DRIFT_ACTION_SARIF": str(tmp_path / "drift.sarif"),
            "NO_COLOR": "1",
        }
    )
    env.update({f"DRIFT_ACTION_{k.upper()}": v for k, v in inputs.items()})
    return subprocess.run(
        ["bash", str(SCRIPT)], capture_output=True, text=True, env=env, cwd=REPO, timeout=60
    )


def test_action_annotates_writes_sarif_and_appends_the_summary(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    summary = tmp_path / "summary.md"
    summary.write_text("## an earlier step\n")
    done = run_action(sandbox, tmp_path, environment="staging")
    assert done.returncode == 1, done.stderr
    lines = done.stdout.splitlines()
    assert any(
        line.startswith("::error file=profiles/base.yaml,line=13,title=env.forbidden (api)::")
        for line in lines
    ), done.stdout
    assert any("file=profiles/staging.yaml,line=47" in line for line in lines)
    # SARIF written by the same run, valid against the official schema
    sarif = json.loads((tmp_path / "drift.sarif").read_text())
    schema = json.loads((REPO / "tests" / "data" / "sarif-schema-2.1.0.json").read_text())
    jsonschema.Draft4Validator(schema).validate(sarif)
    rules = {r["ruleId"] for r in sarif["runs"][0]["results"]}
    assert {"env.forbidden", "env.value", "env.unexpected"} <= rules
    # the step summary is appended, not overwritten, and carries the repair commands
    text = summary.read_text()
    assert text.startswith("## an earlier step\n")
    assert "gcloud run services update api" in text and "--remove-env-vars=TESTING" in text
    assert (tmp_path / "output.txt").read_text() == "exit-code=1\n"


def test_action_passes_a_clean_exit_code_on(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env(
        "acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws"
    )
    done = run_action(sandbox, tmp_path, environment="staging", fail_on="error")
    assert done.returncode == 0, done.stdout + done.stderr
    assert (tmp_path / "output.txt").read_text() == "exit-code=0\n"
    assert "no drift" in done.stdout


def test_action_rejects_a_bad_probe_input(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run_action(sandbox, tmp_path, environment="staging", probe="yes")
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=drift::probe must be true or false")


def test_action_yml_inputs_reach_the_script() -> None:
    action = YAML(typ="safe").load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "environment",
        "profiles",
        "python-version",
        "fail-on",
        "probe",
        "sarif-file",
    }
    step = action["runs"]["steps"][-1]
    script = SCRIPT.read_text()
    for name in step["env"]:
        assert name in script, name
    assert step["run"] == '"$GITHUB_ACTION_PATH/scripts/github-action.sh"'
    assert '--sarif "${DRIFT_ACTION_SARIF' in script
