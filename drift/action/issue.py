"""One GitHub issue per environment for a scheduled check, kept with the `gh` CLI: opened
when something is new, commented on and updated when something else is new, left alone when
nothing is, closed when everything is resolved. Every value in it comes from the masked JSON
report and is shown as literal text: no markup, no @mention, no workflow command."""

from __future__ import annotations

import os
import subprocess
import tempfile
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager, suppress
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from drift.action.report import RunReport
from drift.errors import UsageError
from drift.format.summary import cut
from drift.textsafe import md_literal, plural

ROWS = 50
"""Rows shown per table; the others are counted (an issue body holds at most 65536
characters)."""
BODY_LIMIT = 60_000
CELL_CHARS = 200
"""The most characters of a value a cell shows (then marked as cut, the rest counted): a
variable's value may be 32,768 bytes (google.cloud.run.v2.EnvVar `value`), its name 32,768
characters, and two such would fill the body, the rows after them lost to its cut (revout88
F2). The JSON report keeps each whole, as the SARIF log's `VALUE_CHARS` does."""

Gh = Callable[[Sequence[str]], str]
"""Runs `gh ARGS` and returns its standard output."""


class Step(StrEnum):
    OPEN = "open"
    UPDATE = "update"
    CLOSE = "close"
    NONE = "none"


@dataclass(frozen=True)
class Issue:
    number: int
    title: str


def title_for(environment: str) -> str:
    return f"drift: configuration drift in {environment}"


def decide(report: RunReport, issue: Issue | None) -> Step:
    """What to do with the environment's issue after this run."""
    if report.alerting:
        return Step.UPDATE if issue else Step.OPEN
    if report.all_clear and issue:
        return Step.CLOSE
    return Step.NONE


def sync_issue(report: RunReport, environment: str, gh: Gh, *, run_url: str = "") -> Step:
    """Open, update or close the environment's issue as `decide` says; `gh` is asked only
    when there may be something to do."""
    if report.environment != environment:
        raise UsageError(
            f"{report.path} is a report of {report.environment!r}, not of {environment!r}"
        )
    if report.scope:
        # a check of part of it (a manifest, some services, probes only): its missing rows
        # would be taken for resolved, the issue closed or its body cut down (revout88 F1)
        raise UsageError(
            f"{report.path} is a report of part of {environment!r} ({', '.join(report.scope)}):"
            " the issue keeps the state of all of it; give it the report of a check of the"
            " whole environment (no --service, --manifest, nor drift probe)"
        )
    if not report.alerting and not report.all_clear:
        return Step.NONE  # nothing new and something still drifts: leave the issue alone
    title = title_for(environment)
    unkept: list[int] = []
    twins: list[int] = []
    issue = find_issue(gh, title, unkept, twins)
    step = decide(report, issue)
    if step is Step.OPEN:
        # `gh issue create --label` refuses a label the repository does not have; --force
        # makes it again if it does (its color and description as drift sets them)
        gh(["label", "create", LABEL, "--color", "d93f0b", "--description", LABEL_ABOUT, "--force"])
        with _body_file(_unkept_note(unkept) + body(report, run_url)) as path:
            gh(["issue", "create", "--title", title, "--label", LABEL, "--body-file", path])
        # another run of this environment may have opened one meanwhile (`_settled`); the
        # issue is open whether or not GitHub answers that look (a later run closes a twin)
        with suppress(UsageError):
            issue = _settled(gh, title, twins)
    elif step is Step.UPDATE and issue is not None:
        with _body_file(comment(report, run_url)) as path:
            gh(["issue", "comment", str(issue.number), "--body-file", path])
        with _body_file(body(report, run_url)) as path:
            gh(["issue", "edit", str(issue.number), "--body-file", path])
    elif step is Step.CLOSE and issue is not None:
        gh(["issue", "close", str(issue.number), "--comment", closing(report, run_url)])
    if issue is not None:
        for number in sorted(set(twins) - {issue.number}):
            gh(["issue", "close", str(number), "--comment", _twin_note(issue, step)])
    return step


def _settled(gh: Gh, title: str, twins: list[int]) -> Issue | None:
    """The issue kept after this run opened one: the oldest drift-labelled issue with the
    title among the newest (listed without a search, whose index lags behind an issue just
    opened). Two runs of one environment at once (a manual run while the schedule runs, a
    workflow without its `concurrency:` group) each find none and open one: each looks
    again once its own is open, and the later of them, which sees both, keeps the older;
    the others go into `twins`, to be closed (revaction92 F1)."""
    listed = gh(["issue", "list", "--state", "open", "--limit", str(RECENT), "--json", LIST_FIELDS])
    numbers = _titled(listed, title).get(title, [])
    twins.extend(numbers)
    return Issue(min(numbers), title) if numbers else None


