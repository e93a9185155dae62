"""`drift COMMAND …` builds that one command (`drift.cli.root.narrowed`): typer would build
every command's options on each run. What it says must not change: each command's help, a
usage error, and what needs every command (the root's help, a misspelt command's suggestion,
shell completion)."""

from __future__ import annotations

import pytest
import typer.main
from typer.testing import CliRunner

from drift.cli.root import app, narrowed

COMMANDS = sorted(typer.main.get_command(app).commands)  # type: ignore[attr-defined]


def _built(cli: typer.Typer) -> set[str]:
    return set(typer.main.get_command(cli).commands)  # type: ignore[attr-defined]


def test_a_command_is_built_alone_and_the_app_is_left_whole() -> None:
    assert len(COMMANDS) > 5
    for name in COMMANDS:
        assert _built(narrowed([name, "x"], {})) == {name}
    assert set(_built(app)) == set(COMMANDS)


@pytest.mark.parametrize(
    ("args", "environ"),
    [
        ([], {}),
        (["--help"], {}),
        (["--version"], {}),
        (["chekc", "staging"], {}),  # "No such command 'chekc'. Did you mean 'check'?"
        (["check"], {"_DRIFT_COMPLETE": "complete_bash"}),
    ],
)
def test_what_needs_every_command_gets_them_all(args: list[str], environ: dict[str, str]) -> None:
    assert narrowed(args, environ) is app


@pytest.mark.parametrize("name", COMMANDS)
def test_a_narrowed_command_says_what_the_whole_app_says(name: str) -> None:
    runner = CliRunner()
    for args in ([name, "--help"], [name, "--no-such-option"]):
        whole = runner.invoke(app, args, prog_name="drift", env={"COLUMNS": "100"})
        alone = runner.invoke(narrowed(args, {}), args, prog_name="drift", env={"COLUMNS": "100"})
        assert (alone.exit_code, alone.output) == (whole.exit_code, whole.output), args
