"""The scheduled workflow (examples/drift-schedule.yml) run locally, step by step as the runner
would, against the sandbox: the cache as a directory, the action's step as its script, the
`run:` steps as written, and a fake `gh` on PATH that records its calls. Four runs with
changes in between: the first opens the issue, a run with nothing new leaves it alone, new
drift comments on it and updates it, and resolving everything closes it."""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import pytest
from markdown_it import MarkdownIt
from ruamel.yaml import YAML

from drift.action.report import RunReport
from drift.report import REPORT_SCHEMA
from drift.sandbox import Sandbox, default_scenario_path
from tests.cliutil import REPO, scenario_secret_values, zygote_programs

WORKFLOW = REPO / "examples" / "drift-schedule.yml"
ACTION_STEP = REPO / "scripts" / "github-action.sh"
FAKE_GH = Path(__file__).with_name("fake_gh.py")
PROJECT = "acme-chat-staging"
HOSTILE = (
    "http://x/@octocat ::error::pwned <b>bold</b> [link](http://evil) `tick` | pipe #1 \x1b[31mred"
)
"""A value a person could deploy: a mention, a workflow command, HTML, a link, a backtick, a
table pipe, an issue reference and a terminal escape."""


class Runner:
    """The workflow's job for one environment, run the way the runner would run it."""

    def __init__(self, sandbox: Sandbox, home: Path) -> None:
        self.sandbox = sandbox
        self.home = home
        self.cache = home / "cache"
        self.cache.mkdir()
        self.bin = home / "bin"
        self.bin.mkdir()
        gh = self.bin / "gh"
        gh.write_text(
            f"#!{sys.executable}\nimport runpy\n"
            f"runpy.run_path({str(FAKE_GH)!r}, run_name='__main__')\n"
        )
        gh.chmod(0o755)
        # drift and python as processes of their own, forked from this worker's zygote
        self.drift, self.python = zygote_programs(self.bin)
        self.log = home / "gh.jsonl"
        self.state = home / "gh-state.json"
        self.runs = 0
        self.failed: list[str] = []
        """What each failed `run:` step printed."""
        self.said: list[str] = []
        """What the action's step printed, run by run."""
        self.steps = self.steps_of(WORKFLOW)
        action = YAML(typ="safe", pure=True).load((REPO / "action.yml").read_text())
        # input name -> the variable the action's step hands it to the script in
        self.inputs = {
            re.sub(r"\$\{\{\s*inputs\.([\w-]+)\s*\}\}", r"\1", value): name
            for name, value in action["runs"]["steps"][-1]["env"].items()
        }

    @staticmethod
    def steps_of(workflow: Path) -> list[dict[str, Any]]:
        jobs = YAML(typ="safe", pure=True).load(workflow.read_text())["jobs"]
        steps: list[dict[str, Any]] = jobs["drift"]["steps"]
        return steps

    def calls(self) -> list[dict[str, Any]]:
        if not self.log.exists():
            return []
        return [json.loads(line) for line in self.log.read_text().splitlines()]

    def issues(self) -> list[dict[str, Any]]:
        issues: list[dict[str, Any]] = json.loads(self.state.read_text())["issues"]
        return issues

    def run(self) -> dict[str, str]:
        """One scheduled run in a fresh checkout; the step outputs of the drift step."""
        self.runs += 1
        work = self.home / f"run{self.runs}"
        work.mkdir()
        shutil.copytree(REPO / "profiles", work / "profiles")  # actions/checkout
        outputs: dict[str, str] = {}
        outcomes: dict[str, str] = {}
        for step in self.steps:
            uses = str(step.get("uses", ""))
            if "if" in step and not self.wanted(step["if"], outputs, outcomes):
                outcomes[step.get("id", "")] = "skipped"
                continue
            with_ = {k: self.expand(str(v), outputs) for k, v in (step.get("with") or {}).items()}
            if uses.startswith(("actions/checkout@", "google-github-actions/auth@")):
                continue
            if uses.startswith("actions/cache/restore@"):
                saved = self.cache / "entry"
                if saved.exists():
                    (work / with_["path"]).parent.mkdir(parents=True, exist_ok=True)
                    shutil.copy(saved, work / with_["path"])
            elif uses.startswith("actions/cache/save@"):
                shutil.copy(work / with_["path"], self.cache / "entry")
            elif uses.startswith("acme-chat/drift@"):
                outputs = self.action(work, with_)
            else:
                env = {k: self.expand(str(v), outputs) for k, v in step.get("env", {}).items()}
                done = subprocess.run(
                    ["bash", "-e", "-c", step["run"]],
                    env=self.environ(env),
                    cwd=work,
                    capture_output=True,
                    text=True,
                    timeout=60,
                )
                outcomes[step.get("id", "")] = "success" if done.returncode == 0 else "failure"
                self.failed += [] if done.returncode == 0 else [done.stdout + done.stderr]
        return outputs

    @staticmethod
    def wanted(condition: str, outputs: dict[str, str], outcomes: dict[str, str]) -> bool:
        """The two conditions the workflow uses, as the runner evaluates them."""
        if condition == "always() && steps.drift.outputs.report != ''":
            return bool(outputs.get("report"))
        match = re.fullmatch(r"always\(\) && steps\.([\w-]+)\.outcome == 'success'", condition)
        assert match is not None, f"a condition this runner does not know: {condition}"
        return outcomes.get(match.group(1)) == "success"

    def action(self, work: Path, inputs: dict[str, str]) -> dict[str, str]:
        env = {self.inputs[k]: v for k, v in inputs.items()}
        output = work / "github-output.txt"
        env.update(
            {
                "GITHUB_ACTIONS": "true",
                "GITHUB_OUTPUT": str(output),
                "GITHUB_STEP_SUMMARY": str(work / "summary.md"),
                "DRIFT_BIN": str(self.drift),
                "DRIFT_PYTHON": str(self.python),
                **self.sandbox.environ(),
            }
        )
        done = subprocess.run(
            ["bash", str(ACTION_STEP)],
            env=self.environ(env),
            cwd=work,
            capture_output=True,
            text=True,
            timeout=60,
        )
        assert done.returncode == 0, done.stdout + done.stderr  # fail-on: never
        self.said.append(done.stdout)
        assert "Traceback" not in done.stderr
        return dict(line.split("=", 1) for line in output.read_text().splitlines())

    def environ(self, extra: dict[str, str]) -> dict[str, str]:
        base = {k: v for k, v in os.environ.items() if not k.startswith(("DRIFT_", "GITHUB_"))}
        base.update(
            {
                "PATH": f"{self.bin}{os.pathsep}{os.environ['PATH']}",
                "PYTHONPATH": str(REPO),
                "NO_COLOR": "1",
                "FAKE_GH_LOG": str(self.log),
                "FAKE_GH_STATE": str(self.state),
            }
        )
        base.update(extra)
        return base

    def expand(self, text: str, outputs: dict[str, str]) -> str:
        values = {
            "matrix.environment": "staging",
            "github.run_id": str(self.runs),
            "github.run_attempt": "1",
            "github.token": "fake-token",
            "github.repository": "acme-chat/app",
            "steps.drift.outputs.report": outputs.get("report", ""),
            "steps.drift.outputs.python": str(self.python),  # action.yml: its venv's python
        }
        return re.sub(r"\$\{\{\s*([\w.-]+)\s*\}\}", lambda m: values[m.group(1)], text)


