"""Findings made before a workload's older revisions were read (a `same_as` judged late), masked
again once they are: a variable that is a Secret Manager reference in one of them holds that
secret's value pasted in wherever it is plain (`drift.live.remember.inlined`). A long value is
masked in every format once registered; a short one (below `secretforms.SEARCH_MIN`) only on the
finding, as the rules mask it when they know (`Context.inlined`)."""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import replace

from drift.diff.context import Context
from drift.findings import Finding
from drift.live.model import EnvVar, LiveService
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.redact import CHANGED, MASK

SHOWS_VALUE = frozenset({"env.unexpected", "env.forbidden", "env.value", "env.constraint"})
"""The rules whose `actual` is a variable's plain value (masked where it must be)."""
ON_A_VALUE = SHOWS_VALUE | {"env.plaintext_secret", "env.inconsistent"}
"""The rules whose finding is on a variable's value: shown (masked where it must be), or
always masked (a credential in plain text where a reference belongs: `***`; a `same_as` that
differs: `*** (changed)`). A value of theirs that a deploy changed is another drift."""


def hide_inlined(
    profile: Profile, state: LiveState, findings: Iterable[Finding]
) -> Iterator[Finding]:
    """`findings`, each whose variable `Context.never_shown` says is a secret (pasted in, or
    a password moved to another name) with its actual masked as the rule masks it
    (`env.value`: changed, never what it is)."""
    contexts: dict[str, Context] = {}
    for finding in findings:
        live = state.services.get(finding.key)
        service = profile.services.get(finding.key)
        if finding.rule not in SHOWS_VALUE or finding.actual in (None, MASK, CHANGED):
            yield finding
            continue
        if live is None or service is None or (var := _variable(finding, live)) is None:
            yield finding
            continue
        ctx = contexts.setdefault(finding.key, Context(profile, state, service, live))
        if ctx.never_shown(var):  # a secret pasted in: `env.value` says only that it changed
            changed = finding.rule == "env.value" and ctx.inlined(var)
            finding = replace(finding, actual=CHANGED if changed else MASK)
        yield finding


def _variable(finding: Finding, live: LiveService) -> EnvVar | None:
    """The variable a finding is about, in the revision and container it names."""
    revision = next((r for r in live.checked if r.name == (finding.revision or "")), None)
    if revision is None:
        return None
    config = revision.config
    container = config.named(finding.container or config.primary)
    return container.env.get(finding.target.removeprefix("env."))