def _twin_note(kept: Issue, step: Step) -> str:
    """What a duplicate is closed with: the issue drift keeps for the environment."""
    where = "was closed too" if step is Step.CLOSE else "is kept"
    return (
        f"Closed as a duplicate of #{kept.number}, which {where}: drift keeps one issue per "
        "environment, and two of its runs opened one each at the same time."
    )


RECENT = 500
"""How many of the newest open issues are listed when the search finds none."""
LABEL = "drift"
"""The label drift opens its issue with, and the one it adopts an issue by. Anyone who can
read a public repository can open an issue with drift's title, but "only users with push
access can set labels for new issues. Labels are silently dropped otherwise" (GitHub REST
API, "Create an issue", `labels`), and adding one later takes triage access: an issue
someone else opened is never commented on, edited or closed by drift (whose author could
close it and silence the alerts). Not `--author @me`: the scheduled workflow's token is the
GitHub Actions app's installation token (GH_TOKEN: github.token), for which `gh` resolves
`@me` with a viewer query an installation token is not documented to answer."""
LABEL_ABOUT = "Opened and kept by drift's scheduled check (examples/drift-schedule.yml)"


LIST_FIELDS = "number,title,labels"


def find_issue(
    gh: Gh, title: str, unkept: list[int] | None = None, twins: list[int] | None = None
) -> Issue | None:
    """The open issue with exactly this title and drift's `LABEL` (the oldest, when two runs
    at once opened one each: `twins` gets the numbers of all of them): searched by its title
    and label (`gh issue list` gives the newest issues first, up to `--limit`, so in a busy
    repository a long-lived drift issue is not among the newest 500), then, as a search index
    lags behind an issue just opened, among the newest ones (listed without a search, the
    label checked here). `unkept` gets the open issues with the title but not the label
    found meanwhile."""
    searched = ["--search", f'in:title "{title}"', "--label", LABEL, "--limit", "100"]
    for query in (searched, ["--limit", str(RECENT)]):
        listed = gh(["issue", "list", "--state", "open", *query, "--json", LIST_FIELDS])
        if numbers := _titled(listed, title, unkept).get(title):
            if twins is not None:
                twins.extend(numbers)
            return Issue(min(numbers), title)
    return None


def _unkept_note(unkept: list[int]) -> str:
    """The opening line of a new issue naming the open issues with drift's title that drift
    does not keep (no `LABEL`): one a drift before 2026-11-30 opened has none (it set no
    label) and would otherwise stay open for ever, unmentioned. Never adopted: anyone can open
    an issue with this title (`LABEL`); a person judges, drift names it (revupgrade F4)."""
    if not unkept:
        return ""
    named = ", ".join(f"#{n}" for n in sorted(set(unkept)))
    return (
        f"_Also open with this title but without the `{LABEL}` label, so not kept by drift: "
        f"{named}. An issue an older drift opened has no label: if it is one, close it by "
        "hand (this one replaces it)._\n\n"
    )


def _titled(listed: str, title: str = "", unkept: list[int] | None = None) -> dict[str, list[int]]:
    """Issue numbers by title, of the issues labelled `LABEL`, from `gh issue list --json
    number,title,labels`; the numbers of those titled `title` without it go into `unkept`."""
    import json

    try:
        issues = json.loads(listed or "[]")
    except ValueError as exc:
        raise UsageError(f"gh issue list answered something that is not JSON: {exc}") from None
    found: dict[str, list[int]] = {}
    for item in issues if isinstance(issues, list) else []:
        if not (isinstance(item, dict) and "title" in item and "number" in item):
            continue
        if _labelled(item):
            found.setdefault(str(item["title"]), []).append(int(item["number"]))
        elif unkept is not None and item["title"] == title:
            unkept.append(int(item["number"]))
    return found


def _labelled(item: dict[str, Any]) -> bool:
    labels = item.get("labels")
    names = (
        [label.get("name") for label in labels if isinstance(label, dict)]
        if isinstance(labels, list)
        else []
    )
    return LABEL in names


def body(report: RunReport, run_url: str = "") -> str:
    """The issue's body: what drifts now, what is new, what could not be read, what was
    resolved since the last run."""
    data = report.data
    summary = data.get("summary")
    if not isinstance(summary, dict):
        summary = {}
    lines = [
        f"Project {md_literal(str(data.get('project', '')))}, region "
        f"{md_literal(str(data.get('region', '')))}: {_counts(summary, report)}.",
        "",
    ]
    new_ids = {id(f) for f in report.new}
    lines += _section("New or updated since the last run", report.new, _finding_row)
    lines += _section(
        "Still drifted",
        [f for f in report.findings if id(f) not in new_ids],
        _finding_row,
    )
    lines += _section("Could not verify", report.unverified, _unverified_row)
    lines += _section("Not checked again this run", report.unchecked, _unchecked_row)
    lines += _section("Resolved since the last run", report.resolved, _finding_row)
    return _finish(lines, run_url)


