"""The command line: parse options, build objects, call one library function, render, exit.

Nothing here imports the Google libraries at module level: `drift --help` and
`drift --version` stay fast and work without them."""

from __future__ import annotations

import sys
from collections.abc import Coroutine
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any, NoReturn, TypeVar

import typer

from drift import __version__
from drift.compare.formats import CompareFormat
from drift.errors import DriftError, ExitCode, UsageError
from drift.fix.formats import PlanFormat
from drift.format import OutputFormat
from drift.report import FailOn

if TYPE_CHECKING:
    from drift.fix.plan import Plan
    from drift.profiles.model import Profile
    from drift.report import Report
    from drift.settings import Settings

T = TypeVar("T")

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


ServiceOpt = Annotated[
    list[str] | None,
    typer.Option("--service", "-s", help="Only this service (repeatable).", show_default=False),
]
OutputOpt = Annotated[
    Path | None,
    typer.Option("--output", "-o", help="Write the report to FILE instead of stdout."),
]
FailOnOpt = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help="Lowest severity that makes the exit code 1 [env DRIFT_FAIL_ON; default error].",
        show_default=False,
    ),
]
ProjectOpt = Annotated[
    str | None, typer.Option("--project", help="Override the profile's GCP project.")
]
RegionOpt = Annotated[str | None, typer.Option("--region", help="Override the profile's region.")]
QuietOpt = Annotated[
    bool, typer.Option("--quiet", "-q", help="Table format: print only the summary line.")
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every API call to stderr (values scrubbed).")
]
ImpersonateOpt = Annotated[
    str | None,
    typer.Option(
        "--impersonate-service-account",
        help="Call the APIs as this service account (ADC must be allowed to impersonate it).",
    ),
]
FormatOpt = Annotated[
    OutputFormat,
    typer.Option("--format", "-f", help="Report format.", case_sensitive=False),
]


@dataclass
class Common:
    """Options every reading command takes, turned into settings and a loaded profile."""

    environment: str
    profiles: Path | None = None
    project: str | None = None
    region: str | None = None
    fail_on: FailOn | None = None
    impersonate: str | None = None
    verbose: bool = False

    def settings(self) -> Settings:
        from drift.settings import load_settings

        _logging(self.verbose)
        return load_settings(
            profiles_dir=self.profiles,
            project=self.project,
            region=self.region,
            fail_on=self.fail_on,
            impersonate_service_account=self.impersonate,
        )

    def profile(self, settings: Settings) -> Profile:
        from dataclasses import replace

        from drift.profiles import load_profile

        profile = load_profile(settings.profiles_dir, self.environment)
        return replace(
            profile,
            project=settings.project or profile.project,
            region=settings.region or profile.region,
        )


def _logging(verbose: bool) -> None:
    import logging

    from drift.redact import ScrubFilter

    handler = logging.StreamHandler(sys.stderr)
    handler.addFilter(ScrubFilter())
    handler.setFormatter(logging.Formatter("drift: %(levelname)s: %(message)s"))
    logger = logging.getLogger("drift")
    logger.handlers[:] = [handler]
    logger.setLevel(logging.DEBUG if verbose else logging.WARNING)


def _run(
    coro: Coroutine[Any, Any, T],
    *,
    interrupted: ExitCode = ExitCode.INCOMPLETE,
    what: str = "the check is incomplete",
) -> T:
    """Run the library's async work; Ctrl-C is one clear message and an exit code."""
    import asyncio

    try:
        return asyncio.run(coro)
    except KeyboardInterrupt:
        raise Interrupted(interrupted, what) from None


class Interrupted(DriftError):
    def __init__(self, code: ExitCode, what: str) -> None:
        super().__init__(f"interrupted: {what}")
        self.exit_code = code


def _emit(text: str, output: Path | None) -> None:
    from drift.redact import scrub

    text = scrub(text)
    if output is None:
        typer.echo(text, nl=not text.endswith("\n"))
        return
    try:
        output.write_text(text if text.endswith("\n") else text + "\n")
    except OSError as exc:
        raise UsageError(f"cannot write {output}: {exc.strerror or exc}") from None


def _color() -> bool:
    import os

    return sys.stdout.isatty() and "NO_COLOR" not in os.environ


def _render(report: Report, fmt: OutputFormat, *, quiet: bool = False) -> str:
    from drift.format import formatter_for

    if quiet and fmt is OutputFormat.TABLE:
        from drift.format.summary import summary_line

        return summary_line(report) + "\n"
    return formatter_for(fmt, color=_color()).render(report)


