"""`drift plan`, `drift fix` and `drift rollback`."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drift.cli import output, prompt
from drift.cli.options import (
    GATES,
    FormatOpt,
    JournalOpt,
    NoHistoryOpt,
    OutputOpt,
    ServiceOpt,
    YesOpt,
    environment_names,
    file_option,
    local_file,
    local_input,
    repeatable,
    shared,
)
from drift.cli.session import Invocation, run
from drift.errors import ExitCode, OutputLost, UsageError
from drift.fix.formats import PlanFormat
from drift.format import OutputFormat

if TYPE_CHECKING:
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
    from drift.fix.render import render_plan
    from drift.fix.saved import saved_text, write_saved

    settings, profile = cli.load(
        "drift.fix.plan", "drift.fix.render", history=False if no_history else None
    )
    planned = run(
        plan_environment(
            profile,
            settings,
            services=service,
            environ=dict(os.environ),
            from_template=from_template,
        )
    )
    if out is not None:
        write_saved(out, saved_text(planned.plan, profile, service, from_template))
    reveal = include_plain_credentials and format is PlanFormat.YAML
    text = render_plan(planned.plan, format, patched=planned.patched, reveal=reveal)
    if reveal and output_file is not None:
        private(output_file)
    if format in (PlanFormat.GCLOUD, PlanFormat.YAML):  # a script's text: no note in it
        for note in planned.plan.notes:
            output.say(f"note: {note}", err=True)
    output.emit(text, output_file, fmt=format, summary=_wrote(output_file, planned))
    raise typer.Exit(int(planned.exit_code))


def _wrote(path: Path | None, planned: Planned) -> str:
    """What `plan --output` wrote, and the check's line that says why it exits so."""
    from drift.fix.formats.table import plan_summary
    from drift.format.summary import summary_line
    from drift.yamlfile import display_path

    if path is None:
        return ""
    plan = plan_summary(planned.plan)
    return f"wrote {display_path(path)}: {plan}; {summary_line(planned.check.report)}"


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
            "options); exit 4, nothing written, if a service or the profile changed since.",
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
        ),
    ] = None,
    journal: JournalOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
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
    when some items could not be read.

    Examples:

      drift fix e2e

      drift fix e2e --service api --yes

      drift fix staging --dry-run

      drift fix staging --plan plan.json --only api/env.LOG_LEVEL
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
    settings, profile = cli.load(
        "drift.fix.apply", journal_dir=journal, history=False if no_history else None
    )
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
    with like_ctrl_c(), made_only_if_used(settings.journal()):
        result = run(
            run_fix(profile, settings, ui, options, services=service, environ=dict(os.environ)),
            interrupted=ExitCode.ABORTED,
            what=said,
        )
    try:
        summary = result.summary()
        # a table dry run's report says it as a note, above its summary line: said once
        if summary and not (dry_run and not prose and result.recheck is not None):
            output.say(summary, err=prose)
        output.annotate_error(*result.stopped())  # why, on the run's page, as an error's
        if result.recheck is not None and (result.change_id is not None or prose or dry_run):
            if result.change_id is not None:
                output.say("re-check after the fix:", err=prose)
            output.emit(output.render(result.recheck, format), fmt=format)
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
    raise typer.Exit(int(result.exit_code))


@shared("profiles", "impersonate_service_account", "verbose")
def rollback(
    cli: Invocation,
    change_id: Annotated[
        str | None, typer.Argument(help="Change to undo [default: the latest].")
    ] = None,
    service: Annotated[
        list[str] | None,
        repeatable(
            "--service",
            "-s",
            help="Only this service of the change (repeatable; job/NAME a job): the rest "
            "stays recorded, to roll back later. Without CHANGE_ID: its latest change.",
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Restore though someone changed the service since drift's last write (undone "
            "too), an image or connector a failed canary found gone is back, or (--from-live) "
            "a canary younger than a fix can run (2 h) is known to have stopped.",
        ),
    ] = False,
    list_changes: Annotated[
        bool, typer.Option("--list", help="List the recorded changes and exit.")
    ] = False,
    from_live: Annotated[
        str | None,
        typer.Option(
            "--from-live",
            help="The change is not in this journal (its fix ran in CI, in a container, on "
            "another machine): remove its canary from the live services of ENV, routing back "
            "to LATEST, never to the canary.",
            show_default=False,
            metavar="ENV",
            autocompletion=environment_names,
        ),
    ] = None,
    journal: JournalOpt = None,
) -> None:
    """Put back what served before a change (from the journal), after confirmation: the
    configuration that served and the traffic as it was (LATEST as LATEST), the canary's tag
    removed.

    The prompt shows everything that changes (image, variables masked, settings, traffic).
    It refuses (exit 4) a journal entry drift did not write as it is, a service someone
    changed since drift's last write (unless --force), and a service another drift command
    holds. Exit 0 only when what serves afterwards (traffic_statuses) is what served before;
    else it says what serves and exits 4. Plain `drift rollback` takes the latest change and,
    once that is rolled back, says there is nothing left to roll back (exit 0).

    The configuration that served is deployed again as a new revision: an image named by a
    tag runs what the tag names now (said in the prompt and the result). A change drift made
    later on the same service is named: roll it back first. --force undoes it too, and the
    journal records it as rolled back by this rollback.

    A change whose journal is not here (a fix killed in CI, in a container): --from-live ENV
    finds its canary on ENV's live services and rolls it back from what they show, the
    configuration of the revision the canary pinned the traffic to, and LATEST; it is then
    recorded in this journal. A pin older than the canary (a ready revision between them) is
    the team's own and stays as it is. A canary younger than a fix can run (2 h) is refused
    unless --force: its fix may still be running.

    Examples:

      drift rollback --list

      drift rollback

      drift rollback 20261124-173012-ab12c --yes

      drift rollback 20261124-173012-ab12c --service api

      drift rollback 20261124-173012-ab12c --from-live staging
    """
    from drift.cli.signals import like_ctrl_c
    from drift.fix.rollback import list_changes as listing
    from drift.fix.rollback import run_rollback
    from drift.fix.rollback_view import read_live

    settings = cli.settings(journal_dir=journal)
    if list_changes:
        listed = run(
            read_live(settings, listing(settings, change_id, service)),
            interrupted=ExitCode.ABORTED,
            what="nothing was changed",
        )
        output.say(listed.summary())
        raise typer.Exit(0)
    live = replace(cli, environment=from_live).profile(settings) if from_live else None
    with like_ctrl_c():
        result = run(
            run_rollback(
                settings,
                prompt.PromptUI(yes=yes),
                change_id,
                yes=yes,
                force=force,
                services=service,
                live=live,
            ),
            interrupted=ExitCode.ABORTED,
            what="the journal records what was restored",
        )
    summary = result.summary()
    if summary:
        output.say(summary)
    raise typer.Exit(int(result.exit_code))
