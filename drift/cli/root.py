"""The typer application: the root command and the module each subcommand lives in."""

from __future__ import annotations

import copy
from collections.abc import Mapping
from typing import TYPE_CHECKING, Annotated

import typer

from drift import __version__
from drift.cli import check, fix, history, onboarding, output, rollback, tools
from drift.cli.completion import own_options

if TYPE_CHECKING:
    from typer._click.core import Command

app = typer.Typer(
    name="drift",
    help=(
        "Catch configuration drift on Google Cloud Run before it breaks a deploy.\n\n"
        "Compares what each service should run with (profiles/ENV.yaml) with what its "
        "serving revisions really run with, probes WebSocket handshakes, and repairs drift "
        "through a canary revision.\n\n"
        "Examples:\n\n"
        "  drift check staging\n\n"
        "  drift check e2e --probe --format github\n\n"
        "  drift fix e2e --service api\n\n"
        "  drift history e2e --service api\n\n"
        "Exit codes: 0 clean, 1 drift, 2 usage/profile/auth error, 3 incomplete, 4 aborted."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=True,
    rich_markup_mode=None,
)
profiles_app = typer.Typer(help="Lint profiles and print their JSON Schema.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")
app.add_typer(
    tools.sandbox_app, name="sandbox", short_help="Run the local emulator of the APIs drift calls."
)


def _version(value: bool) -> None:
    if value:
        output.echo(f"drift {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """drift: configuration drift checks for Cloud Run."""


# Each command's line in `drift --help`: click cuts a description past about 60 characters
# mid-sentence ("... diff it against..."), so each says itself in a sentence that fits
# (its docstring, shown by `drift COMMAND --help`, says the rest).
for command, short in (
    (check.check, "Diff the serving revisions against the profile."),
    (check.probe, "Probe each service's WebSocket handshake."),
    (fix.plan, "Show the patch that would repair the drift."),
    (fix.fix, "Repair drift through a canary revision, after confirmation."),
    (rollback.rollback, "Put back what served before a change (from the journal)."),
    (onboarding.init, "Write a starting profile from what the live services run with."),
    (onboarding.compare, "Parity of two environments (their profiles or live)."),
    (history.history, "Each service's revisions, each job's runs, and what each changed."),
    (tools.demo, "The whole story against the sandbox, with real output."),
):
    app.command(short_help=short)(command)
profiles_app.command("validate")(tools.profiles_validate)
profiles_app.command("schema", short_help="Print the JSON Schema of profile files (for editors).")(
    tools.profiles_schema
)


def narrowed(args: list[str], environ: Mapping[str, str]) -> typer.Typer:
    """`app` with only the command `args` names (`drift check …`: check alone), so that typer
    builds that one command, not every command's options (18 ms of the 22 ms typer takes to
    build them all, on 2 cores, paid by every run); `app` itself is left whole. `drift`,
    `drift --help`, a root option first, a name that is no command (click's "No such command"
    and its suggestion need them all) and shell completion (`_DRIFT_COMPLETE`): `app`."""
    name = args[0] if args else ""
    if not name or name.startswith("-") or any(k.endswith("_COMPLETE") for k in environ):
        return app
    commands = [c for c in app.registered_commands if _name(c) == name]
    groups = [g for g in app.registered_groups if g.name == name]
    if not commands and not groups:
        return app
    one = copy.copy(app)
    one.registered_commands, one.registered_groups = commands, groups
    return one


_BUILT: dict[tuple[str, ...], Command] = {}


def command_of(app: typer.Typer) -> Command:
    """The click command typer builds of `app` (`narrowed`'s), built once per process for the
    commands it holds. `Typer.__call__` builds it again at each call, and a parameter's value
    conversion with it (a pydantic adapter each, made at its first value): a process that runs
    drift's `main` more than once (the tests' in-process runs) paid that each time (about half
    of a short command's CPU). A click command is made to be invoked again: each `main` call
    parses into a context of its own."""
    key = (
        *(_name(c) for c in app.registered_commands),
        *(f"{g.name}/" for g in app.registered_groups),
    )
    built = _BUILT.get(key)
    if built is None:
        built = _BUILT[key] = typer.main.get_command(app)
        own_options(built)  # `--install-completion zsh` installs zsh's (typer's: the detected)
    return built


def _name(info: typer.models.CommandInfo) -> str:
    """A command's name as typer gives it: its own, or its function's (`get_command_name`)."""
    assert info.callback is not None
    return info.name or typer.main.get_command_name(info.callback.__name__)