@pytest.mark.sandbox
def test_the_scheduled_workflow_alerts_once(sandbox: Sandbox, tmp_path: Path) -> None:
    runner = Runner(sandbox, tmp_path)

    # 1. first run, no baseline yet: the two drifts are new, one issue is opened
    first = runner.run()
    assert first["new-findings"] == "2" and first["resolved-findings"] == "0"
    verbs = [c["args"][:2] for c in runner.calls()]
    # searched, the newest listed; drift's label made, the issue opened with it, the newest
    # listed again (another run may have opened one meanwhile: test_issue_concurrent)
    opened = [["label", "create"], ["issue", "create"], ["issue", "list"]]
    assert verbs == [["issue", "list"], ["issue", "list"], *opened]
    (issue,) = runner.issues()
    assert issue["title"] == "drift: configuration drift in staging"
    assert issue["labels"] == ["drift"]
    assert "env.TESTING" in issue["body"] and "env.NEXT_PUBLIC_WS_URL" in issue["body"]

    # 2. nothing changed: the issue is not touched (gh is not even asked)
    calls = len(runner.calls())
    second = runner.run()
    assert second["new-findings"] == "0" and second["resolved-findings"] == "0"
    assert len(runner.calls()) == calls

    # 3. a new drift (with hostile text in it) and a resolved one: a comment and an update
    sandbox.set_env(PROJECT, "auth", "PUBLIC_URL", HOSTILE)
    sandbox.set_env(PROJECT, "api", "TESTING", None)
    third = runner.run()
    assert third["new-findings"] == "1" and third["resolved-findings"] == "1"
    new_calls = runner.calls()[calls:]
    assert [c["args"][:2] for c in new_calls] == [
        ["issue", "list"],
        ["issue", "comment"],
        ["issue", "edit"],
    ]
    assert all(c["args"][2] == "1" for c in new_calls[1:])
    (issue,) = runner.issues()
    assert issue["state"] == "open"
    (comment,) = issue["comments"]
    assert "env.PUBLIC_URL" in comment and "env.TESTING" in comment  # new, and resolved
    for text in (comment, issue["body"]):
        assert_inert(text)

    # 4. everything resolved: the issue is closed
    sandbox.set_env(PROJECT, "auth", "PUBLIC_URL", "https://auth.staging.acme-chat.dev")
    sandbox.set_env(PROJECT, "web", "NEXT_PUBLIC_WS_URL", "wss://api.staging.acme-chat.dev/ws")
    fourth = runner.run()
    assert fourth["new-findings"] == "0" and fourth["resolved-findings"] == "2"
    assert runner.calls()[-1]["args"][:3] == ["issue", "close", "1"]
    (issue,) = runner.issues()
    assert issue["state"] == "closed"

    # 5. a cached report drift refuses (staging moved to another project): a warning and a
    # first run, whose report replaces it, instead of exit 2 on every run from now on
    entry = runner.cache / "entry"
    entry.write_text(json.dumps({**json.loads(entry.read_text()), "project": "acme-chat-old"}))
    fifth = runner.run()
    assert fifth["new-findings"] == "0" and fifth["status"] == "clean"
    assert runner.said[-1].count("drift: warning: baseline not used") == 1
    assert json.loads(entry.read_text())["project"] == PROJECT

    # no secret value in anything gh was given
    everything = json.dumps(runner.calls())
    for value in scenario_secret_values(default_scenario_path()):
        if len(value) >= 8:
            assert value not in everything
    assert runner.failed == []