def _step_summary(report: Report) -> None:
    """In GitHub Actions, append the Markdown summary to the step summary file."""
    import os

    path = os.environ.get("GITHUB_STEP_SUMMARY")
    if os.environ.get("GITHUB_ACTIONS") != "true" or not path:
        return
    from drift.format import formatter_for
    from drift.format.markdown import append_step_summary
    from drift.redact import scrub

    text = scrub(formatter_for(OutputFormat.MARKDOWN).render(report))
    try:
        append_step_summary(Path(path), text)
    except OSError as exc:
        typer.echo(f"drift: warning: cannot write the step summary: {exc}", err=True)


@app.command()
def check(
    environment: Annotated[str, typer.Argument(help="Environment: profiles/ENV.yaml.")],
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output: OutputOpt = None,
    fail_on: FailOnOpt = None,
    probe: Annotated[
        bool, typer.Option("--probe", help="Also probe each service's WebSocket handshake.")
    ] = False,
    sarif: Annotated[
        Path | None,
        typer.Option(
            "--sarif", help="Also write the report as SARIF to FILE (one read, two outputs)."
        ),
    ] = None,
    project: ProjectOpt = None,
    region: RegionOpt = None,
    impersonate_service_account: ImpersonateOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Read what the serving revisions run with and diff it against the profile. Never writes.

    Exit 0 clean, 1 drift at or above --fail-on, 2 bad input, 3 incomplete (some items could
    not be read; never reported as clean).

    Examples:

      drift check staging

      drift check e2e --probe --service api

      drift check staging --format json --output report.json

      drift check staging --format sarif --output drift.sarif --fail-on warning

      drift check staging --format github --sarif drift.sarif
    """
    import os

    from drift.check import run_check

    common = Common(
        environment, profiles, project, region, fail_on, impersonate_service_account, verbose
    )
    settings = common.settings()
    profile = common.profile(settings)
    from drift.check import limits
    from drift.live.calls import CallRunner
    from drift.progress import progress, wanted

    runner = CallRunner(limits(settings))
    with progress(f"checking {environment}", runner, enabled=wanted(quiet=quiet)):
        result = _run(
            run_check(
                profile,
                settings,
                services=service,
                probe=probe,
                environ=dict(os.environ),
                runner=runner,
            )
        )
    _emit(_render(result.report, format, quiet=quiet), output)
    if sarif is not None:
        _emit(_render(result.report, OutputFormat.SARIF), sarif)
    _step_summary(result.report)
    raise typer.Exit(int(result.report.exit_code))


@app.command()
def probe(
    environment: Annotated[str, typer.Argument(help="Environment: profiles/ENV.yaml.")],
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output: OutputOpt = None,
    project: ProjectOpt = None,
    region: RegionOpt = None,
    impersonate_service_account: ImpersonateOpt = None,
    quiet: QuietOpt = False,
    verbose: VerboseOpt = False,
) -> None:
    """Probe each service's WebSocket handshake (the profile's `probe` block). Never writes.

    Tells a 1011 close from a dropped connection (1006), an HTTP rejection and an unreachable
    service. `${VAR}` in subprotocols and headers come from this shell's environment.

    Examples:

      drift probe e2e

      ACME_TEST_JWT=$(./mint-token) drift probe staging --service api --format json
    """
    import os

    from drift.probe.live import run_probe

    common = Common(
        environment, profiles, project, region, None, impersonate_service_account, verbose
    )
    settings = common.settings()
    profile = common.profile(settings)
    report = _run(run_probe(profile, settings, services=service, environ=dict(os.environ)))
    _emit(_render(report, format, quiet=quiet), output)
    raise typer.Exit(int(report.exit_code))


@app.command()
def plan(
    environment: Annotated[str, typer.Argument(help="Environment: profiles/ENV.yaml.")],
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    format: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="Plan format.", case_sensitive=False)
    ] = PlanFormat.TABLE,
    output: OutputOpt = None,
    project: ProjectOpt = None,
    region: RegionOpt = None,
    impersonate_service_account: ImpersonateOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Show the patch that would repair the drift, and the manual steps. Never writes.

    Formats: table (masked before/after), json, gcloud (copy-paste `gcloud run services
    update` with --update-env-vars/--update-secrets/--remove-env-vars, never --set-env-vars),
    yaml (the patched service for `gcloud run services replace`).

    Examples:

      drift plan e2e

      drift plan staging --format gcloud > fix.sh
    """
    import os

    from drift.fix.plan import plan_environment
    from drift.fix.render import render_plan

    common = Common(
        environment, profiles, project, region, None, impersonate_service_account, verbose
    )
    settings = common.settings()
    profile = common.profile(settings)
    planned = _run(plan_environment(profile, settings, services=service, environ=dict(os.environ)))
    _emit(render_plan(planned.plan, format, patched=planned.patched), output)
    raise typer.Exit(int(planned.check.report.exit_code))


