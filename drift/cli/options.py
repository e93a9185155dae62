"""The options commands share, as typer annotations (one definition each)."""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Mapping
from enum import StrEnum
from pathlib import Path
from typing import Annotated, Any, TypeVar, cast, get_type_hints

import typer

from drift.cli import naming
from drift.errors import UsageError
from drift.findings import FailOn
from drift.format import OutputFormat


def environment_names(ctx: typer.Context, incomplete: str) -> list[str]:
    """Shell completion of ENV: the environments of the profiles directory (nothing when it
    cannot be read: a completion never prints an error)."""
    from drift.errors import DriftError
    from drift.profiles.loader import available
    from drift.settings import load_settings

    try:
        directory = load_settings(profiles_dir=ctx.params.get("profiles")).profiles_dir
        return [name for name in available(directory) if name.startswith(incomplete)]
    except (DriftError, OSError):
        return []


Environment = Annotated[
    str,
    typer.Argument(help="Environment: profiles/ENV.yaml.", autocompletion=environment_names),
]


def directory(value: str) -> Path:
    """A directory option (`--profiles`, `--journal`): an empty value (`--journal "$DIR"` with
    DIR unset) names no directory, and is refused rather than read as the working
    directory (`Path("")` is `.`); leave the option out for its default."""
    if not value.strip():
        raise typer.BadParameter(
            f"{value!r} names no directory: leave the option out for its default, or name one"
        )
    return Path(value)


def journal_directory(value: str) -> Path:
    """`--journal DIR`, refused before anything is read when it is no directory drift can
    read: a file (or a file on its way), a directory it may not list. Every command that takes
    it refuses it alike: fix and rollback would stop at it later, and check and history would
    pass it over in silence (the journal only tells them which canaries drift made: `since`,
    drift.fix.served.canary_record). A directory that does not exist is no error: nothing was
    recorded there (fix creates it)."""
    import os

    from drift.files import file_in_the_way, kind_of

    path = directory(value)
    try:
        blocker = file_in_the_way(path)
    except OSError as exc:
        raise typer.BadParameter(f"{value}: cannot be read: {exc.strerror or exc}") from exc
    if blocker is not None:
        where = "" if blocker == path else f"{value}: "
        raise typer.BadParameter(f"{where}{blocker} is {kind_of(blocker)}, not a directory")
    if path.is_dir() and not os.access(path, os.R_OK | os.X_OK):
        raise typer.BadParameter(f"{value}: cannot be read: permission denied")
    return path


ProfilesDir = Annotated[
    Path | None,
    typer.Option(
        "--profiles",
        help="Directory of ENV.yaml profiles [env DRIFT_PROFILES_DIR; default ./profiles].",
        show_default=False,
        parser=directory,
        metavar="DIR",
    ),
]

# Every command that reads or writes the journal takes it (SPEC invariant 5: "so every
# command finds it"): check and history read it to tell a canary that never served.
JournalOpt = Annotated[
    Path | None,
    typer.Option(
        "--journal",
        help="Journal directory [env DRIFT_JOURNAL_DIR; default .drift/journal beside the "
        "project's pyproject.toml with [tool.drift], else beside the profiles directory].",
        show_default=False,
        parser=journal_directory,
        metavar="DIR",
    ),
]


def repeatable(*names: str, help: str, metavar: str | None = None, parser: Any = None) -> Any:
    """An option that may be given more than once (a list; none by default)."""
    return typer.Option(*names, help=help, show_default=False, metavar=metavar, parser=parser)


ServiceOpt = Annotated[
    list[str] | None,
    repeatable("--service", "-s", help="Only this service (repeatable).", parser=naming.SERVICE),
]


def local_file(value: str) -> Path:
    """A file this command writes on this machine: a URL is refused with what to do instead
    (only the reports of `drift check` and `drift probe` go to Cloud Storage)."""
    if _url_scheme(_a_file(value)):
        raise typer.BadParameter(
            f"{value}: this command writes local files only (`drift check` and `drift probe` "
            "write reports to gs://BUCKET/OBJECT); write a local file and copy it with "
            "`gcloud storage cp`"
        )
    return Path(value)


def local_input(value: str) -> Path:
    """A file this command reads on this machine: a URL is refused with what to do instead."""
    if _url_scheme(_a_file(value)):
        raise typer.BadParameter(
            f"{value}: this command reads local files only; copy it here first with "
            "`gcloud storage cp`"
        )
    return Path(value)


