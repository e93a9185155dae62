"""The README cannot rot: every `drift` command it shows runs (against the sandbox) without a
usage error, every command of `drift --help` is documented, and its config example loads."""

from __future__ import annotations

import re
import shlex
import shutil
from functools import cache
from pathlib import Path
from typing import Any

import pytest

from drift.sandbox import Sandbox, mint_test_jwt
from tests.cliutil import REPO, drift

README = (REPO / "README.md").read_text()
BLOCKS = re.findall(r"```(?:sh|bash)\n(.*?)```", README, flags=re.S)
COMMANDS = [
    line.split("#", 1)[0].strip()
    for block in BLOCKS
    for line in block.splitlines()
    if line.startswith("drift ")
]
# a server in the foreground; its own tests start it (tests/sandbox)
NOT_RUN = {"drift sandbox &"}
# what each command is expected to answer against the shipped story
EXPECTED = {"drift fix e2e --service api": 4}  # no terminal, no --yes: the answer is no
# files a command reads that an earlier README command writes
MADE_BY = {"--plan plan.json": "drift plan staging --out plan.json"}


def test_readme_shows_the_two_setup_commands() -> None:
    assert "make demo" in BLOCKS[0] and "make test" in BLOCKS[0]
    assert (REPO / ".ci" / "run").read_text().rstrip().endswith("make test")


@pytest.mark.parametrize("command", [c for c in COMMANDS if c not in NOT_RUN])
def test_readme_command_runs(command: str, sandbox: Sandbox, tmp_path: Path) -> None:
    shutil.copytree(REPO / "profiles", tmp_path / "profiles")
    if command.startswith("drift init staging"):
        (tmp_path / "profiles" / "staging.yaml").unlink()
    env = {
        **sandbox.environ(),
        "ACME_TEST_JWT": mint_test_jwt(
            sandbox.secret_value("acme-chat-staging", "jwt-secret-staging")
        ),
    }
    for needs, maker in MADE_BY.items():
        if needs in command:
            assert maker in COMMANDS
            drift(*shlex.split(maker)[1:], env=env, cwd=tmp_path)
    args = shlex.split(command)[1:]
    if "--baseline" in args:  # the earlier run it is compared with
        earlier = drift(
            "check", args[1], "--json", args[args.index("--baseline") + 1], env=env, cwd=tmp_path
        )
        assert earlier.returncode in (0, 1, 3), earlier.stderr
    done = drift(*args, env=env, cwd=tmp_path)
    assert "Traceback" not in done.stderr and "Usage:" not in done.stderr, done.stderr
    assert done.returncode == EXPECTED.get(command, done.returncode)
    assert done.returncode in (0, 1, 3, 4), (command, done.stdout, done.stderr)


@cache
def _help(*command: str) -> str:
    """`drift COMMAND --help`'s text: run once per command for the tests that read it."""
    done = drift(*command, "--help")
    assert done.returncode == 0, done.stderr
    return done.stdout


def test_every_command_is_documented() -> None:
    listed = re.findall(r"^  (\w+)\s", _help().split("Commands:")[1], flags=re.M)
    assert len(listed) >= 10
    for name in listed:
        assert f"`drift {name}" in README, name


def test_every_command_has_examples_in_its_help() -> None:
    listed = re.findall(r"^  (\w+)\s", _help().split("Commands:")[1], flags=re.M)
    for name in [n for n in listed if n != "profiles"] + ["profiles validate", "profiles schema"]:
        text = _help(*name.split())
        assert "Example" in text, name


def test_config_example_loads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from drift.settings import load_settings

    (block,) = re.findall(r"```toml\n(.*?)```", README, flags=re.S)
    (tmp_path / "pyproject.toml").write_text(block)
    monkeypatch.chdir(tmp_path)
    for key in [k for k in __import__("os").environ if k.startswith("DRIFT_")]:
        monkeypatch.delenv(key)
    settings = load_settings()
    assert settings.profiles_dir == Path("deploy/profiles") and settings.concurrency == 16