class _CliUI:
    """Prompts on a terminal; without one, a question is answered "no"."""

    def __init__(self, *, yes: bool) -> None:
        self.yes = yes

    def show_plan(self, plan: Plan) -> None:
        from drift.fix.render import plan_table

        typer.echo(plan_table(plan))

    def confirm(self, question: str) -> bool:
        if self.yes:
            return True
        if not sys.stdin.isatty():
            typer.echo(f"{question} no (no terminal to ask; pass --yes)", err=True)
            return False
        return bool(typer.confirm(question, default=False))

    def say(self, text: str) -> None:
        from drift.redact import scrub

        typer.echo(scrub(text))


@app.command()
def fix(
    environment: Annotated[str, typer.Argument(help="Environment: profiles/ENV.yaml.")],
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to every prompt.")] = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Stop after the plan: the server validates it, no write."),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not probe the canary before promoting.")
    ] = False,
    no_promote: Annotated[
        bool, typer.Option("--no-promote", help="Leave the canary ready, without traffic.")
    ] = False,
    format: FormatOpt = OutputFormat.TABLE,
    fail_on: FailOnOpt = None,
    project: ProjectOpt = None,
    region: RegionOpt = None,
    impersonate_service_account: ImpersonateOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Repair drift: plan -> confirm -> canary revision with no traffic -> probe it ->
    confirm -> move traffic -> re-check.

    Only what the plan names changes; every other variable, setting, label and annotation is
    sent back as read. The service's etag guards against concurrent changes. Each write is
    journaled in .drift/journal/ first, for `drift rollback`. Without a terminal and without
    --yes, every question is answered no.

    Exit: the re-check's code (0 clean, 1 drift left); 4 aborted safely (declined, canary
    failed, service changed underneath); --dry-run: 0 accepted, 2 rejected.

    Examples:

      drift fix e2e

      drift fix e2e --service api --yes

      drift fix staging --dry-run
    """
    import os

    from drift.fix.apply import FixOptions, run_fix

    common = Common(
        environment, profiles, project, region, fail_on, impersonate_service_account, verbose
    )
    settings = common.settings()
    profile = common.profile(settings)
    options = FixOptions(yes=yes, dry_run=dry_run, verify=not no_verify, promote=not no_promote)
    result = _run(
        run_fix(
            profile, settings, _CliUI(yes=yes), options, services=service, environ=dict(os.environ)
        ),
        interrupted=ExitCode.ABORTED,
        what="see `drift rollback --list` for what was recorded",
    )
    if result.message:
        typer.echo(result.message)
    if result.recheck is not None and result.change_id is not None:
        typer.echo(f"change {result.change_id} recorded in {settings.journal_dir}")
        typer.echo("re-check after the fix:")
        _emit(_render(result.recheck, format), None)
    raise typer.Exit(int(result.exit_code))


@app.command()
def rollback(
    change_id: Annotated[
        str | None, typer.Argument(help="Change to undo [default: the latest].")
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    list_changes: Annotated[
        bool, typer.Option("--list", help="List the recorded changes and exit.")
    ] = False,
    impersonate_service_account: ImpersonateOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Restore the service template and traffic recorded before a change (from the journal in
    .drift/journal/), after confirmation.

    Examples:

      drift rollback --list

      drift rollback

      drift rollback 20261124-173012-ab12 --yes
    """
    from drift.fix.journal import Journal
    from drift.fix.rollback import run_rollback
    from drift.settings import load_settings

    _logging(verbose)
    settings = load_settings(impersonate_service_account=impersonate_service_account)
    if list_changes:
        for entry in Journal(settings.journal_dir).entries():
            typer.echo(
                f"{entry.change_id}  {entry.environment}  {entry.service}  {entry.state}  "
                f"{', '.join(entry.changes)}"
            )
        raise typer.Exit(0)
    result = _run(
        run_rollback(settings, _CliUI(yes=yes), change_id, yes=yes),
        interrupted=ExitCode.ABORTED,
        what="the journal records what was restored",
    )
    restored = ", ".join(result.restored) or "nothing"
    typer.echo(f"rollback of {result.change_id}: restored {restored}")
    raise typer.Exit(0)


@app.command()
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


