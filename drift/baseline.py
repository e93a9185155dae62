"""`--baseline`: the JSON report of an earlier run, read as untrusted input, and this run's
report compared with it (each finding new, unchanged or updated; what is gone, resolved)."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, replace
from errno import ENOENT
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

from pydantic import (
    AfterValidator,
    AwareDatetime,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    StrictStr,
    StringConstraints,
    ValidationError,
)

from drift import credentials, jsontext, redact
from drift.diff import older
from drift.errors import UsageError
from drift.files import regular_bytes
from drift.findings import BaselineState, Finding, Location, Severity, Since, sort_findings
from drift.kinds import Kind, workload_key
from drift.live.state import LiveState
from drift.newer_values import refusal, short
from drift.rechecked import ValueMoved, not_checked_again, secret_uses
from drift.report import REPORT_SCHEMA, Report, Unchecked
from drift.revision_names import number
from drift.same_drift import baseline_state, once_each, put_back_unknown, unique_ids
from drift.schemas import other_version
from drift.textsafe import plural, undecodable_line, unicode_text

if TYPE_CHECKING:
    from drift.profiles.model import ServiceProfile

_UNCHANGED, _NEW = BaselineState.UNCHANGED, BaselineState.NEW
MAX_BYTES = 64 * 1024 * 1024
"""A baseline larger than this is refused: a report of thousands of findings is a few MB."""

_Id = Annotated[str, StringConstraints(strict=True, pattern=r"^[0-9a-f]{16}$")]
_Rule = Annotated[str, StringConstraints(strict=True, pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_]+$")]
_Name = Annotated[str, StringConstraints(strict=True, min_length=1)]
_Generation = Annotated[StrictStr | None, BeforeValidator(lambda v: None if type(v) is int else v)]
"""A job's `UID/N`; a number alone, as 75f7b37a wrote it, has no uid: not known (helper-614)."""


class _Model(BaseModel):
    # Later versions may add fields (v1 grows only by adding): what drift does not use is
    # ignored, what it uses must have its type.
    model_config = ConfigDict(extra="ignore", frozen=True)


class _Location(_Model):
    file: StrictStr
    line: StrictInt | None = Field(default=None, ge=1, le=2**31)  # no file has more lines
    """None: the file, no line (`Location.line` 0)."""


def _utc(when: dt.datetime) -> dt.datetime:
    """A time every format can say in UTC (`0001-01-01T00:00:00+01:00` ended a run late)."""
    try:
        return when.astimezone(dt.UTC)
    except OverflowError:
        raise ValueError("a time whose UTC instant is before year 1 or after 9999") from None


class _Since(_Model):
    revision: StrictStr | None = None
    create_time: Annotated[AwareDatetime, AfterValidator(_utc)] | None = None
    creator: StrictStr | None = None
    client: StrictStr | None = None
    last_good: StrictStr | None = None
    note: StrictStr = ""
    earlier: StrictBool = False
    unjudged: StrictStr | None = None


class _Finding(_Model):
    id: _Id
    rule: _Rule
    severity: Severity
    service: _Name
    revision: StrictStr | None
    target: _Name
    message: StrictStr
    expected: StrictStr | None
    actual: StrictStr | None
    location: _Location | None
    ignored: StrictBool = False
    ignore_reason: StrictStr | None = None
    container: StrictStr | None = None
    tag: StrictStr | None = None
    kind: Kind = Kind.SERVICE
    failed: list[StrictStr] = []
    """Absent from a report of a drift that did not record it (`_same` reads the message)."""
    also_on: list[StrictStr] = []
    """The other revisions of the drift (`Finding.also_on`); absent from an older drift's."""
    since: _Since | None = None
    """Where the drift began (`Finding.since`): a drift begun again on a later revision is
    `updated` (`drift.same_drift`)."""
    generation: _Generation = None  # a job's (`Finding.generation`)


class _Unverified(_Model):
    service: _Name
    target: _Name
    kind: Kind = Kind.SERVICE


class _Unchecked(_Model):
    finding: _Finding


class _Report(_Model):
    environment: _Name
    project: StrictStr
    region: StrictStr
    findings: list[_Finding]
    unverified: list[_Unverified] = []
    unchecked: list[_Unchecked] = []
    """Findings of that run's own baseline it could not check again: still known."""


