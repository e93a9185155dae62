"""`drift check` and `drift probe`."""

from __future__ import annotations

import os
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING, Annotated

import typer

from drift.cli import destinations, output
from drift.cli.loop import run
from drift.cli.options import (
    GATES,
    BaselineOpt,
    FailOnNewOpt,
    FormatOpt,
    JournalOpt,
    NoHistoryOpt,
    QuietOpt,
    ReportOutputOpt,
    ServiceOpt,
    file_option,
    named,
    repeatable,
    shared,
)
from drift.cli.session import Invocation, progress_shown
from drift.errors import UsageError
from drift.format import OutputFormat

if TYPE_CHECKING:
    from drift.baseline import Baseline
    from drift.live.session import Access
    from drift.live.state import LiveState
    from drift.report import Report


@shared(*GATES)
def check(
    cli: Invocation,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output_file: ReportOutputOpt = None,
    probe: Annotated[
        bool, typer.Option("--probe", help="Also probe each service's WebSocket handshake.")
    ] = False,
    sarif: Annotated[
        str | None,
        file_option(
            "--sarif",
            help="Also write the report as SARIF to FILE or gs://BUCKET/OBJECT (one read, two "
            "outputs).",
        ),
    ] = None,
    json_file: Annotated[
        str | None,
        file_option(
            "--json",
            help="Also write the report as JSON to FILE or gs://BUCKET/OBJECT (the next "
            "run's --baseline).",
        ),
    ] = None,
    baseline: BaselineOpt = None,
    fail_on_new: FailOnNewOpt = False,
    quiet: QuietOpt = False,
    no_history: NoHistoryOpt = False,
    manifest: Annotated[
        list[str] | None,
        repeatable(
            "--manifest",
            "-m",
            help="Check what is about to be deployed instead of what runs: a Knative Service "
            "or Job YAML (as `gcloud run services replace` takes it) or `terraform show -json` "
            "plan output (repeatable; - reads standard input). Its secrets are still read live.",
            metavar="FILE",
            parser=named,
        ),
    ] = None,
    offline: Annotated[
        bool,
        typer.Option(
            "--offline",
            help="With --manifest: check only what the files say, read nothing from Google "
            "Cloud (secret references are then not verified: exit 3 unless drift).",
        ),
    ] = False,
    journal: JournalOpt = None,
) -> None:
    """Read what the serving revisions run with and diff it against the profile. Never writes.

    With --manifest, check the configuration a pipeline is about to deploy instead, with the
    same rules and report: each finding's revision is manifest:FILE. Cloud Run is read only
    for a revision the manifest keeps serving by name (GetRevision), Secret Manager for the
    references; --offline reads neither.

    With --baseline, compare with the JSON report of an earlier run: each finding is new,
    unchanged or updated, and what is gone is listed as resolved; --fail-on-new makes only
    new and updated findings fail the run.

    Exit 0 clean, 1 drift at or above --fail-on, 2 bad input, 3 incomplete (some items could
    not be read; never reported as clean).

    Examples:

      drift check staging

      drift check e2e --probe --service api

      drift check staging --format json --output report.json

      drift check staging --format sarif --output drift.sarif --fail-on warning

      drift check staging --format github --sarif drift.sarif

      drift check staging --manifest service.yaml

      drift check staging --baseline last.json --fail-on-new --json report.json

      terraform show -json plan | drift check staging --manifest -
    """
    if offline and not manifest:
        raise UsageError("--offline applies only with --manifest")
    if probe and manifest:
        raise UsageError(
            "--probe does not apply with --manifest: nothing is deployed yet to probe "
            "(probe after the deploy: drift probe ENV)"
        )
    # (the baseline is read before anything is written: `--baseline last.json --json
    # last.json` keeps one file up to date)
    places = {"--output": output_file, "--sarif": sarif, "--json": json_file}
    destinations.distinct_outputs(places)
    destinations.writable(places)
    # none but Markdown into the step summary file (`--format markdown`: appended, below)
    destinations.markdown_only(output_file, format, hint=destinations.REPORT_HINT)
    destinations.not_the_step_summary({"--sarif": sarif}, "a SARIF log", destinations.REPORT_HINT)
    destinations.not_the_step_summary(
        {"--json": json_file}, "a JSON report", destinations.REPORT_HINT
    )
    not_json = None if format is OutputFormat.JSON else output_file
    destinations.not_the_baseline(baseline, {"--sarif": sarif, "--output": not_json})
    destinations.one_reader_of_stdin(baseline, manifest)
    if fail_on_new and baseline is None:
        raise UsageError(
            "--fail-on-new needs --baseline: new compared with which earlier report?",
            hint="pass the JSON report of an earlier run: --baseline last.json",
        )
    settings, profile = cli.load(
        "drift.check",
        # what reading a manifest imports, meanwhile too (`--offline` makes no clients:
        # 0.1 s of run_v2 after the profile was read otherwise, helper-577 F4)
        *(("drift.manifest.terraform", "google.cloud.run_v2") if manifest else ()),
        clients=not offline,
        reads=_local_inputs(baseline, manifest or ()),
        history=False if no_history else None,
        journal_dir=journal,
    )
    destinations.not_an_input(places, settings, [profile], manifest or ())
    from drift.check import Source, run_check
    from drift.fix.served import canary_record
    from drift.live.calls import CallRunner

    earlier = None
    if baseline is not None:
        earlier = _baseline(baseline, settings.access())
        earlier.check_scope(profile.environment, profile.project, profile.region)
    source: Source | None = None
    if manifest:
        from drift.manifest import ManifestSource, load_manifests

        requested = tuple(service or ())
        profiled = [
            f"{profile.project}/{profile.region}/{p.name}" for p in profile.services.values()
        ]
        loaded = load_manifests(manifest, _standard_input, profile.public_names(), profiled)
        source = ManifestSource(loaded, offline=offline, requested=requested)
    runner = CallRunner(settings.access().limits)
    journal_dir = settings.journal()  # the canaries it records, the locks it holds
    with progress_shown(f"checking {cli.environment}", runner, quiet=quiet):
        result = run(
            run_check(
                profile,
                settings,
                services=service,
                probe=probe,
                environ=dict(os.environ),
                runner=runner,
                source=source,
                canaries=canary_record(journal_dir),
                # an ignored finding's `since`: in JSON and SARIF only (and a baseline's)
                ignored_since=format in (OutputFormat.JSON, OutputFormat.SARIF)
                or any(f is not None for f in (json_file, sarif, baseline)),
            )
        )
    # The repair of a manifest is an edit of the manifest, not a command on what runs; a
    # report with no finding and nothing unread has none (the planner is imported for one),
    # nor one no output shows (`fix_commands`: JSON's, Markdown's and so the step summary's;
    # never the table's, SARIF's or github's: helper-663 L1)
    report = result.report
    if not manifest and (left := _stopped_changes(journal_dir, result.state)):
        report = replace(report, notes=(*report.notes, *left))
    repairs = format in (OutputFormat.JSON, OutputFormat.MARKDOWN) or json_file is not None
    repairs = repairs or output.step_summary_file() is not None
    if not manifest and repairs and (report.findings or report.unverified):
        from drift.fix.render import with_repairs

        report = with_repairs(profile, result.state, report)
    if earlier is not None:
        if not offline:  # what the baseline found masked, on revisions this run did not read
            from drift.earlier_reads import read_earlier, wanted

            revisions = wanted(earlier, report, result.state)
            run(read_earlier(profile, settings, result.state, revisions, runner))
        report = earlier.compare(
            report,
            fail_on_new=fail_on_new,
            state=result.state,
            profiled=profile.services,
            history=settings.history and not manifest,
        )
    log = None  # the SARIF log, rendered once: its size says what it leaves out
    if sarif is not None or format is OutputFormat.SARIF:
        report, log = _sarif_capped(report)
    access = settings.access()
    failed: list[str] = []  # each output is written, whichever of the others could not be
    where = output.location(output_file)
    # the files first: the report's own output (a Markdown summary a job appends itself)
    # then says which were not written, never "clean … (exit 0)" of a run exiting 3, nor
    # does any output written after one that failed (`Report.lost`: its exit code, status)
    for fmt, also in ((OutputFormat.SARIF, sarif), (OutputFormat.JSON, json_file)):
        if also is not None:
            with destinations.undelivered(failed):
                own = log if fmt is OutputFormat.SARIF and not failed else None
                as_said = replace(report, lost=len(failed))
                written = own if own is not None else output.render(as_said, fmt)
                output.emit(written, output.location(also), access=access)
    before = len(failed)
    # the step summary itself: appended within the room the step left, once
    summary = format is OutputFormat.MARKDOWN and output.writes_step_summary(where)
    with destinations.undelivered(failed):
        text = log if format is OutputFormat.SARIF and not failed else None
        if summary:  # the Markdown asked for, with no room left for it: not written (exit 3)
            code = destinations.delivered_code(report.exit_code, failed)
            lost = output.summary_not_written(
                lambda: output.append_summary(report, failed, code), "the report"
            )
            if lost is not None:
                output.error(lost)  # said as `undelivered` does
                failed.append(lost)
        else:
            if format is OutputFormat.MARKDOWN and failed:
                code = destinations.delivered_code(report.exit_code, failed)
                text = output.markdown(report, failed, code)
            said = output.step_summary_writable()  # what the annotations may send to
            output.emit_report(
                replace(report, lost=len(failed)),
                format,
                where,
                quiet=quiet,
                access=access,
                text=text,
                summary=said,
            )
    shown = where is None and len(failed) == before  # on standard output, which took it
    if not (format is OutputFormat.MARKDOWN and (output_file is None or summary)):
        # `--format markdown` on stdout is the summary the job writes itself (`>>
        # "$GITHUB_STEP_SUMMARY"`): drift's own copy would double it
        output.step_summary(report, failed, destinations.delivered_code(report.exit_code, failed))
    raise typer.Exit(destinations.said(report, where, failed, shown))


