"""Which revision answered the probes. A Cloud Run response does not name the revision that
served it: only a read of the service says which revisions serve and where a tag points, and
drift read it before probing. So each probed service is read again after its probes
(GetService, one call per probed service; nothing is listed again), and a probe whose service
changed meanwhile (a deploy landing while a pre-deploy gate runs, even one rolled back before
the read again: its generation moved) is unverified: its answer is
not credited to the revision read before, nor paired with that revision's findings
(SPEC: probes "observe real handshakes" of "each tagged serving revision")."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable, Sequence
from typing import Any

from drift.errors import ApiError
from drift.findings import ProbeResult, Unverified
from drift.live.api import get_service, written_since
from drift.live.calls import CallRunner
from drift.live.normalize import raw
from drift.live.reads import Split, reachable
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.profiles.model import Profile

Reached = tuple[str, tuple[tuple[str, str], ...]]
"""A revision a probe reaches, with the (tag, URL) of each of its tags probed at its own URL."""


def reached(tag: str | None, split: Iterable[Split]) -> list[Reached]:
    """What a probe reaches of a service routing as `split` (drift.live.reads `reachable`):
    with `probe.tag`, the revision that tag points to, at the tag's URL (none when its URL is
    not known); else every revision that serves (the service URL reaches them), each with
    its tags whose URL is known. What probe/live.py probes, and what `answering` compares."""
    out = []
    for rev, percent, tags, urls in split:
        at = tuple(
            (t, u) for t, u in zip(tags, urls, strict=True) if u and (tag is None or t == tag)
        )
        if (percent > 0) if tag is None else bool(at):
            out.append((rev, at))
    return out


def answering(profile: Profile, name: str, service: Any) -> tuple[str, ...]:
    """The revisions a probe of `name` reaches as `service` (a raw protobuf Service) routes
    (`reached`): a tag's URL is the tag's, so a tag moved while probed is a change
    (`https://TAG---SERVICE-….run.app`,
    cloud.google.com/run/docs/rollouts-rollbacks-traffic-migration)."""
    spec = profile.services[name].probe
    tag = spec.tag if spec is not None else None
    split = reachable(service, profile.services[name])
    if tag is not None:
        return tuple(sorted(rev for rev, _ in reached(tag, split)))
    out = []
    for rev, at in reached(None, split):
        probed = sorted(t for t, _ in at)
        out.append(f"{rev} tagged {'/'.join(probed)}" if probed else rev)
    return tuple(sorted(out))


async def changed_while_probed(
    profile: Profile,
    results: Sequence[ProbeResult],
    state: LiveState,
    access: Access,
    runner: CallRunner | None = None,
) -> list[Unverified]:
    """One `Unverified` per probed service that changed between its read and its probes, or
    that could not be read again (then which revision answered is not known either)."""
    names = sorted(
        {r.service for r in results if (live := state.services.get(r.service)) and live.source}
    )
    if not names:
        return []
    async with Session(access, runner) as session:
        said = await asyncio.gather(*(_again(session, profile, name, state) for name in names))
    outcomes = {n: sorted({r.outcome.value for r in results if r.service == n}) for n in names}
    return [
        Unverified(
            name,
            "probe",
            f"{why}; its probe ({', '.join(outcomes[name])}) is not credited to a revision",
        )
        for name, why in zip(names, said, strict=True)
        if why
    ]


async def _again(session: Session, profile: Profile, name: str, state: LiveState) -> str:
    before = raw(state.services[name].source)
    try:
        now = raw(await get_service(session.clients, session.runner, before.name))
    except ApiError as exc:
        return (
            f"the service could not be read again after its probe ({exc.brief}), so which "
            "revision answered is not known, run again"
        )
    was, is_ = answering(profile, name, before), answering(profile, name, now)
    since = written_since(int(before.generation), now)
    if was != is_:
        return (
            f"the service changed while it was probed: {', '.join(was) or 'nothing'} → "
            f"{', '.join(is_) or 'nothing'} ({since}), run again"
        )
    if now.generation == before.generation:
        return ""
    # the same revisions serve again, but a deploy rolled back meanwhile (or one that moved no
    # traffic) may have answered in between: Service.generation "monotonically increases
    # every time the user modifies the desired state" (google/cloud/run/v2/service.proto). A
    # change that moved no traffic is unverified too: rare, and Trust over noise.
    serving = ", ".join(was) or "nothing"
    return (
        f"{since}: a deploy landed while it was probed ({serving} serves as before, but "
        "another revision may have answered), run again"
    )
