"""`--format markdown`: the job summary for `$GITHUB_STEP_SUMMARY`, kept under GitHub's limit."""

from __future__ import annotations

import os
import re
from collections import Counter
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path

from drift.findings import BaselineState, Finding, Unverified
from drift.format.gaps import by_cause, targets
from drift.format.interface import Formatter
from drift.format.summary import (
    PROOF_HEADING,
    baseline_mark,
    by_service,
    confirmed_text,
    cut_shown,
    expected_actual,
    ignored_line,
    location_text,
    most_severe_first,
    probe_causes,
    probe_status,
    proof_rows,
    resolved_heading,
    revisions,
    since_text,
    sorted_probes,
    sorted_unverified,
    summary_line,
    unverified_hints,
    verdict,
)
from drift.next_steps import condensed
from drift.report import Report, Status
from drift.textsafe import md_code, md_text, plural, visible

STEP_SUMMARY_LIMIT = 1024 * 1024 - 1024
"""GitHub rejects a step summary over 1 MiB; keep 1 KiB of headroom."""

_HEADLINE: dict[Status, str] = {
    Status.DRIFT: "drift found",
    Status.INCOMPLETE: "incomplete, not clean",
    Status.CLEAN: "clean",
}


def md_table(headers: Iterable[str], rows: Iterable[Iterable[str]]) -> list[str]:
    """A GitHub table; cells must already be escaped with `md_text` or `md_code` (which are
    imported from `drift.textsafe` here, for the formats built on this one)."""
    heads = list(headers)
    lines = ["| " + " | ".join(heads) + " |", "|" + "---|" * len(heads)]
    lines += ["| " + " | ".join(row) + " |" for row in rows]
    return lines


def md_fence(lines: Iterable[str], info: str = "") -> list[str]:
    """A fenced code block whose fence is longer than any backtick run inside it (control
    characters shown visibly: a code block is still read on a screen)."""
    body = [visible(line) for line in lines]
    longest = max((len(run) for line in body for run in re.findall("`+", line)), default=0)
    fence = "`" * max(3, longest + 1)
    return [fence + info, *body, fence]


class MarkdownFormat(Formatter):
    """The summary, kept within `limit` UTF-8 bytes (GitHub's step summary, whether drift
    appends it or the job writes `--format markdown` there itself): when the whole does not
    fit, `_cut` keeps the most severe rows across services and counts the others."""

    def __init__(self, limit: int = STEP_SUMMARY_LIMIT, lost: Lost | None = None) -> None:
        self.limit = limit
        self.lost = lost

    def compose(self, report: Report) -> str:
        made = _Made(report, self.lost)
        whole = _whole(report, made)
        return whole if len(whole.encode()) <= self.limit else _cut(report, self.limit, made)


class _Made:
    """What the whole summary and its cut both show, made once for one report: the head,
    the tail, a finding's cells (the cut's rows are the whole's again)."""

    def __init__(self, report: Report, lost: Lost | None = None) -> None:
        self.report = report
        self.lost = lost
        self._cells: dict[int, list[str]] = {}

    @cached_property
    def head(self) -> list[str]:
        return _head(self.report, self.lost)

    @cached_property
    def tail(self) -> list[str]:
        return _tail(self.report)

    def cells(self, f: Finding) -> list[str]:
        if (found := self._cells.get(id(f))) is None:
            found = self._cells[id(f)] = _finding_cells(f)
        return found


@dataclass(frozen=True)
class Lost:
    """The outputs of a check that could not be written (each one's message), and the exit
    code the run ends with for it (`drift.cli.destinations.delivered_code`)."""

    messages: tuple[str, ...]
    code: int


def _head(report: Report, lost: Lost | None = None) -> list[str]:
    """The headline and the summary line; with outputs `lost`, neither ever says "clean" on a
    run that exits 3 (helper-533 F2: the step summary said "clean … no drift (exit 0)" of a
    run whose JSON report or SARIF was never written), and each lost output is named."""
    headline = _HEADLINE[report.status]
    if not report.compared and report.status is Status.CLEAN:  # `drift probe`: its own words
        headline = verdict(report)  # "all passed", "nothing to probe" (helper-533 F5)
    if lost and lost.messages and report.status is Status.CLEAN:
        headline = f"incomplete, not clean: {plural(len(lost.messages), 'output')} not written"
    counted = {"lost": len(lost.messages), "code": lost.code} if lost else {}
    named = [f"Not written: {md_text(message)}" for message in (lost.messages if lost else ())]
    return [
        f"## drift · {md_text(report.environment)}: {headline}",
        "",
        f"Project {md_code(report.project)}, region {md_code(report.region)}"
        + (f", profiles {md_code(report.profiles_dir)}." if report.profiles_dir else "."),
        "",
        f"**{md_text(summary_line(report, **counted))}**",
        *(line for said in named for line in ("", said)),
    ]