def _stopped_changes(journal: Path, state: LiveState) -> list[str]:
    """A note for each checked workload whose change stopped once its last write was sent,
    its lock left (`drift.fix.landed_before.stopped_notes`): looked for only where the journal
    holds a lock at all."""
    locks = journal / "locks"
    if not os.path.isdir(locks) or not any(locks.glob("*.lock")):
        return []
    from drift.fix.landed_before import stopped_notes

    return stopped_notes(journal, {k: s.full_name for k, s in state.services.items()})


def _sarif_capped(report: Report) -> tuple[Report, str]:
    """The report with a note when its SARIF log leaves results out (GitHub code scanning's
    limit, `drift.format.sarif.RESULTS_KEPT`): said in the table, the annotations' run, the
    step summary and the JSON report, not only inside the SARIF log; and that log, as written
    (rendered once: a log of 30,000 results takes about half a second; it holds no note)."""
    from drift.format.sarif import rendered, truncation_text

    log, left_out = rendered(report)
    notes = list(_outside_the_repository(report))
    if left_out:
        notes.append(truncation_text(report, left_out))
    return (replace(report, notes=(*report.notes, *notes)) if notes else report), log


def _outside_the_repository(report: Report) -> tuple[str, ...]:
    """A note when GITHUB_WORKSPACE names the repository and a profile a result is located in
    lies outside it: code scanning places a result by its path in the repository
    (`format.repo_root.repo_path`), so those results would show with no file (helper-533 F4)."""
    from drift.format.repo_root import repo_path

    workspace = os.environ.get("GITHUB_WORKSPACE", "")
    if not workspace:
        return ()
    root = Path(os.path.abspath(workspace))
    files = sorted({f.location.file for f in report.findings if f.location is not None})
    away = [
        f
        for f in files
        if os.path.isfile(f)
        and repo_path(f) == f
        and not Path(os.path.abspath(f)).is_relative_to(root)
    ]
    if not away:
        return ()
    return (
        f"the SARIF results of {', '.join(away)} name a file outside the repository "
        f"GITHUB_WORKSPACE names ({workspace}): code scanning shows them with no file; keep "
        "the profiles in the checkout",
    )