def test_profile_example_validates_beside_the_shipped_base(tmp_path: Path) -> None:
    """The first profile under "## Profiles", as profiles/staging.yaml beside the shipped
    base.yaml it extends: valid as shown (revdocs60 F4: its `same_as` named a rule of auth
    that neither it nor base.yaml had)."""
    from drift.profiles.loader import validate_directory

    section = README.split("\n## Profiles", 1)[1]
    block = re.findall(r"```yaml\n(.*?)```", section, flags=re.S)[0]
    assert block.splitlines()[1].startswith("extends: base")
    (tmp_path / "staging.yaml").write_text(block)
    for name in ("base.yaml", "profile.schema.json"):
        shutil.copy(REPO / "profiles" / name, tmp_path / name)
    names, problems = validate_directory(tmp_path)
    assert "staging" in names and problems == [], problems


def _command_paths() -> list[tuple[str, ...]]:
    """Every command of the CLI, subcommands of groups included (`profiles validate`)."""
    import typer

    from drift.cli.root import app

    def walk(command: Any, path: tuple[str, ...]) -> list[tuple[str, ...]]:
        subcommands = getattr(command, "commands", None)  # a group (typer's own click)
        if subcommands is None:
            return [path]
        found = [path] if path and command.invoke_without_command else []
        for name, sub in subcommands.items():
            found += walk(sub, (*path, name))
        return found

    return walk(typer.main.get_command(app), ())


def _help_formats() -> dict[str, list[str]]:
    """`--format` choices as each command's --help shows them, for those that take one."""
    from typer.testing import CliRunner

    from drift.cli.root import app

    found = {}
    for path in _command_paths():
        text = CliRunner().invoke(app, [*path, "--help"], prog_name="drift").output
        match = re.search(r"--format <([\w|]+)>", text)
        if match:
            found[" ".join(path)] = match.group(1).split("|")
    return found


def _readme_formats() -> dict[str, list[str]]:
    """The README's table of each command's formats: | `a`, `b` | `table`, `json` |"""
    table = README.split("| command | `--format` |", 1)[1].split("\n\n", 1)[0]
    found = {}
    for row in table.splitlines()[2:]:
        commands, formats = (cell.strip() for cell in row.strip("|").split("|"))
        for command in re.findall(r"`([^`]+)`", commands):
            found[command] = re.findall(r"`([^`]+)`", formats)
    return found


def test_readme_formats_match_help() -> None:
    """Each command that takes --format is in the README's table with the choices its
    --help shows, in that order; nothing else is."""
    shown = _help_formats()
    assert {"check", "plan", "compare"} <= set(shown)  # the walk found the commands
    assert _readme_formats() == shown
    assert "--format table|json|github|sarif|markdown" not in README


def test_help_texts_say_what_the_readme_says() -> None:
    """`drift --help` (and sandbox's, profiles') cut each command's description mid-sentence
    ("Read what the serving revisions run with and diff it against..."); --project and
    --region did not name their variables as --profiles and --wait do; --manifest was
    `<str>` where every other file option is FILE; rollback's examples used change ids of two
    lengths (ids have 5 hex digits); `profiles validate` did not name [tool.drift]."""
    for group in ((), ("sandbox",), ("profiles",)):
        rows = _help(*group).split("Commands:")[1].splitlines()
        cut = [row for row in rows if row.rstrip().endswith("...")]
        assert cut == [], (group, cut)
    check = " ".join(_help("check").split())
    assert "[env DRIFT_PROJECT]" in check and "[env DRIFT_REGION]" in check
    assert "--manifest FILE" in check
    rollback = _help("rollback")
    ids = set(re.findall(r"drift rollback (\d{8}-\d{6}-\w+)", rollback))
    assert ids and all(re.fullmatch(r"\d{8}-\d{6}-[0-9a-f]{5}", i) for i in ids), ids
    validate = " ".join(_help("profiles", "validate").split())
    assert "[tool.drift] profiles_dir" in validate
