"""Probe the live services: each service URL, and each tagged serving revision's own URL."""

from __future__ import annotations

from collections.abc import Mapping

from drift.findings import ProbeResult, Unverified
from drift.live.model import LiveState
from drift.probe.client import probe_all
from drift.probe.expand import check_expansions
from drift.probe.idtoken import google_id_token_provider
from drift.probe.targets import ProbeTarget
from drift.profiles.model import Profile
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


def targets(profile: Profile, names: list[str], state: LiveState) -> list[ProbeTarget]:
    out: list[ProbeTarget] = []
    for name in names:
        spec = profile.services[name].probe
        live = state.services.get(name)
        if spec is None or live is None or not live.uri:
            continue
        if spec.tag is not None:
            # `probe: {tag: e2e}`: only the revision the tag points to, at its own URL
            out.extend(
                ProbeTarget(name, rev.name, url, spec, audience=live.uri)
                for rev in live.checked
                for tag, url in zip(rev.tags, rev.tag_urls, strict=True)
                if tag == spec.tag and url
            )
            continue
        primary = live.serving[0].name if len(live.serving) == 1 else None
        out.append(ProbeTarget(name, primary, live.uri, spec))
        for rev in live.serving:
            # an ID token for the service URL is accepted on its tag URLs too
            out.extend(
                ProbeTarget(name, rev.name, url, spec, audience=live.uri)
                for url in rev.tag_urls
                if url
            )
    return out


def unprobed(profile: Profile, names: list[str], state: LiveState) -> list[Unverified]:
    """A `probe: {tag: T}` that probed nothing: the service has no tag T, `check_tags` leaves
    it out (its revision was not read), or its URL is not known. The probe was not carried
    out, so the run is incomplete (unverified, exit 3), never clean: the SPEC's `probe.*`
    rules are outcomes of a handshake, and none took place."""
    out: list[Unverified] = []
    for name in names:
        spec = profile.services[name].probe
        live = state.services.get(name)
        if spec is None or spec.tag is None or live is None or not live.uri:
            continue
        if targets(profile, [name], state):
            continue
        tag = spec.tag
        if tag not in live.tags:
            held = ", ".join(live.tags) or "none"
            why = f"service {name} has no traffic tag {tag} (its tags: {held})"
        elif not any(tag in rev.tags for rev in live.checked):
            why = f"check_tags leaves out tag {tag} of service {name}: its revision was not read"
        else:
            why = f"the URL of tag {tag} of service {name} is not known"
        out.append(Unverified(name, "probe", f"probe.tag {tag}: {why}; nothing was probed"))
    return out


async def probe_services(
    profile: Profile,
    names: list[str],
    state: LiveState,
    environ: Mapping[str, str],
    concurrency: int,
    impersonate: str | None = None,
) -> list[ProbeResult]:
    planned = targets(profile, names, state)
    needs_token = any(t.spec.auth == "google-id-token" for t in planned)
    id_token = (
        google_id_token_provider(impersonate_service_account=impersonate) if needs_token else None
    )
    return await probe_all(planned, environ=environ, concurrency=concurrency, id_token=id_token)


async def run_probe(
    profile: Profile,
    settings: Settings,
    *,
    services: list[str] | None = None,
    environ: Mapping[str, str] | None = None,
) -> Report:
    """`drift probe`: read the services (URLs, tags), then probe; no diff."""
    from drift.causes import attach_causes
    from drift.live.session import read_live

    names = profile.select(services)
    env = dict(environ or {})
    check_probe_config(profile, names, env)
    state = await read_live(profile, names, settings.access(), wait=settings.wait)
    results = await probe_services(
        profile, names, state, env, settings.concurrency, settings.impersonate_service_account
    )
    probed, findings = attach_causes(profile, results, [], checked=False)
    return Report.of(
        profile,
        names,
        settings.fail_on,
        findings=findings,
        probes=probed,
        unverified=(
            *(u for u in state.unverified if u.target == "service"),
            *unprobed(profile, names, state),
        ),
        compared=False,
    )
