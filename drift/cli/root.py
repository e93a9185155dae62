"""The typer application: the root command and the module each subcommand lives in."""

from __future__ import annotations

from typing import Annotated

import typer

from drift import __version__
from drift.cli import check, fix, history, onboarding, output, tools

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
app.add_typer(tools.sandbox_app, name="sandbox")


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


for command in (
    check.check,
    check.probe,
    fix.plan,
    fix.fix,
    fix.rollback,
    onboarding.init,
    onboarding.compare,
    history.history,
    tools.demo,
):
    app.command()(command)
profiles_app.command("validate")(tools.profiles_validate)
profiles_app.command("schema")(tools.profiles_schema)