def _finding_cells(f: Finding) -> list[str]:
    """severity, rule, target, message, location: one finding's row. The message cell says
    expected and actual (masked on the data, as everywhere) as the table, the annotations
    and SARIF do, then where the drift began."""
    said = "".join(f"<br>{line}" for line in expected_actual(f, cut_shown(md_code)))
    return [
        f.severity.value + (f" **{mark}**" if (mark := baseline_mark(f)) else ""),
        md_code(f.rule),
        md_code(f.target),
        md_text(f.message) + said + (f"<br>_{md_text(since)}_" if (since := since_text(f)) else ""),
        md_code(location_text(f.location)),
    ]


def _unverified_reason(u: Unverified) -> str:
    return md_text(condensed(u.reason)) + (" **new**" if u.baseline is BaselineState.NEW else "")


def _tail(report: Report) -> list[str]:
    out: list[str] = []
    if ignored := ignored_line(report):
        out += ["", f"_{md_text(ignored)}_"]
    for note in report.notes:
        out += ["", f"> note: {md_text(note)}"]
    return out


def _whole(report: Report, made: _Made) -> str:
    out = list(made.head)
    for service, findings in by_service(report.active):
        heading = f"### {md_text(service)}"
        if revs := revisions(findings):
            heading += f" ({md_text(revs)})"
        out += ["", heading, ""]
        out += md_table(
            ["severity", "rule", "target", "message", "location"],
            (made.cells(f) for f in findings),
        )
    if report.probes:
        out += ["", "### Probes", ""]
        out += md_table(
            ["service", "url", "outcome", "answer", "ms", "suspected causes", "confirmed"],
            (
                [
                    md_text(p.service),
                    md_code(p.url),
                    md_text(f"{p.outcome.value}: {p.detail}" if p.detail else p.outcome.value),
                    md_text(probe_status(p)),
                    str(p.elapsed_ms),
                    "<br>".join(md_code(c) for c in probe_causes(report, p)),
                    confirmed_text(p),
                ]
                for p in sorted_probes(report)
            ),
        )
    if report.proofs:  # of before the fix: never the re-check's own probes
        out += ["", f"### {md_text(PROOF_HEADING)}", ""]
        out += md_table(
            ["service", "probed", "url", "outcome", "answer", "ms", "confirmed"],
            (
                [
                    md_text(proof.service),
                    md_text(label),
                    md_code(p.url),
                    md_text(f"{p.outcome.value}: {p.detail}" if p.detail else p.outcome.value),
                    md_text(probe_status(p)),
                    str(p.elapsed_ms),
                    confirmed_text(p),
                ]
                for proof in report.proofs
                for label, p in proof_rows(proof)
            ),
        )
        if unproven := [proof for proof in report.proofs if proof.note]:
            out += [""] + [
                f"- {md_text(proof.service)}: not confirmed: {md_text(proof.note)}"
                for proof in unproven
            ]
    if report.unverified and report.project_refused is not None:
        out += _by_cause(report)
    elif report.unverified:
        out += ["", "### Could not verify", ""]
        out += md_table(
            ["service", "target", "reason"],
            (
                [md_text(u.workload), md_code(u.target), _unverified_reason(u)]
                for u in sorted_unverified(report)
            ),
        )
        if hints := unverified_hints(report):
            out += ["", *(f"- {md_text(hint)}" for hint in hints)]
    elif hints := unverified_hints(report):  # the region's, when nothing was found
        out += ["", *(f"- {md_text(hint)}" for hint in hints)]
    if report.resolved:
        # From the baseline file: escaped like live values, never unmasked.
        out += ["", f"### {md_text(resolved_heading(report))}", ""]
        out += md_table(
            ["severity", "service", "rule", "target", "message"],
            (
                [
                    f.severity.value,
                    md_text(f.service),
                    md_code(f.rule),
                    md_code(f.target),
                    md_text(f.message),
                ]
                for f in report.resolved
            ),
        )
    if report.fix_commands:
        intro = (
            "`drift plan --format gcloud` writes this script: only the changes drift can "
            "make exactly; manual steps are comments to adapt."
        )
        out += ["", "### Repair", "", intro, ""]
        out += md_fence(report.fix_commands, "bash")
    return "\n".join(out + made.tail) + "\n"


