"""`drift check` and `drift probe`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Annotated

import typer

from drift.cli import output
from drift.cli.options import (
    GATES,
    READS,
    FormatOpt,
    OutputOpt,
    QuietOpt,
    ServiceOpt,
    shared,
)
from drift.cli.session import Invocation, run
from drift.format import OutputFormat


@shared(*GATES)
def check(
    cli: Invocation,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output_file: OutputOpt = None,
    probe: Annotated[
        bool, typer.Option("--probe", help="Also probe each service's WebSocket handshake.")
    ] = False,
    sarif: Annotated[
        Path | None,
        typer.Option(
            "--sarif", help="Also write the report as SARIF to FILE (one read, two outputs)."
        ),
    ] = None,
    quiet: QuietOpt = False,
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
    from drift.check import run_check
    from drift.fix.render import with_repairs
    from drift.live.calls import CallRunner
    from drift.progress import progress, wanted

    settings = cli.settings()
    profile = cli.profile(settings)
    runner = CallRunner(settings.access().limits)
    with progress(f"checking {cli.environment}", runner, enabled=wanted(quiet=quiet)):
        result = run(
            run_check(
                profile,
                settings,
                services=service,
                probe=probe,
                environ=dict(os.environ),
                runner=runner,
            )
        )
    report = with_repairs(profile, result.state, result.report)
    output.emit_report(report, format, output_file, quiet=quiet)
    if sarif is not None:
        output.emit(output.render(report, OutputFormat.SARIF), sarif)
    output.step_summary(report)
    raise typer.Exit(int(report.exit_code))


@shared(*READS)
def probe(
    cli: Invocation,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output_file: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Probe each service's WebSocket handshake (the profile's `probe` block). Never writes.

    Tells a 1011 close from a dropped connection (1006), an HTTP rejection and an unreachable
    service. `${VAR}` in subprotocols and headers come from this shell's environment.

    Examples:

      drift probe e2e

      ACME_TEST_JWT=$(./mint-token) drift probe staging --service api --format json
    """
    from drift.probe.live import run_probe

    settings = cli.settings()
    profile = cli.profile(settings)
    report = run(run_probe(profile, settings, services=service, environ=dict(os.environ)))
    output.emit_report(report, format, output_file, quiet=quiet)
    raise typer.Exit(int(report.exit_code))
