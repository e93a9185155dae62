"""`--format table`: the terminal view, one rich table per service, then probes and gaps."""

from __future__ import annotations

import io
import shutil

from rich.cells import cell_len
from rich.console import Console
from rich.text import Text

from drift.findings import BaselineState, Finding, ProbeResult, Severity
from drift.format import summary
from drift.format.gaps import by_cause, targets
from drift.format.interface import Formatter
from drift.next_steps import condensed
from drift.report import Report, Status
from drift.textsafe import data_line, plural, visible

_OFF_TERMINAL = (120, 24)
"""The size assumed when the output is not a terminal (a CI log, a file)."""

_STATUS_STYLE: dict[Status, str] = {
    Status.DRIFT: "bold red",
    Status.INCOMPLETE: "bold yellow",
    Status.CLEAN: "bold green",
}


class TableFormat(Formatter):
    def __init__(self, *, color: bool = False, width: int | None = None) -> None:
        self.color = color
        self.width = width

    def compose(self, report: Report) -> str:
        width = self.width or shutil.get_terminal_size(_OFF_TERMINAL).columns
        blocks = _blocks(report, width)
        if not self.color and not any("\t" in block.plain for block in blocks):
            # what rich prints of them without color: each text whole, then a line break
            # (a quarter of a small check's CPU spent in rich to print the same bytes)
            text = "".join(f"{block.plain}\n" for block in blocks)
            return "".join(f"{line.rstrip()}\n" for line in text.splitlines())
        out = io.StringIO()
        console = Console(
            file=out,
            width=width,
            force_terminal=self.color,
            color_system="standard" if self.color else None,
            no_color=not self.color,
            markup=False,
            emoji=False,
            highlight=False,
            legacy_windows=False,
        )
        for block in blocks:
            # Text is never wrapped: a target or the summary line stays one line for grep.
            console.print(block, soft_wrap=True, end="")
            console.print()
        # rich pads every cell to its column's width; trailing blanks are noise in logs.
        return "".join(line.rstrip() + "\n" for line in out.getvalue().splitlines())


def _blocks(report: Report, width: int) -> list[Text]:
    head = f"{report.environment} · project {report.project} · region {report.region}"
    if report.profiles_dir:
        head += f" · profiles {report.profiles_dir}"
    blocks = [Text(visible(head), style="bold")]
    for service, findings in summary.by_service(report.active):
        heading = Text(f"\n{visible(service)}", style="bold")
        if revs := summary.revisions(findings):
            heading.append(f" · {visible(revs)}", style="dim")
        heading.append(f" · {plural(len(findings), 'finding')}")
        blocks += [heading, _findings_table(findings)]
    if report.probes:
        blocks += [Text("\nProbes", style="bold"), _probes_table(report)]
    if report.proofs:
        blocks += [Text(f"\n{summary.PROOF_HEADING}", style="bold"), _proofs_table(report)]
    if report.unverified and report.project_refused is not None:
        # every read refused alike (a project mistyped): what to do first, then each cause
        # once with what it left unverified (helper-683 M2); the JSON keeps every item
        blocks += [Text(""), *(Text(h, style="yellow") for h in summary.unverified_hints(report))]
        blocks += [_by_cause(report)]
    elif report.unverified:
        blocks += [
            Text("\nCould not verify", style="bold yellow"),
            _unverified_table(report, width),
        ]
        blocks += [Text(hint, style="yellow") for hint in summary.unverified_hints(report)]
    elif hints := summary.unverified_hints(report):  # the region's, when nothing was found
        blocks += [Text(hint, style="yellow") for hint in hints]
    if report.resolved:
        blocks += [Text(f"\n{summary.resolved_heading(report)}", style="bold green")]
        blocks += [_resolved(report)]
    if ignored := summary.ignored_line(report):
        blocks.append(Text(f"\n{ignored}", style="dim"))
    blocks += [Text(f"note: {visible(note)}", style="dim") for note in report.notes]
    blocks.append(Text(f"\n{summary.summary_line(report)}", style=_STATUS_STYLE[report.status]))
    return blocks


def _findings_table(findings: tuple[Finding, ...]) -> Text:
    """One entry per finding: a head line that is never folded (severity, rule, target,
    location: what a reader greps for), then the message (a `data_line`) and
    expected/actual, indented. Every text from the data is shown `visible`: one line each, no
    control character, and none at the start of a line."""
    width = max(len(f.severity.value) for f in findings)
    rule_width = max(len(f.rule) for f in findings)
    text = Text()
    for f in findings:
        text.append("  ")
        text.append(f"{f.severity.value:<{width}}", style=summary.SEVERITY_LOOK[f.severity].style)
        text.append(f"  {f.rule:<{rule_width}}  ")
        text.append(visible(f.target), style="bold")
        if f.location is not None:
            text.append(f"  {visible(summary.location_text(f.location))}", style="dim")
        if mark := summary.baseline_mark(f):
            text.append(f"  [{mark}]", style="bold magenta")
        text.append("\n")
        indent = " " * (2 + width + 2)
        text.append(data_line(indent, f.message) + "\n")
        for line in summary.expected_actual(f, summary.cut_shown(visible)):
            label, _, value = line.partition(": ")
            text.append(f"{indent}{label + ':':<10}")
            text.append(value + "\n", style="green" if label == "expected" else "red")
        if since := summary.since_text(f):
            text.append(f"{indent}{visible(since)}\n", style="dim")
    text.rstrip()
    return text