def report_location(value: str) -> str:
    """A local path or a Cloud Storage object (`gs://BUCKET/OBJECT`), checked as it is given
    (`drift.cli.output.location` turns it into one or the other)."""
    scheme = _url_scheme(_a_file(value))
    if scheme and scheme != "gs":
        raise typer.BadParameter(
            f"{value}: drift reads and writes local files and gs://BUCKET/OBJECT only"
        )
    if scheme:
        from drift.live.storage import parse_object

        try:
            parse_object(value)
        except UsageError as exc:
            raise typer.BadParameter(exc.message) from None
    return value


def file_option(*names: str, help: str, parser: Callable[[str], Any] = report_location) -> Any:
    """An option naming a FILE: by default a report to read or write, a local file or
    gs://BUCKET/OBJECT (`report_location`); `local_file`/`local_input` for a local one."""
    return typer.Option(*names, help=help, parser=parser, metavar="FILE", show_default=False)


def _a_file(value: str, dash: bool = False) -> str:
    """`value`, unless it names no file (`--output "$REPORT"` with REPORT unset): refused, as
    `directory` refuses one, rather than read as the working directory (`Path("")` is `.`)."""
    if not value.strip():
        raise typer.BadParameter(f"{value!r} names no file: leave the option out, or name one")
    if value == "-" and not dash:  # not a file named `-` made here (helper-602 F2)
        raise typer.BadParameter(
            "'-' names no file here (only --manifest - reads standard input): leave the "
            "option out (a report then goes to standard output), or name a file (./- for "
            "one named -)"
        )
    return value


named = functools.partial(_a_file, dash=True)
"""`--manifest`, `--scenario`, `--log`: not `.` when empty (helper-740); `-` as given."""


def _url_scheme(value: str) -> str | None:
    scheme, sep, _ = value.partition("://")
    return scheme.lower() if sep and scheme.isalnum() else None


OutputOpt = Annotated[
    Path | None,
    file_option(
        "--output",
        "-o",
        help="Write the result (report, plan, listing) to FILE instead of stdout.",
        parser=local_file,
    ),
]
ReportOutputOpt = Annotated[
    str | None,
    file_option(
        "--output", "-o", help="Write the report to FILE (or gs://BUCKET/OBJECT) instead of stdout."
    ),
]
FailOnOpt = Annotated[
    FailOn | None,
    typer.Option(
        "--fail-on",
        help="Lowest severity that makes the exit code 1 [env DRIFT_FAIL_ON; default error].",
        show_default=False,
    ),
]
QuietOpt = Annotated[
    bool,
    typer.Option(
        "--quiet",
        "-q",
        help="No progress line, and in the table format only the result's summary line (what "
        "fix or rollback will write, and their questions, are shown all the same).",
    ),
]
VerboseOpt = Annotated[
    bool, typer.Option("--verbose", "-v", help="Log every API call to stderr (values scrubbed).")
]


class TextFormat(StrEnum):
    """The one format of a command that prints text for a person (`init`, `rollback`)."""

    TABLE = "table"


TextFormatOpt = Annotated[
    TextFormat,
    typer.Option(
        "--format", "-f", help="Output format (text for a person only).", case_sensitive=False
    ),
]
FormatOpt = Annotated[
    OutputFormat,
    # eager: known before any other option's value is refused, for that error's annotation
    typer.Option("--format", "-f", help="Report format.", case_sensitive=False, is_eager=True),
]
BaselineOpt = Annotated[
    str | None,
    file_option(
        "--baseline",
        help="Compare with the JSON report of an earlier run (--format json; a FILE or "
        "gs://BUCKET/OBJECT): each finding is new, unchanged or updated, and what is gone is "
        "listed as resolved.",
    ),
]
FailOnNewOpt = Annotated[
    bool,
    typer.Option(
        "--fail-on-new",
        help="With --baseline: exit 1 only for new or updated findings at or above --fail-on "
        "(an incomplete run still exits 3).",
    ),
]
YesOpt = Annotated[bool, typer.Option("--yes", "-y", help="Answer yes to every prompt.")]
# check, plan and fix read a drifted workload's history (plan and fix to mask a value pasted
# over an older revision's secret reference, README "secrets"): each can skip it alike
NoHistoryOpt = Annotated[
    bool,
    typer.Option(
        "--no-history",
        help="Do not read drifted services' revision history: findings get no `since`, and a "
        "value pasted over an older revision's secret reference is not known to be a secret "
        "[env DRIFT_HISTORY=false].",
    ),
]
WaitOpt = Annotated[
    str | None,
    typer.Option(
        "--wait",
        help="How long to wait for a deploy in progress to settle before reporting the service "
        "as not verified: seconds, or a duration as profiles write one (90s, 2m) "
        "[env DRIFT_WAIT; default 60].",
        show_default=False,
    ),
]