def _by_cause(report: Report) -> list[str]:
    """Every read refused alike (a project mistyped): the hints first, then each distinct
    cause once with what it left unverified, as the table says it (helper-683 M2); the JSON
    report keeps every item."""
    grouped = by_cause(report)
    out = ["", *(f"- {md_text(hint)}" for hint in unverified_hints(report))]
    out += ["", "### Could not verify", ""]
    out += [
        f"{plural(len(report.unverified), 'item')}, {plural(len(grouped), 'cause')} "
        "(the JSON report lists each item):",
        "",
    ]
    for said, items in grouped.items():
        out.append(f"- {plural(len(items), 'item')}: {md_text(said)}")
        out += [f"  - {md_text(line)}" for line in targets(items)]
    return out


def _ranked_rows(report: Report, made: _Made) -> list[tuple[str, str]]:
    """Every finding and unverified item as one row of one table, `most_severe_first` (each
    with what it is counted as when left out)."""
    rows: list[tuple[str, str]] = []
    for item in most_severe_first(report):
        if isinstance(item, Unverified):
            cells = [
                "could not verify",
                "",
                md_text(item.workload),
                md_code(item.target),
                _unverified_reason(item),
                md_code(location_text(item.location)),
            ]
            rows.append(("unverified item", _row(cells)))
        else:
            said = made.cells(item)
            rows.append((item.severity.value, _row([*said[:2], md_text(item.workload), *said[2:]])))
    return rows


def _row(cells: list[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cut(report: Report, limit: int, made: _Made) -> str:
    """The summary within `limit` bytes when the whole is larger: one table, the most severe
    rows first across services, cut from the least severe end, the hints the rows point to,
    and a line counting what was left out and saying where it is. Empty when not even that
    line fits."""
    rows = _ranked_rows(report, made)
    head = [
        *made.head,
        "",
        "### Most severe first, across services",
        "",
        *md_table(["severity", "rule", "service", "target", "message", "location"], []),
    ]
    # what the rows send the reader to ("… is not enabled in project P (see the hint)",
    # `condensed`): the command to enable the API, one short line per project and API
    hints = [f"- {md_text(hint)}" for hint in unverified_hints(report)]
    hints = ["", *hints] if hints else []
    sections = [
        name
        for name, present in (
            ("the probes", report.probes or report.proofs),
            ("the resolved findings", report.resolved),
            ("the repair script", report.fix_commands),
        )
        if present
    ]

    def text(kept: int) -> str:
        left = Counter(kind for kind, _ in rows[kept:])
        counted = ", ".join(plural(n, kind) for kind, n in left.items())
        if counted:
            also = f"; {', '.join(sections)} too" if sections else ""
            what = f"{counted} left out, the least severe{also}"
        else:  # every row fits once in one table: what is cut is the rest (helper-603 F4)
            also = f"; {', '.join(sections)} left out" if sections else ""
            what = f"every row kept, in one table across services{also}"
        note = (
            f"> drift: this summary is cut to fit GitHub's step summary limit ({limit} bytes): "
            f"{what}. The JSON report (`--json FILE`; the GitHub Action's `report-file`, kept "
            "as an artifact or in the cache) has them all."
        )
        lines = [*head, *(row for _, row in rows[:kept]), *hints, *made.tail, "", note]
        return "\n".join(lines) + "\n"

    # the longest the rest can be: every row counted as left out
    budget = limit - len(text(0).encode())
    kept = 0
    for _, row in rows:
        budget -= len(row.encode()) + 1
        if budget < 0:
            break
        kept += 1
    cut = text(kept)
    return cut if len(cut.encode()) <= limit else ""


def append_step_summary(
    path: Path, report: Report, *, limit: int = STEP_SUMMARY_LIMIT, lost: Lost | None = None
) -> bool:
    """Append the report's summary to the step summary file, cut (`MarkdownFormat`) so that
    the whole file stays under `limit`; `lost`: the outputs that could not be written.
    Whether anything was appended (not when no room is left even for the cut summary)."""
    return append_within(path, lambda room: MarkdownFormat(room, lost).render(report), limit=limit)


def append_within(
    path: Path, render: Callable[[int], str], *, limit: int = STEP_SUMMARY_LIMIT
) -> bool:
    """Append to the step summary file what `render` makes within the room the step left
    (the bytes it may take, so that the whole file stays under `limit`; an empty text when
    nothing fits), once, after a blank line; whether anything was appended."""
    from drift.redact import scrub

    existing = path.stat().st_size if path.exists() else 0
    separator = "\n" if existing else ""
    room = limit - existing - len(separator)
    # scrubbing replaces a secret by `***`, never by more than it was
    text = scrub(render(room)) if room > 0 else ""
    if not text:
        return False
    # never waited on: a FIFO nobody reads is ENXIO at once (open(2)), not a hang after the
    # report; once open, written as any file
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_NONBLOCK, 0o666)
    os.set_blocking(fd, True)
    with os.fdopen(fd, "ab") as handle:
        handle.write((separator + text).encode())
    return True
