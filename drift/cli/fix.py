"""`drift plan` and `drift fix` (`drift rollback`: `drift.cli.rollback`)."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drift.cli import destinations, naming, output, prompt
from drift.cli.loop import run
from drift.cli.options import (
    GATES,
    FormatOpt,
    JournalOpt,
    NoHistoryOpt,
    OutputOpt,
    QuietOpt,
    ServiceOpt,
    YesOpt,
    file_option,
    local_file,
    local_input,
    repeatable,
    shared,
)
from drift.cli.session import Invocation
from drift.errors import ExitCode, OutputLost, ProbeConfigError, UsageError
from drift.fix.formats import PlanFormat
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.fix.apply import FixOptions, FixResult
    from drift.fix.plan import Planned

FromTemplateOpt = Annotated[
    bool,
    typer.Option(
        "--from-template",
        help="Build on the service's template even when it differs from what serves (an "
        "unreleased deploy): those differences roll out too.",
    ),
]


@shared(*GATES)
def plan(
    cli: Invocation,
    service: ServiceOpt = None,
    format: Annotated[
        PlanFormat, typer.Option("--format", "-f", help="Plan format.", case_sensitive=False)
    ] = PlanFormat.TABLE,
    output_file: OutputOpt = None,
    include_plain_credentials: Annotated[
        bool,
        typer.Option(
            "--include-plain-credentials",
            help="yaml: write plain values that look like credentials as the live service "
            "holds them (else they are masked and the file is marked not appliable).",
        ),
    ] = False,
    from_template: FromTemplateOpt = False,
    no_promote: Annotated[
        bool,
        typer.Option(
            "--no-promote",
            help="Plan what `drift fix --no-promote` does: a worker pool's new revision gets "
            "no instances until the change is finished (--out keeps it: `drift fix --plan "
            "FILE` holds as planned).",
        ),
    ] = False,
    out: Annotated[
        Path | None,
        file_option(
            "--out",
            help="Also save the plan to FILE for `drift fix --plan FILE` (with each service's "
            "etag and the profile's digest; no secret value).",
            parser=local_file,
        ),
    ] = None,
    no_history: NoHistoryOpt = False,
    quiet: QuietOpt = False,
) -> None:
    """Show the patch that would repair the drift, and the manual steps. Never writes to
    the cloud.

    Formats: table (masked before/after), json (drift.plan/v2), gcloud (a bash script to
    read, then run: only the changes drift can make exactly, with --update-*/--remove-*, never
    --set-*; manual steps as comments; credentials read from the environment), yaml (each
    patched service complete, for `gcloud run services replace`).

    Exit: as `drift check` (SPEC "Exit codes"): 0 no finding at or above --fail-on, 1
    drift at or above it (the plan is printed all the same), 2 usage, 3 when something
    could not be read. To chain on the plan, give `--fail-on never`: 0 with drift, and 3
    still stops the chain when the plan is incomplete.

    Examples:

      drift plan e2e

      drift plan staging --format gcloud --fail-on never --output fix.sh

      (read fix.sh; run it, bash fix.sh, once you agree with every line)

      drift plan staging --service api --format yaml --output api.yaml

      drift plan staging --fail-on never --out plan.json && drift fix staging --plan plan.json
    """
    from drift.fix.plan import plan_environment
    from drift.fix.plan_hold import held_plan
    from drift.fix.render import render_plan
    from drift.fix.saved import saved_text, write_saved

    outputs = {"--output": output_file, "--out": out}
    destinations.writable_files(outputs)  # before anything is read (helper-656 MEDIUM-3)
    destinations.not_the_step_summary(
        {"--output": output_file},
        f"a plan (--format {format.value})",
        hint=destinations.FILE_OF_ITS_OWN,
    )
    settings, profile = cli.load(
        "drift.fix.plan", "drift.fix.render", history=False if no_history else None
    )
    destinations.not_an_input(outputs, settings, [profile])
    planned = run(
        plan_environment(
            profile,
            settings,
            services=service,
            environ=dict(os.environ),
            from_template=from_template,
        )
    )
    if out is not None:  # the plan as made, and the flag: `fix --plan` holds as it says
        write_saved(
            out, saved_text(planned.plan, profile, service, from_template, no_promote=no_promote)
        )
    planned = held_plan(planned, not no_promote)  # after the saved text: no change of it
    reveal = include_plain_credentials and format is PlanFormat.YAML
    text = render_plan(planned.plan, format, patched=planned.patched, reveal=reveal)
    if quiet and format is PlanFormat.TABLE:  # the plan's line and the check's, as --output's
        text = _summary(planned) + "\n"
    if reveal and output_file is not None:
        private(output_file)
    if format in (PlanFormat.GCLOUD, PlanFormat.YAML):  # a script's text: no note in it
        for note in planned.plan.notes:
            output.say(f"note: {note}", err=True)
    wrote = _wrote(output_file, planned)
    raise typer.Exit(
        destinations.delivered(
            lambda: output.emit(text, output_file, fmt=format, summary=wrote),
            int(planned.exit_code),
        )
    )


def _wrote(path: Path | None, planned: Planned) -> str:
    """What `plan --output` wrote, and the check's line that says why it exits so."""
    from drift.yamlfile import display_path

    return "" if path is None else f"wrote {display_path(path)}: {_summary(planned)}"


