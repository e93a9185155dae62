"""A baseline written by an older drift, read as this drift names its findings: what changed
in a finding's name or id changed no drift, so it must not compare as new and resolved
(revbaseline2 F3, F5)."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Mapping, Sized
from dataclasses import replace
from typing import TYPE_CHECKING

from drift.credentials import masked_text
from drift.diff.describe import mask_plain
from drift.diff.inlined import SHOWS_VALUE
from drift.diff.jobs import without_values
from drift.fields.catalogue import FIELDS
from drift.findings import Finding, Location, Since, finding_id
from drift.live.model import EnvVar
from drift.live.state import LiveState
from drift.redact import CHANGED, MASK, mask
from drift.secret_target import respelled
from drift.textsafe import plural

if TYPE_CHECKING:
    from drift.profiles.model import ServiceProfile


def named_now(
    findings: Iterable[Finding], environment: str, own: str, state: LiveState | None
) -> tuple[tuple[Finding, ...], str | None]:
    """The baseline's findings with each secret target as this drift names it, and its id
    recomputed from that target (only an id that is the fingerprint of the old target: one
    a drift gave otherwise is kept); and the note saying how many were renamed."""
    out: list[Finding] = []
    renamed: list[tuple[str, str]] = []
    for f in findings:
        target = f.target if state is None else respelled(f.target, state, own)
        tail = None if target == f.target else _id_tail(f, environment)
        if tail is None:
            out.append(f)
            continue
        new_id = finding_id(environment, f.key, f.rule, target + tail)
        out.append(replace(f, target=target, id=new_id))
        renamed.append((f.target, target))
    if not renamed:
        return tuple(out), None
    shown = ", ".join(f"{old} → {new}" for old, new in dict.fromkeys(renamed))
    return tuple(out), (
        f"{plural(len(renamed), 'finding')} of the baseline named as this drift names them "
        f"({shown}): compared under today's name and id"
    )


_VERSION = re.compile(r"\bversion (\S+?)[ ,:)]")


def _id_tail(f: Finding, environment: str) -> str | None:
    """What follows the target in the text of `f`'s id (drift.diff.context `finding`:
    `@SIDECAR`, `#VARIANT` (`version N`: drift.diff.secrets), `~TAG`), found by trying
    what the finding says; None when none gives its id."""
    tag = f"~{f.tag}" if f.tag else ""
    scopes = ("", *([f"@{f.container}"] if f.container else []))
    variants = ("", *(f"#version {v}" for v in _VERSION.findall(f.message)))
    for scope in scopes:
        for variant in variants:
            tail = scope + variant + tag
            if finding_id(environment, f.key, f.rule, f.target + tail) == f.id:
                return tail
    return None


_PINNED = re.compile(r"#version [^~]+")
"""The variant of a version only pinned references use (`drift.diff.secrets._pinned`), up to
the `~TAG` an id's text ends with (`drift.diff.context`: `target@scope#variant~tag`;
helper-569 F1: a greedy match ate the tag, and a tagged revision's repin was new again)."""


def moved_ids(
    findings: Iterable[Finding],
    earliers: Iterable[Finding],
    before: Mapping[str, list[Finding]],
    environment: str,
) -> dict[str, Finding]:
    """This run's findings whose id the baseline does not hold that are a drift it holds under
    another id, by the id of each: only one whose id moved because a reference was repinned
    from `latest` to the very version it stood for, or back (a version only pinned references
    use is named in the id: `drift.diff.secrets._pinned`) — the same workload, rule, target,
    container and tag, failing on the same version, the ids differing only by that version
    (helper-567 F3); a secret's finding scoped by another of its containers (`_rescoped`); a
    tag-only revision's under the tag's new name (`_retagged`). Any other variant (a file of a
    directory, a version's destruction) tells
    two drifts apart, and a secret this run names by its project's number may be another
    project's: never matched (helper-568 F1, F2). Each earlier one matched once."""
    findings = list(findings)
    now = {f.id for f in findings}
    gone = [e for e in earliers if e.id not in now and not e.ignored]
    out: dict[str, Finding] = {}
    for f in findings:  # an ignored one too: still there, so not resolved (helper-616 F3)
        if f.id in before:
            continue
        for e in gone:
            if any(e is x for x in out.values()):
                continue
            # a repin fails on a version (`failed`); a rescope may fail on none (helper-615 F2)
            repinned = bool(e.failed and f.failed) and _repinned(e, f, environment)
            moved = _rescoped(e, f, environment) or _retagged(e, f, environment)
            if not (repinned or moved):
                continue
            out[f.id] = e
            break
    return out


