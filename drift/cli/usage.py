"""A command line click refused, as drift's own usage error (`drift.cli.main`'s one error
path): a `drift: error:` line, and under `--format github` its annotation."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import TYPE_CHECKING

import typer

from drift.cli.options import annotating
from drift.errors import UsageError
from drift.units import shown

if TYPE_CHECKING:
    from typer._click import exceptions as click  # typer's own copy of click
    from typer._click.core import Command


def asked_to_annotate(args: Sequence[str], command: Command) -> bool:
    """`annotating`, read from a command line's own tokens (`args`, for `command`), where
    click refused it while parsing (an unknown option, an option missing its value): before
    any option, eager or not, was processed. Its `--format` as click's own parser of the
    command takes it (which options take a value, `-fgithub`, the last one given, nothing
    after `--`), read again past what it refused: an unknown option is skipped, parsing
    stops at an option missing its value."""
    from typer._click.core import Context

    parser = command.make_parser(Context(command, resilient_parsing=True))
    parser.ignore_unknown_options = True
    value = parser.parse_args(list(args))[0].get("format")
    return isinstance(value, str) and annotating({"format": value.lower()})


def usage_error(exc: click.UsageError, args: Sequence[str], app: typer.Typer) -> UsageError:
    """A command line click refused (a value not among an option's choices, an option or
    command that does not exist, a missing argument) as drift's own usage error, for drift's
    one error path (`drift.cli.main`): a `drift: error:` line, and under `--format github`
    its annotation, where click printed its usage text alone. `args` is that command line,
    `app` what read it."""
    from drift.cli.session import STATE

    ctx = exc.ctx
    path, command = _named(args, app) if ctx is None else (ctx.command_path, ctx.command)
    params = ctx.params if ctx is not None else {}
    STATE.annotate = annotating(params) if "format" in params else asked_to_annotate(args, command)
    # typer's choice check goes through pydantic, whose message says "Value error, " first
    message = exc.format_message().replace("Value error, ", "").removesuffix(".")
    message = _elsewhere(exc, path) or message
    for arg in sorted({w for a in args for w in (a, a.partition("=")[2])}, key=len)[::-1]:
        # a value click quoted whole that no person wrote to be read back (a 100 KB --fail-on):
        # shortened as units.shown says it; a path, however long a real one is, stays whole
        if len(arg) > 1000:
            message = message.replace(repr(arg), shown(arg)).replace(arg, shown(arg))
    return UsageError(message[:1].lower() + message[1:], hint=f"`{path} --help` says what it takes")


def _elsewhere(exc: click.UsageError, path: str) -> str | None:
    """An option the command does not take that other commands do, said so, with those
    commands (`--manifest` is `drift check`'s): click's "Possible options" named an option
    the word only resembles (`drift plan --manifest`: "Possible options: --wait", helper-834
    F5). None for an option no command takes."""
    from typer._click.exceptions import NoSuchOption

    from drift.cli.root import app as whole  # `app` may hold the command alone (`narrowed`)

    if not isinstance(exc, NoSuchOption):  # not one missing its value
        return None
    option = exc.option_name.partition("=")[0]
    takers = [name for name, command in _commands(typer.main.get_command(whole), "drift")
              if any(option in (*p.opts, *p.secondary_opts) for p in command.params)]  # fmt: skip
    if not takers or path in takers:
        return None
    return f"{path} takes no {option}: it is an option of {', '.join(takers)}"


def _commands(command: Command, path: str) -> list[tuple[str, Command]]:
    """Each command of the app (`command`, at `path`), with its path, subcommands too."""
    found: list[tuple[str, Command]] = [(path, command)]
    for name, sub in getattr(command, "commands", {}).items():
        found += _commands(sub, f"{path} {name}")
    return found


def _named(args: Sequence[str], app: typer.Typer) -> tuple[str, Command]:
    """The command `args` name, and its path (`drift profiles validate`), for an error click
    raised without its context (an option missing its value)."""
    command = typer.main.get_command(app)
    path = ["drift"]
    for token in args:
        commands: Mapping[str, Command] = getattr(command, "commands", {})
        if token not in commands:
            break
        command = commands[token]
        path.append(token)
    return " ".join(path), command