# --- options shared by several commands, handed to the command as one `Invocation` ----------

_SHARED: dict[str, tuple[str, Any, Any]] = {
    # parameter -> (Invocation field, annotation, default)
    "environment": ("environment", Environment, inspect.Parameter.empty),
    "profiles": ("profiles", ProfilesDir, None),
    "fail_on": ("fail_on", FailOnOpt, None),
    "project": ("project", naming.ProjectOpt, None),
    "region": ("region", naming.RegionOpt, None),
    "impersonate_service_account": ("impersonate", naming.ImpersonateOpt, None),
    "verbose": ("verbose", VerboseOpt, False),
    "wait": ("wait", WaitOpt, None),
}
F = TypeVar("F", bound=Callable[..., Any])
READS = (
    "environment",
    "profiles",
    "project",
    "region",
    "wait",
    "impersonate_service_account",
    "verbose",
)
"""What a command that reads an environment's live services takes."""
REACH = ("profiles", "project", "region", "impersonate_service_account", "verbose")
"""What a command that reaches the live services without waiting for them takes."""
GATES = (*READS, "fail_on")
"""... and a command whose exit code gates on findings."""


REFUSABLE = {
    "fail_on": "--fail-on",
    "project": "--project",
    "region": "--region",
    "output": "--output",
}
"""The common options (SPEC "Commands") a command may have no meaning for (`shared`'s
`refuses`): taken, so that a CI step passing one to every command is no "no such option",
and refused with why (exit 2) when given."""


def _names(option: str) -> tuple[str, ...]:
    """An option's names: `-o` too for `--output`, as every command that writes one has it."""
    return (option, "-o") if option == "--output" else (option,)


def shared(*names: str, refuses: Mapping[str, str] | None = None) -> Callable[[F], F]:
    """Give a command the shared options `names` (the environment argument first, the others
    after its own options) and call it with them gathered as `cli: Invocation`. `refuses`:
    each option of REFUSABLE (by parameter) the command takes only to refuse it, with why
    (hidden from its help)."""
    from drift.cli.session import STATE, Invocation

    refused = dict(refuses or {})

    def decorate(command: F) -> F:
        hints = get_type_hints(command, include_extras=True)
        own = [
            p.replace(annotation=hints[p.name])
            for p in inspect.signature(command).parameters.values()
            if p.name != "cli"
        ]
        extra = [
            inspect.Parameter(
                n,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=_SHARED[n][2],
                annotation=_SHARED[n][1],
            )
            for n in names
        ]
        extra += [
            inspect.Parameter(
                n,
                inspect.Parameter.POSITIONAL_OR_KEYWORD,
                default=None,
                annotation=Annotated[
                    str | None,
                    typer.Option(*_names(REFUSABLE[n]), hidden=True, show_default=False),
                ],
            )
            for n in refused
        ]
        front = [p for p in extra if p.name == "environment"]
        back = [p for p in extra if p.name != "environment"]

        @functools.wraps(command)
        def run(**kwargs: Any) -> Any:
            STATE.annotate = annotating(kwargs)
            for n, why in refused.items():
                if kwargs.pop(n) is not None:
                    raise UsageError(
                        f"{REFUSABLE[n]} does not apply to `drift {command.__name__}`: {why}",
                        hint=f"leave {REFUSABLE[n]} out of this command",
                    )
            given = {_SHARED[n][0]: kwargs.pop(n) for n in names}
            return command(cli=Invocation(**given), **kwargs)

        params = [*front, *own, *back]
        run.__signature__ = inspect.Signature(params)  # type: ignore[attr-defined]
        run.__annotations__ = {p.name: p.annotation for p in params}
        return cast(F, run)

    return decorate


def annotating(params: Mapping[str, object]) -> bool:
    """Whether a command's errors are `::error` workflow commands too: `--format github`
    (every command names its `--format` parameter `format`). From what click parsed of a
    command line it refused: `--format` is eager (processed before any other option), so an
    error in another option's value knows it."""
    return params.get("format") == "github"