def _probes_table(report: Report) -> Text:
    text = Text()
    for p in summary.sorted_probes(report):
        _probe_lines(text, report, p, f"  {visible(p.service)}  ", "    ")
    text.rstrip()
    return text


def _proofs_table(report: Report) -> Text:
    """Each service's proof, its two probes said to be of before the fix: neither is the
    re-check's own."""
    text = Text()
    for proof in report.proofs:
        said = visible(summary.proof_verdict(proof))
        text.append(f"  {visible(proof.service)}  {said}\n")
        for label, p in summary.proof_rows(proof):
            _probe_lines(text, report, p, f"    {label + ':':<16}", "      ", proof=True)
    text.rstrip()
    return text


def _probe_lines(
    text: Text, report: Report, p: ProbeResult, head: str, indent: str, *, proof: bool = False
) -> None:
    text.append(head)
    text.append(
        p.outcome.value, style="green" if p.ok else summary.SEVERITY_LOOK[Severity.ERROR].style
    )
    text.append(f"  {visible(p.url)}")
    if p.revision:
        text.append(f"  ({visible(p.revision)})", style="dim")
    text.append("\n")
    answer = summary.probe_status(p)
    details = [f"{answer}; {p.detail}" if answer and p.detail else answer or p.detail]
    causes = summary.probe_causes(report, p)
    if causes:
        details.append("suspected causes: " + ", ".join(causes))
    if p.confirmed is not None and not proof:  # a proof says it once, above its two probes
        details.append(f"confirmed by a canary: {summary.confirmed_text(p)}")
    text.append("".join(f"{indent}{visible(d)}\n" for d in details if d))


def _unverified_table(report: Report, width: int) -> Text:
    """One line per item, in columns (service, target, reason), never folded: a folded cell
    would go on at the start of a line of its own with the next words of its data (a reason
    quotes a server's words, a Terraform address and its `for_each` key, any string), which a
    CI runner runs when they start with `::`. Like the findings, a line stays whole for grep;
    a terminal narrower than it wraps it as it shows it."""
    rows = [
        (visible(u.workload), visible(u.target), visible(condensed(u.reason)), u.baseline)
        for u in summary.sorted_unverified(report)
    ]
    service = max(cell_len(cell) for cell in ["service", *(r[0] for r in rows)])
    target = max(cell_len(cell) for cell in ["target", *(r[1] for r in rows)])
    reason = max(cell_len(r[2]) + (len(_NEW) if r[3] is BaselineState.NEW else 0) for r in rows)
    rule = min(service + target + max(reason, len("reason")) + 2 * len(_GAP), width)
    text = Text()
    text.append(f"{_pad('service', service)}{_GAP}{_pad('target', target)}{_GAP}reason\n")
    text.stylize("bold")
    text.append("\u2500" * rule + "\n")
    for workload, what, why, baseline in rows:
        text.append(f"{_pad(workload, service)}{_GAP}{_pad(what, target)}{_GAP}{why}")
        if baseline is BaselineState.NEW:
            text.append(_NEW, style="bold magenta")
        text.append("\n")
    text.rstrip()
    return text


def _by_cause(report: Report) -> Text:
    """The items that could not be verified, one line per distinct cause (`by_cause`) with
    how many items it left unverified, then each workload's targets under it (one line each,
    indented: a server's words never start a line)."""
    grouped = by_cause(report)
    text = Text()
    text.append(f"\nCould not verify: {plural(len(report.unverified), 'item')}, ")
    text.append(f"{plural(len(grouped), 'cause')} (--format json lists each item)\n")
    text.stylize("bold yellow")
    for said, items in grouped.items():
        text.append(f"  {plural(len(items), 'item')}: {said}\n")
        text.append("".join(f"    {line}\n" for line in targets(items)), style="dim")
    text.rstrip()
    return text


_GAP = "   "
_NEW = "  [new]"


def _pad(text: str, width: int) -> str:
    return text + " " * (width - cell_len(text))


def _resolved(report: Report) -> Text:
    """What the baseline found and this run no longer does (values from the baseline file,
    shown visibly like live values, and cut as values are: a baseline is untrusted input, and
    a message of megabytes was one line of megabytes: helper-529 F4)."""
    text = Text()
    for f in report.resolved:
        text.append(f"  {summary.resolved_text(f, summary.cut_shown(visible))}\n")
    text.rstrip()
    return text
