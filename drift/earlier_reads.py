"""The revisions a baseline found a value shown masked on that this run did not read, read once
each (GetRevision) so that the value is compared, not counted `updated` blind
(`drift.rechecked.ValueMoved`; helper-613 M1, M2): a manifest run reads no deployed revision,
a run without history (`--no-history`, `history = false`) none that no longer serves. Only
for findings found again masked; never checked, never reported: `LiveState.earlier`."""

from __future__ import annotations

import asyncio

from drift.baseline import Baseline
from drift.diff.inlined import ON_A_VALUE
from drift.errors import ApiError
from drift.kinds import Kind
from drift.live.calls import CallRunner
from drift.live.normalize import raw, revision_config
from drift.live.session import Session
from drift.live.state import LiveState
from drift.profiles.model import Profile
from drift.rechecked import MANIFEST, read_revisions, same_revisions
from drift.redact import MASK
from drift.report import Report
from drift.settings import Settings


def wanted(baseline: Baseline, report: Report, state: LiveState) -> list[tuple[str, str]]:
    """(workload key, revision name) of each revision to read: one a baseline's finding of a
    value shown masked was on, found again masked this run, that this run did not read."""
    again = {f.id: f for f in report.findings if f.rule in ON_A_VALUE and MASK in (f.actual or "")}
    out: dict[tuple[str, str], None] = {}
    for finding in baseline.findings:
        live, now = state.services.get(finding.key), again.get(finding.id)
        if now is None or finding.kind is Kind.JOB or live is None:
            continue
        if finding.ignored and not now.ignored:  # compared only with one ignored alike
            continue
        if same_revisions(now, finding):
            continue  # nothing to read (`ValueMoved`; helper-615 F5)
        known = set(read_revisions(state, finding.key))
        # one this run could not read is not asked again (helper-614 L1: each call once)
        known |= {u.target.removeprefix("revision.") for u in state.unverified}
        for name in finding.revisions:
            if not name.startswith(MANIFEST) and name not in known:
                out[(finding.key, name)] = None
    return list(out)


async def read_earlier(
    profile: Profile,
    settings: Settings,
    state: LiveState,
    revisions: list[tuple[str, str]],
    runner: CallRunner | None = None,
) -> None:
    """Each of `revisions` into `state.earlier`; one that cannot be read (deleted, refused)
    is left out, and the comparison says so (`ValueMoved.blind`)."""
    if not revisions:
        return
    async with Session(settings.access(), runner) as session:

        async def one(key: str, name: str) -> None:
            live = state.services[key]
            try:
                revision = await session.revision(f"{live.full_name}/revisions/{name}")
            except ApiError:
                return
            config = revision_config(
                revision,
                service=raw(live.source),
                container=profile.services[key].container,
                kind=live.kind,
            )
            state.earlier.setdefault(key, {})[name] = config

        await asyncio.gather(*(one(key, name) for key, name in revisions))
