"""Wording every format shares: the summary line, counts, severity levels, finding details."""

from __future__ import annotations

import datetime as dt
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, replace
from urllib.parse import quote

from drift.errors import ExitCode
from drift.findings import FailOn, Finding, Location, ProbeResult, Severity, Unverified
from drift.format.repo_root import repo_path
from drift.next_steps import next_steps, project_may_not_exist, region_may_be_wrong
from drift.report import Proof, Report, Status
from drift.textsafe import LOOK_ALIKE_NOTE, alike_escaped, look_alike, plural, visible


@dataclass(frozen=True)
class SeverityLook:
    """How each format shows a severity."""

    github: str
    """The workflow command that annotates a finding (`::error`, `::warning`, `::notice`)."""
    sarif: str
    """The SARIF `level` of a result."""
    style: str
    """The rich style of the table."""


SEVERITY_LOOK: dict[Severity, SeverityLook] = {
    Severity.ERROR: SeverityLook("error", "error", "bold red"),
    Severity.WARNING: SeverityLook("warning", "warning", "yellow"),
    Severity.INFO: SeverityLook("notice", "note", "cyan"),
}

NOT_SET = "(not set)"


def summary_line(report: Report, *, lost: int = 0, code: int | None = None) -> str:
    """The one line every human-readable format ends with; "no drift" only when clean, and
    only when configuration was compared (`drift probe` says how its probes went); `lost`
    outputs that could not be written are counted, and `code` is the exit code the run ends
    with when it is not the report's own (`drift.cli.destinations.said`)."""
    summary = report.summary
    where = visible(report.environment)
    services = summary.workloads
    if report.compared:
        counts = [plural(summary.errors, "error"), plural(summary.warnings, "warning")]
        if summary.infos:
            counts.append(plural(summary.infos, "info"))
        line = f"{where}: {', '.join(counts)} in {services}"
        if summary.new is not None:
            line += (
                f" ({summary.new} new or updated, {summary.resolved} resolved since the baseline)"
            )
    else:
        failed = sum(not p.ok for p in report.probes)
        line = f"{where}: {plural(len(report.probes), 'probe')} in {services}"
        line += f", {failed} failed" if failed else ""
        if others := _not_probes(report.active):  # e.g. the probed service is missing
            line += ", " + ", ".join(_counts(others))
    if summary.unverified:
        line += f", incomplete: {plural(summary.unverified, 'item')} could not be verified"
    why = verdict(report) + (f"; {plural(lost, 'output')} not written" if lost else "")
    return f"{line} — {why} (exit {int(report.exit_code if code is None else code)})"


def verdict(report: Report) -> str:
    """The exit code's why in words, the same in every format: the summary line's end, SARIF's
    `exitCodeDescription`."""
    if report.lost:  # `no drift; 1 output not written`: what was found, then why it exits 3
        return f"{verdict(replace(report, lost=0))}; {plural(report.lost, 'output')} not written"
    if report.outcome is not None:  # `drift; dry run accepted`: the findings, the exit code's why
        return f"{verdict(replace(report, outcome=None))}; {report.outcome.said}"
    status = report.status
    if status is Status.INCOMPLETE:
        return "not clean"
    if not report.compared:
        # what sets the exit code: a failed probe, and any other finding (a probed service
        # that does not exist: `service.missing`, as `check` says "drift" even below
        # --fail-on), never "nothing to probe"
        said = ["a probe failed"] if any(not p.ok for p in report.probes) else []
        said.extend(dict.fromkeys(f.rule for f in _not_probes(report.active)))
        if said:
            return "; ".join(said)
        return "all passed" if report.probes else "nothing to probe"
    if status is Status.CLEAN:
        return "no drift"
    if report.fail_on_new and report.exit_code is ExitCode.OK:
        if not report.gating:  # the new and updated findings
            return "drift, none of it new"
        if report.fail_on is not FailOn.NEVER:  # some new, each below the threshold
            return f"drift, nothing new at or above --fail-on {report.fail_on}"
    return "drift"