_SCOPE = re.compile(r"^@[^#~]*")
"""The `@SIDECAR` an id's text begins with after the target (`drift.diff.context`)."""


def _rescoped(e: Finding, f: Finding, environment: str) -> bool:
    """Whether `e` and `f` are one secret's finding whose id moved with the container it is
    scoped by: a drift that scoped it by the container the template listed first, this one by
    the main container, then each sidecar by name (67a71a48), so a baseline written before
    keeps its id once (helper-613 M5) — the same workload, rule, secret, tag and failure."""
    if not e.rule.startswith("secret.") or e.container == f.container:
        return False
    if (e.key, e.rule, e.target, e.tag) != (f.key, f.rule, f.target, f.tag):
        return False
    theirs, mine = _id_tail(e, environment), _id_tail(f, environment)
    if set(e.failed) != set(f.failed) or theirs is None or mine is None or theirs == mine:
        return False
    # and repinned at once (helper-616 F4): the pinned version is the one that fails
    return _unpinned(_SCOPE.sub("", theirs), _SCOPE.sub("", mine), f)


def _retagged(e: Finding, f: Finding, environment: str) -> bool:
    """Whether `e` and `f` are one drift of a revision reached only through a tag whose id
    moved with the tag's name (`~TAG`: `drift.diff.context`): the same revision, renamed
    (`update-traffic --update-tags NEW=REV --remove-tags OLD`), the same workload, rule,
    target, container and failure (helper-611 F4). A tag moved to another revision keeps its
    id, and is compared as any drift found again."""
    if not (e.tag and f.tag and e.tag != f.tag and e.revision and e.revision == f.revision):
        return False
    same = (e.key, e.rule, e.target, e.container) == (f.key, f.rule, f.target, f.container)
    theirs, mine = _id_tail(e, environment), _id_tail(f, environment)
    if not same or set(e.failed) != set(f.failed) or theirs is None or mine is None:
        return False
    return theirs.removesuffix(f"~{e.tag}") == mine.removesuffix(f"~{f.tag}")


def _repinned(e: Finding, f: Finding, environment: str) -> bool:
    """Whether `e` and `f` are one drift whose id moved with a reference's pinning."""
    same = (e.key, e.rule, e.target, e.container, e.tag) == (
        f.key,
        f.rule,
        f.target,
        f.container,
        f.tag,
    )
    if not same or set(e.failed) != set(f.failed):
        return False
    theirs, mine = _id_tail(e, environment), _id_tail(f, environment)
    if theirs is None or mine is None or theirs == mine:
        return False
    return _unpinned(theirs, mine, f)


def _unpinned(theirs: str, mine: str, f: Finding) -> bool:
    """Whether two ids' texts after the target differ only by the pinned version (none, or
    one `f` fails on)."""
    named = {m.removeprefix("#") for m in _PINNED.findall(theirs + mine)}
    return _PINNED.sub("", theirs) == _PINNED.sub("", mine) and named <= set(f.failed)


def as_before(finding: Finding, moved: Mapping[str, Finding]) -> str:
    """The id a finding is reported under: the baseline's, where it is a drift the baseline
    holds under another id (`moved_ids`: one alert, one id), else its own — and its own for a
    secret's finding scoped by another container (`_rescoped`): the baseline's id could not be
    made again from what the report says of it, so the next run would find it `new` once more
    (helper-615 F1); this run's id is the one it keeps from now on. Likewise under a tag
    renamed (`_retagged`)."""
    earlier = moved.get(finding.id)
    if earlier is None or (earlier.container, earlier.tag) != (finding.container, finding.tag):
        return finding.id
    return earlier.id


