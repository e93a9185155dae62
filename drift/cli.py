"""The command line: parse options, build objects, call one library function, render, exit.

Nothing here imports the Google libraries at module level: `drift --help` and
`drift --version` stay fast and work without them."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import Annotated, NoReturn

import typer

from drift import __version__
from drift.errors import DriftError, ExitCode

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
        "Exit codes: 0 clean, 1 drift, 2 usage/profile/auth error, 3 incomplete, 4 aborted."
    ),
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
    rich_markup_mode=None,
)
profiles_app = typer.Typer(help="Lint profiles and print their JSON Schema.", no_args_is_help=True)
app.add_typer(profiles_app, name="profiles")


def _version(value: bool) -> None:
    if value:
        typer.echo(f"drift {__version__}")
        raise typer.Exit()


@app.callback()
def _root(
    version: Annotated[
        bool,
        typer.Option("--version", callback=_version, is_eager=True, help="Print the version."),
    ] = False,
) -> None:
    """drift: configuration drift checks for Cloud Run."""


ProfilesDir = Annotated[
    Path | None,
    typer.Option(
        "--profiles",
        help="Directory of ENV.yaml profiles [env DRIFT_PROFILES_DIR; default ./profiles].",
        show_default=False,
    ),
]


@profiles_app.command("validate")
def profiles_validate(
    directory: Annotated[
        Path | None,
        typer.Argument(help="Profiles directory [default: ./profiles or DRIFT_PROFILES_DIR]."),
    ] = None,
) -> None:
    """Lint every profile in DIR; print file:line errors. Exit 0 when all are valid, 2 if not.

    Example: drift profiles validate profiles
    """
    from drift.profiles import validate_directory
    from drift.settings import load_settings

    settings = load_settings(profiles_dir=directory)
    names, problems = validate_directory(settings.profiles_dir)
    for problem in problems:
        typer.echo(str(problem), err=True)
    if problems:
        raise typer.Exit(ExitCode.USAGE)
    if not names:
        typer.echo(f"no profiles (*.yaml) in {settings.profiles_dir}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    typer.echo(f"{len(names)} profiles valid: {', '.join(names)}")


@profiles_app.command("schema")
def profiles_schema() -> None:
    """Print the JSON Schema of profile files (for editors: `# yaml-language-server: $schema=`).

    Example: drift profiles schema > profiles/profile.schema.json
    """
    import json

    from drift.profiles.spec import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))


def main() -> NoReturn:
    """Console entry point: one clear message and an exit code for every error."""
    try:
        app()  # standalone: typer prints usage errors itself and exits 2
    except DriftError as exc:
        _print_error(exc.diagnostics())
        sys.exit(int(exc.exit_code))
    sys.exit(0)


def _print_error(message: str) -> None:
    from drift.redact import scrub

    typer.echo(f"drift: error: {scrub(message)}", err=True)
