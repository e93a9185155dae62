"""`drift history`."""

from __future__ import annotations

from typing import TYPE_CHECKING, Annotated

import typer

from drift.cli import destinations, output
from drift.cli.loop import run
from drift.cli.options import REACH, JournalOpt, OutputOpt, QuietOpt, ServiceOpt, shared
from drift.cli.session import Invocation, progress_shown
from drift.history.formats import HistoryFormat

if TYPE_CHECKING:
    from drift.history.model import HistoryResult


@shared(
    "environment",
    *REACH,
    refuses={
        "fail_on": "history reads revisions and finds no drift: its exit says whether every "
        "service was read (0) or not (3); `drift check --fail-on` gates on drift"
    },
)
def history(
    cli: Invocation,
    service: ServiceOpt = None,
    limit: Annotated[
        int,
        typer.Option(
            "--limit",
            "-n",
            help="Show at most N revisions per service, newest first, and read at most N "
            "executions per job (0: all).",
            min=0,
        ),
    ] = 20,
    format: Annotated[
        HistoryFormat,
        typer.Option("--format", "-f", help="Output format.", case_sensitive=False),
    ] = HistoryFormat.TABLE,
    output_file: OutputOpt = None,
    quiet: QuietOpt = False,
    journal: JournalOpt = None,
) -> None:
    """Each service's revisions, newest first, with what each one changed against the one
    before it (variables added, removed or changed, secret references repointed, settings,
    images), who created it with which client, and which ones serve or are tagged (a worker
    pool's: its share of instances); each job's configurations as its executions ran them,
    executions with one configuration one entry. Values are masked as in findings; no secret
    value is read. Never writes.

    One ListRevisions per service (paged), one ListExecutions per job, all at once.

    Exit 0 read, 2 bad input, 3 a service could not be read or does not exist (the others
    are still shown; never shown as complete).

    Examples:

      drift history e2e --service api

      drift history staging --limit 5

      drift history staging --format json --output history.json
    """
    from drift.history.read import read_history
    from drift.history.render import render_history
    from drift.live.calls import CallRunner

    destinations.writable_files({"--output": output_file})  # before anything is read
    destinations.markdown_only(output_file, format, hint=_ELSEWHERE)
    settings, profile = cli.load("drift.history.read", "drift.history.render", journal_dir=journal)
    destinations.not_an_input({"--output": output_file}, settings, [profile])
    runner = CallRunner(settings.access().limits)
    with progress_shown(f"reading {cli.environment}'s history", runner, quiet=quiet):
        result = run(
            read_history(profile, settings, services=service, limit=limit or None, runner=runner),
            what="the history is incomplete",
        )
    if format is HistoryFormat.MARKDOWN and output.writes_step_summary(output_file):
        raise typer.Exit(_into_step_summary(result))
    if quiet and format is HistoryFormat.TABLE:
        text = result.summary() + "\n"
    else:
        text = render_history(result, format)
    wrote = ""
    if output_file is not None:  # what was written, and why the exit code (as check says)
        from drift.yamlfile import display_path

        wrote = f"wrote {display_path(output_file)}: {result.summary()}"
    raise typer.Exit(
        destinations.delivered(
            lambda: output.emit(text, output_file, fmt=format, summary=wrote),
            int(result.exit_code),
        )
    )


_ELSEWHERE = (
    "write it to a file of its own (--output history.json, kept as an artifact), or put the "
    "history in the step summary with --format markdown"
)


def _into_step_summary(result: HistoryResult) -> int:
    """`--format markdown` into the step summary file itself (`--output`, or standard output
    redirected there): appended within the room the step left, once, cut to fit with a line
    saying what was left out (`history_within`); the exit code."""
    from drift.history.step_summary import history_within

    left: list[str] = []

    def within(room: int) -> str:
        text, out = history_within(result, room)
        left.append(out)
        return text

    def wrote() -> str:
        cut = f" (cut to fit: {left[-1]})" if left and left[-1] else ""
        return f"appended the history to the step summary{cut}: {result.summary()}"

    code = int(result.exit_code)
    return destinations.to_step_summary(within, code, what="the history", wrote=wrote)