def _not_probes(findings: Iterable[Finding]) -> list[Finding]:
    """The findings of a `drift probe` run that are not a probe's own verdict."""
    return [f for f in findings if not f.rule.startswith("probe.")]


def _counts(findings: list[Finding]) -> list[str]:
    """`1 error`, `2 warnings`: each severity the findings have, most severe first."""
    return [
        plural(n, severity.value)
        for severity in (Severity.ERROR, Severity.WARNING, Severity.INFO)
        if (n := sum(f.severity is severity for f in findings))
    ]


def baseline_mark(finding: Finding) -> str | None:
    """`new` or `updated` for a finding that is (compared with the baseline), else None."""
    state = finding.baseline
    return state.value if state is not None and state.alerts else None


def resolved_heading(report: Report) -> str:
    """`Resolved since the baseline: 2 findings`."""
    return f"Resolved since the baseline: {plural(len(report.resolved), 'finding')}"


def resolved_text(finding: Finding, show: Callable[[str], str] = str) -> str:
    """One resolved finding in a line: `error env.missing env.X (api): message`."""
    return (
        f"{finding.severity.value} {finding.rule} {show(finding.target)} "
        f"({show(finding.service)}): {show(finding.message)}"
    )


def ignored_line(report: Report) -> str | None:
    """One line counting the findings silenced by `ignore`, which are never listed."""
    ignored = report.summary.ignored
    if not ignored:
        return None
    return f"{plural(ignored, 'finding')} ignored by the profile (listed in --format json)"


def located(file: str, line: int) -> dict[str, str | int]:
    """The `file` and `line` of a place in an input, as the JSON report and the GitHub
    annotations (a finding's, an input problem's) name it: line 0 is the file with no line
    known (a finding carried from a baseline whose rule today's profile no longer states), so
    no `line` then."""
    return {"file": file, "line": line} if line else {"file": file}


SEPARATORS = tuple(sep for sep in (os.sep, os.altsep) if sep and sep != "/")
"""The folder separators other than `/` of this system (Windows: `\\`). On POSIX a `\\` is a
character of a name (`de\\ploy/`), not a folder: it stays, percent-encoded."""


def artifact_uri(location: Location) -> str:
    """SARIF's `artifactLocation.uri` of a profile file: from the repository's root
    (`repo_path`), a relative URI reference: forward slashes for this system's separators
    (`SEPARATORS`), octets percent-encoded (RFC 3986 §2.1): characters as UTF-8, a POSIX
    name's byte that is not UTF-8 as that byte (PEP 383: `dep%FFloy`), any other lone
    surrogate as held: never a crash (revencoding 5)."""
    path = repo_path(location.file)
    for sep in SEPARATORS:
        path = path.replace(sep, "/")
    wtf = any("\ud800" <= c < "\udc80" or "\udd00" <= c <= "\udfff" for c in path)
    return quote(path.encode("utf-8", "surrogatepass" if wtf else "surrogateescape"), safe="/")


def annotated(file: str, line: int) -> dict[str, str | int]:
    """`located` for a workflow command: the file relative to the repository (`repo_path`)."""
    return located(repo_path(file), line)


def location_text(location: Location | None) -> str:
    """`file:line`, or an empty string when the finding has no profile location."""
    if location is None:
        return ""
    return f"{location.file}:{location.line}" if location.line else location.file


def expected_actual(finding: Finding, show: Callable[[str], str] = str) -> list[str]:
    """`expected: …` and `actual: …` lines (values already masked, shown with `show`), or
    none if neither is set."""
    expected, actual = finding.expected, finding.actual
    if expected is None and actual is None:
        return []
    note = []
    if expected is not None and actual is not None and look_alike(expected, actual):
        expected, actual = alike_escaped(expected), alike_escaped(actual)
        note = [LOOK_ALIKE_NOTE]  # else a person sees two equal lines and a bogus finding
    return [
        f"expected: {NOT_SET if expected is None else show(expected)}",
        f"actual: {NOT_SET if actual is None else show(actual)}",
        *note,
    ]