def _summary(planned: Planned) -> str:
    """The plan's summary line and the check's, that says why it exits so (`--quiet`)."""
    from drift.fix.formats.table import plan_summary
    from drift.format.summary import summary_line

    return f"{plan_summary(planned.plan)}; {summary_line(planned.check.report)}"


def private(path: Path) -> None:
    """Make `path` readable by its owner only before credentials are written to it (a link
    there is removed, not followed: the plan replaces it, `drift.files.replaces_links`)."""
    from drift.files import linked_out, replaces_links

    if away := linked_out(path):
        raise UsageError(f"cannot write {path}: {away}")
    try:
        if replaces_links(path):
            path.unlink()
        path.touch(mode=0o600)
        path.chmod(0o600)
    except OSError as exc:
        raise UsageError(f"cannot write {path}: {exc.strerror or exc}") from exc


@contextmanager
def _unverifiable(options: FixOptions) -> Iterator[None]:
    """A probe the fix cannot send (a `${VAR}` not set: `check_probe_config`, before any
    write) also says how to fix without proving it (helper-683 L2)."""
    try:
        yield
    except ProbeConfigError as exc:
        if options.verify and not options.dry_run:
            skip = "or fix without proving it: --no-verify skips the canary's probe"
            exc.hint = f"{exc.hint}; {skip}" if exc.hint else skip
        raise


