"""`drift sandbox` (and `sandbox token`), `drift demo` and `drift profiles validate|schema`."""

from __future__ import annotations

from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any

import typer

from drift.cli import output
from drift.cli.options import ProfilesDir, directory, named
from drift.cli.session import Invocation
from drift.errors import ExitCode, UsageError

SANDBOX_HELP = """Run the local Cloud Run v2 + Secret Manager v1 + Resource Manager v3 emulator in
the foreground, seeded from a scenario.

Prints the export lines to paste into another shell (CLOUD_RUN_EMULATOR_HOST,
SECRET_MANAGER_EMULATOR_HOST and RESOURCE_MANAGER_EMULATOR_HOST, all three at one address,
and a test token for each backend that checks one, e.g. ACME_TEST_JWT), then serves until
Ctrl-C, which stops it and everything it started. It listens on loopback only. Every
revision serving traffic or carrying a tag runs a real WebSocket backend.

The scenario format, the APIs served and the Python helpers: docs/sandbox.md in the drift
repository.

Examples:

  drift sandbox

  drift sandbox --scenario my-scenario.yaml --port 8085 --log calls.jsonl

  eval "$(drift sandbox token)"
"""

sandbox_app = typer.Typer(help=SANDBOX_HELP, invoke_without_command=True, rich_markup_mode=None)


def _file(flag: str, help: str) -> Any:
    """An option naming a file: an empty value names none (`named`: one usage error)."""
    return typer.Option(flag, help=help, parser=lambda value: Path(named(value)), metavar="FILE")


Scenario = Annotated[
    Path | None,
    _file(
        "--scenario",
        "Scenario YAML, or the name of one shipped with drift (default, real-shapes) "
        "[default: the shipped acme-chat story].",
    ),
]


def _scenario(path: Path | None) -> Path | None:
    """The scenario file `--scenario` names: its path, or a shipped scenario's name. Neither
    (a typo, a path from elsewhere) is one usage error naming the scenarios drift ships."""
    from drift.sandbox.scenario import default_scenario_path, shipped_scenario

    if path is None:
        return None
    found = shipped_scenario(path)
    if not found.exists():
        shipped = sorted(p.stem for p in default_scenario_path().parent.glob("*.yaml"))
        raise UsageError(
            f"no scenario {path}: no such file, nor a scenario shipped with drift",
            hint=f"drift ships {', '.join(shipped)}; or give the path of a scenario YAML "
            "(its format: docs/sandbox.md)",
        )
    return found


@sandbox_app.callback()
def sandbox(
    ctx: typer.Context,
    scenario: Scenario = None,
    host: Annotated[
        str, typer.Option("--host", help="Loopback address to listen on (127.0.0.1, ::1).")
    ] = "127.0.0.1",
    port: Annotated[int, typer.Option("--port", help="gRPC port (0: any free port).")] = 0,
    log: Annotated[
        Path | None,
        _file(
            "--log",
            "Append one JSON line per call served to this file (time, method, resource, "
            "status; never a request body).",
        ),
    ] = None,
) -> None:
    if ctx.invoked_subcommand is not None:
        ctx.obj = scenario  # `drift sandbox --scenario F token`: F's tokens (helper-740 F5)
        return
    import os

    from drift.cli.session import STATE
    from drift.sandbox.errors import check_host, check_port

    check_host(host)  # what a person got wrong is said before the server's imports
    check_port(port)
    if log is not None:
        _writable(log)
    if STATE.grpc_quieted or "GRPC_VERBOSITY" not in os.environ:  # the user's setting stands
        os.environ["GRPC_VERBOSITY"] = "NONE"  # its own lines on a taken port, etc.
    from drift.sandbox import run_foreground

    raise typer.Exit(run_foreground(_scenario(scenario), host=host, port=port, log=log))


@sandbox_app.command(
    "token", short_help="Print `export VAR=TOKEN` for each backend that checks one."
)
def sandbox_token(
    ctx: typer.Context,
    scenario: Scenario = None,
    subject: Annotated[str, typer.Option("--subject", help="The token's `sub` claim.")] = "e2e",
) -> None:
    """Print `export VAR=TOKEN` for each backend of the scenario that checks a token (HS256,
    valid for an hour): what the sandbox prints when it starts, for a sandbox started from
    the same scenario (e.g. ACME_TEST_JWT, which the e2e profile's probe sends).

    Examples:

      eval "$(drift sandbox token)"

      drift sandbox token --scenario my-scenario.yaml --subject ci
    """
    from drift.sandbox import Sandbox

    scenario = scenario or ctx.obj  # its own --scenario, else the one before `token`
    with Sandbox(_scenario(scenario)) as running:  # on a free loopback port, stopped at once
        tokens = running.test_tokens(subject)
    if not tokens:
        raise UsageError(
            "no backend of the scenario checks a token (backend.auth.token_env): none to mint",
            hint="see the scenario format in docs/sandbox.md",
        )
    for name, token in tokens.items():
        output.echo(f"export {name}={token}")


