"""`drift --install-completion [SHELL]` and `drift --show-completion [SHELL]`.

typer's own options take no value: the shell is the one shellingham finds running drift, and
a word after the option was never read (`drift --install-completion zsh`, from a bash, wrote
bash's script and changed ~/.bashrc; `bogus` did the same). drift's take the shell named
after them, refuse any other word with the shells there are, and say each file an install
wrote or changed. The scripts and where they go are typer's."""

from __future__ import annotations

import copy
import os
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING, Any

import typer
from typer.core import TyperOption

from drift.cli import output
from drift.errors import UsageError

if TYPE_CHECKING:
    from collections.abc import Mapping

    from typer._click.core import Command, Context

SHELLS = ("bash", "zsh", "fish", "powershell", "pwsh")
"""The shells typer has a completion script for (`typer._completion_shared.Shells`)."""
PROG, COMPLETE_VAR = "drift", "_DRIFT_COMPLETE"
OPTIONS = {"install_completion": "--install-completion", "show_completion": "--show-completion"}
HELP = {
    "install_completion": "Install completion for SHELL (bash, zsh, fish, powershell, pwsh; "
    "default: the shell running drift), and say which files changed.",
    "show_completion": "Print the completion script for SHELL (default: the shell running "
    "drift), to copy it or customize the installation.",
}


class ShellOption(TyperOption):
    """One of typer's two completion options, with the word after it read as the shell."""

    def handle_parse_result(
        self, ctx: Context, opts: Mapping[str, Any], args: list[str]
    ) -> tuple[Any, list[str]]:
        if self.name not in opts or ctx.resilient_parsing or opts.get("help"):
            return super().handle_parse_result(ctx, opts, args)  # not given: nothing to do
        given = opts[self.name]  # True; or the shell, where typer's tests made it a value
        words = [given, *args] if isinstance(given, str) else list(args)
        option = OPTIONS[str(self.name)]
        if len(words) > 1:
            raise UsageError(
                f"{option} takes one shell, not {len(words)}: {' '.join(words)}",
                hint=f"{PROG} {option} SHELL, SHELL one of {', '.join(SHELLS)}",
            )
        shell = _shell(words[0] if words else None, option)
        if self.name == "install_completion":
            _install(shell)
        else:
            from typer._completion_shared import get_completion_script

            output.echo(
                get_completion_script(prog_name=PROG, complete_var=COMPLETE_VAR, shell=shell)
            )
        raise typer.Exit()

    def get_help_record(self, ctx: Context) -> tuple[str, str] | None:
        record = super().get_help_record(ctx)
        return None if record is None else (f"{record[0].split()[0]} [SHELL]", record[1])


def own_options(command: Command) -> None:
    """Put drift's completion options in place of typer's on the root `command`."""
    for index, param in enumerate(command.params):
        if param.name in OPTIONS and isinstance(param, TyperOption):
            mine = copy.copy(param)
            mine.__class__ = ShellOption  # the same option (help, parser entry), read as above
            mine.callback = None  # typer's installs for the detected shell: never called
            mine.help = HELP[param.name]
            command.params[index] = mine


def _shell(named: str | None, option: str) -> str:
    """The shell `named`, or the one running drift; refused unless typer has its script."""
    which = f"{PROG} {option} SHELL, SHELL one of {', '.join(SHELLS)}"
    if named is None:
        if os.environ.get("_TYPER_COMPLETE_TEST_DISABLE_SHELL_DETECTION"):
            detected = None
        else:
            from typer._completion_shared import _get_shell_name

            detected = _get_shell_name()
        if detected is None:
            raise UsageError("cannot tell which shell runs drift", hint=f"name it: {which}")
        if detected not in SHELLS:
            raise UsageError(
                f"no completion for {detected} (the shell running drift)",
                hint=f"name another shell: {which}",
            )
        return detected
    if named not in SHELLS:
        raise UsageError(
            f"{option}: no completion for shell {named!r}",
            hint=f"name one of {', '.join(SHELLS)}, or none for the shell running drift",
        )
    return named


def _rc_file(shell: str, installed: Path) -> Path | None:
    """The file a shell reads at start that typer's install changes (fish: none)."""
    if shell == "bash":
        return Path.home() / ".bashrc"
    if shell == "zsh":
        return Path.home() / ".zshrc"
    if shell in ("powershell", "pwsh"):
        return installed  # the PowerShell profile: the script is appended to it
    return None


def _install(shell: str) -> None:
    from typer._completion_shared import install

    try:
        _, installed = install(shell=shell, prog_name=PROG, complete_var=COMPLETE_VAR)
    except (OSError, subprocess.CalledProcessError) as exc:
        what = getattr(exc, "strerror", None) or str(exc)
        where = getattr(exc, "filename", None)
        raise UsageError(
            f"cannot install {shell} completion: {f'{where}: ' if where else ''}{what}",
            hint=f"or print the script and install it yourself: {PROG} --show-completion {shell}",
        ) from exc
    rc = _rc_file(shell, installed)
    lines = [f"{shell} completion installed in {installed}"]
    if rc is None:
        lines.append(f"no start-up file changed: {shell} reads {installed.parent} by itself")
    elif rc == installed:
        # typer's install runs `Set-ExecutionPolicy Unrestricted -Scope CurrentUser` first
        # (typer/_completion_shared.py `install_powershell`), and appends on every install
        lines.append(
            f"changed {rc} (the {shell} profile): the script is appended to it (again, if "
            "it was there); ran `Set-ExecutionPolicy Unrestricted -Scope CurrentUser`, which "
            "on Windows sets the current user's execution policy to Unrestricted"
        )
    elif shell == "bash":
        lines.append(f"changed {rc}: it sources {installed}")
    else:
        lines.append(f"changed {rc}: it loads completions from {installed.parent} (compinit)")
    lines.append(f"Completion takes effect in a new {shell} session.")
    output.echo("\n".join(lines))