@pytest.mark.sandbox
def test_an_alert_that_could_not_be_sent_goes_out_on_the_next_run(
    sandbox: Sandbox, tmp_path: Path
) -> None:
    """GitHub answers 502 while the issue step runs: that run's report must not become the
    baseline, or its drift would be "unchanged" next time and no issue would ever open."""
    runner = Runner(sandbox, tmp_path)
    down = runner.state.with_name("gh-down")
    down.touch()
    runner.run()
    (failure,) = runner.failed
    assert "issue list failed" in failure and "HTTP 502" in failure
    assert not (runner.cache / "entry").exists()  # no baseline kept
    down.unlink()
    second = runner.run()
    assert second["new-findings"] == "2"
    assert [c["args"][:2] for c in runner.calls()][-3:] == [
        ["label", "create"],
        ["issue", "create"],
        ["issue", "list"],
    ]
    assert len(runner.issues()) == 1 and (runner.cache / "entry").exists()


def test_one_environment_never_restores_another_s_report() -> None:
    """actions/cache restores, when no key matches exactly, the most recently created cache
    whose key starts with a restore key (docs.github.com, "Dependency caching reference",
    "Cache key matching"): staging's restore key must not be a prefix of staging-eu's key,
    or staging would get (and drift refuse) staging-eu's report every run."""
    steps = {s.get("name"): s for s in Runner.steps_of(WORKFLOW)}
    restore = steps["Restore the last report"]["with"]
    saved = steps["Save it"]["with"]["key"]

    def key(template: str, environment: str) -> str:
        return (
            template.replace("${{ matrix.environment }}", environment)
            .replace("${{ github.run_id }}", "42")
            .replace("${{ github.run_attempt }}", "1")
        )

    assert key(saved, "staging") == key(restore["key"], "staging")
    for mine, theirs in (("staging", "staging-eu"), ("prod", "prod-us"), ("a", "a-b-c")):
        assert key(saved, mine).startswith(key(restore["restore-keys"], mine))
        assert not key(saved, theirs).startswith(key(restore["restore-keys"], mine))


def test_a_rerun_saves_its_own_report() -> None:
    """A cache is immutable: a second save under one key fails ("Unable to reserve cache",
    actions/cache#1181). "Re-run all jobs" keeps the run_id, so the key names the attempt."""
    steps = {s.get("name"): s for s in Runner.steps_of(WORKFLOW)}
    for name in ("Restore the last report", "Save it"):
        assert "${{ github.run_attempt }}" in steps[name]["with"]["key"], name


def assert_inert(text: str) -> None:
    """Hostile text is shown, never acted on: no line a runner would read as a workflow
    command, no HTML or link made from it, and the mention only inside code (GitHub links no
    @mention and no #reference there)."""
    assert not [line for line in text.splitlines() if line.lstrip().startswith("::")]
    assert "\x1b" not in text
    html = MarkdownIt("commonmark").enable("table").render(text)
    assert "<b>" not in html and 'href="http://evil"' not in html
    outside_code = re.sub(r"<code>.*?</code>", "", html, flags=re.S)
    assert "@octocat" not in outside_code and "#1" not in outside_code
    assert "@octocat" in html  # shown, as text