def _local_inputs(baseline: str | None, manifests: list[str] | tuple[()]) -> list[str]:
    """The local files the check reads after the profile: a --baseline that is no Cloud
    Storage object, each --manifest but standard input (`Invocation.load`: one that is not a
    file imports nothing ahead of the error it is)."""
    local = [m for m in manifests if m != "-"]  # drift.manifest.STDIN (not imported for it)
    if baseline is not None and not baseline.lower().startswith("gs://"):
        local.append(baseline)
    return local


def _baseline(value: str, access: Access) -> Baseline:
    """The baseline report, from a file or a Cloud Storage object."""
    from drift.baseline import MAX_BYTES, load_baseline, parse_baseline

    where = output.location(value)
    if where is None or isinstance(where, Path):
        return load_baseline(Path(value), value)
    return parse_baseline(str(where), output.fetch(where, MAX_BYTES, access))


@shared(*GATES)
def probe(
    cli: Invocation,
    service: ServiceOpt = None,
    format: FormatOpt = OutputFormat.TABLE,
    output_file: ReportOutputOpt = None,
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

    destinations.writable({"--output": output_file})
    destinations.markdown_only(output_file, format, hint=destinations.REPORT_HINT)
    settings, profile = cli.load("drift.probe.live")
    destinations.not_an_input({"--output": output_file}, settings, [profile])
    report = run(run_probe(profile, settings, services=service, environ=dict(os.environ)))
    where = output.location(output_file)
    if format is OutputFormat.MARKDOWN and output.writes_step_summary(where):
        raise typer.Exit(destinations.report_to_step_summary(report, int(report.exit_code)))
    failed: list[str] = []
    with destinations.undelivered(failed):
        output.emit_report(report, format, where, quiet=quiet, access=settings.access())
    raise typer.Exit(destinations.said(report, where, failed, shown=False))


def _standard_input() -> bytes:
    """What `--manifest -` reads: standard input, up to the manifests' limit; one that is
    closed (`<&-`) or cannot be read is a usage error naming it, never an internal error
    (revcli88 F6)."""
    import sys

    from drift.manifest.files import MAX_PLAN_BYTES

    hint = "pipe the manifest in (terraform show -json PLAN | drift check ENV --manifest -), "
    hint += "or name its file: --manifest FILE"
    if sys.stdin is None:
        raise UsageError("--manifest -: standard input is closed: nothing to read", hint=hint)
    try:
        return sys.stdin.buffer.read(MAX_PLAN_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a stream closed inside this process
        why = exc.strerror if isinstance(exc, OSError) and exc.strerror else str(exc)
        raise UsageError(f"--manifest -: cannot read standard input: {why}", hint=hint) from exc
