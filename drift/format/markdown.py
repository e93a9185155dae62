"""`--format markdown`: the job summary for `$GITHUB_STEP_SUMMARY`, kept under GitHub's limit."""

from __future__ import annotations

import re
from collections.abc import Iterable
from pathlib import Path

from drift.findings import BaselineState
from drift.format.interface import Formatter
from drift.format.summary import (
    PROOF_HEADING,
    baseline_mark,
    by_service,
    confirmed_text,
    ignored_line,
    location_text,
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
)
from drift.report import Report, Status
from drift.textsafe import md_code, md_text, visible

STEP_SUMMARY_LIMIT = 1024 * 1024 - 1024
"""GitHub rejects a step summary over 1 MiB; keep 1 KiB of headroom."""

_FENCE = re.compile(r"^(`{3,})")
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
    def compose(self, report: Report) -> str:
        out = [
            f"## drift · {md_text(report.environment)}: {_HEADLINE[report.status]}",
            "",
            f"Project {md_code(report.project)}, region {md_code(report.region)}"
            + (f", profiles {md_code(report.profiles_dir)}." if report.profiles_dir else "."),
            "",
            f"**{md_text(summary_line(report))}**",
        ]
        for service, findings in by_service(report.active):
            heading = f"### {md_text(service)}"
            if revs := revisions(findings):
                heading += f" ({md_text(revs)})"
            out += ["", heading, ""]
            out += md_table(
                ["severity", "rule", "target", "message", "location"],
                (
                    [
                        f.severity.value + (f" **{mark}**" if (mark := baseline_mark(f)) else ""),
                        md_code(f.rule),
                        md_code(f.target),
                        md_text(f.message)
                        + (f"<br>_{md_text(since)}_" if (since := since_text(f)) else ""),
                        md_code(location_text(f.location)),
                    ]
                    for f in findings
                ),
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
        if report.unverified:
            out += ["", "### Could not verify", ""]
            out += md_table(
                ["service", "target", "reason"],
                (
                    [
                        md_text(u.workload),
                        md_code(u.target),
                        md_text(u.reason) + (" **new**" if u.baseline is BaselineState.NEW else ""),
                    ]
                    for u in sorted_unverified(report)
                ),
            )
            if hints := unverified_hints(report):
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
        if ignored := ignored_line(report):
            out += ["", f"_{md_text(ignored)}_"]
        for note in report.notes:
            out += ["", f"> note: {md_text(note)}"]
        return "\n".join(out) + "\n"


def cap_markdown(text: str, limit: int = STEP_SUMMARY_LIMIT) -> str:
    """`text` if it fits in `limit` UTF-8 bytes, else cut at a line boundary with a note.

    An open code fence is closed before the note. The result never exceeds `limit`; it is
    empty when not even the note fits.
    """
    if len(text.encode()) <= limit:
        return text
    note = f"\n> drift: summary truncated to fit {limit} bytes; the JSON report has everything.\n"
    budget = limit - len(note.encode())
    if budget < 0:
        return ""
    kept: list[str] = []
    used = 0
    fence: str | None = None
    for line in text.splitlines(keepends=True):
        after = _fence_after(fence, line)
        size = len(line.encode()) + (len(after) + 1 if after else 0)
        if used + size > budget:
            break
        kept.append(line)
        used += len(line.encode())
        fence = after
    if fence:
        kept.append(fence + "\n")
    return "".join(kept) + note


def _fence_after(fence: str | None, line: str) -> str | None:
    """The code fence open after `line`, given the one open before it."""
    opener = _FENCE.match(line)
    if not opener:
        return fence
    if fence is None:
        return opener.group(1)
    closes = line.strip() == opener.group(1) and len(opener.group(1)) >= len(fence)
    return None if closes else fence


def append_step_summary(path: Path, text: str, *, limit: int = STEP_SUMMARY_LIMIT) -> None:
    """Append `text` to the step summary file, capped so the whole file stays under `limit`."""
    existing = path.stat().st_size if path.exists() else 0
    separator = "\n" if existing else ""
    room = limit - existing - len(separator)
    if not text.endswith("\n"):
        text += "\n"
    chunk = cap_markdown(text, room)
    if not chunk:
        return
    with path.open("ab") as handle:
        handle.write((separator + chunk).encode())
