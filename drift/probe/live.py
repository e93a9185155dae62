"""Probe the live services: each service URL, and each tagged serving revision's own URL."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence

from drift.errors import Problem, ProfileError
from drift.findings import ProbeOutcome, ProbeResult, Unverified
from drift.live.calls import CallRunner
from drift.live.model import LiveService
from drift.live.normalize import raw
from drift.live.reads import Split, reachable
from drift.live.state import LiveState
from drift.probe.client import probe_all
from drift.probe.echoed import EchoMasker, revision_refs
from drift.probe.expand import check_expansions
from drift.probe.idtoken import google_id_token_provider
from drift.probe.moved import changed_while_probed, reached
from drift.probe.targets import ProbeTarget
from drift.profiles.model import Probe, Profile, utc_today
from drift.report import Report
from drift.settings import Settings


def check_probe_config(profile: Profile, names: list[str], environ: Mapping[str, str]) -> None:
    """Fail before any read when a probe needs a `${VAR}` the runner does not have (one error
    naming every missing variable)."""
    planned = [
        ProbeTarget(name, None, "https://service.invalid", spec)
        for name in names
        if (spec := profile.services[name].probe) is not None
    ]
    check_expansions(planned, environ)


def _split(profile: Profile, name: str, live: LiveService) -> list[Split]:
    """Every revision a user can reach, from the traffic split as the service states it: a
    revision whose GetRevision failed is reached all the same, and probed all the same."""
    if live.source is None:  # hand-built state
        return [(r.name, r.percent, r.tags, r.tag_urls) for r in live.checked]
    return reachable(raw(live.source), profile.services[name])


def _probed(
    profile: Profile, names: list[str], state: LiveState
) -> Iterator[tuple[str, Probe, LiveService]]:
    """Each service of `names` with a probe block that was read (name, block, live)."""
    for name in names:
        spec = profile.services[name].probe
        live = state.services.get(name)
        if spec is not None and live is not None:
            yield name, spec, live


def tag_targets(profile: Profile, name: str, spec: Probe, live: LiveService) -> list[ProbeTarget]:
    """`probe: {tag: e2e}`: only the revision the tag points to, at its own URL (none when
    the service has no such tag, `check_tags` leaves it out, or its URL is not known). What
    `check` probes, and what `fix` probes before its canary."""
    audience = live.uri or None  # an ID token for the service URL is accepted on its tags
    if spec.tag is None:
        return []
    return [
        ProbeTarget(name, rev, url, spec, audience=audience, tag=tag)
        for rev, at in reached(spec.tag, _split(profile, name, live))
        for tag, url in at
    ]


def targets(profile: Profile, names: list[str], state: LiveState) -> list[ProbeTarget]:
    out: list[ProbeTarget] = []
    for name, spec, live in _probed(profile, names, state):
        if spec.tag is not None:
            out.extend(tag_targets(profile, name, spec, live))
            continue
        serving = reached(None, _split(profile, name, live))
        audience = live.uri or None  # an ID token for the service URL is accepted on its tags
        if live.uri:
            # the revision that answers the service URL is known only when one serves it all
            primary = serving[0][0] if len(serving) == 1 else None
            out.append(ProbeTarget(name, primary, live.uri, spec))
        out.extend(
            ProbeTarget(name, rev, url, spec, audience=audience, tag=tag)
            for rev, at in serving
            for tag, url in at
        )
    return out


def unprobed(profile: Profile, names: list[str], state: LiveState) -> list[Unverified]:
    """A probe the profile asks for that was not carried out: the service has no URL (its
    default URL disabled, or a transient value), or a `probe: {tag: T}` found no URL for T
    (no such tag, `check_tags` leaves it out, or its URL is not known). The run is then
    incomplete (unverified, exit 3), never clean: the SPEC's `probe.*` rules are outcomes of a
    handshake, and none took place."""
    out: list[Unverified] = []
    for name, spec, live in _probed(profile, names, state):
        if spec.tag is None:
            if not live.uri:
                why = "the service has no URL (is its default URL disabled?)"
                out.append(Unverified(name, "probe", f"{why}; its URL was not probed"))
            continue
        if targets(profile, [name], state):
            continue
        tag = spec.tag
        if tag not in live.tags:
            held = ", ".join(live.tags) or "none"
            why = f"service {name} has no traffic tag {tag} (its tags: {held})"
        elif not any(tag in tags for _, _, tags, _ in _split(profile, name, live)):
            why = f"check_tags leaves out tag {tag} of service {name}"
        else:
            why = f"the URL of tag {tag} of service {name} is not known"
        out.append(Unverified(name, "probe", f"probe.tag {tag}: {why}; nothing was probed"))
    return out


async def probe_services(
    profile: Profile,
    names: list[str],
    state: LiveState,
    environ: Mapping[str, str],
    settings: Settings,
    runner: CallRunner | None = None,
) -> tuple[list[ProbeResult], list[Unverified]]:
    """The probes of the services read in `state`, but those of a service that changed while
    it was probed (`drift.probe.moved`): those are unverified, never credited to a revision."""
    planned = targets(profile, names, state)
    needs_token = any(t.spec.auth == "google-id-token" for t in planned)
    id_token = (
        google_id_token_provider(impersonate_service_account=settings.impersonate_service_account)
        if needs_token
        else None
    )
    # what the services send back, masked of the secrets they hold (helper-837 F1)
    echoes = EchoMasker(
        lambda r: revision_refs(state.services.get(r.service), r),
        profile.project,
        settings.access(),
        runner,
        known=state.value_reads,
    )
    results = await probe_all(
        planned,
        environ=environ,
        concurrency=settings.concurrency,
        id_token=id_token,
        echoes=echoes,
    )
    changed = await changed_while_probed(profile, results, state, settings.access(), runner)
    moved = {u.service for u in changed}
    kept, outside = refused_outside(profile, [r for r in results if r.service not in moved], state)
    return kept, [*changed, *outside, *split_unproven(profile, kept, state)]


def split_unproven(
    profile: Profile, results: list[ProbeResult], state: LiveState
) -> list[Unverified]:
    """The serving revisions a pass at the service URL does not prove (revprobe91 F4). The
    service URL reaches one of the revisions that serve, in proportion to their traffic, and
    its answer does not say which (`drift.probe.moved`); an untagged revision has no URL of
    its own. So when several serve, a pass there proves one of them: each that no probe of
    its own tag's URL reached is unverified (the run incomplete, never clean: a canary at 10 %
    that closes every socket passed nine runs in ten). A failure there is said as such."""
    out: list[Unverified] = []
    for name in dict.fromkeys(r.service for r in results):
        mine = [r for r in results if r.service == name]
        at_url = [r for r in mine if r.tag is None]
        if not at_url or not all(r.ok for r in at_url):
            continue
        serving = [
            (rev, percent)
            for rev, percent, _, _ in _split(profile, name, state.services[name])
            if percent > 0
        ]
        own = {r.revision for r in mine if r.tag is not None}
        unproven = [f"{rev} ({percent} %)" for rev, percent in serving if rev not in own]
        if len(serving) < 2 or not unproven:
            continue
        shares = ", ".join(f"{rev} {percent} %" for rev, percent in serving)
        out.append(
            Unverified(
                name,
                "probe",
                f"the service URL reaches {len(serving)} revisions ({shares}) and its probe "
                "passed on one of them, which one is not known: "
                f"{', '.join(unproven)} not verified on its own (a traffic tag gives a "
                "revision a URL of its own, which drift probes)",
            )
        )
    return out


CLOSED_DOOR = frozenset({"internal", "internal-and-cloud-load-balancing", "none"})
"""Ingress values that refuse a caller on the internet ("Requests from other sources,
including the internet, cannot reach your service at the run.app URL or custom domains",
cloud.google.com/run/docs/securing/ingress): a CI runner outside the service's network."""