def cut(text: str, limit: int) -> str:
    """`text` up to `limit` characters, marked as cut and the rest counted when it is longer
    (where a format has no room for a whole value: the JSON report keeps it whole)."""
    if len(text) <= limit:
        return text
    return f"{text[:limit]}… ({len(text) - limit:,} more characters; the JSON report has it whole)"


SHOWN_CHARS = 1_000
"""The most characters of an expected or actual value the table and the job summary show
(then cut, marked; the JSON report keeps it whole). Cloud Run takes a variable's value of up
to 32,768 bytes (google.cloud.run.v2.EnvVar `value`: "the maximum length is 32768 bytes"),
and whoever can deploy the service can pad one to that: screens of it on a terminal, and a
job summary whose room (`STEP_SUMMARY_LIMIT`) goes to it rather than to the other findings."""


def cut_shown(show: Callable[[str], str]) -> Callable[[str], str]:
    """`show` for a value, cut first to `SHOWN_CHARS`."""
    return lambda value: show(cut(value, SHOWN_CHARS))


def _day(when: dt.datetime) -> str:
    """The day in UTC, as the JSON report's `create_time` is (a baseline edited by hand may
    carry another offset: 23:30-05:00 is the next day), said to be UTC as `drift history`
    says its times: an evening deploy west of Greenwich is the next day's (helper-835 F5)."""
    return f"{when.astimezone(dt.UTC):%Y-%m-%d} UTC"


def since_text(finding: Finding) -> str | None:
    """Where the drift began, in words: `since api-00038-xiz, 2026-09-08 UTC, by deployer@… via
    gcloud 467.0.0; last good api-00037-pof`."""
    since = finding.since
    if since is None:
        return None
    if since.revision is None:
        when = _day(since.create_time) if since.create_time else "a time not recorded"
        return f"since {when} (when the version was destroyed)"
    parts = [f"since {since.revision}" + (" or earlier" if since.earlier else "")]
    if since.create_time is not None:
        parts.append(_day(since.create_time))
    if since.creator:
        parts.append(f"by {since.creator}" + (f" via {since.client}" if since.client else ""))
    elif since.client:
        parts.append(f"via {since.client}")
    # no last good: the drift is as old as the oldest revision listed ("without it" read as
    # "without the variable" on a missing one, revfirst62 F1)
    good = f"last good {since.last_good}" if since.last_good else "no earlier revision listed"
    tail = f"{good}; {since.note}" if since.last_good and since.note else since.note or good
    return ", ".join(parts) + f"; {tail}"


def details(finding: Finding, show: Callable[[str], str] = str) -> list[str]:
    """The lines under a finding's message: expected, actual, and where it began (each shown
    with `show`)."""
    since = since_text(finding)
    return [*expected_actual(finding, show), *([show(since)] if since else [])]


def finding_text(finding: Finding, show: Callable[[str], str] = str) -> str:
    """The message followed by its detail lines: the text of an annotation or result
    (`show` is applied to each part: `visible` where a person reads it)."""
    return "\n".join([show(finding.message), *details(finding, show)])


def by_service(findings: Iterable[Finding]) -> list[tuple[str, tuple[Finding, ...]]]:
    """Findings grouped by workload (named as a person reads it: `api`, `job migrate-db`):
    the one with the most severe finding first."""
    groups: dict[str, list[Finding]] = {}
    for finding in findings:
        groups.setdefault(finding.workload, []).append(finding)
    ordered = sorted(groups.items(), key=lambda g: (-max(f.severity.rank for f in g[1]), g[0]))
    return [(service, tuple(items)) for service, items in ordered]


def revisions(findings: Iterable[Finding]) -> str:
    """The distinct revisions the findings were read from, comma-separated."""
    return ", ".join(sorted({f.revision for f in findings if f.revision}))