@app.command()
def init(
    environment: Annotated[str, typer.Argument(help="Environment: writes profiles/ENV.yaml.")],
    from_live: Annotated[
        bool, typer.Option("--from-live", help="Describe the live services (required).")
    ] = False,
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    project: Annotated[
        str | None, typer.Option("--project", help="GCP project to read [env DRIFT_PROJECT].")
    ] = None,
    region: Annotated[
        str | None, typer.Option("--region", help="Region to read [env DRIFT_REGION].")
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing profile.")] = False,
    impersonate_service_account: ImpersonateOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Write a starting profile from what the live services run with. Never writes to the cloud.

    Plain variables are copied as values, secrets as {secret: NAME, version: V} references
    (never their values), with the settings drift compares and a commented probe block to
    fill in. Plain values that look like credentials are not copied: they become
    `required: true` rules with a note to move them to Secret Manager. Without --service,
    every service in the region is described. An existing profile is kept unless --force.

    Exit 0 written, 2 bad input or the profile exists, 3 a service could not be read
    (nothing written).

    Examples:

      drift init staging --from-live --project acme-chat-staging --region us-central1

      drift init prod --from-live --service api --service auth --force
    """
    from drift.onboarding.init import init_from_live
    from drift.settings import load_settings

    if not from_live:
        raise UsageError(
            "init writes a profile from the live services: pass --from-live",
            hint=f"drift init {environment} --from-live --project PROJECT --region REGION",
        )
    _logging(verbose)
    settings = load_settings(
        profiles_dir=profiles,
        project=project,
        region=region,
        impersonate_service_account=impersonate_service_account,
    )
    result = _run(
        init_from_live(environment, settings, services=service, force=force),
        what="nothing was written",
    )
    _emit(result.summary(), None)
    raise typer.Exit(0)


@app.command()
def compare(
    environment_a: Annotated[str, typer.Argument(help="First environment (e.g. staging).")],
    environment_b: Annotated[str, typer.Argument(help="Second environment (e.g. e2e, prod).")],
    live: Annotated[
        bool,
        typer.Option("--live", help="Compare what the two environments' services run with."),
    ] = False,
    profiles: ProfilesDir = None,
    service: ServiceOpt = None,
    format: Annotated[
        CompareFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = CompareFormat.TABLE,
    output: OutputOpt = None,
    secret_values: Annotated[
        bool,
        typer.Option(
            "--secret-values/--no-secret-values",
            help="With --live: tell equal secret values from different ones (read in memory, "
            "never shown).",
        ),
    ] = True,
    impersonate_service_account: ImpersonateOpt = None,
    verbose: VerboseOpt = False,
) -> None:
    """Parity of two environments: variables on one side only, plain vs secret shape, values
    that should differ but do not (project ids, backend hosts, secrets), and what B requires
    that A does not provide. Never writes.

    Without --live, compares the two merged profiles; with --live, the services each profile
    names, read from each profile's project and region.

    Exit 0 equivalent, 1 different, 2 bad input, 3 incomplete (a service or a secret value
    could not be read; never reported as equivalent).

    Examples:

      drift compare staging e2e

      drift compare staging prod --live

      drift compare staging prod --live --format json --output parity.json
    """
    from drift.compare.render import render_comparison
    from drift.profiles import load_profile
    from drift.settings import load_settings

    _logging(verbose)
    settings = load_settings(
        profiles_dir=profiles, impersonate_service_account=impersonate_service_account
    )
    profile_a = load_profile(settings.profiles_dir, environment_a)
    profile_b = load_profile(settings.profiles_dir, environment_b)
    if live:
        from drift.compare.run import compare_live

        comparison = _run(
            compare_live(
                profile_a, profile_b, settings, services=service, secret_values=secret_values
            )
        )
    else:
        from drift.compare.run import compare_profiles

        comparison = compare_profiles(profile_a, profile_b, service)
    _emit(render_comparison(comparison, format), output)
    raise typer.Exit(int(comparison.exit_code))


@app.command()
def demo(profiles: ProfilesDir = None) -> None:
    """The whole story against the sandbox, with real output: drift found, the 1011 tied to
    it, the patch proven on a canary, traffic moved, the fix rolled back.

    Exit 0 only if every step behaved as the story says. Uses the example profiles
    (./profiles); nothing leaves this machine.

    Example: drift demo
    """
    from drift.demo import run_demo
    from drift.settings import load_settings

    settings = load_settings(profiles_dir=profiles)
    raise typer.Exit(run_demo(settings.profiles_dir))


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
    except Exception as exc:  # a bug: still one line (scrubbed), the traceback on request
        if "--verbose" in sys.argv or "-v" in sys.argv:
            import traceback

            from drift.redact import scrub

            sys.stderr.write(scrub(traceback.format_exc()))
        _print_error(
            f"internal error: {type(exc).__name__}: {exc} (run with --verbose for the traceback)"
        )
        sys.exit(int(ExitCode.USAGE))
    sys.exit(0)


def _print_error(message: str) -> None:
    from drift.redact import scrub

    typer.echo(f"drift: error: {scrub(message)}", err=True)
