"""`--format github`: GitHub Actions workflow commands that annotate the profile lines."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, replace
from functools import partial
from itertools import groupby

from drift.findings import BaselineState, Finding, Location, Severity, Unverified
from drift.format.gaps import by_cause, targets
from drift.format.interface import Formatter
from drift.format.summary import (
    SEVERITY_LOOK,
    annotated,
    baseline_mark,
    cut,
    finding_text,
    most_severe_first,
    project_hint,
    resolved_heading,
    summary_line,
    unverified_hints,
)
from drift.next_steps import condensed, not_enabled_steps
from drift.report import Report
from drift.textsafe import github_data, github_property, plural, visible

RESOLVED_NAMED = 20
"""The resolved findings the notice names; the others are counted."""
ANNOTATIONS_PER_LEVEL = 10
"""GitHub shows at most this many annotations of each level (error, warning, notice) per step."""
MESSAGE_UNITS = 4096
"""The runner keeps the first 4,096 characters (UTF-16 code units: a C# string's length) of an
annotation's message and drops the rest unmarked (actions/runner src/Runner.Worker/
ExecutionContext.cs `AddIssue`, `_maxIssueMessageLength = 4096`: "Don't send issue with huge
message since we can't forward them from actions to check annotation")."""

TARGET_CHARS = 1000
"""The most characters of a target an unverified item's message quotes (then cut, marked): a
variable's name may be 32,768 characters (google.cloud.run.v2.EnvVar `name`), and the reason,
after it, would go past `MESSAGE_UNITS` (revout88 F4)."""
RESOLVED_CHARS = 120
"""The same for each of the `RESOLVED_NAMED` targets the resolved notice names, so that all
of them and the count of the others fit."""


escape_data = github_data
escape_property = github_property


def command(name: str, message: str, **properties: str | int) -> str:
    """One workflow command line, `::name key=value,…::message`. Property values are shown
    visibly, but for a `file` whose only invisible characters are line breaks: the runner
    unescapes `%0A` (and `%3A`, …) and looks the file up by that name, so it is the real path,
    escaped only (made visible it named no file, revci F3). The message keeps drift's own line
    breaks (its parts are made visible first)."""
    props = ",".join(
        f"{key}={escape_property(_file(str(value)) if key == 'file' else visible(str(value)))}"
        for key, value in properties.items()
    )
    return f"::{name}{' ' + props if props else ''}::{escape_data(message)}"


def _file(path: str) -> str:
    """The path as the runner finds it, where nothing but CR and LF (which the property escapes)
    would be made visible; else visible (no escape sequence, no legacy `##[` in the log)."""
    bare = path.replace("\r", "").replace("\n", "")
    return path if visible(bare) == bare else visible(path)


@dataclass(frozen=True)
class _Annotation:
    level: str
    make: Callable[[], str]
    """The workflow command line, made only for an annotation that is shown (GitHub shows
    `ANNOTATIONS_PER_LEVEL` of each level; the rest are counted, not written)."""
    is_finding: bool


class GitHubFormat(Formatter):
    def __init__(self, *, summary: bool = False) -> None:
        self.summary = summary
        """Whether the step summary is written beside these annotations: what the line
        counting those GitHub does not show sends the reader to (helper-683 L5)."""

    def compose(self, report: Report) -> str:
        items = _in_line_order(most_severe_first(report))
        if refused := report.project_refused is not None:  # said once per cause: `_refused`
            items = [i for i in items if not isinstance(i, Unverified)]
        before = sum(isinstance(i, Unverified) or i.severity is Severity.ERROR for i in items)
        # `most_severe_first` (GitHub shows only the first ANNOTATIONS_PER_LEVEL of a level),
        # the notice of what was resolved after the gaps.
        ranked = [_unverified(i) if isinstance(i, Unverified) else _finding(i) for i in items]
        enable = not_enabled_steps(u.reason for u in report.unverified)
        annotations = [
            *_framed(report),
            *_disabled(enable),
            *(_refused(report) if refused else []),
            *ranked[:before],
            *_resolved(report),
            *ranked[before:],
        ]
        lines: list[str] = []
        shown: Counter[str] = Counter()
        dropped: Counter[bool] = Counter()  # keyed by is_finding
        for annotation in annotations:
            if shown[annotation.level] < ANNOTATIONS_PER_LEVEL:
                shown[annotation.level] += 1
                lines.append(annotation.make())
            else:
                dropped[annotation.is_finding] += 1
        if dropped:
            lines.append(_dropped_line(dropped[True], dropped[False], summary=self.summary))
        # Plain lines, never a workflow command: `visible` keeps each on one line and escapes
        # the runner's legacy `##[` form (drift.textsafe.visible).
        lines += [f"drift: note: {visible(note)}" for note in report.notes]
        # what to do about what could not be verified, as the table says it (revci61 F2),
        # but an API to enable, which an annotation says already (`_disabled`)
        annotated = {f"hint: {visible(step)}" for step in [*enable, project_hint(report)]}
        lines += [f"drift: {hint}" for hint in unverified_hints(report) if hint not in annotated]
        lines.append(summary_line(report))
        return "\n".join(lines) + "\n"


def _in_line_order(items: list[Finding | Unverified]) -> list[Finding | Unverified]:
    """`items` as `most_severe_first` ranks them, and within each of its ranks in the order
    of the profile's lines (by file, then line; what has no line last): GitHub shows the first
    `ANNOTATIONS_PER_LEVEL` of a level, which were the first by name (MISSING_0, _1, _10…),
    not the first lines a reviewer reads (helper-683 L5)."""
    return [i for _, rank in groupby(items, key=_rank) for i in sorted(rank, key=_line)]


def _rank(item: Finding | Unverified) -> tuple[str, bool, bool]:
    """What `most_severe_first` ranks by: equal for the items of one rank, which it keeps
    together."""
    if isinstance(item, Unverified):
        return ("unverified", False, False)
    probe = item.rule.startswith("probe.")
    return (item.severity.value, baseline_mark(item) is None, not probe)


def _line(item: Finding | Unverified) -> tuple[bool, str, int]:
    where = item.location
    return (where is None, "" if where is None else where.file, 0 if where is None else where.line)


def _framed(report: Report) -> list[_Annotation]:
    """A notice first when the step's exit code is the command's own outcome, not the
    findings' (`Report.outcome`: `fix --dry-run` exits 0 with the drift it would repair
    annotated as errors): it says why the step passes with them."""
    if report.outcome is None:
        return []
    said = (
        f"{report.outcome.said}, exit {int(report.exit_code)}: the annotations are the drift "
        "the fix would repair; nothing was changed"
    )
    line = command("notice", said, title="drift fix --dry-run")
    return [_Annotation("notice", partial(str, line), False)]


def _disabled(steps: list[str]) -> list[_Annotation]:
    """Once per project and API not enabled (`steps`, `not_enabled_steps`), what to do about
    it (its rows name it short, `condensed`), before the rows: one of the first annotations of
    its level."""
    level = SEVERITY_LOOK[Severity.WARNING].github
    title = "drift API not enabled"
    lines = [command(level, visible(s), title=title) for s in steps]
    return [_Annotation(level, partial(str, line), False) for line in lines]


def _refused(report: Report) -> list[_Annotation]:
    """Every read in the profile's project refused (a project mistyped): one warning per
    distinct cause (`by_cause`) with the items it left unverified, the first saying the
    project hint, all on the line that sets the project when a profile does (`project:`),
    where a reviewer looks (helper-683 M3)."""
    level = SEVERITY_LOOK[Severity.WARNING].github
    where = re.fullmatch(r"(.+):(\d+)", report.project_refused or "")
    at = annotated(where[1], int(where[2])) if where else {}
    first = f"{visible(project_hint(report))}. "
    lines = []
    for said, items in by_cause(report).items():
        lost = f"{plural(len(items), 'item')} could not be verified: {said}"
        message = _within(f"{first}{lost} ({'; '.join(targets(items))})")
        lines.append(command(level, message, **at, title="drift incomplete"))
        first = ""
    return [_Annotation(level, partial(str, line), False) for line in lines]


def _finding(finding: Finding) -> _Annotation:
    level = SEVERITY_LOOK[finding.severity].github
    return _Annotation(level, partial(_finding_line, level, finding), True)


def _finding_line(level: str, finding: Finding) -> str:
    properties = _located(finding.location)
    mark = baseline_mark(finding)
    properties["title"] = f"{finding.rule} ({finding.workload}{', ' + mark if mark else ''})"
    return command(level, _message(finding), **properties)


def _shown(value: str | None) -> str | None:
    return None if value is None else visible(value)


def _cut(value: str | None, limit: int) -> str | None:
    return None if value is None else cut(value, limit)


def _units(text: str) -> int:
    return len(text.encode("utf-16-le")) // 2


def _message(finding: Finding) -> str:
    """The finding's text within `MESSAGE_UNITS`: a value too long for the room the message
    and where the drift began leave is cut (and marked as cut), so that expected, actual and
    since all show; the shorter value keeps what it needs and the longer one takes the rest."""
    text = finding_text(finding, visible)
    if _units(text) <= MESSAGE_UNITS:
        return text
    if _units(said := visible(finding.message)) > MESSAGE_UNITS // 4:
        # a message quoting a long name (a variable's may be 32,768 characters): its own line
        # is cut first, so that expected, actual and since still show (revout88 F4)
        finding = replace(finding, message=cut(said, MESSAGE_UNITS // 8))
    expected, actual = _shown(finding.expected), _shown(finding.actual)
    bare = finding_text(replace(finding, expected=expected and "", actual=actual and ""), visible)
    lengths = [len(value) for value in (expected, actual) if value is not None]
    # the room for the values, less each cut's mark (`… (N more characters; …)`); counted in
    # characters, then in halves if characters outside the BMP (two units each) overflow it.
    # `visible` leaves visible text as it is: the cut values are shown as they are.
    for share in (1, 2):
        room = max(MESSAGE_UNITS - _units(bare) - 2 * 80, 0) // share
        limit = max(room // len(lengths), room - min(lengths)) if lengths else 0
        cuts = replace(finding, expected=_cut(expected, limit), actual=_cut(actual, limit))
        text = finding_text(cuts, visible)
        if _units(text) <= MESSAGE_UNITS:
            return text
    # the message or where it began alone is too long: its end is cut too
    return cut(text, MESSAGE_UNITS // 2 - 80)


def _within(message: str) -> str:
    """`message` whole when the runner keeps it whole (`MESSAGE_UNITS`), else its end cut,
    marked (the parts of it are cut first: this only where something else is long)."""
    return message if _units(message) <= MESSAGE_UNITS else cut(message, MESSAGE_UNITS // 2 - 80)


def _unverified(item: Unverified) -> _Annotation:
    level = SEVERITY_LOOK[Severity.WARNING].github
    return _Annotation(level, partial(_unverified_line, level, item), False)


def _unverified_line(level: str, item: Unverified) -> str:
    said = condensed(item.reason)
    target = cut(visible(item.target), TARGET_CHARS)
    message = _within(visible(f"{item.workload}: {target} could not be verified: {said}"))
    properties = _located(item.location)
    properties["title"] = "drift incomplete" + (
        ", new" if item.baseline is BaselineState.NEW else ""
    )
    return command(level, message, **properties)


def _located(location: Location | None) -> dict[str, str | int]:
    """The `file` and `line` properties of an annotation at `location` (none without one)."""
    return {} if location is None else annotated(location.file, location.line)


def _resolved(report: Report) -> list[_Annotation]:
    """One notice naming what the baseline found and this run no longer does (text from the
    baseline file, shown visibly: one line, no workflow command of its own)."""
    if not report.resolved:
        return []
    level = SEVERITY_LOOK[Severity.INFO].github
    names = [
        f"{f.rule} {cut(visible(f.target), RESOLVED_CHARS)} ({visible(f.workload)})"
        for f in report.resolved[:RESOLVED_NAMED]
    ]
    if more := len(report.resolved) - len(names):
        names.append(f"and {more} more")
    message = _within(f"{resolved_heading(report)}: {', '.join(names)}")
    line = command(level, message, title="drift resolved")
    return [_Annotation(level, partial(str, line), False)]


def _dropped_line(findings: int, items: int, *, summary: bool) -> str:
    parts = []
    if findings:
        parts.append(plural(findings, "more finding"))
    if items:
        parts.append(plural(items, "more unverified item"))
    verb = "is" if findings + items == 1 else "are"
    return (
        f"drift: {' and '.join(parts)} {verb} not annotated "
        f"(GitHub shows {ANNOTATIONS_PER_LEVEL} per level); "
        + ("see the step summary" if summary else "--format json lists them all")
    )