@dataclass(frozen=True)
class Baseline:
    """What an earlier run found, and what it could not read."""

    path: str
    environment: str
    project: str
    region: str
    findings: tuple[Finding, ...]
    unverified: frozenset[tuple[str, str]]

    def check_scope(self, environment: str, project: str, region: str) -> None:
        """Refuse a baseline of another environment, project or region (its findings would
        all look resolved, and this run's all new)."""
        ours = (environment, project, region)
        theirs = (self.environment, self.project, self.region)
        if ours != theirs:
            raise UsageError(
                f"{self.path} is a report of {_where(*theirs)}, not of {_where(*ours)}",
                hint="pass the report of an earlier run of the same environment",
            )

    def compare(
        self,
        report: Report,
        *,
        fail_on_new: bool = False,
        state: LiveState | None = None,
        profiled: Mapping[str, ServiceProfile] | None = None,
        history: bool = True,
    ) -> Report:
        """`report` with the baseline state of every finding and unverified item, and the
        findings of the baseline that are gone (`resolved`: not those `older.told_again`);
        `state`: what this run read (which secrets each variable and mount references);
        `profiled`: every workload of the profile (a finding of one no longer in it is
        resolved, not left unchecked by a run of fewer; one left unchecked is shown where its
        workload's profile says it now); `history`: whether this run read revision histories."""
        # every finding of an id (a split between two revisions holding different values
        # finds one per value): each is compared with all of them
        earliers, renamed = older.named_now(self.findings, self.environment, self.project, state)
        before: dict[str, list[Finding]] = {}
        for earlier in earliers:
            before.setdefault(earlier.id, []).append(earlier)
        moved_id = older.moved_ids(report.findings, earliers, before, self.environment)
        before |= {new: [earlier] for new, earlier in moved_id.items()}
        moved, known = ValueMoved(state), older.named_gaps(self.unverified, state, self.project)
        findings = tuple(  # one found again under another id keeps the baseline's id
            replace(f, id=older.as_before(f, moved_id), baseline=baseline_state(f, was, moved))
            for f in report.findings
            for was in [before.get(f.id, [])]
        )
        unverified = tuple(
            replace(u, baseline=_UNCHANGED if (u.key, u.target) in known else _NEW)
            for u in report.unverified
        )
        now = {f.id for f in report.findings}
        resolved: list[Finding] = []
        unchecked: list[Unchecked] = []
        gaps = {(u.key, u.target): u.reason for u in report.unverified}
        uses = secret_uses(state, self.project) if state is not None and gaps else {}
        merged = {f.id for f in earliers if older.merged_into_service(f, self.environment, now)}
        told = older.told_again(earliers, report.findings, merged, moved_id, self.environment)
        skip = now | merged | told
        for finding in earliers:
            again = any(finding is earlier for earlier in moved_id.values())  # another id
            if finding.ignored or finding.id in skip or again:
                continue
            gone = profiled is not None and finding.key not in profiled
            why = None if gone else not_checked_again(finding, report, gaps, uses, state)
            # shown again: masked as this drift shows it, with what this run read (helper-716)
            shown = older.carried(finding, state, (profiled or {}).get(finding.key))
            if why is None:
                resolved.append(replace(shown, baseline=BaselineState.ABSENT))
            else:
                carried = replace(
                    shown,
                    baseline=BaselineState.UNCHANGED,
                    location=older.now_at(finding, profiled),
                )
                unchecked.append(Unchecked(carried, why))
        notes = (*report.notes, *older.upgrade_notes(renamed, merged - now, moved_id, told))
        notes += moved.note({f.id for f in findings if f.baseline is BaselineState.UPDATED})
        notes += put_back_unknown(findings, history)
        if unchecked:
            notes = (
                *notes,
                f"{plural(len(unchecked), 'finding')} of the baseline could not be checked "
                "again (a service not checked or not verified this run, a probe not run, "
                "a deployed revision a manifest run does not read, a rule of a newer drift): "
                "not counted as resolved",
            )
        return replace(
            report,
            findings=findings,
            unverified=unverified,
            resolved=sort_findings(resolved),
            baseline=self.path,
            fail_on_new=fail_on_new,
            notes=notes,
            unchecked=tuple(unchecked),
        )


def load_baseline(path: Path, name: str = "") -> Baseline:
    """Read and validate a `--format json` report of an earlier run; one clear message
    naming the file (exit 2) for anything else, as `name` (what the person wrote: `./last.json`
    stays itself, which the GitHub Action looks for in a refusal) or else the path."""
    name = name or str(path)
    try:
        # a FIFO would block until something writes it, a device may never end: refused
        # at once, as a profile is (drift.yamlfile.read_regular); a pipe the shell handed
        # drift (`--baseline <(git show main:last.json)`) is read, as a manifest's is
        raw = regular_bytes(path, MAX_BYTES + 1, handed=True)
    except OSError as exc:  # none at all: the first run of a schedule (helper-835 F6)
        first = "a first run has none: write one with --json FILE" if exc.errno == ENOENT else None
        why = f"cannot read the baseline {name}: {exc.strerror or exc}"
        raise UsageError(why, hint=first) from exc
    return parse_baseline(name, raw)


