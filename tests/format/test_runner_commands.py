"""No live value becomes a workflow command in a CI log: every format of `check`, and the
table of `plan` and `history`, read by the runner's own parser (tests/runner_commands.py),
`::` and legacy `##[` forms alike (revgh bug 2). JSON stays lossless."""

from __future__ import annotations

import json

import pytest

from drift.format import OutputFormat, formatter_for
from drift.sandbox import Sandbox
from tests.cliutil import drift
from tests.format.test_hostile_values import hostile_report
from tests.runner_commands import commands

HIJACK = "##[stop-commands]drift-silenced"
FORGED = "ok ##[error title=forged]all clear ##[add-mask]drift"
CONTROL = {"stop-commands", "add-mask", "set-output", "save-state", "set-env", "add-path"}


def hijacked(text: str) -> list[tuple[str, dict[str, str], str]]:
    """Commands a live value made: any that controls the runner, or any annotation it forged."""
    return [c for c in commands(text) if c[0] in CONTROL or "forged" in str(c[1])]


@pytest.mark.parametrize("fmt", list(OutputFormat))
@pytest.mark.parametrize("value", [HIJACK, FORGED])
def test_no_check_format_lets_a_value_run_a_command(fmt: OutputFormat, value: str) -> None:
    text = formatter_for(fmt, width=200).render(hostile_report(value))
    assert hijacked(text) == []
    if fmt is not OutputFormat.GITHUB:  # only the github format has commands of its own
        assert commands(text) == []
    if fmt in (OutputFormat.JSON, OutputFormat.SARIF):
        assert "##[" not in text and "##\\u005b" in text
        assert value in json.dumps(json.loads(text), ensure_ascii=False)  # the same strings


@pytest.mark.sandbox
@pytest.mark.parametrize(
    "args",
    [
        ("check",),
        ("check", "--format", "json"),
        ("check", "--format", "github"),
        ("check", "--format", "markdown"),
        ("plan",),
        ("plan", "--format", "json"),
        ("history",),
    ],
    ids=" ".join,
)
def test_no_command_prints_a_value_a_runner_runs(sandbox: Sandbox, args: tuple[str, ...]) -> None:
    sandbox.set_env("acme-chat-staging", "web", "NEXT_PUBLIC_WS_URL", HIJACK)
    sandbox.set_env("acme-chat-staging", "web", "BUILD_NOTE", FORGED)
    # a name Cloud Run takes (its documented rule: not empty, no `=`, not X_GOOGLE_…)
    sandbox.set_env("acme-chat-staging", "web", "::stop-commands::by-name", "x")
    env = {**sandbox.environ(), "GITHUB_ACTIONS": "true", "COLUMNS": "200"}
    done = drift(args[0], "staging", *args[1:], env=env)
    assert done.returncode in (0, 1), done.stderr
    assert "drift-silenced" in done.stdout or "BUILD_NOTE" in done.stdout  # the value is shown
    said = commands(done.stdout + "\n" + done.stderr)
    assert (hijacked if "github" in args else commands)(done.stdout + "\n" + done.stderr) == []
    assert all(c[0] in ("error", "warning", "notice") for c in said)  # drift's own, if any
    if "json" in args:
        assert HIJACK in done.stdout.replace("##\\u005b", "##[")
