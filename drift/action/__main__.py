"""`python -m drift.action outputs REPORT` (the step's outputs from the JSON report) and
`python -m drift.action issue REPORT --environment ENV` (the scheduled check's issue)."""

from __future__ import annotations

import argparse
import os
import sys
from functools import partial

from drift.errors import DriftError, ExitCode, UsageError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m drift.action", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)
    outputs = commands.add_parser("outputs", help="write new-findings, resolved-findings, report")
    outputs.add_argument("report")
    outputs.add_argument("--exit-code", type=int, default=None, help="the check's exit code")
    issue = commands.add_parser("issue", help="open, update or close the environment's issue")
    issue.add_argument("report")
    issue.add_argument("--environment", required=True)
    issue.add_argument("--gh", default=os.environ.get("DRIFT_GH", "gh"), help="the gh command")
    args = parser.parse_args(argv)
    from drift.action.report import read_report
    from drift.textsafe import visible

    try:
        report = read_report(args.report)
        if args.command == "outputs":
            status = report.status
            if args.exit_code == ExitCode.INCOMPLETE and status == "clean":
                status = "incomplete"  # an output not written: the SARIF, likely (helper-533 F2)
            _outputs(report.path, len(report.new), len(report.resolved), status)
        else:
            from drift.action.issue import run_gh, sync_issue

            step = sync_issue(
                report, args.environment, partial(run_gh, gh=args.gh), run_url=_run_url()
            )
            print(f"drift: issue for {visible(args.environment)}: {step.value}")
    except DriftError as exc:
        print(f"drift: error: {visible(exc.diagnostics())}", file=sys.stderr)
        return int(exc.exit_code)
    return int(ExitCode.OK)


def _outputs(report: str, new: int, resolved: int, status: str) -> None:
    """The step's outputs, appended to `$GITHUB_OUTPUT` (printed when it is not set): one
    `name=value` line each, the file form of an output parameter (docs.github.com, "Workflow
    commands for GitHub Actions", "Setting an output parameter"); no value holds a newline:
    a report path that does (the workflow's `report` input) is refused, as its second line
    would set an output of its own (`status=clean`)."""
    if "\n" in report or "\r" in report:
        from drift.textsafe import visible

        raise UsageError(
            f"the report path {visible(report)} holds a line break: name the report by a "
            "path of one line (it becomes the step's `report` output)"
        )
    lines = f"new-findings={new}\nresolved-findings={resolved}\nreport={report}\nstatus={status}\n"
    target = os.environ.get("GITHUB_OUTPUT")
    if not target:
        sys.stdout.write(lines)
        return
    try:
        with open(target, "a", encoding="utf-8") as handle:
            handle.write(lines)
    except OSError as exc:  # one line, never a traceback (SPEC invariant 7)
        from drift.textsafe import visible

        raise UsageError(
            f"cannot write the step's outputs to $GITHUB_OUTPUT ({visible(target)}): "
            f"{exc.strerror or exc}"
        ) from exc


def _run_url() -> str:
    """This workflow run's page, from the variables the runner sets."""
    server, repo, run = (
        os.environ.get(k, "") for k in ("GITHUB_SERVER_URL", "GITHUB_REPOSITORY", "GITHUB_RUN_ID")
    )
    return f"{server}/{repo}/actions/runs/{run}" if server and repo and run else ""


if __name__ == "__main__":
    sys.exit(main())
