"""The profile's `ignore` entries on a run's findings: which each silences, which it fits but
may not silence (a security-relevant rule it does not name), and which matched nothing."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Callable, Collection, Iterable
from dataclasses import replace
from functools import partial

from drift.findings import Finding, Location, Unverified
from drift.kinds import Kind, workload_key
from drift.live.state import LiveState
from drift.profiles.model import Ignore, Profile
from drift.secret_target import respelled


def apply_ignores(
    profile: Profile, findings: list[Finding], today: dt.date, state: LiveState | None = None
) -> list[Finding]:
    """Silence matched findings; after an ignore's `until` its findings are back with their
    own severity (the profile's: an error fails CI again), saying the ignore expired. A
    finding an ignore fits but does not silence, since it names no rule and the finding's
    rule must be named (`RuleInfo.ignored_by_name_only`), says so: whoever wrote the entry
    thinks it silenced. `state`: what the run learnt of projects (a secret an entry names by
    its project's number is the one a finding names by id, or bare in the own project)."""
    named = partial(named_target, state=state, own=profile.project)
    return [_apply(profile, f, today, named) for f in findings]


def named_target(target: str, state: LiveState | None, own: str) -> str:
    """A target as drift names it: a secret an entry writes in any spelling a profile
    accepts for one (`NAME`, `PROJECT/NAME` with the project's id or number,
    `projects/PROJECT/secrets/NAME`, so also what an older drift named it: `secret.NUMBER/NAME`)
    is `secret.NAME` in the own project, else `secret.PROJECT_ID/NAME` (diff/secrets.py
    secret_findings); any other target as it is."""
    kind, _, key = target.partition(".")
    if kind != "secret":
        return target
    if (full := _FULL.fullmatch(key)) is not None:
        key = f"{full[1]}/{full[2]}"
    return respelled(f"secret.{key}", state, own)


_FULL = re.compile(r"projects/([^/]+)/secrets/([^/]+)")


def _apply(
    profile: Profile, finding: Finding, today: dt.date, named: Callable[[str], str]
) -> Finding:
    fitting = [i for i in profile.ignores if i.fits(finding, named)]
    if not fitting:
        return finding
    # An entry of a profile that others extend was written for that profile's rules: a rule
    # an extending profile states itself (replacing the inherited one as a whole, SPEC
    # §Profiles) is newer intent, which it does not silence; the finding says so.
    svc = profile.services.get(workload_key(finding.kind, finding.service))
    rule = svc.rule_at(finding.target, finding.of_container) if svc and finding.target else None
    newer = [i for i in fitting if rule is not None and rule.file in i.newer]
    match = next((i for i in fitting if i not in newer and not i.needs_rule(finding)), None)
    if match is None:
        note = _unsilenced(finding, fitting, newer, rule)
        return replace(finding, message=f"{finding.message} {note}")
    if match.expired(today):
        note = f"(ignore expired after {match.until} UTC: {match.reason})"
        return replace(finding, message=f"{finding.message} {note}")
    return replace(finding, ignored=True, ignore_reason=match.reason)


def _unsilenced(
    finding: Finding, fitting: list[Ignore], newer: list[Ignore], rule: Location | None
) -> str:
    """Why the entries that fit `finding` do not silence it."""
    entries = "the ignore at " if len(newer or fitting) == 1 else "the ignores at "
    entries += ", ".join(i.where for i in newer or fitting)
    if newer and rule is not None:
        return (
            f"(not silenced by {entries}: the rule at {rule.file}:{rule.line} is stated by a "
            f"profile extending that entry's, after it; repeat the entry in {rule.file} to "
            "silence it there)"
        )
    return (
        f"(not silenced by {entries}: {finding.rule} is silenced only by an ignore that "
        f"names it, `rule: {finding.rule}`)"
    )


def unmatched_ignores(
    profile: Profile,
    checked: Collection[str],
    findings: Iterable[Finding],
    unverified: Iterable[Unverified],
    probed: Collection[str] = (),
    state: LiveState | None = None,
) -> list[str]:
    """A note for each entry that fits no finding where the run looked everywhere it could
    fit: its workload checked (`checked`: keys), read (in `state`, when given) with nothing of
    it unverified, and, for an entry of a probe rule, its service probed (`probed`: names).
    An entry left after its drift was fixed silences the same drift the day it comes back;
    one with a typo in what it names silences nothing: either is said, never counted (the
    exit code is the findings'). A workload not found (a wrong region, one deleted) was not
    read: its entries may match what it has once it is found."""
    findings = list(findings)
    unread = {u.key for u in unverified}
    if "-" in unread:  # something of the whole run could not be read
        return []
    named = partial(named_target, state=state, own=profile.project)
    notes = []
    for entry in profile.ignores:
        key = workload_key(entry.kind or Kind.SERVICE, entry.service or "")
        read = key in checked and (state is None or key in state.services)
        if not read or key in unread:
            continue  # not looked at, not found, or not all of it: may match what was not read
        if (entry.rule or "").startswith("probe.") and entry.service not in probed:
            continue
        if not any(entry.fits(f, named) for f in findings):
            now = named(entry.target) if entry.target else None
            said = f" (drift names it `{now}`)" if now and now != entry.target else ""
            notes.append(
                f"the ignore at {entry.where} ({_named(entry)}{said}) matched no finding this "
                "run: remove it if its drift is gone, or correct what it names"
            )
    return notes


def _named(entry: Ignore) -> str:
    """What an entry names, in words (`service api, env.REDIS_PASSWORD`)."""
    kind = entry.kind or Kind.SERVICE
    parts = [f"{kind.value} {entry.service}"]
    parts += [p for p in (entry.target, entry.rule) if p]
    parts += [f"{k} {v}" for k, v in (("container", entry.container), ("tag", entry.tag)) if v]
    return ", ".join(parts)