def parse_baseline(name: str, raw: bytes) -> Baseline:
    """Validate the bytes of the baseline `name` (a file or a Cloud Storage object)."""
    if len(raw) > MAX_BYTES:
        raise UsageError(
            f"the baseline {name} is over {MAX_BYTES // (1024 * 1024)} MiB: not a drift JSON report"
        )
    try:  # a byte order mark (Windows PowerShell's `>`, revencoding 7) says the encoding
        text = unicode_text(raw)
    except UnicodeDecodeError as exc:
        raise UsageError(
            f"the baseline {name} is not valid JSON: not {exc.encoding.upper()} text"
            f" (line {undecodable_line(exc)})",
            hint="write it with --format json --output FILE, or save it as UTF-8",
        ) from None
    try:
        # NaN, Infinity, 1e400 (helper-611), a key said twice, a lone surrogate (helper-766):
        # not JSON a reader may take one way only (a hand-merged report read as half of it)
        data = jsontext.loads(text, strict=True, unique=True)
    except (ValueError, RecursionError) as exc:
        # Python's "maximum recursion depth exceeded while decoding a JSON array from a
        # unicode string" in drift's words, as a manifest's (helper-810)
        why = "nested too deeply" if isinstance(exc, RecursionError) else short(str(exc))
        raise UsageError(
            f"the baseline {name} is not valid JSON: {why}",
            hint="pass a report written with --format json",
        ) from None
    _check_schema(name, data)
    try:
        parsed = _Report.model_validate(data)
    except ValidationError as exc:  # a newer drift's kind or severity: said as that
        raise refusal(name, exc) from None
    # a finding listed twice (reports merged by hand) is one, never "resolved" beside itself
    found = list(dict.fromkeys(_finding(f) for f in parsed.findings))
    return Baseline(
        path=name,
        environment=parsed.environment,
        project=parsed.project,
        region=parsed.region,
        # ids as this drift gives them: a report of a drift that gave two findings one id
        findings=once_each(
            (*unique_ids(found, _numbers(found)), *(_finding(u.finding) for u in parsed.unchecked))
        ),
        unverified=frozenset(
            (workload_key(u.kind, u.service), u.target) for u in parsed.unverified
        ),
    )


def _numbers(findings: list[Finding]) -> dict[str, float]:
    """The number Cloud Run gave each revision a finding is on (`drift.live.history.number`):
    a report holds no revision's time, and these rise as Cloud Run makes them."""
    out = {}
    for f in findings:
        if f.revision is not None and (n := number(f.service, f.revision)) is not None:
            out[f.revision] = float(n)
    return out


def _check_schema(name: str, data: Any) -> None:
    schema = data.get("schema") if isinstance(data, dict) else None
    if schema == REPORT_SCHEMA:
        return
    if why := other_version(schema, REPORT_SCHEMA, "drift check ENVIRONMENT --json FILE"):
        raise UsageError(f"the baseline {name} was {why}")
    if isinstance(data, dict) and "$schema" in data and "runs" in data:
        found = "a SARIF log"
    elif schema is None:
        found = "no drift report (it has no schema)"
    else:
        found = f"schema {short(repr(schema))}"
    raise UsageError(
        f"the baseline {name} is {found}, expected a {REPORT_SCHEMA} report",
        hint="pass a report written with --format json",
    )


def _where(environment: str, project: str, region: str) -> str:
    return f"environment {short(environment, 80)} ({short(project, 80)}, {short(region, 40)})"


def _finding(data: _Finding) -> Finding:
    """The baseline's finding as this run's: `_Finding` is `Finding`'s JSON form, field for
    field by name, but for the location and a reason kept only while the finding is ignored."""
    location = data.location
    _remember_credentials(data)
    return Finding(
        **data.model_dump(
            exclude={"location", "ignore_reason", "failed", "also_on", "since", "actual"}
        ),
        actual=older.shown_now(data.rule, data.target, data.actual),
        location=Location(location.file, location.line or 0) if location else None,
        ignore_reason=data.ignore_reason if data.ignored else None,
        failed=tuple(data.failed),
        also_on=tuple(data.also_on) if "also_on" in data.model_fields_set else _also_on(data),
        since=_since(data.since),
    )


def _since(data: _Since | None) -> Since | None:
    """The baseline's `since` as the JSON report wrote it (no creator: `null`)."""
    if data is None:
        return None
    return Since(**data.model_dump() | {"creator": data.creator or ""})


_ALSO_ON = re.compile(r" \(also on ([^()]+)\)$")
"""The tail `drift.diff.engine` gives the message of a drift merged from several revisions."""


def _also_on(data: _Finding) -> tuple[str, ...]:
    """The other revisions of a finding from a drift before `also_on` (4312341, 2026-11-30):
    it merged the same drift found on several revisions as this one does but named them only
    in the message's tail, `… (also on REV, REV)`. Read back from there, or the finding would
    be resolved where this run could not read one of them (revupgrade F1)."""
    tail = _ALSO_ON.search(data.message) if data.revision is not None else None
    return tuple(r for r in tail.group(1).split(", ") if r) if tail else ()


def _remember_credentials(data: _Finding) -> None:
    """A baseline's text is treated like live values (README "Drift over time"): a value
    shaped like a credential is registered as `drift.live.remember` registers a live one, so
    every format masks it (a report of an older drift, which masked less, carries some);
    in a message, each such piece of it."""
    references = older.REFERENCES.get(data.rule, ())
    for field, value in (("expected", data.expected), ("actual", data.actual)):
        if field in references:
            continue  # a secret reference, `secret NAME:VERSION`: a name, never a value
        if value and credentials.credential_shaped(value, drift_text=True):
            redact.register(value)
    since = data.since or _Since()
    for text in (data.message, *data.failed, since.note, since.creator or "", since.client or ""):
        for piece in credentials.credential_pieces(text, drift_text=True):
            redact.register(piece)
