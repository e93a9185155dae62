"""`drift init --from-live` and `drift compare`."""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from drift.cli import destinations, naming, output
from drift.cli.loop import run
from drift.cli.options import (
    OutputOpt,
    QuietOpt,
    ServiceOpt,
    TextFormat,
    TextFormatOpt,
    shared,
)
from drift.cli.session import Invocation
from drift.compare.formats import CompareFormat
from drift.errors import ExitCode, OutputLost, UsageError


@shared(
    "profiles",
    "wait",
    "impersonate_service_account",
    "verbose",
    refuses={
        "fail_on": "init finds no drift: its exit says whether the profile was written from "
        "every service (0) or not (3); `drift check --fail-on` gates on drift",
        "output": "init writes the profile to PROFILES/ENV.yaml (the directory: --profiles "
        "DIR), beside the JSON Schema it names, and prints what it wrote",
    },
)
def init(
    cli: Invocation,
    environment: Annotated[str, typer.Argument(help="Environment: writes profiles/ENV.yaml.")],
    from_live: Annotated[
        bool, typer.Option("--from-live", help="Describe the live services (required).")
    ] = False,
    service: ServiceOpt = None,
    project: Annotated[
        str | None,
        typer.Option(
            "--project", help="GCP project to read [env DRIFT_PROJECT].", parser=naming.READ_PROJECT
        ),
    ] = None,
    region: Annotated[
        str | None,
        typer.Option(
            "--region", help="Region to read [env DRIFT_REGION].", parser=naming.READ_REGION
        ),
    ] = None,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Overwrite an existing profile, and a profile.schema.json beside it that is "
            "not this drift's.",
        ),
    ] = False,
    secret_values: Annotated[
        bool,
        typer.Option(
            "--secret-values/--no-secret-values",
            help="Read the values of the secrets the services reference (in memory, never "
            "shown or written) so that no plain copy of one is written into the profile.",
        ),
    ] = True,
    format: TextFormatOpt = TextFormat.TABLE,
    quiet: QuietOpt = False,
) -> None:
    """Write a starting profile from what the live services run with. Never writes to the cloud.

    Plain variables are copied as values, secrets as {secret: NAME, version: V} references
    (never their values), with the settings drift compares and a commented probe block to
    fill in. Plain values that look like credentials, or hold a referenced secret's value
    (read in memory unless --no-secret-values), are not copied: they become
    `required: true` rules with a note saying why. Without --service,
    every service in the region is described. An existing profile is kept unless --force;
    the profiles directory is created when missing (said), never the folders above it.

    Exit 0 written, 2 bad input or the profile exists, 3 a service could not be read
    (nothing written) — or was still being deployed after --wait: the rest is written, and
    the output names it and the command that describes it once settled — or reaches
    revisions of different configurations (a rollout, a tag at 0 %): written, and said that
    `drift check` reports them until they agree.

    Examples:

      drift init staging --from-live --project acme-chat-staging --region us-central1

      drift init prod --from-live --service api --service auth --force
    """
    from drift.onboarding.init import init_from_live
    from drift.settings import source_of

    if not from_live:
        raise UsageError(
            "init writes a profile from the live services: pass --from-live",
            hint=f"drift init {environment} --from-live --project PROJECT --region REGION",
        )
    settings = replace(cli, project=project, region=region).settings()
    said = _written_or_not(settings.profiles_dir, environment)
    result = run(
        init_from_live(
            environment,
            settings,
            services=service,
            force=force,
            project_from=source_of("project", project),
            region_from=source_of("region", region),
            profiles_from=source_of("profiles_dir", cli.profiles),
            secret_values=secret_values,
        ),
        what=said,
    )
    # prose that quotes servers (a refusal in a note) and live names: shown as a person's
    # line is, on a terminal and in a CI log alike (`readable`), not as a document
    summary = result.summary()
    if quiet and result.exit_code is ExitCode.OK:  # else all of it: why it exits so
        summary = _written_lines(summary)
    try:
        output.emit(output.readable(summary))
    except UsageError as exc:  # standard output lost (closed, a full disk, a closed pipe)
        from drift.yamlfile import display_path

        # the profile is written: never exit 2 ("nothing was checked"), nor a hint at an
        # --output init does not have; incomplete, as a fix whose outcome could not be said
        raise OutputLost(
            f"{exc.message}: {display_path(result.path)} was written (its summary could not "
            "be shown)",
            code=ExitCode.INCOMPLETE,
        ) from exc
    raise typer.Exit(int(result.exit_code))


def _written_lines(summary: str) -> str:
    """`init --quiet`: its summary but what to do next and the schema file it wrote beside the
    profile. What it wrote, what it did not copy, what the profile no longer describes and a
    value it could not read (so a plain copy of it may be in the profile) are about what was
    written, and not all in the profile: never cut (helper-656 HIGH-4)."""
    cut = ("next: ", "note: wrote ")
    return "\n".join(line for line in summary.splitlines() if not line.startswith(cut))