def sorted_probes(report: Report) -> list[ProbeResult]:
    return sorted(report.probes, key=lambda p: (p.service, p.revision or "", p.url))


def probe_status(probe: ProbeResult) -> str:
    """`HTTP 101, close 1011 (internal error)`: what the handshake answered."""
    parts = []
    if probe.http_status is not None:
        parts.append(f"HTTP {probe.http_status}")
    if probe.close_code is not None:
        close = f"close {probe.close_code}"
        parts.append(f"{close} ({probe.close_reason})" if probe.close_reason else close)
    return ", ".join(parts)


def probe_causes(report: Report, probe: ProbeResult) -> list[str]:
    """The suspected causes of a failed probe, named by rule and target (the id if unknown)."""
    known = {f.id: f for f in report.findings}
    return [
        f"{known[cause].rule} {known[cause].target}" if cause in known else cause
        for cause in probe.suspected_causes
    ]


PROOF_HEADING = "The canary's proof, taken before the fix moved any traffic"


def proof_rows(proof: Proof) -> list[tuple[str, ProbeResult]]:
    """The two probes of a proof, each with what it probed."""
    return [("before the fix", proof.before), ("the canary", proof.canary)]


def proof_verdict(proof: Proof) -> str:
    """What a proof proves, as its headline: `confirmed` only when what served failed and the
    canary passed (SPEC); where both passed there was no failure to confirm, which "not
    confirmed" would leave a reader taking for a doubt about the patch (revown68)."""
    if proof.confirmed:
        return "the patch fixes the failure"
    if proof.note:
        return f"not confirmed: {proof.note}"
    if proof.before.ok and proof.canary.ok:
        return "nothing to confirm: what served passed its probe before the fix too"
    return "not confirmed"


def confirmed_text(probe: ProbeResult) -> str:
    """Whether `drift fix` proved the suspected causes: yes, no, or not tried."""
    if probe.confirmed is None:
        return "-"
    return "yes" if probe.confirmed else "no"


def sorted_unverified(report: Report) -> list[Unverified]:
    return sorted(report.unverified, key=lambda u: (u.service, u.kind, u.target, u.reason))


def most_severe_first(report: Report) -> list[Finding | Unverified]:
    """Every active finding and unverified item, the most severe first across workloads:
    errors, then what could not be verified (it makes the run incomplete), then warnings, then
    infos; within a level what is new or updated since the baseline first (it is what fails a
    `--fail-on-new` run), then a failed probe (the handshake that broke: what the run is about,
    helper-603 F4), else in the report's order. What shows only the first of them (the GitHub
    annotations, a cut step summary) keeps these."""
    findings = sorted(
        report.active,
        key=lambda f: (-f.severity.rank, baseline_mark(f) is None, not f.rule.startswith("probe.")),
    )
    errors = [f for f in findings if f.severity is Severity.ERROR]
    rest = [f for f in findings if f.severity is not Severity.ERROR]
    return [*errors, *sorted_unverified(report), *rest]


def unverified_hints(report: Report) -> list[str]:
    """What to do about the items that could not be verified: one `hint:` line per failure
    status (the role a denied read needs, the setting a timeout or a quota calls for), after
    the project's when every workload read of it was refused."""
    return [f"hint: {visible(line)}" for line in unverified_steps(report)]


def unverified_steps(report: Report) -> list[str]:
    """`unverified_hints` as plain text (what a plan says under its incomplete items)."""
    lines = next_steps(u.reason for u in report.unverified)
    if line := project_hint(report):
        lines.insert(0, line)
    if report.region_empty is not None:
        lines.insert(
            0,
            f"no workload of the profile is in {report.project}/{report.region}: "
            + region_may_be_wrong(report.project, report.region_empty),
        )
    return lines


def project_hint(report: Report) -> str:
    """Every read in the profile's project was refused: the project may not exist or be
    mistyped (`project_may_not_exist`), named with where it was set."""
    if report.project_refused is None:
        return ""
    return project_may_not_exist(report.project, report.project_refused)
