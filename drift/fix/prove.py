"""The canary's proof: the serving revision and the canary probed side by side (the canary
through its tag URL); `confirmed` when the live one fails and the canary passes. A canary that
fails its probe stops the fix (and its cleanup puts back the routing that served).

A canary Cloud Run itself failed (a revision drift deployed: a canary, a job's or a worker
pool's update) is said with Cloud Run's machine words — the Ready condition's `reason`
(Condition.CommonReason, google/cloud/run/v2/condition.proto) — and what to do next, built from
the reason alone, never from the condition's message (the server's words, which the failure
already quotes as they are), so no server text becomes a next step drift prints."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from drift.causes_scaling import wants_zero
from drift.errors import ApiError, DriftError
from drift.fields.scaling import manual_instances
from drift.findings import ProbeOutcome, ProbeResult
from drift.fix.context import Context, ServiceOutcome, Stop
from drift.fix.journal import State
from drift.fix.patch import MAX_TAGGED
from drift.fix.update import get_service
from drift.gcloud_tracks import to_serve
from drift.live.api import sent_as, written_since
from drift.live.model import LiveService
from drift.probe.targets import ProbeTarget

if TYPE_CHECKING:
    from drift.probe.echoed import EchoMasker
    from drift.probe.idtoken import IdTokenProvider


async def prove(
    ctx: Context,
    live_service: LiveService,
    serving: str,
    outcome: ServiceOutcome,
    replaces: str = "",
    now: Any = None,
) -> str:
    """Probe what `check` probes — `serving` through the service URL, or with `probe: {tag:
    T}` the revision T points to through T's URL — and the canary (its tag URL); Stop if the
    canary fails. `replaces`: the revision the canary takes the place of (default `serving`);
    a tag T that points elsewhere is probed, but the two probes are of different revisions, so
    nothing is confirmed and the proof says why (`ServiceOutcome.proof_note`). A probe the
    profile asks for that cannot reach the canary (its tag has no URL) is not a proof: with
    --yes that stops the fix; else "" becomes the reason, which the promotion prompt names, so
    that only an explicit "yes" promotes it unverified. `now`: the service as the canary's
    write left it, else as read; read again after the probes (`_reread`): changed meanwhile,
    or manually scaled to 0 instances (`_scaled`), nothing is confirmed."""
    name = outcome.service
    spec = ctx.profile.services[name].probe
    if not outcome.tag:
        ctx.ui.say(_no_tag(outcome))
    if not ctx.options.verify or spec is None:
        if spec is None:
            ctx.ui.say(f"{name}: no probe in the profile: the canary is not verified")
        return ""
    if not outcome.tag or not outcome.tag_url:
        # e.g. `default_uri_disabled`: no run.app URL for the service, nor for its tags
        why = (
            f"{name}: the canary could not be probed: its tag {outcome.tag} has no URL "
            "(is the service's default URL disabled?)"
            if outcome.tag
            else f"{name}: the canary could not be probed: it has no tag, so no URL"
        )
        if ctx.options.yes:
            raise Stop(
                f"{why}; drift does not promote it unverified without asking (--no-verify "
                "promotes without the probe)",
                State.CANARY_FAILED,
                cleanup=True,
            )
        ctx.ui.say(why)
        return "NOT verified: it could not be probed"
    from drift.probe.client import probe_all
    from drift.probe.idtoken import google_id_token_provider

    raw = live_service.source
    before, unproven = _before(ctx, live_service, serving, replaces or serving)
    echoes = _echoes(ctx, live_service, raw if now is None else now)
    try:
        id_token = (
            google_id_token_provider(
                impersonate_service_account=ctx.settings.impersonate_service_account
            )
            if spec.auth == "google-id-token"
            else None
        )
        probed = await probe_all(
            [
                *([] if before is None else [before]),
                ProbeTarget(name, outcome.canary, outcome.tag_url, spec, audience=raw.uri),
            ],
            environ=ctx.environ,
            id_token=id_token,
            echoes=echoes,
        )
    except Exception as exc:  # the canary exists: any failure stops like a failed probe,
        # and the cleanup removes it (an internal error here would leave it tagged and pinned)
        await _untagged(ctx, live_service, outcome)
        raise Stop(
            f"{name}: the canary could not be probed ({_why(exc)})",
            State.CANARY_FAILED,
            cleanup=True,
        ) from exc
    canary = probed[-1]
    live = probed[0] if before is not None else None
    # a hang may be a cold start: what serves is probed again (`_again`)
    if before is not None and live is not None and live.handshake_hung and canary.ok:
        if not unproven:
            live, unproven = await _again(ctx, before, live, id_token, echoes)
    was = live_service.source if now is None else now
    again, moved = await _reread(ctx, was)
    outcome.read_after_probes = again if again is not was else None
    scaled = _zero_words(ctx, name) if manual_instances(again) == 0 else None
    at_zero = _at_zero(scaled) if scaled else ""
    unproven = unproven or "; ".join(n for n in (moved, at_zero) if n)
    # A failure that never reached the serving revision (DNS, TCP, TLS, a proxy) says nothing
    # of it: the canary passing through another URL does not prove the patch fixes anything.
    confirmed = None if unproven or live is None else (not live.ok) and live.reached and canary.ok
    outcome.live_probe = None if live is None else replace(live, confirmed=confirmed)
    outcome.canary_probe = replace(canary, confirmed=confirmed)
    outcome.confirmed = confirmed
    outcome.proof_note = unproven
    ctx.ui.say(_said(name, before, live, canary, confirmed, unproven))
    if not canary.ok:
        await _untagged(ctx, live_service, outcome)
        kept = int(again.template.scaling.min_instance_count or 0)  # the canary's, as written
        why = _outside(live_service, canary) or _scaled(scaled, canary, kept) or _failed(canary)
        raise Stop(
            f"{name}: {why} ({canary.detail})",
            State.CANARY_FAILED,
            cleanup=True,
        )
    return ""


def _echoes(ctx: Context, live: LiveService, written: Any) -> EchoMasker:
    """What masks what the probed revisions send back of the secrets they hold (the canary's:
    those of the template `written` deploys), as `check` masks it (`drift.probe.echoed`)."""
    from drift.probe.echoed import EchoMasker, canary_refs

    refs = canary_refs(live, written)
    known = ctx.known.value_reads if ctx.known is not None else None  # the fix's reads: once
    return EchoMasker(refs, ctx.profile.project, ctx.settings.access(), ctx.session.runner, known)


async def _again(
    ctx: Context,
    before: ProbeTarget,
    live: ProbeResult,
    id_token: IdTokenProvider | None,
    echoes: EchoMasker,
) -> tuple[ProbeResult, str]:
    """What serves left the handshake unanswered (`ProbeResult.handshake_hung`) and the canary
    passed: the same target probed once more, after the canary's probe, since a cold start
    over the timeout hangs alike ("When a revision does not receive any traffic, by default it
    is scaled in to zero instances", cloud.google.com/run/docs/about-instance-autoscaling),
    while the canary, just deployed, has an instance running. Hung again: the failure stands,
    said twice in `live`'s detail. Else the first hang may have been a cold start, and a
    failure not seen again is not proven (SPEC: `confirmed` only when the live revision
    fails): the note that says so, and what the second probe saw."""
    from drift.probe.client import probe_all

    try:
        (again,) = await probe_all([before], environ=ctx.environ, id_token=id_token, echoes=echoes)
    except Exception as exc:  # the failure was not seen again: nothing confirmed, said why
        seen = f"it could not be probed ({_why(exc)})"
    else:
        if again.handshake_hung:
            twice = "probed again after the canary's probe, it left the handshake unanswered again"
            return replace(live, detail=f"{live.detail}; {twice}"), ""
        seen = f"it answered: {again.outcome.value}" + (
            f" ({again.detail})" if again.detail else ""
        )
    return live, (
        f"{_what(before)} left the WebSocket handshake unanswered within the probe's timeout, but "
        f"probed again after the canary's probe, {seen}: the first hang may have been a cold "
        "start (no instance running, one started for the probe), and a failure not seen "
        "again is not proven"
    )


async def _reread(ctx: Context, was: Any) -> tuple[Any, str]:
    """The service read again after the proof's probes, as `check` does (`drift.probe.moved`),
    and why it proves nothing ("" when it does): written since `was` (a scheduler setting the
    manual count to 0, the manual-scaling page's own example: what serves then fails whatever
    the patch), or not read (`was` is returned then)."""
    try:
        now = await get_service(ctx.session, was.name)
    except ApiError as exc:
        return was, (
            f"the service could not be read again after the probes ({exc.brief}), so what "
            "answered them is not known"
        )
    if now.generation == was.generation:
        return now, ""
    since = written_since(int(was.generation), now)
    return now, (
        f"the service changed while it was probed ({since}), so what answered the probes may "
        "not be what the canary was built beside"
    )


def _why(exc: Exception) -> str:
    """Why a probe could not be made: a DriftError's message; of any other, only its type (its
    text may quote what a server or the environment sent)."""
    if isinstance(exc, DriftError):
        return exc.message
    return f"the probe failed unexpectedly ({type(exc).__name__})"


def _what(before: ProbeTarget | None) -> str:
    """What the proof probed before the fix, as its words name it."""
    if before is None or before.tag is None:
        return "the serving revision"
    return f"tag {before.tag} ({before.revision})"


def _failed(canary: ProbeResult) -> str:
    """What a canary's failed probe says of it: a failure on the way to it (DNS, TCP, TLS, a
    proxy: `ProbeResult.reached`) says nothing of the canary, which still is not promoted."""
    if canary.reached:
        return "the canary failed its probe"
    return (
        "the canary could not be probed: the probe did not reach it, so nothing says the "
        "canary fails, nor that it serves"
    )


ZeroWords = tuple[str, str, str]
"""What a proof on a service manually scaled to 0 instances says (`_zero_words`): what holds,
what the promoted canary gets, and what to do when its probe is refused too."""


def _zero_words(ctx: Context, name: str) -> ZeroWords:
    """At 0 instances: where the profile states `manual_instances: 0` (the service disabled on
    purpose; the patch may be what sets it), that, and no advice that undoes the profile nor a
    "run drift fix again" that stops the same way each time (helper-792 F3); else the count,
    and the commands that give the service instances."""
    if wants_zero(ctx.profile, name):
        return (
            f"the profile scales {name} manually to 0 instances (`manual_instances: 0`)",
            ", as the profile wants",
            "no probe passes while the count is 0: promote it without the probe (drift fix "
            "--no-verify), or take the probe out of the profile while the service is off",
        )
    serve = to_serve(name, ctx.profile.project, ctx.profile.region, name)
    what = "the service is manually scaled to 0 instances"
    return what, f": {serve}", f"{serve}, then run drift fix again"


def _at_zero(scaled: ZeroWords) -> str:
    """Why a proof on a service manually scaled to 0 instances confirms nothing ("If the
    number of revisions receiving traffic exceeds the manual instance count, some of the
    revisions will have no instances. Traffic sent to those revisions will get the same error
    as if the revisions were disabled", run/docs/configuring/services/manual-scaling)."""
    what, promoted, _ = scaled
    return (
        f"{what}: Cloud Run gives its revisions with traffic none and answers every request "
        "to them with the error of a disabled revision, whatever their configuration, so what "
        "serves failing proves nothing of the patch; the canary, reached only through its "
        f"tag, may get an instance, but promoted it gets none either{promoted}"
    )


def _scaled(scaled: ZeroWords | None, canary: ProbeResult, kept: int = 0) -> str:
    """The words for a canary refused with a 5xx or a 429 on a service manually scaled to 0
    instances: whether a revision reached only through a tag keeps an instance there is not
    documented (the page's tag-only rule gives it one), and refused so, the probe saw nothing
    of its configuration ("": any other failure, a 3xx or another 4xx too, which the canary's
    own app or the door may answer, as `drift.causes_scaling.zero_note` reads a status; and for
    a canary that keeps `kept` minimum instances of its own: they start, the error is its own)."""
    status = canary.http_status or 0
    if scaled is None or canary.outcome is not ProbeOutcome.REJECTED:
        return ""
    if not (status == 429 or status >= 500) or kept:  # the canary's own app, the door, or a
        return ""  # canary with minimum instances of its own, which start at 0 (helper-803)
    what, _, next_step = scaled  # a possibility, as `zero_note` says of a tag-only revision:
    return (  # the canary keeps a minimum of its own, the page says (helper-796 N2)
        f"the canary could not be proven: {what}, and Cloud Run may have given the canary no "
        "instance either (it keeps no minimum instances of its own), so the probe may have "
        f"seen nothing of its configuration; if so, {next_step}"
    )


def _outside(live_service: LiveService, canary: ProbeResult) -> str:
    """The words for a canary refused at the door of a service whose ingress keeps out callers
    outside its network (`drift.probe.live.refused_outside`): the probe saw nothing of it,
    so nothing says the canary failed ("": any other failure)."""
    from drift.probe.live import CLOSED_DOOR

    ingress = live_service.template.settings.get("ingress")
    if ingress not in CLOSED_DOOR or canary.outcome is not ProbeOutcome.REJECTED:
        return ""
    if canary.http_status not in (403, 404):
        return ""
    return (
        f"the canary could not be probed from here: the service's ingress is {ingress}, and "
        "Cloud Run refuses callers outside its network itself; run drift fix from inside it, "
        "or with --no-verify to promote without the probe"
    )


def _before(
    ctx: Context, live_service: LiveService, serving: str, replaces: str
) -> tuple[ProbeTarget | None, str]:
    """What `check` probes, to probe before the fix (None: nothing, its tag has no URL), and
    why comparing it with the canary proves nothing ("" when it proves)."""
    from drift.probe.live import tag_targets

    name = live_service.name
    spec = ctx.profile.services[name].probe
    assert spec is not None
    if spec.tag is None:
        return ProbeTarget(name, serving, live_service.source.uri, spec), ""
    found = tag_targets(ctx.profile, name, spec, live_service)
    if not found:
        return None, (
            f"the profile probes tag {spec.tag}, which has no URL on {name} now (no such tag, "
            "`check_tags` leaves it out, or its URL is not known): what `check` probes was not "
            "probed before the fix, so nothing is confirmed"
        )
    target = found[0]
    if target.revision != replaces:
        return target, (
            f"the profile probes tag {spec.tag}, which points to {target.revision}; the canary "
            f"replaces {replaces or 'what serves'}, not it (the fix patches what serves), so the "
            "two probes are of different revisions and confirm nothing; tag "
            f"{spec.tag} keeps {target.revision} until it is moved"
        )
    return target, ""


def _said(
    name: str,
    before: ProbeTarget | None,
    live: ProbeResult | None,
    canary: ProbeResult,
    confirmed: bool | None,
    unproven: str,
) -> str:
    """The line that tells what the proof's probes saw, and what they prove."""
    what = _what(before)
    hung = " (its handshake unanswered twice, before and after the canary's probe)"
    seen = (
        ""
        if live is None
        else live.outcome.value + (hung if confirmed and live.handshake_hung else "")
    )
    said = f"{name}: " + (
        f"probe of the canary: {canary.outcome.value}"
        if live is None
        else f"probe of {what}: {seen}; of the canary: {canary.outcome.value}"
    )
    if confirmed:
        return f"{said}; the patch fixes the failure (confirmed)"
    if unproven:
        return f"{said}; not confirmed: {unproven}"
    if live is not None and not live.reached:
        return f"{said}; {what} was not reached, so that proves nothing (not confirmed)"
    return said


def _no_tag(outcome: ServiceOutcome) -> str:
    """What an untagged canary (`drift.fix.patch.canary_tag`: no room for a tag) leaves
    unproven."""
    return (
        f"{outcome.service}: the canary {outcome.canary} has no traffic tag: Cloud Run allows "
        f"{MAX_TAGGED} characters for a tag and the service name together, and the name has "
        f"{len(outcome.service)}. It is deployed at 0 % with no URL of its own, so it is not "
        "probed before the promotion: NOT proven that the canary serves"
    )


async def _untagged(ctx: Context, live_service: LiveService, outcome: ServiceOutcome) -> None:
    """After a probe of the canary that failed: Stop saying so if its tag is gone — someone
    removed it (the tag URL then reaches nothing): the failure says nothing of the canary."""
    now = outcome.read_after_probes  # read by the proof after the probe (helper-796 N1)
    try:
        now = now if now is not None else await get_service(ctx.session, live_service.source.name)
    except ApiError:
        return  # the failure stands as it is
    if any(t.tag == outcome.tag for t in now.traffic):
        return
    since = written_since(int(live_service.source.generation) + 1, now, ours=sent_as())
    raise Stop(
        f"{outcome.service}: the canary could not be probed: its tag {outcome.tag} was removed "
        f"meanwhile by someone else ({since}), so the probe failing says nothing of the canary",
        State.CANARY_FAILED,
        cleanup=True,
    )