def refused_outside(
    profile: Profile, results: list[ProbeResult], state: LiveState
) -> tuple[list[ProbeResult], list[Unverified]]:
    """The probes refused at the door of a service whose ingress, as the profile wants it (or
    as it leaves it), keeps out callers outside its network (revprobe91 F2). Cloud Run answers
    such a caller itself, HTTP 404 or 403, before any container sees the request: the probe
    saw nothing of the service, so it is unverified (the run incomplete, never clean), not a
    `probe.rejected` that makes a service that is as it should be look drifted. A drifted
    ingress stays a rejection, its drift the first suspect (`drift.causes`)."""
    kept: list[ProbeResult] = []
    refused: dict[str, list[ProbeResult]] = {}
    for result in results:
        live = state.services.get(result.service)
        ingress = live.template.settings.get("ingress") if live is not None else None
        stated = profile.services[result.service].settings.get("ingress")
        as_wanted = stated is None or stated.satisfied_by(ingress)
        at_door = result.outcome is ProbeOutcome.REJECTED and result.http_status in (403, 404)
        if ingress in CLOSED_DOOR and as_wanted and at_door:
            refused.setdefault(result.service, []).append(result)
        else:
            kept.append(result)
    out = [
        Unverified(
            name,
            "probe",
            f"the service's ingress is {state.services[name].template.settings['ingress']}: "
            "Cloud Run refuses callers outside its network itself, and answered "
            f"{', '.join(f'HTTP {r.http_status} at {r.url}' for r in results)}, so the probe "
            "saw nothing of the service; run it from inside the service's network",
        )
        for name, results in refused.items()
    ]
    return kept, out