def merged_into_service(finding: Finding, environment: str, now: set[str]) -> bool:
    """A baseline finding of an older drift on a tag (its id of `setting.NAME~TAG`) of a setting the
    service holds (ingress, invoker_iam_disabled, the service's own scaling: a023d56 made it
    one finding per service, its untagged id), whose service finding this run has: the same
    drift, now told once, not resolved."""
    kind, _, name = finding.target.partition(".")
    field = FIELDS.get(name) if kind == "setting" and finding.tag else None
    if field is None or (field.level != "service" and field.held_by_service is None):
        return False
    tagged = finding_id(environment, finding.key, finding.rule, f"{finding.target}~{finding.tag}")
    untagged = finding_id(environment, finding.key, finding.rule, finding.target)
    return finding.id == tagged and untagged in now


def told_again(
    earliers: Iterable[Finding],
    findings: Iterable[Finding],
    merged: set[str],
    moved: Mapping[str, Finding],
    environment: str,
) -> set[str]:
    """The ids of the baseline's findings this run has not (nor says otherwise: `merged` into
    the service's, found again under another id, `moved`), each an id that is no fingerprint
    of what the finding says (`_id_tail`: pasted from another report, or given to a second
    entry of one id, listed twice by hand or by a traffic split that ended), whose drift a
    finding of this run reports under the fingerprint of the same workload, rule, target,
    container and tag. Never resolved beside the finding that says it is still there: one
    finding, one verdict (helper-835 F3). A finding told apart by a variant (a file of a
    directory, a version) is another drift: resolved as ever."""
    findings = list(findings)
    found = {f.id for f in findings} | merged | {e.id for e in moved.values()}
    plain = {_where(f) for f in findings if _plain(_id_tail(f, environment))}
    return {
        e.id
        for e in earliers
        if not e.ignored
        and e.id not in found
        and _where(e) in plain
        and _id_tail(e, environment) is None
    }


def _plain(tail: str | None) -> bool:
    """An id's tail (`_id_tail`) with no variant: the fingerprint of its target alone."""
    return tail is not None and "#" not in tail


def _where(f: Finding) -> tuple[str, str, str, str | None, str | None]:
    return (f.key, f.rule, f.target, f.container, f.tag)


def upgrade_notes(
    renamed: str | None, merged: Sized, moved: Sized = (), told: Sized = ()
) -> tuple[str, ...]:
    """The notes of `named_now`, of the findings `merged_into_service`, of those found
    again under another id (`same_drift.moved_ids`) and of those `told_again`."""
    notes: tuple[str, ...] = (renamed,) if renamed else ()
    if told:
        notes += (
            f"{plural(len(told), 'finding')} of the baseline under an id this run does not give "
            "(edited by hand, listed twice, or a traffic split that ended) reported again "
            "under this run's: not resolved",
        )
    if moved:
        notes += (
            f"{plural(len(moved), 'finding')} of the baseline found again under another id (a "
            "reference pinned to the very version `latest` stood for, or back: kept under the "
            "baseline's id; a secret's finding scoped by another of its containers, or a "
            "revision's under a tag renamed: under today's id): the same drift, not new",
        )
    if merged:
        notes += (
            f"{plural(len(merged), 'finding')} of the baseline on a tag of a setting the service "
            "holds (`~TAG`) now part of the service's finding: not resolved",
        )
    return notes


def named_gaps(
    gaps: frozenset[tuple[str, str]], state: LiveState | None, own: str
) -> frozenset[tuple[str, str]]:
    """The baseline's unverified items (workload key, target), each secret target also as
    this drift names it."""
    if state is None:
        return gaps
    return gaps | {(key, respelled(target, state, own)) for key, target in gaps}


def shown_now(rule: str, target: str, actual: str | None) -> str | None:
    """A variable's plain value in a baseline finding's `actual` as this drift shows a live one
    (`mask_plain`): a drift before 0bf9d3ce showed a short value under a password's name
    (`DB_PASSWORD=hunter2`) as it was, which a run would carry into its own report (`resolved`,
    `unchecked`, read again by the next run) and compare as `updated` with the same drift now
    shown `***` (revdiff88 F1). What is no value is kept: a reference as drift shows it
    (`secret NAME:VERSION`), a value already masked."""
    name = target.removeprefix("env.")
    if rule not in SHOWS_VALUE or actual is None or name == target:
        return actual
    if actual in (MASK, CHANGED) or _SHOWN_REFERENCE.fullmatch(actual):
        return actual
    return mask_plain(name, actual, secret=False)