def comment(report: RunReport, run_url: str = "") -> str:
    """The comment that says what is new in this run (the body keeps the whole state)."""
    lines = _section("New or updated since the last run", report.new, _finding_row)
    lines += _section("Newly not verified", report.new_unverified, _unverified_row)
    lines += _section("Resolved since the last run", report.resolved, _finding_row)
    return _finish(lines, run_url)


def closing(report: RunReport, run_url: str = "") -> str:
    done = plural(len(report.resolved), "finding")
    text = f"Everything drift reported is resolved ({done} resolved in the last run)."
    return text + (f" Run: {run_url}" if run_url else "")


def _counts(summary: dict[str, Any], report: RunReport) -> str:
    parts = [
        plural(_int(summary.get("errors")), "error"),
        plural(_int(summary.get("warnings")), "warning"),
        plural(_int(summary.get("infos")), "info"),
        f"{_int(summary.get('unverified'))} not verified",
    ]
    status = report.data.get("status")
    return ", ".join(parts) + (f" ({md_literal(str(status))})" if status else "")


def _int(value: object) -> int:
    return value if isinstance(value, int) and not isinstance(value, bool) else 0


_FINDING_HEAD = ("severity", "service", "rule", "target", "expected", "actual", "location")


def _cell(value: object) -> str:
    """A value from the report as a cell shows it: literal text, cut to `CELL_CHARS`."""
    return md_literal(cut(str(value), CELL_CHARS))


def _finding_row(f: dict[str, Any]) -> list[str]:
    location = f.get("location") if isinstance(f.get("location"), dict) else None
    where = f"{location.get('file')}:{location.get('line')}" if location else ""
    state = f.get("baseline")
    severity = str(f.get("severity", ""))
    return [
        _cell(severity + (f" ({state})" if state in ("new", "updated") else "")),
        *(_cell(f.get(key) or "") for key in ("service", "rule", "target")),
        *(_cell("(not set)" if f.get(key) is None else f[key]) for key in ("expected", "actual")),
        _cell(where),
    ]


def _unverified_row(u: dict[str, Any]) -> list[str]:
    return [_cell(u.get(key) or "") for key in ("service", "target", "reason")]


_UNCHECKED_HEAD = ("severity", "service", "rule", "target", "why")


def _unchecked_row(u: dict[str, Any]) -> list[str]:
    """A finding of the baseline still standing, and why this run did not look again."""
    f = u["finding"]
    found = [_cell(f.get(key) or "") for key in ("severity", "service", "rule", "target")]
    return [*found, _cell(u.get("reason") or "")]


def _section(
    heading: str, items: list[dict[str, Any]], row: Callable[[dict[str, Any]], list[str]]
) -> list[str]:
    if not items:
        return []
    head = {_finding_row: _FINDING_HEAD, _unchecked_row: _UNCHECKED_HEAD}.get(
        row, ("service", "target", "reason")
    )
    lines = [f"### {heading} ({len(items)})", "", "| " + " | ".join(head) + " |"]
    lines.append("|" + "---|" * len(head))
    lines += ["| " + " | ".join(row(item)) + " |" for item in items[:ROWS]]
    if len(items) > ROWS:
        lines.append(f"\n_and {len(items) - ROWS} more: see the JSON report of the run_")
    return [*lines, ""]


def _finish(lines: list[str], run_url: str) -> str:
    footer = "_Kept by the scheduled `drift check`: values are masked as in its report._"
    if run_url:
        footer += f" Run: {run_url}"
    text = "\n".join([*lines, footer]) + "\n"
    if len(text) > BODY_LIMIT:  # cut at a row, never inside one
        text = text[: text.rfind("\n", 0, BODY_LIMIT - 200)] + "\n\n_(cut to fit GitHub's limit)_\n"
    return text


@contextmanager
def _body_file(text: str) -> Iterator[str]:
    """A temporary file holding a body for `gh --body-file` (never on the command line)."""
    try:
        handle, path = tempfile.mkstemp(prefix="drift-issue-", suffix=".md")
    except OSError as exc:  # one line, never a traceback (SPEC invariant 7)
        where = tempfile.gettempdir()
        raise UsageError(
            f"cannot write the issue's body to a temporary file in {where}: "
            f"{exc.strerror or exc} (TMPDIR chooses the directory)"
        ) from exc
    try:
        try:
            with os.fdopen(handle, "w", encoding="utf-8") as out:
                out.write(text)
        except OSError as exc:  # a full disk
            raise UsageError(f"cannot write the issue's body to {path}: {exc.strerror}") from exc
        yield path
    finally:
        os.unlink(path)


def run_gh(args: Sequence[str], *, gh: str = "gh") -> str:
    """`gh ARGS`; a failure is one clear message (its stderr, never a traceback)."""
    try:
        done = subprocess.run([gh, *args], capture_output=True, text=True, check=False)
    except OSError as exc:
        raise UsageError(f"cannot run {gh}: {exc.strerror or exc}") from None
    if done.returncode != 0:
        raise UsageError(f"{gh} {args[0]} {args[1]} failed: {done.stderr.strip()[:500]}")
    return done.stdout
