"""What makes two findings the same drift from one run to the next: the id each finding of a
check gets (`unique_ids`), and how a finding compares with the findings of its id in a
baseline (`baseline_state`), read masked as a report shows it (a baseline holds it so)."""

from __future__ import annotations

import hashlib
import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import replace

from drift.fields.defaulted import DEFAULT_SAID
from drift.fields.health import is_default
from drift.findings import BaselineState, Finding, Severity
from drift.redact import MASK, mask, mask_optional
from drift.revision_names import number


def unique_ids(
    findings: Iterable[Finding], age: Mapping[str, float] | None = None
) -> list[Finding]:
    """The findings, no two with one id (revspec2 4). The id (environment, service, rule,
    target, and what keeps findings of one target apart: a sidecar, a variant, a tag) is
    shared by two findings only where two revisions hold two different drifts of one target
    (a traffic split between two wrong values). Of those, the one on the oldest revision (`age`
    ranks them by name: their `create_time`, revision.proto, in a check; the number Cloud Run
    gave each, which rises with each revision it makes, in a baseline, which holds no time;
    the one whose drift was there before the others were deployed) keeps the id, as when it
    was alone. Each other gets one of the id and
    what it says (`_told_apart`: its values masked, what fails), never its revision's name: the
    same drift on the next canary of a split keeps its id, and a name its writer chose
    (`--revision-suffix`) cannot hand it to another. Findings alike in all that are kept apart
    by the same order. A revision of no known age (one the service's template describes, the
    newest; a name its writer chose, in a baseline) comes after those known, in the order
    given: a baseline then compares on the safe side (a pair it lists the other way round is
    `updated` and `new`, never hidden)."""
    findings = list(findings)
    seen: dict[str, list[int]] = {}
    for i, finding in enumerate(findings):
        seen.setdefault(finding.id, []).append(i)
    taken = {f.id for f in findings}
    ranks = age or {}
    for ids in (ids for ids in seen.values() if len(ids) > 1):
        ordered = sorted(ids, key=lambda i: _oldest(findings[i], ranks))
        for i in ordered[1:]:
            finding, n = findings[i], 0
            told = _told_apart(finding)
            distinct = _distinct_id(finding.id, told, n)
            while distinct in taken:  # alike in all it says: one id each, in age order
                n += 1
                distinct = _distinct_id(finding.id, told, n)
            taken.add(distinct)
            findings[i] = replace(finding, id=distinct)
    return findings


def _oldest(finding: Finding, ranks: Mapping[str, float]) -> tuple[bool, float]:
    """A finding's place in age order: that of the oldest revision it is on, `revision` or
    one it was merged with (`also_on`, named in traffic order, not by age): a drift the next
    canary carries too keeps the place, and the id, it had before (revown19 F2)."""
    known = [ranks[r] for r in (finding.revision, *finding.also_on) if r and r in ranks]
    return (not known, min(known, default=0.0))


def _told_apart(finding: Finding) -> tuple[str, ...]:
    """What a finding says, as a report (and so a baseline) keeps it: its container, its
    expected and actual value masked, what fails."""
    _, expected, actual = _seen(finding)
    return (finding.container or "", expected or "", actual or "", *sorted(_failed(finding)))


def _distinct_id(base: str, told: tuple[str, ...], n: int) -> str:
    key = "\x1f".join((base, *told, *([str(n)] if n else []))).encode()
    return hashlib.sha256(key).hexdigest()[:16]


def baseline_state(
    finding: Finding,
    before: list[Finding],
    moved: Callable[[Finding, Finding], bool] | None = None,
) -> BaselineState:
    """New when the baseline did not have its id (or had it only silenced by `ignore`:
    nobody was told); updated when no finding of that id had its severity, expected and
    actual value, failed the same way (compared masked, as the baseline was written), had
    not begun before this run's drift began again (`_began_again`) and held the value this
    run read masked (`moved`: what this run read tells it, `drift.rechecked.value_moved`);
    else unchanged."""
    known = [b for b in before if finding.ignored or not b.ignored]
    if not known:
        return BaselineState.NEW
    seen, failed = _seen(finding), _failed(finding)
    if not any(
        _seen(b) == seen
        and _fails_alike(failed, b)
        and not _began_again(finding, b)
        and not (moved is not None and moved(finding, b))
        for b in known
    ):
        return BaselineState.UPDATED
    return BaselineState.UNCHANGED