async def run_probe(
    profile: Profile,
    settings: Settings,
    *,
    services: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """`drift probe`: read the services (URLs, tags), then probe; no diff."""
    from drift.causes import attach_causes, kept_warm, scaled_to_zero
    from drift.diff.engine import diff
    from drift.diff.ignores import apply_ignores
    from drift.live.session import read_live

    names = profile.select(services)
    _something_to_probe(profile, names)
    env = dict(environ or {})
    check_probe_config(profile, names, env)
    # a probe needs the services it probes (a workload with no probe block, jobs and worker
    # pools among them, is neither read nor waited for, and leaves the run complete), the
    # revisions they reach and their tags: nothing of a secret nor of a project (but the
    # values a failed probe's answer may echo, read only then: `drift.probe.echoed`)
    probed = [n for n in names if profile.services[n].probe is not None]
    state = await read_live(profile, probed, settings.access(), wait=settings.wait, secrets="none")
    results, changed = await probe_services(profile, probed, state, env, settings)
    answered, findings = attach_causes(
        profile,
        results,
        [],
        checked=False,
        tags=state.tag_only(),
        warm=kept_warm(state),  # a hang where min instances keep one running is no cold start
        zero=scaled_to_zero(state),  # a service manually at 0 serves nothing: as `check` says
    )
    today = utc_today()
    findings = apply_ignores(profile, findings, today)  # as `check` does
    # a probed service that does not exist: the SPEC's finding for it, as `check` says it
    absent = [n for n in probed if n in state.missing]
    return Report.of(
        profile,
        names,
        settings.fail_on,
        findings=[*diff(profile, absent, state, today), *findings],
        probes=answered,
        unverified=(
            # what a probe needs: the service and the revisions it reaches
            *(u for u in state.unverified if u.target == "service" or _revision(u)),
            *unprobed(profile, probed, state),
            *changed,
        ),
        compared=False,
        source="probe",
    )


def _something_to_probe(profile: Profile, names: Sequence[str]) -> None:
    """`drift probe` where no workload of the run has a `probe:` block probed nothing: a
    profile error naming the file and what to add (exit 2, "nothing was checked", as a profile
    naming no workload is), never a clean exit 0 (SPEC safety invariants: incomplete never
    looks clean; task 833). `check --probe` still checked the rest: a note there."""
    if any(profile.services[n].probe is not None for n in names):
        return
    some = len(names) < len(profile.services)  # --service: the others may have one
    have = [p.label for p in profile.services.values() if p.probe is not None]
    if some:
        asked = ", ".join(profile.services[n].label for n in names)
        who = f"none of the services asked for ({asked}) has"
        where = profile.services[names[0]].location
    else:
        who, where = f"no service of {profile.environment} has", profile.location
    others = f"probe one that has (--service {', '.join(have)}), or " if some and have else ""
    message = (
        f"{who} a probe: block: drift probe has nothing to probe; {others}add "
        "`probe: {websocket: /ws}` under a service to probe its WebSocket handshake"
    )
    raise ProfileError([Problem(where.file, where.line, message)])


def nothing_to_probe(profile: Profile, names: Sequence[str]) -> tuple[str, ...]:
    """A note when no workload of the run has a `probe:` block: `check --probe` that probes
    nothing says so (helper-602 F6); `drift probe` refuses such a run (`_something_to_probe`)."""
    if any(profile.services[n].probe is not None for n in names):
        return ()
    some = len(names) < len(profile.services)  # --service: the others may have one
    who = (
        "none of the services asked for has" if some else f"no service of {profile.environment} has"
    )
    return (
        f"{who} a probe: block: nothing was probed; add `probe: {{websocket: /ws}}` under a "
        "service to probe its WebSocket handshake",
    )


def _revision(item: Unverified) -> bool:
    """A reachable revision that could not be read: which one answers a probe of the service
    URL is then not known, so the run does not look clean."""
    return item.target.startswith("revision.")
