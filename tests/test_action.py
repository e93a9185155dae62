"""The GitHub Action's step (scripts/github-action.sh), run locally against the sandbox with a
fake runner environment: annotations, SARIF file, step summary appended, exit code passed on."""

from __future__ import annotations

import json
import os
import re
import stat
import subprocess
from pathlib import Path
from typing import Any

import jsonschema
from ruamel.yaml import YAML

from drift.sandbox import Fault, Sandbox
from tests.action.step import run_step
from tests.cliutil import REPO, zygote_programs
from tests.runner_commands import commands

SCRIPT = REPO / "scripts" / "github-action.sh"


def run_action(sandbox: Sandbox, tmp_path: Path, **inputs: str) -> subprocess.CompletedProcess[str]:
    # drift and python as processes of their own, forked from this worker's zygote
    drift_bin, python = zygote_programs(tmp_path / "bin")
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
    env.update(sandbox.environ())
    env.update(
        {
            "GITHUB_ACTIONS": "true",
            "GITHUB_STEP_SUMMARY": str(tmp_path / "summary.md"),
            "GITHUB_OUTPUT": str(tmp_path / "output.txt"),
            "DRIFT_BIN": str(drift_bin),
            "DRIFT_PYTHON": str(python),
            "DRIFT_ACTION_REPORT": str(tmp_path / "drift-report.json"),
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
    assert outputs(tmp_path) == {
        "exit-code": "1",
        "new-findings": "2",  # no baseline: every finding is new
        "resolved-findings": "0",
        "report": str(tmp_path / "drift-report.json"),
        "status": "drift",
    }


def outputs(tmp_path: Path) -> dict[str, str]:
    """The step's outputs, as the runner reads `$GITHUB_OUTPUT`."""
    lines = (tmp_path / "output.txt").read_text().splitlines()
    return dict(line.split("=", 1) for line in lines)


def test_action_passes_a_clean_exit_code_on(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env(
        "acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws"
    )
    done = run_action(sandbox, tmp_path, environment="staging", fail_on="error")
    assert done.returncode == 0, done.stdout + done.stderr
    assert outputs(tmp_path)["exit-code"] == "0"
    assert outputs(tmp_path)["new-findings"] == "0"
    assert outputs(tmp_path)["status"] == "clean"
    assert "no drift" in done.stdout


def test_action_rejects_a_bad_probe_input(sandbox: Sandbox, tmp_path: Path) -> None:
    done = run_action(sandbox, tmp_path, environment="staging", probe="yes")
    assert done.returncode == 2
    assert done.stdout.startswith("::error title=drift::probe must be true or false")
    # the value is escaped as the runner unescapes it: one command, no forged second one
    forged = run_action(
        sandbox, tmp_path, environment="staging", probe="yes\n::warning title=forged::all clear%"
    )
    assert forged.returncode == 2
    assert commands(forged.stdout) == [
        (
            "error",
            {"title": "drift"},
            "probe must be true or false, got 'yes\n::warning title=forged::all clear%'",
        )
    ]


def _outputs(tmp_path: Path) -> dict[str, str]:
    path = tmp_path / "output.txt"
    lines = path.read_text().splitlines() if path.exists() else []
    return dict(line.split("=", 1) for line in lines)


def test_action_bad_input_still_sets_the_exit_code_output(sandbox: Sandbox, tmp_path: Path) -> None:
    """action.yml: exit-code "2 bad input": set on every exit, so that a `continue-on-error`
    step routing on `steps.drift.outputs.exit-code` reads 2, not ''."""
    done = run_action(sandbox, tmp_path, environment="staging", probe="yes")
    assert done.returncode == 2
    assert _outputs(tmp_path) == {"exit-code": "2"}


def test_action_empty_environment_is_bad_input(sandbox: Sandbox, tmp_path: Path) -> None:
    """`environment: ${{ matrix.env }}` that expands to '': exit 2 with an annotation naming
    the input (bash's own `${X:?}` ended with 1, which reads as "drift found")."""
    done = run_action(sandbox, tmp_path, environment="")
    assert done.returncode == 2, (done.stdout, done.stderr)
    assert commands(done.stdout)[0][:2] == ("error", {"title": "drift"})
    assert "the environment input is empty" in done.stdout
    assert _outputs(tmp_path) == {"exit-code": "2"}


def test_the_action_leaves_the_jobs_python_alone() -> None:
    """setup-python's default `update-environment: true` puts its interpreter first on PATH
    for every later step of the caller's job, and drift's pinned dependencies would be
    installed into it: the action keeps its Python to itself, drift in a venv run by path."""
    steps = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text())["runs"]["steps"]
    setup = next(s for s in steps if str(s.get("uses", "")).startswith("actions/setup-python"))
    assert str(setup["with"]["update-environment"]).lower() == "false"
    install = next(s for s in steps if s.get("name") == "Install drift")
    assert "${{ steps.python.outputs.python-path }}" in install["env"].values()
    assert "-m venv" in install["run"] and "python -m pip" not in install["run"]
    check = steps[-1]["env"]
    assert check["DRIFT_BIN"] == "${{ steps.install.outputs.drift }}"
    assert check["DRIFT_PYTHON"] == "${{ steps.install.outputs.python }}"


def test_action_yml_inputs_reach_the_script() -> None:
    action = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text())
    assert set(action["inputs"]) == {
        "environment",
        "profiles",
        "python-version",
        "fail-on",
        "probe",
        "sarif-file",
        "manifest",
        "offline",
        "baseline",
        "fail-on-new",
        "report-file",
    }
    assert {
        "exit-code",
        "status",
        "sarif-file",
        "new-findings",
        "resolved-findings",
        "report",
        "python",
    } == set(action["outputs"])
    assert "0 nothing at or above fail-on drifted" in action["outputs"]["exit-code"]["description"]
    step = action["runs"]["steps"][-1]
    script = SCRIPT.read_text()
    for name in step["env"]:
        assert name in script, name
    assert step["run"] == '"$GITHUB_ACTION_PATH/scripts/github-action.sh"'
    assert 'sarif="${DRIFT_ACTION_SARIF:-drift.sarif}"' in script and '--sarif "$sarif"' in script


def test_action_gates_what_is_about_to_be_deployed(sandbox: Sandbox, tmp_path: Path) -> None:
    """`manifest:` one file per line (here a Terraform plan and a rendered service)."""
    data = REPO / "tests" / "data" / "manifest"
    sandbox.clear_calls()
    done = run_action(
        sandbox,
        tmp_path,
        environment="staging",
        manifest=f"\n  {data / 'plan.json'}  \n\n{data / 'web.service.yaml'}\n",
    )
    assert done.returncode == 1, done.stdout + done.stderr
    lines = done.stdout.splitlines()
    assert any(
        line.startswith(
            "::error file=profiles/staging.yaml,line=37,title=env.plaintext_secret (auth)::"
        )
        for line in lines
    ), done.stdout
    assert any("title=secret.missing (web)" in line for line in lines)
    assert "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" not in done.stdout
    assert "manifest:" in (tmp_path / "summary.md").read_text()
    assert outputs(tmp_path)["exit-code"] == "1"
    assert not [c for c in sandbox.calls if c.method.startswith("google.cloud.run.")]


def test_action_offline_reads_nothing(sandbox: Sandbox, tmp_path: Path) -> None:
    sandbox.clear_calls()
    plan = REPO / "tests" / "data" / "manifest" / "plan.json"
    done = run_action(sandbox, tmp_path, environment="staging", manifest=str(plan), offline="true")
    assert done.returncode == 1, done.stdout + done.stderr
    assert sandbox.calls == []
    bad = run_action(sandbox, tmp_path, environment="staging", manifest=str(plan), offline="1")
    assert bad.returncode == 2
    assert bad.stdout.startswith("::error title=drift::offline must be true or false")


def test_action_refuses_a_probe_of_a_manifest(sandbox: Sandbox, tmp_path: Path) -> None:
    plan = REPO / "tests" / "data" / "manifest" / "plan.json"
    done = run_action(sandbox, tmp_path, environment="staging", manifest=str(plan), probe="true")
    assert done.returncode == 2
    assert "--probe does not apply with --manifest" in done.stderr


def test_the_readme_uses_only_inputs_the_action_has() -> None:
    action = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text())
    readme = (REPO / "README.md").read_text()
    used: set[str] = set()
    for block in re.findall(r"```yaml\n(.*?)```", readme, flags=re.S):
        for step in _steps(YAML(typ="safe", pure=True).load(block)):
            if str(step.get("uses", "")).startswith("acme-chat/drift@"):
                used |= set(step.get("with") or {})
    assert "manifest" in used
    assert used <= set(action["inputs"])