def _began_again(finding: Finding, earlier: Finding) -> bool:
    """Whether this run's drift began on a later deploy than the baseline's finding did
    (repaired, or replaced by another drift of its target, and put back: revbase80 F1), as
    far as this run's `since` tells it:

    - its start is known and is another revision: the revision right before it is listed and
      good (`last_good`);
    - its start is known and later than the baseline's, by the numbers Cloud Run gave them
      (`drift.revision_names.number`): no last good and nothing unlisted right before it (not
      `earlier`), so the revision before it is listed with another drift of the target, or
      there is none (without numbers, the same `since` is also that of a drift as old as the
      oldest revision listed);
    - "or earlier", after a good revision (`last_good`) no older than the baseline's start,
      by the same numbers: the drift was not
      there on a revision after the baseline found it, so it began again.

    A baseline that recorded no start (a `--no-history` run, an older drift's) still names
    the revisions the drift held on (`_good_after`). A drift as old as the oldest revision
    listed, whose `since` moves forward when old revisions are deleted, or one whose start is
    not known (a secret's own state, history not read): not begun again, the rest decides
    (revhist85 F3)."""
    since, then = finding.since, earlier.since
    start = then.revision if then is not None else None
    if start is None:
        return _good_after(finding, earlier)
    if since is None or since.revision is None or start is None or since.revision == start:
        return False
    if since.last_good is not None and not since.earlier:
        return True
    service, began = finding.service, number(finding.service, start)
    if began is None or (since.last_good is None and since.earlier):
        return False
    if since.last_good is None:  # known where Cloud Run numbered it, and only if later
        now = number(service, since.revision)
        return now is not None and now > began
    good = number(service, since.last_good)
    return good is not None and began <= good


def _good_after(finding: Finding, earlier: Finding) -> bool:
    """Whether this run's last good revision (`last_good`, "or earlier" or not: a good
    revision listed) is one Cloud Run numbered after every revision the baseline found the
    drift on (`revision`, `also_on`), where it held: repaired after the baseline, and put
    back (helper-835 F2). A name without a number (its writer chose it): not known."""
    since = finding.since
    good = number(finding.service, since.last_good) if since and since.last_good else None
    held = [number(finding.service, r) for r in (earlier.revision, *earlier.also_on) if r]
    if good is None or not held or None in held:
        return False
    return all(n is not None and n < good for n in held)


def _seen(finding: Finding) -> tuple[Severity, str | None, str | None]:
    """What a finding of an id says, masked as drift.format masks it (what a server echoed,
    as an echo)."""
    echo = finding.rule.startswith("probe.")
    actual = MASK if finding.actual == _PLAIN_BEFORE else finding.actual
    actual = _unsaid(finding.target, actual)
    return (finding.severity, mask_optional(finding.expected), mask_optional(actual, echo=echo))


def _unsaid(target: str, actual: str | None) -> str | None:
    """`actual` without the words said of a startup probe inferred as Cloud Run's default
    (`DEFAULT_SAID`, since helper-739 F4): a baseline written before has none. Only there, and
    only after that default's text (`health.is_default`: a TCP probe, no free text), where drift
    alone adds them: the same words at the end of any other value read are the value, and a
    change to them an update (helper-778 F1)."""
    if actual is None or target != "setting.startup_probe":
        return actual
    text = actual.removesuffix(DEFAULT_SAID)
    return text if text != actual and is_default(text) else actual


_PLAIN_BEFORE = f"{MASK} (plain value)"
"""What `env.plaintext_secret` wrote as `actual` before it wrote `***` (revspec2 5): a baseline
holding it says the same, not an update."""


def _failed(finding: Finding) -> frozenset[str]:
    """What a finding says fails (`Finding.failed`), masked as drift.format masks it."""
    return frozenset(mask(piece) for piece in finding.failed)


def _fails_alike(failed: frozenset[str], earlier: Finding) -> bool:
    """Whether the baseline's finding failed the way this one does. A finding that fails in
    one way only records nothing on either side. A baseline written by a drift that did not
    record `failed` (every finding of a rule that records it does, so none recorded is such
    a report) is read from its message, which named every failure in the same words: each
    failure of this run that it does not name is a change, never hidden (the safe side: a
    failure it named that is gone does not alert)."""
    if earlier.failed:
        theirs = _failed(earlier)
        if not any(p.startswith(_VERSION) for p in theirs):
            # an older drift's constraint on a secret named no version read (revbase92 L1):
            # the same failure of the version read now is no change of its own
            failed = frozenset(p for p in failed if not p.startswith(_VERSION))
        return failed == theirs
    return all(_said(piece, earlier.message) for piece in failed)


_VERSION = "version "
"""How `failed` names the secret version a finding read (`drift.diff.env`, `drift.diff.secrets`)."""


def _said(piece: str, message: str) -> bool:
    """`piece` in `message` as a whole (`env.FOO` is not said by `env.FOO_BAR`, nor a
    length of 8 by one of 80)."""
    return re.search(rf"(?<![\w.]){re.escape(piece)}(?![\w.])", message) is not None


def put_back_unknown(findings: Iterable[Finding], history: bool) -> tuple[str, ...]:
    """The note of a run that read no revision history (`--no-history`, a manifest's) and
    found drift `unchanged`: with no `since`, a drift repaired and put back after the baseline
    cannot be told from one that never left (`_began_again`, helper-835 F2)."""
    if history or not any(f.baseline is BaselineState.UNCHANGED for f in findings):
        return ()
    return (
        "no revision history was read (--no-history, or a manifest): a drift repaired and "
        "put back since the baseline cannot be told from one that never left, and is "
        "counted unchanged",
    )


def once_each(findings: Iterable[Finding]) -> tuple[Finding, ...]:
    """Each id once, the first listed kept (a finding also carried in `unchecked`, or carried
    twice, by a hand-merged report): one finding is resolved once, carried once, one SARIF
    result (helper-567 F5)."""
    out: dict[str, Finding] = {}
    for finding in findings:
        out.setdefault(finding.id, finding)
    return tuple(out.values())