def _written_or_not(directory: Path, environment: str) -> Callable[[], str]:
    """What an interrupted `init` says of the files it writes (the profile, the JSON Schema
    beside it): those that changed on disk since it began, else "nothing was written", and
    the profiles directory when it made it (a directory made for nothing is removed). The
    profile is moved into place before the command's last steps (the schema, the notes): a
    Ctrl-C there ends it as cancelled, and "nothing was written" would hide a profile written
    — with `--force`, over the operator's own (revcli88 F1)."""
    from drift.onboarding.write import SCHEMA_FILE
    from drift.profiles.paths import profile_path
    from drift.yamlfile import display_path

    paths = (profile_path(directory, environment), directory / SCHEMA_FILE)
    before = [_identity(p) for p in paths]
    made = not directory.exists()

    def said() -> str:
        written = [p for p, was in zip(paths, before, strict=True) if _identity(p) != was]
        left = f"; {display_path(directory)}/ was created" if made and directory.exists() else ""
        if not written:
            return f"nothing was written{left}"
        names = " and ".join(display_path(p) for p in written)
        verb = "was" if len(written) == 1 else "were"
        return f"{names} {verb} written before it stopped (its summary was not shown){left}"

    return said


def _identity(path: Path) -> tuple[int, int, int, int] | None:
    """Which file `path` is and when it last changed (None: there is none), to tell a file
    written (moved into place, or written in place) from the one that was there."""
    try:
        info = os.stat(path)
    except (OSError, ValueError):
        return None
    return (info.st_dev, info.st_ino, info.st_mtime_ns, info.st_size)


_EACH_ITS_OWN = (
    "compare reads each environment from its own profile's project and region, and one "
    "override cannot say which of the two it replaces (the same for both would make two "
    "environments one); set `project:` and `region:` in each profile"
)


@shared(
    "profiles",
    "fail_on",
    "wait",
    "impersonate_service_account",
    "verbose",
    refuses={"project": _EACH_ITS_OWN, "region": _EACH_ITS_OWN},
)
def compare(
    cli: Invocation,
    environment_a: Annotated[str, typer.Argument(help="First environment (e.g. staging).")],
    environment_b: Annotated[str, typer.Argument(help="Second environment (e.g. e2e, prod).")],
    live: Annotated[
        bool,
        typer.Option("--live", help="Compare what the two environments' services run with."),
    ] = False,
    service: ServiceOpt = None,
    format: Annotated[
        CompareFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = CompareFormat.TABLE,
    output_file: OutputOpt = None,
    secret_values: Annotated[
        bool,
        typer.Option(
            "--secret-values/--no-secret-values",
            help="With --live: read the values of the secrets the services reference (in "
            "memory, never shown) to tell equal ones from different ones and mask plain "
            "copies or parts of them.",
        ),
    ] = True,
    quiet: QuietOpt = False,
) -> None:
    """Parity of two environments: variables on one side only, plain vs secret shape, values
    that should differ but do not (project ids, backend hosts, secrets), and what B requires
    that A does not provide. Never writes.

    Without --live, compares the two merged profiles; with --live, the services each profile
    names, read from each profile's project and region.

    Exit 0 equivalent, 1 different, 2 bad input, 3 incomplete (a service or a secret value
    could not be read; never reported as equivalent). Differences carry no severity:
    --fail-on error and warning both exit 1 on any; --fail-on never (or DRIFT_FAIL_ON,
    [tool.drift] fail_on) prints them and exits 0 (3 when something could not be read).

    Examples:

      drift compare staging e2e

      drift compare staging prod --live

      drift compare staging prod --live --format json --output parity.json
    """
    from drift.compare.render import render_comparison, summary_line

    where = {"--output": output_file}
    destinations.writable_files(where)  # before anything is read (helper-656 MEDIUM-3)
    destinations.not_the_step_summary(
        where, f"a comparison (--format {format.value})", hint=destinations.FILE_OF_ITS_OWN
    )
    settings = cli.settings()
    profile_a, profile_b = cli.pair(settings, environment_a, environment_b)
    destinations.not_an_input(where, settings, [profile_a, profile_b])
    if live:
        from drift.compare.run import compare_live

        comparison = run(
            compare_live(
                profile_a, profile_b, settings, services=service, secret_values=secret_values
            ),
            what="the comparison is incomplete",
        )
    else:
        from drift.compare.run import compare_profiles

        comparison = compare_profiles(profile_a, profile_b, service)
    comparison = replace(comparison, fail_on=settings.fail_on)
    line = f"{summary_line(comparison)} (exit {int(comparison.exit_code)})"
    wrote = ""
    if output_file is not None:
        from drift.yamlfile import display_path

        wrote = f"wrote {display_path(output_file)}: {line}"
    quietly = quiet and format is CompareFormat.TABLE
    text = line + "\n" if quietly else render_comparison(comparison, format)
    raise typer.Exit(
        destinations.delivered(
            lambda: output.emit(text, output_file, fmt=format, summary=wrote),
            int(comparison.exit_code),
        )
    )
