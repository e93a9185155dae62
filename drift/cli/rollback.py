"""`drift rollback`: put back what served before a change. Each refusal it can be told to
lift has its own flag, named for what the operator asserts: `--force` (someone's change since
drift's last write is undone too), `--deployable` (what a failed canary could not deploy is
usable again), `--stopped` (with `--from-live`: the fix that made the canary stopped)."""

from __future__ import annotations

from dataclasses import replace
from pathlib import Path
from typing import Annotated

import typer

from drift.cli import destinations, naming, output, prompt
from drift.cli.loop import run
from drift.cli.options import (
    REACH,
    JournalOpt,
    OutputOpt,
    QuietOpt,
    TextFormat,
    TextFormatOpt,
    environment_names,
    repeatable,
    shared,
)
from drift.cli.session import Invocation
from drift.errors import ExitCode, UsageError


@shared(
    *REACH,
    refuses={
        "fail_on": "rollback finds no drift: its exit says whether what serves afterwards is "
        "what served before the change (0) or not (4); `drift check --fail-on` gates on drift"
    },
)
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
            parser=naming.SERVICE,
        ),
    ] = None,
    yes: Annotated[bool, typer.Option("--yes", "-y", help="Do not ask for confirmation.")] = False,
    force: Annotated[
        bool,
        typer.Option(
            "--force",
            help="Restore though someone changed the service since drift's last write: their "
            "change is undone too. Lifts nothing else.",
        ),
    ] = False,
    deployable: Annotated[
        bool,
        typer.Option(
            "--deployable",
            help="What the failed canary could not deploy (an image or connector missing, a "
            "subnet, an encryption key, an image Binary Authorization refused) is usable again "
            "(drift cannot read a registry, Cloud KMS or the network): roll back to the "
            "configuration that names it.",
        ),
    ] = False,
    stopped: Annotated[
        bool,
        typer.Option(
            "--stopped",
            help="With --from-live: the fix that made this canary is known to have stopped, "
            "though the canary is younger than a fix can run (2 h).",
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
    format: TextFormatOpt = TextFormat.TABLE,
    output_file: OutputOpt = None,
    quiet: QuietOpt = False,
) -> None:
    """Put back what served before a change (from the journal), after confirmation: the
    configuration that served and the traffic as it was (LATEST as LATEST), the canary's tag
    removed.

    The prompt shows everything that changes (image, variables masked, settings, traffic).
    It refuses (exit 4) a journal entry drift did not write as it is, a service someone
    changed since drift's last write (unless --force, which lifts only that), and a service
    another drift command holds. Exit 0 only when what serves afterwards (traffic_statuses)
    is what served before; else it says what serves and exits 4. Plain `drift rollback`
    takes the latest change and, once that is rolled back, says there is nothing left to
    roll back (exit 0; exit 4 naming them while services the journal does not hold still
    carry its canary: a change --from-live journaled in part).

    The configuration that served is deployed again as a new revision: an image named by a
    tag runs what the tag names now (said in the prompt and the result). A change drift made
    later on the same service is named: roll it back first. --force undoes it too, and the
    journal records it as rolled back by this rollback.

    A job or worker pool (`--service job/NAME`, `worker_pool/NAME`) changed in place is put
    back by one update of its configuration (a job's task count, a pool's instance count and
    split too): exit 0 when it reads back as it was before the change, a job ready or not (why
    it is not ready is said: a job runs nothing until it is executed); a job's execution still
    running the change is named: the next one runs what was restored.

    A change whose journal is not here (a fix killed in CI, in a container): --from-live ENV
    finds its canary on ENV's live services and rolls it back from what they show, the
    configuration of the revision the canary pinned the traffic to, and LATEST; it is then
    recorded in this journal. A pin older than the canary (a ready revision between them) is
    the team's own and stays as it is. A canary younger than a fix can run (2 h) is refused
    unless --stopped: its fix may still be running.

    A configuration the failed canary could not deploy (its image or connector missing, its
    subnet or encryption key unusable, its image refused by Binary Authorization) is refused
    (a rollback would only add a failed revision) unless --deployable: it is usable again.

    Examples:

      drift rollback --list

      drift rollback

      drift rollback 20261124-173012-ab12c --yes

      drift rollback 20261124-173012-ab12c --service api

      drift rollback 20261124-173012-ab12c --from-live staging

      drift rollback --from-live staging --project acme-chat-staging-2

    --project and --region override those of the profile --from-live names, as for `drift
    fix`; a change in the journal names the services it changed (and where) itself.
    --output FILE writes the result (the listing, what was restored) to FILE; the prompt and
    each step are still shown. --quiet cuts --list to its count line.
    """
    from drift.cli.signals import like_ctrl_c
    from drift.fix.rollback import list_changes as listing
    from drift.fix.rollback import run_rollback
    from drift.fix.rollback_view import read_live
    from drift.live.changeids import well_formed

    if stopped and not from_live:
        raise UsageError(
            "--stopped applies only with --from-live ENV (a canary rebuilt from the live "
            "services): drop it, or add --from-live"
        )
    if change_id is not None and not change_id.strip():
        raise UsageError(
            "CHANGE_ID is empty (an unset variable?): nothing was rolled back; name the change "
            "(`drift rollback --list` shows them), or leave it out for the latest"
        )
    if from_live is not None and not from_live.strip():
        raise UsageError("--from-live is empty: name the environment whose services hold it")
    if from_live and change_id and not well_formed(change_id):
        raise UsageError(
            f"not a change id: {change_id!r} (drift's read YYYYMMDD-HHMMSS-xxxxx, as its "
            "canary's tag and revision name show them): nothing was rolled back"
        )
    if list_changes and (force or deployable or stopped):
        raise UsageError("--list only lists: drop --force, --deployable and --stopped")
    if (cli.project or cli.region) and not from_live:
        raise UsageError(
            "--project and --region apply only with --from-live ENV, whose profile they "
            "override: a change in the journal names the services it changed, project and "
            "region included (`drift rollback --list` shows them)"
        )
    destinations.writable_files({"--output": output_file})
    destinations.not_the_step_summary(
        {"--output": output_file}, "rollback's text", hint=destinations.FILE_OF_ITS_OWN
    )
    settings = cli.settings(journal_dir=journal)
    destinations.not_an_input({"--output": output_file}, settings, [])
    if list_changes:
        listed = run(
            read_live(settings, listing(settings, change_id, service)),
            interrupted=ExitCode.INCOMPLETE,  # a listing stopped aborted nothing (README)
            what="nothing was changed",
        )
        said = listed.summary()
        line = said.splitlines()[0]  # no change recorded (and why), or the table's header
        if listed.entries:  # the listing's count line
            from drift.textsafe import plural, visible

            changes = plural(len({e.change_id for e in listed.entries}), "change")
            line = f"{changes} recorded; journal: {visible(listed.journal)}"
        raise typer.Exit(_said(line if quiet else said, output_file, 0, line=line))
    live = replace(cli, environment=from_live).profile(settings) if from_live else None
    with like_ctrl_c():
        # fmt: off
        rolling = run_rollback(
            settings, prompt.PromptUI(yes=yes), change_id, yes=yes, services=service, live=live,
            force=force, deployable=deployable, stopped=stopped,
        )
        # fmt: on
        result = run(
            rolling,
            interrupted=ExitCode.ABORTED,
            what="the journal records what was restored",
        )
    raise typer.Exit(_said(result.summary(), output_file, int(result.exit_code)))


def _said(text: str, path: Path | None, code: int, *, line: str = "") -> int:
    """The result on stdout, or in `path` (`--output`, with its first line on stderr), and the
    exit code: a result that could not be written once the rollback ran is an incomplete run
    (3), but an abort (4) stays one. `line`: what the text says in one line (its first)."""
    if path is None:
        if text:
            output.say(text)
        return code
    from drift.yamlfile import display_path

    first = line or (text.splitlines()[0] if text else "nothing was rolled back")
    wrote = f"wrote {display_path(path)}: {first}"
    written = destinations.delivered(
        lambda: output.emit(output.readable(text), path, summary=wrote), code
    )
    return code if code == ExitCode.ABORTED else written
