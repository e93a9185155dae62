"""`drift sandbox`, `drift demo` and `drift profiles validate|schema`."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drift.cli.options import ProfilesDir
from drift.cli.session import Invocation
from drift.errors import ExitCode


def sandbox(
    scenario: Annotated[
        Path | None,
        typer.Option("--scenario", help="Scenario YAML [default: the shipped acme-chat story]."),
    ] = None,
    host: Annotated[str, typer.Option("--host", help="Loopback address to listen on.")] = (
        "127.0.0.1"
    ),
    port: Annotated[int, typer.Option("--port", help="gRPC port (0: any free port).")] = 0,
) -> None:
    """Run the local Cloud Run v2 + Secret Manager v1 emulator in the foreground.

    Prints the `export CLOUD_RUN_EMULATOR_HOST=... SECRET_MANAGER_EMULATOR_HOST=...` lines to
    paste into another shell; every revision serving traffic runs a real WebSocket backend.
    Ctrl-C stops it and everything it started.

    Examples:

      drift sandbox

      drift sandbox --scenario my-scenario.yaml --port 8085
    """
    from drift.sandbox import run_foreground

    raise typer.Exit(run_foreground(scenario, host=host, port=port))


def demo(profiles: ProfilesDir = None) -> None:
    """The whole story against the sandbox, with real output: drift found, the 1011 tied to
    it, the patch proven on a canary, traffic moved, the fix rolled back.

    Exit 0 only if every step behaved as the story says. Uses the example profiles
    (./profiles); nothing leaves this machine.

    Example: drift demo
    """
    from drift.demo import run_demo

    settings = Invocation(profiles=profiles).settings()
    raise typer.Exit(run_demo(settings.profiles_dir))


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
    from drift.textsafe import plural, visible

    settings = Invocation(profiles=directory).settings()
    names, problems = validate_directory(settings.profiles_dir)
    for problem in problems:
        typer.echo(visible(str(problem)), err=True)  # a key may hold control characters
    if problems:
        raise typer.Exit(ExitCode.USAGE)
    if not names:
        typer.echo(f"no profiles (*.yaml) in {settings.profiles_dir}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    typer.echo(f"{plural(len(names), 'profile')} valid: {', '.join(names)}")


def profiles_schema() -> None:
    """Print the JSON Schema of profile files (for editors: `# yaml-language-server: $schema=`).

    Example: drift profiles schema > profiles/profile.schema.json
    """
    import json

    from drift.profiles.spec import json_schema

    typer.echo(json.dumps(json_schema(), indent=2))