@shared(*GATES)
def fix(
    cli: Invocation,
    service: ServiceOpt = None,
    yes: YesOpt = False,
    dry_run: Annotated[
        bool,
        typer.Option("--dry-run", help="Stop after the plan: the server validates it, no write."),
    ] = False,
    no_verify: Annotated[
        bool, typer.Option("--no-verify", help="Do not probe the canary before promoting.")
    ] = False,
    no_promote: Annotated[
        bool,
        typer.Option(
            "--no-promote",
            help="Leave the canary ready, without traffic (traffic stays pinned until you "
            "promote it or roll the change back).",
        ),
    ] = False,
    from_template: FromTemplateOpt = False,
    plan_file: Annotated[
        Path | None,
        file_option(
            "--plan",
            help="Apply exactly the plan saved by `drift plan --out FILE` (its services and "
            "options, --no-promote among them); exit 4, nothing written, if a service or the "
            "profile changed since.",
            parser=local_input,
        ),
    ] = None,
    only: Annotated[
        list[str] | None,
        repeatable(
            "--only",
            help="Apply only this change of the plan (repeatable): SERVICE/env.NAME, "
            "SERVICE/CONTAINER/env.NAME (a sidecar) or SERVICE/setting.NAME, as `drift plan "
            "--format json` lists them under id.",
            parser=naming.CHANGE,
        ),
    ] = None,
    journal: JournalOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output_file: OutputOpt = None,
    quiet: QuietOpt = False,
    no_history: NoHistoryOpt = False,
) -> None:
    """Repair drift: plan -> confirm -> canary revision with no traffic -> probe it ->
    confirm -> move traffic -> re-check.

    The canary is the serving revision's configuration plus the plan: if the template holds
    a change that does not serve (an unreleased deploy), fix stops and names it, unless
    --from-template. Only what the plan names changes; every other variable, setting, label
    and annotation is sent back as read. The service's etag guards against concurrent
    changes, a lock in the journal against a second drift command. Each write is journaled
    first, for `drift rollback`; an abort after the canary exists removes its tag and
    restores the routing that served (LATEST stays LATEST). Without a terminal and without
    --yes, every question is answered no.

    Exit: the re-check's code (0 clean, 1 drift left); 4 aborted safely (declined, canary
    failed, service changed underneath, held by another change, Ctrl-C); --dry-run: 0
    accepted, 2 rejected (by the server, or a service the fix would stop at, such as a new
    revision that would fail its secret check: every other service is still validated), 3
    when some items could not be read or it was stopped (Ctrl-C, SIGTERM).

    Examples:

      drift fix e2e

      drift fix e2e --service api --yes

      drift fix staging --dry-run

      drift fix staging --plan plan.json --only api/env.LOG_LEVEL

      drift fix staging --yes --format json --output recheck.json
    """
    from drift.cli.signals import JournalSays, like_ctrl_c
    from drift.fix.apply import FixOptions, run_fix
    from drift.fix.saved import read_saved
    from drift.fix.unmade import made_only_if_used

    if plan_file is not None and (service or from_template):
        raise UsageError(
            "--plan applies the services and options the plan was made with: "
            "drop --service and --from-template, or make a new plan with them"
        )
    if output_file is not None and plan_file is not None:  # the plan replaced by the report
        destinations.distinct_outputs({"--plan": str(plan_file), "--output": str(output_file)})
    destinations.writable_files({"--output": output_file})
    destinations.markdown_only(output_file, format, hint=destinations.REPORT_HINT)
    settings, profile = cli.load(
        "drift.fix.apply", journal_dir=journal, history=False if no_history else None
    )
    destinations.not_an_input({"--output": output_file}, settings, [profile])
    saved = read_saved(plan_file) if plan_file is not None else None
    said = JournalSays(settings.journal())
    options = FixOptions(
        yes=yes,
        dry_run=dry_run,
        verify=not no_verify,
        promote=not no_promote,
        from_template=from_template,
        saved=saved,
        only=tuple(only or ()),
        # a dry run's report is shown in every format (README: "with --dry-run, the report
        # of the check the plan repairs"), the table's too: its summary line says the exit
        report_shown=output.prose_to_stderr(format) or dry_run,
        began=said.began,
    )
    prose = output.prose_to_stderr(format)  # stdout: the report alone
    ui = prompt.PromptUI(yes=yes, err=prose)
    # SIGTERM, SIGHUP: cleaned up and said as Ctrl-C is; a fix that changed nothing (declined,
    # stopped) leaves no journal directory behind
    with like_ctrl_c(), made_only_if_used(settings.journal()), _unverifiable(options):
        result = run(
            run_fix(profile, settings, ui, options, services=service, environ=dict(os.environ)),
            # a dry run stopped is incomplete, never "aborted" (README: it never exits 4)
            interrupted=ExitCode.INCOMPLETE if dry_run else ExitCode.ABORTED,
            what=said,
        )
    try:
        summary = result.summary()
        # a table dry run's report says it as a note, above its summary line: said once
        if summary and not (dry_run and not prose and result.recheck is not None):
            output.say(summary, err=prose)
        output.annotate_error(*result.stopped())  # why, on the run's page, as an error's
        code = _reported(result, format, output_file, prose=prose, dry_run=dry_run, quiet=quiet)
    except OutputLost as exc:
        if result.change_id is None:
            raise  # nothing was changed: nothing was said either (exit 2)
        # it ran, then could not say how it ended: an abort stays 4; else incomplete (3), as
        # when its re-check cannot be read — never the re-check's 0 or 1, which were not said
        aborted = result.exit_code is ExitCode.ABORTED
        raise OutputLost(
            f"{exc.message}: the fix ran (change {result.change_id}"
            + (f", recorded in {result.recorded_in}" if result.recorded_in else "")
            + f") but its outcome could not be said: `drift check {profile.environment}` "
            "shows where things stand",
            code=ExitCode.ABORTED if aborted else ExitCode.INCOMPLETE,
        ) from exc
    raise typer.Exit(code)


def _reported(
    result: FixResult,
    fmt: OutputFormat,
    path: Path | None,
    *,
    prose: bool,
    dry_run: bool,
    quiet: bool,
) -> int:
    """The fix's report (its re-check; a dry run's report) on stdout, or in `path` whenever
    there is one (`--output`: a fix that stopped before it has none; the file is then left as
    it was, and said so), and the exit code: a report that could not be written after the
    fix ran is an incomplete run (3), but drift left (1) or an abort (4) stays what it is."""
    from drift.format.summary import summary_line
    from drift.yamlfile import display_path

    report, code = result.recheck, int(result.exit_code)
    if path is not None:
        if report is None:
            output.say(
                f"{display_path(path)} was not written: the fix stopped before its re-check",
                err=True,
            )
            return code
        if fmt is OutputFormat.MARKDOWN and output.writes_step_summary(path):
            written = destinations.report_to_step_summary(report, code)
        else:
            wrote = f"wrote {display_path(path)}: {summary_line(report)}"
            text = output.render(report, fmt)
            written = destinations.delivered(
                lambda: output.emit(text, path, fmt=fmt, summary=wrote), code
            )
        return code if result.exit_code is ExitCode.ABORTED else written
    if report is not None and (result.change_id is not None or prose or dry_run):
        if result.change_id is not None:
            output.say("re-check after the fix:", err=prose)
        if fmt is OutputFormat.MARKDOWN and output.writes_step_summary(None):  # `>>` there
            written = destinations.report_to_step_summary(report, code)
            return code if result.exit_code is ExitCode.ABORTED else written
        output.emit(output.render(report, fmt, quiet=quiet), fmt=fmt)
    return code
