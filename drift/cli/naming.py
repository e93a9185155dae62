"""The options that name a project, a region or a service account in place of the profile's
or drift's own settings, and the parser of each option that names something. The empty text
(`--project "$PROJECT"` with PROJECT unset in a CI step) is refused, naming the option (exit
2), as `--output ''` is: read as not given, it was passed over in silence, and the profile's
project was checked while the step meant another (helper-810). A variable or a
`[tool.drift]` key left empty is refused alike (`drift.setting_values.a_place`)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated

import typer


def names_one(what: str, instead: str) -> Callable[[str], str]:
    """The parser of an option whose value names a `what`: the empty text refused, saying
    what leaving the option out gives (`instead`); any other value as it is given (its own
    checks judge it, and say where it came from)."""

    def given(value: str) -> str:
        if value == "":
            raise typer.BadParameter(
                f"'' names no {what} (an unset variable?): leave the option out {instead}, "
                "or name one"
            )
        return value

    return given


PROJECT = names_one("project", "for DRIFT_PROJECT's, [tool.drift]'s or the profile's")
REGION = names_one("region", "for DRIFT_REGION's, [tool.drift]'s or the profile's")
READ_PROJECT = names_one("project", "for DRIFT_PROJECT's or [tool.drift]'s")  # init: no profile
READ_REGION = names_one("region", "for DRIFT_REGION's or [tool.drift]'s")
SERVICE = names_one("service", "for every one")
CHANGE = names_one("change", "to apply the whole plan")  # fix --only

ProjectOpt = Annotated[
    str | None,
    typer.Option(
        "--project", help="Override the profile's GCP project [env DRIFT_PROJECT].", parser=PROJECT
    ),
]
RegionOpt = Annotated[
    str | None,
    typer.Option(
        "--region", help="Override the profile's region [env DRIFT_REGION].", parser=REGION
    ),
]
ImpersonateOpt = Annotated[
    str | None,
    typer.Option(
        "--impersonate-service-account",
        help="Call the APIs as this service account (ADC must be allowed to impersonate it) "
        "[env DRIFT_IMPERSONATE_SERVICE_ACCOUNT].",
        parser=names_one(
            "service account",
            "for DRIFT_IMPERSONATE_SERVICE_ACCOUNT's or [tool.drift]'s, else none (ADC's own)",
        ),
    ),
]