def _writable(path: Path) -> None:
    try:
        with path.open("a", encoding="utf-8"):
            pass
    except OSError as exc:
        raise UsageError(f"--log {path}: cannot write it: {exc.strerror or exc}") from exc


DemoProfiles = Annotated[
    Path | None,
    typer.Option(
        "--profiles",
        help="Directory of the story's profiles [default: the examples shipped with drift; "
        "never ./profiles or DRIFT_PROFILES_DIR].",
        show_default=False,
        parser=directory,
        metavar="DIR",
    ),
]


def demo(profiles: DemoProfiles = None) -> None:
    """The whole story against the sandbox, with real output: drift found, the 1011 tied to
    it, the patch proven on a canary, traffic moved, the fix rolled back.

    Exit 0 only if every step behaved as the story says. Uses the example profiles shipped
    with drift (never ./profiles; --profiles DIR names others); nothing leaves this machine.

    Example: drift demo
    """
    from drift.cli.signals import like_ctrl_c
    from drift.demo import run_demo

    # SIGTERM and SIGHUP as Ctrl-C: the sandbox, the step's drift and the working copy in
    # the temporary directory are cleaned up, where their default action left the copy behind
    with like_ctrl_c():
        code = run_demo(profiles)
    raise typer.Exit(code)


class ValidateFormat(StrEnum):
    TEXT = "text"
    GITHUB = "github"


def profiles_validate(
    directory: Annotated[
        Path | None,
        typer.Argument(
            help="Profiles directory [env DRIFT_PROFILES_DIR; [tool.drift] profiles_dir; default "
            "./profiles].",
            parser=directory,
            metavar="[DIR]",
        ),
    ] = None,
    profiles: ProfilesDir = None,
    format: Annotated[
        ValidateFormat,
        typer.Option(
            "--format",
            "-f",
            help="text: file:line lines on stderr; github: an annotation at each profile line "
            "(GitHub Actions), on stdout.",
            case_sensitive=False,
            is_eager=True,  # as every command's: `drift.cli.options.annotating`
        ),
    ] = ValidateFormat.TEXT,
) -> None:
    """Lint every profile in DIR; print file:line errors. Exit 0 when all are valid, 2 if not.

    DIR or --profiles DIR, as every other command takes it (the same directory both ways).

    Example: drift profiles validate profiles
    """
    from drift.errors import Problem
    from drift.profiles.loader import validate_directory
    from drift.textsafe import plural, visible

    if directory and profiles and directory.resolve() != profiles.resolve():
        raise UsageError(f"two profiles directories: {directory} and --profiles {profiles}")
    from drift.settings import source_of

    settings = Invocation(profiles=directory or profiles).settings()
    notes: list[Problem] = []
    # a directory given as DIR is named by the command itself: no setting to say
    source = "" if directory else source_of("profiles_dir", profiles)
    names, problems = validate_directory(settings.profiles_dir, notes, source)
    if format is ValidateFormat.GITHUB:
        from drift.format.github_problems import problem_lines

        for line in problem_lines(problems, notes):
            output.echo(line)
    else:
        for note in notes:  # said, not an error
            output.echo(visible(f"{note.file}:{note.line}: note: {note.message}"), err=True)
        for problem in problems:
            output.echo(visible(str(problem)), err=True)  # a key may hold control characters
    if problems:
        raise typer.Exit(ExitCode.USAGE)
    if not names:
        output.echo(f"no profiles (*.yaml) in {settings.profiles_dir}", err=True)
        raise typer.Exit(ExitCode.USAGE)
    output.echo(f"{plural(len(names), 'profile')} valid: {', '.join(names)}")


def profiles_schema() -> None:
    """Print the JSON Schema of profile files (for editors: `# yaml-language-server: $schema=`).

    Example: drift profiles schema > profiles/profile.schema.json
    """
    from drift.profiles.spec import schema_text

    output.echo(schema_text())