def _steps(data: object) -> list[dict[str, object]]:
    """Every step of a workflow (or a list of steps) in a README block."""
    if isinstance(data, list):
        return [s for s in data if isinstance(s, dict)]
    if not isinstance(data, dict):
        return []
    jobs = data.get("jobs")
    if isinstance(jobs, dict):
        return [s for job in jobs.values() for s in _steps(job)]
    return _steps(data.get("steps"))


def test_action_compares_with_a_baseline_and_fails_only_on_new(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """A first run (no baseline file yet) gates every finding; the next one, given the
    report the first wrote (here the very file it writes again), fails only on what is new."""
    report = str(tmp_path / "drift-report.json")
    gate = {"environment": "staging", "baseline": report, "fail_on_new": "true"}
    first = run_action(sandbox, tmp_path, **gate)
    assert first.returncode == 1, first.stdout + first.stderr
    assert "drift: no baseline report yet (first run)" in first.stdout
    assert outputs(tmp_path)["new-findings"] == "2"

    (tmp_path / "output.txt").unlink()
    again = run_action(sandbox, tmp_path, **gate)
    assert again.returncode == 0, again.stdout + again.stderr
    assert outputs(tmp_path) == {
        "exit-code": "0",  # nothing new at or above fail-on...
        "new-findings": "0",
        "resolved-findings": "0",
        "report": report,
        "status": "drift",  # ...yet the drift is there (revgh bug 10)
    }
    assert json.loads(Path(report).read_text())["summary"]["new"] == 0

    (tmp_path / "output.txt").unlink()
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env("acme-chat-staging", "auth", "PUBLIC_URL", "http://auth.internal")
    changed = run_action(sandbox, tmp_path, **gate)
    assert changed.returncode == 1
    assert outputs(tmp_path)["new-findings"] == "1"
    assert outputs(tmp_path)["resolved-findings"] == "1"
    bad = run_action(sandbox, tmp_path, **{**gate, "fail_on_new": "yes"})
    assert bad.returncode == 2


def test_an_incomplete_run_closes_no_alert_and_says_so(sandbox: Sandbox, tmp_path: Path) -> None:
    """api cannot be read in the second run (web's drift still fails it: exit 1). Code scanning
    closes an alert whose result is gone: api's findings of the baseline stay in the SARIF as
    results, the run is `incomplete` (the README's upload step skips it), and the note that
    says so reaches the log and the JSON report, not only the step summary (revgh 1 and 7)."""
    report = tmp_path / "drift-report.json"
    first = run_action(sandbox, tmp_path, environment="staging", baseline=str(report))
    assert first.returncode == 1, first.stdout + first.stderr
    before = _results(tmp_path)
    sandbox.inject(Fault(method="ListServices", code="PERMISSION_DENIED"))
    sandbox.inject(Fault(method="GetService", code="PERMISSION_DENIED", match="services/api"))
    second = run_action(sandbox, tmp_path, environment="staging", baseline=str(report))
    assert second.returncode == 1, second.stdout + second.stderr
    after = _results(tmp_path)
    assert set(before) <= set(after)  # no alert of the first analysis closes
    carried = [r for r in after.values() if r["properties"]["service"] == "api"]
    assert carried and all(r["baselineState"] == "unchanged" for r in carried)
    assert all("PERMISSION_DENIED" in r["properties"]["notCheckedAgain"] for r in carried)
    assert outputs(tmp_path)["status"] == "incomplete"
    said = "could not be checked again"
    assert any(
        said in line for line in second.stdout.splitlines() if line.startswith("drift: note:")
    )
    assert any(said in note for note in json.loads(report.read_text())["notes"])


def _results(tmp_path: Path) -> dict[str, dict[str, Any]]:
    log = json.loads((tmp_path / "drift.sarif").read_text())
    return {r["partialFingerprints"]["driftFindingId/v1"]: r for r in log["runs"][0]["results"]}


def _action_arguments(tmp_path: Path, **inputs: str) -> list[str]:
    """The arguments the step gives drift (a stub drift that records them)."""
    record = tmp_path / "args"
    stub = f'printf "%s\\n" "$@" > {record}\nexit 0'
    given = {f"DRIFT_ACTION_{k.upper()}": v for k, v in inputs.items()}
    run_step(tmp_path, stub, DRIFT_ACTION_ENVIRONMENT="staging", **given)
    return record.read_text().splitlines()


def test_unset_profiles_and_fail_on_inputs_leave_drift_its_own_configuration(
    tmp_path: Path,
) -> None:
    """README "Configuration": options, then DRIFT_*, then [tool.drift], then defaults. The
    inputs' defaults were `profiles` and `error`, always passed as options: a project's
    `[tool.drift] fail_on = "warning"` or `DRIFT_FAIL_ON` never took effect in CI."""
    inputs = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text())["inputs"]
    assert inputs["profiles"]["default"] == "" and inputs["fail-on"]["default"] == ""
    args = _action_arguments(tmp_path)
    assert "--fail-on" not in args and "--profiles" not in args
    args = _action_arguments(tmp_path, profiles="deploy/profiles", fail_on="warning")
    assert args[args.index("--profiles") + 1] == "deploy/profiles"
    assert args[args.index("--fail-on") + 1] == "warning"


def test_a_clean_run_whose_sarif_was_not_written_is_no_clean_status(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """helper-533 F2: a clean check whose SARIF could not be written (a full disk, a refused
    upload) exits 3, and the step's `status` output said `clean` from the JSON report, which
    a later step takes as "upload the SARIF"; the run page said "clean … (exit 0)"."""
    import pytest

    full = tmp_path / "full"  # /dev/full's own: a script that removed it removes this one
    try:
        os.mknod(full, 0o666 | stat.S_IFCHR, os.makedev(1, 7))
    except PermissionError:
        pytest.skip("making a device node needs CAP_MKNOD")
    sandbox.set_env("acme-chat-staging", "api", "TESTING", None)
    sandbox.set_env(
        "acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws"
    )
    done = run_action(sandbox, tmp_path, environment="staging", sarif=str(full))
    assert done.returncode == 3, done.stdout + done.stderr
    assert full.is_char_device()  # left alone (helper-533 F1)
    assert outputs(tmp_path)["exit-code"] == "3"
    assert outputs(tmp_path)["status"] == "incomplete"
    headline = (tmp_path / "summary.md").read_text().splitlines()[0]
    assert headline == "## drift · staging: incomplete, not clean: 1 output not written"