def test_the_issue_is_found_among_many_newer_ones(tmp_path: Path) -> None:
    """600 issues opened since drift's: it is not among the newest 500, and is still the one
    updated, never opened again."""
    from drift.action.issue import find_issue, title_for

    title = title_for("prod")
    issues = [issue(1, title, ["drift"])] + [issue(n, f"bug {n}") for n in range(2, 602)]
    gh = fake_gh(tmp_path, issues)
    found = find_issue(gh, title)
    assert found is not None and found.number == 1


def issue(number: int, title: str, labels: list[str] | None = None) -> dict[str, Any]:
    """An open issue as the fake gh keeps it."""
    return {
        "number": number,
        "title": title,
        "state": "open",
        "body": "",
        "comments": [],
        "labels": labels or [],
    }


def fake_gh(home: Path, issues: list[dict[str, Any]]) -> Callable[[Sequence[str]], str]:
    """`gh`, the fake one, holding `issues` (and the label drift makes, if one has it)."""
    state = home / "gh-state.json"
    labels = sorted({name for i in issues for name in i["labels"]})
    state.write_text(json.dumps({"issues": issues, "labels": labels}))
    env = {**os.environ, "FAKE_GH_STATE": str(state), "FAKE_GH_LOG": str(home / "log")}

    def gh(args: Sequence[str]) -> str:
        done = subprocess.run(
            [sys.executable, str(FAKE_GH), *args], capture_output=True, text=True, env=env
        )
        assert done.returncode == 0, done.stderr
        return done.stdout

    return gh


def test_an_issue_someone_else_opened_with_the_title_is_never_adopted(tmp_path: Path) -> None:
    """Anyone can open an issue titled as drift's (a public repository) but only an account
    with push access can label a new one: drift adopts only an issue with its label, so a
    look-alike (which its author could close, silencing the alerts) is left alone and drift
    opens its own; the next alert goes to drift's own issue."""
    from drift.action.issue import Step, sync_issue, title_for

    title = title_for("staging")
    planted = issue(7, title)  # mallory's: no label (GitHub drops it for her)
    lookalike = issue(8, title, ["bug"])
    gh = fake_gh(tmp_path, [planted, lookalike])
    finding = {"severity": "error", "service": "api", "rule": "env.missing", "target": "env.A"}
    data = {"schema": REPORT_SCHEMA, "environment": "staging", "findings": [finding]}
    assert sync_issue(RunReport("report.json", data), "staging", gh) is Step.OPEN
    state = json.loads((tmp_path / "gh-state.json").read_text())
    mine = state["issues"][-1]
    assert mine["number"] not in (7, 8) and mine["labels"] == ["drift"]
    assert [i["comments"] for i in state["issues"][:2]] == [[], []]  # neither touched
    assert [i["body"] for i in state["issues"][:2]] == ["", ""]

    other = {**finding, "target": "env.B"}
    data = {**data, "findings": [finding, other]}
    assert sync_issue(RunReport("report.json", data), "staging", gh) is Step.UPDATE
    calls = [json.loads(line)["args"] for line in (tmp_path / "log").read_text().splitlines()]
    number = str(mine["number"])
    assert [c[:3] for c in calls[-2:]] == [["issue", "comment", number], ["issue", "edit", number]]


def test_the_issue_an_older_drift_opened_is_named_when_drift_opens_its_own(
    tmp_path: Path,
) -> None:
    """The scheduled check of a drift from 5947138 (11-29) to 6633af0 (11-30 04:44) opened its
    issue with no label. drift adopts only a labelled issue (anyone can open one with its
    title), so after the upgrade it opens its own; the older one, never closed by drift,
    stayed open for ever unsaid. The new issue names it and says to close it by hand
    (revupgrade F4); it is still never touched."""
    from drift.action.issue import body, sync_issue, title_for

    finding = {"severity": "error", "service": "api", "rule": "env.missing", "target": "env.A"}
    data = {"schema": REPORT_SCHEMA, "environment": "staging", "findings": [finding]}
    older = issue(7, title_for("staging"))  # as the older drift opened it: no label
    older["body"] = body(RunReport("report.json", data))
    others = [issue(5, "drift: configuration drift in prod"), issue(6, "a bug")]
    gh = fake_gh(tmp_path, [*others, older])
    sync_issue(RunReport("report.json", data), "staging", gh)
    state = json.loads((tmp_path / "gh-state.json").read_text())
    mine = state["issues"][-1]
    first = mine["body"].splitlines()[0]
    assert "#7" in first and "close it by hand" in first, mine["body"]
    assert "#5" not in mine["body"] and "#6" not in mine["body"]
    assert state["issues"][2] == older  # never touched
    clean = {"schema": REPORT_SCHEMA, "environment": "staging", "findings": []}
    sync_issue(RunReport("report.json", clean), "staging", gh)
    state = json.loads((tmp_path / "gh-state.json").read_text())
    assert [i["state"] for i in state["issues"]] == ["open", "open", "open", "closed"]
