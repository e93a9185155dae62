"""The options commands share, as typer annotations (one definition each)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from drift.findings import FailOn
from drift.format import OutputFormat

Environment = Annotated[str, typer.Argument(help="Environment: profiles/ENV.yaml.")]
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
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to every prompt.")]