_SHOWN_REFERENCE = re.compile(r"secret \S+:[^\s:]+")
"""A secret reference as a finding of a variable shows it (`str(SecretRef)`: `secret KEY:VERSION`,
KEY a name, `PROJECT/NAME`, or a form drift does not read kept whole): a name, no value."""


REFERENCES = {
    "env.secret_ref": ("expected", "actual"),
    "mount.secret_ref": ("expected", "actual"),
    "mount.missing": ("expected",),
}
"""The fields of a finding that hold a secret reference whatever the profile or the revision
says (`drift.diff.env`, `drift.diff.secrets._mount`: `str(SecretRef)`), never a value, never
registered (a reference `secret stripe-api-key:latest` masked made the next run `updated`)."""


def carried(finding: Finding, state: LiveState | None, profile: ServiceProfile | None) -> Finding:
    """A baseline's finding this run shows again (`resolved`, `unchecked`), its text masked as
    today's drift masks what it shows, with what it knows now (helper-716): a baseline written
    by an older drift, which masked less, may quote a value today's would hide (a `job.failed`
    reason before 0b035bd8 quoted the password its execution ran). Which words of a text a
    server wrote is not known: each is masked as a server's (`redact.mask(..., echo=True)`:
    every secret drift read, and a prefix one was cut to), then without the plain values of
    its workload's variables that a finding hides (`jobs.without_values`, `job.failed`'s
    rule); a value (`expected`, `actual`) by `credentials.masked_text`, the rule of a
    setting's free text (`***` where it is or holds a secret drift read, however short; each
    piece shaped like a credential masked where it stands), but for a secret reference (a
    name, never a value: `REFERENCES`). Credential-shaped pieces of its text were registered
    when the baseline was read (`drift.baseline`). Only what is shown: the comparison reads
    the baseline as it is."""
    variables = _variables(finding.key, state)
    secret = {v.name for v in variables if v.ref is not None} | {
        rule.name
        for rules in (profile.containers if profile is not None else ())
        for rule in rules.env.values()
        if rule.expects_secret
    }
    hidden = {v.value for v in variables if v.value and v.ref is None and v.name in secret}

    def text(said: str) -> str:
        return without_values(mask(said, echo=True), variables, secret.__contains__)

    def value(field: str, said: str | None) -> str | None:
        if said is None or field in REFERENCES.get(finding.rule, ()):
            return said
        if said in (MASK, CHANGED) or _SHOWN_REFERENCE.fullmatch(said):
            return said
        return masked_text(text(said), hidden)

    since = finding.since
    return replace(
        finding,
        message=text(finding.message),
        expected=value("expected", finding.expected),
        actual=value("actual", finding.actual),
        failed=tuple(text(f) for f in finding.failed),
        ignore_reason=None if finding.ignore_reason is None else text(finding.ignore_reason),
        since=None if since is None else _since(since, text),
    )


def _since(since: Since, text: Callable[[str], str]) -> Since:
    return replace(
        since,
        creator=text(since.creator),
        client=None if since.client is None else text(since.client),
        note=text(since.note),
        unjudged=None if since.unjudged is None else text(since.unjudged),
    )


def _variables(key: str, state: LiveState | None) -> tuple[EnvVar, ...]:
    """Every variable this run read of the workload `key`: of each configuration checked, each
    older revision read (for `since`, for the baseline: `LiveState.earlier`) and what a job's
    latest execution ran."""
    live = state.services.get(key) if state is not None else None
    if state is None or live is None:
        return ()
    configs = [
        *(c.variables for c in live.configs),
        *(c.variables for c in state.earlier.get(key, {}).values()),
        *(r.variables for r in state.history.get(key, ())),
    ]
    ran = live.execution.ran if live.execution is not None else ()
    return (*(v for c in configs for k in c.containers for v in k.env.values()), *ran)


def now_at(finding: Finding, profiled: Mapping[str, ServiceProfile] | None) -> Location | None:
    """Where a finding of the baseline stands in today's profile: its line then may now be
    another service's (lines added above it). Its workload not found: the file, no line."""
    if profiled is not None and (entry := profiled.get(finding.key)) is not None:
        return entry.where(finding.target, finding.container)
    return Location(finding.location.file, 0) if finding.location else None
