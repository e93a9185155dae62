"""Tie each failed probe to the drift on its service that can explain it (ranked by the rule
catalogue), and turn it into a `probe.*` finding."""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import replace
from types import MappingProxyType

from drift.causes_scaling import EXPLAINS_AT_ZERO, Probed, zero_note
from drift.causes_scaling import kept_warm as kept_warm  # check and probe import it here
from drift.causes_scaling import scaled_to_zero as scaled_to_zero
from drift.diff.rollout import serves_nothing
from drift.findings import Finding, ProbeOutcome, ProbeResult, Severity, Unverified, finding_id
from drift.kinds import Kind
from drift.live.state import LiveState
from drift.profiles.model import Probe, Profile
from drift.rules import rule_info

NOT_CONFIGURATION = (
    "no configuration drift found on this service: the cause is not configuration "
    "(look at the code or its dependencies)"
)


NO_DRIFT_FOUND = "no configuration drift found on this service that explains it"

NOT_CHECKED = "configuration not checked: run `drift check --probe` to tie it to drift"

NOT_REACHED = (
    "the probe did not reach the service's container (a DNS, network, TLS or proxy failure "
    "on the way): no configuration of the service can cause that, and no drift is suspected"
)


NOT_HTTP_ANSWER = (
    "something between drift and Cloud Run answered (a proxy, a load balancer or another "
    "server on the way: Cloud Run's front end answers HTTP): no configuration of the service "
    "can cause that, and no drift is suspected"
)


DOOR = frozenset(
    {
        "setting.ingress",
        "setting.invoker_iam_disabled",
        "setting.default_uri_disabled",
        "setting.iap_enabled",
        "setting.custom_audiences",
    }
)
"""Settings Cloud Run applies to a request before any container sees it ("All network ingress
paths are subject to the service's ingress setting … IAM authentication still applies to
requests reaching the service endpoints", cloud.google.com/run/docs/securing/ingress; a
disabled default URI is not published at all; "The IAP check happens first and accepts or
blocks requests based on the IAP configuration", cloud.google.com/run/docs/securing/
identity-aware-proxy-cloud-run; the custom audiences are those the IAM check accepts in an ID
token): a socket the app opened (its 101) went through them, so their drift explains nothing
it did next (a 1011, a drop, another close) (revprobe91 F1: IAP and audiences were left out)."""
FRONT = DOOR | {"setting.max_instances"}
"""What makes Cloud Run itself answer a 3xx or 4xx (`_in_front`): the door, and a 429 when
`max_instances` leaves no instance free. Their drift is then the first suspect."""


def _in_front(result: ProbeResult, spec: Probe | None = None) -> str | None:
    """For a 3xx or 4xx, the note that Cloud Run itself may have answered, before any
    container saw the request, so that the suspects (or their absence) are read with it. Its
    causes are settings drift compares (SPEC "Settings"): the invoker IAM check
    (`invoker_iam_disabled`, `custom_audiences`, or the caller lacks roles/run.invoker),
    `ingress`, Identity-Aware Proxy (`iap_enabled`), and a 429 when
    `max_instances` leaves no instance free ("If no instances become available during the 60
    second window, the request fails with a 429 error code on Cloud Run",
    cloud.google.com/run/docs/about-instance-autoscaling). Never "no drift is suspected": a
    drifted one of those settings, or the app refusing a socket it cannot serve (a Starlette
    app closing before accept() is HTTP 403), is drift that explains it."""
    status = result.http_status
    if result.outcome is not ProbeOutcome.REJECTED or status is None or not 300 <= status < 500:
        return None
    said = (
        f"an HTTP {status} may also be Cloud Run's own answer, before any container sees the "
        f"request ({_front_causes(status)})"
    )
    return said + _refused(status, spec)


def _front_causes(status: int) -> str:
    """Which of Cloud Run's own answers a `status` may be (note69 §7: every cause was named
    for every status): a 429 only `max_instances` (the autoscaling page names that code), a
    redirect only Identity-Aware Proxy sending the caller to sign in; any other 4xx the
    invoker check, ingress or IAP (no page gives their codes)."""
    if status == 429:
        return "max_instances leaves no instance free"
    if status < 400:
        return "Identity-Aware Proxy redirects it to sign in"
    return (
        "the caller lacks roles/run.invoker, the service's ingress refuses it, "
        "Identity-Aware Proxy refuses it"
    )


def _refused(status: int, spec: Probe | None) -> str:
    """What the probe sent that a 401 or 403 may answer (helper-837 F5): no ID token (`auth:
    none`), which a service that does not allow unauthenticated calls refuses, or one Cloud
    Run refused ("Clients that call an Identity and Access Management-protected Cloud Run
    service must provide a valid ID token that includes an audience (`aud`) claim matching the
    receiving service's `*.run.app` URL" or a custom audience, cloud.google.com/run/docs/
    configuring/custom-audiences; the invoker role, `_in_front`); and, for a 403,
    no Origin header, which browsers always send and an app may require (Django Channels'
    `AllowedHostsOriginValidator` refuses a handshake without one)."""
    if spec is None or status not in (401, 403):
        return ""
    if spec.auth != "google-id-token":
        out = (
            "; the probe sent no ID token (`auth: none`): a service that does not allow "
            "unauthenticated calls refuses it, and `auth: google-id-token` sends one"
        )
    else:
        out = (
            "; the probe sent an ID token (`auth: google-id-token`) for the service's URL (the "
            "probed URL's origin where the service has none): Cloud Run refuses one for any "
            "other audience than its run.app URL and its custom_audiences, and one whose "
            "account (drift's credentials') lacks roles/run.invoker"
        )
    sent = {name.lower() for name, _ in spec.headers}
    if status == 403 and "origin" not in sent:
        out += (
            "; an app that checks the handshake's Origin header (browsers always send one) "
            "refuses one without it: `headers: {Origin: https://…}` sends one"
        )
    return out


def _cold(result: ProbeResult, warm: Collection[Probed]) -> str | None:
    """For a handshake the service left unanswered (`ProbeResult.handshake_hung`), the note
    that a cold start longer than the probe's timeout looks the same: "When a revision does
    not receive any traffic, by default it is scaled in to zero instances", and "Scaling from
    zero can only be triggered by a request" (cloud.google.com/run/docs/
    about-instance-autoscaling), which then waits for an instance to start. The cause may be
    the app's start, not its configuration; only probing again tells (`drift fix` does).
    Not where min instances keep what was probed running (`warm`, `kept_warm`): no request
    waits for an instance to start there."""
    if result.outcome is not ProbeOutcome.UNREACHABLE or not result.handshake_hung:
        return None
    if (result.service, result.revision) in warm:
        return None
    return (
        "a handshake left unanswered may also be a cold start longer than the probe's "
        "timeout (a revision that served no request for a while has no instance running "
        "unless min instances keep one, and the first request waits for one to start): "
        "probing again tells"
    )


def encryption_keys(state: LiveState) -> dict[str, str]:
    """The CMEK key of each revision read that names one (`_no_instance`)."""
    return {
        revision.name: str(key)
        for live in state.services.values()
        for revision in (*live.serving, *live.tagged)
        if (key := revision.config.settings.get("encryption_key"))
    }


def _unruled(service: str, unverified: Sequence[Unverified]) -> str | None:
    """When what drift could not verify on the service (a secret's access it cannot decide:
    an instance that cannot retrieve an env secret does not start) leaves the cause open, the
    note that says so instead of `NOT_CONFIGURATION`."""
    open_ = sorted(
        {u.target for u in unverified if u.kind is Kind.SERVICE and u.service == service}
        - {"probe"}
    )
    if not open_:
        return None
    return f"{NO_DRIFT_FOUND}, but what drift could not verify may: {', '.join(open_)}"


def _no_instance(result: ProbeResult, keys: Mapping[str, str]) -> str | None:
    """When the probed revision is encrypted with a customer-managed key and Cloud Run answered
    the handshake with a server error, the note that names the key instead of
    `NOT_CONFIGURATION`: "If a CMEK key is disabled, new instances of existing Cloud Run
    revisions using the key won't start" (run/docs/securing/using-cmek), and its revision's
    conditions do not say so; drift reads no Cloud KMS state to tell."""
    key = keys.get(result.revision or "")
    if not key or result.http_status is None or result.http_status < 500:
        return None
    return (
        f"{NO_DRIFT_FOUND}; the revision is encrypted with the key {key}, whose state drift "
        "does not read: a key disabled or destroyed since the deploy starts no new instance "
        f"(check: `gcloud kms keys versions list --key={key}`)"
    )


def attach_causes(
    profile: Profile,
    probes: list[ProbeResult],
    findings: list[Finding],
    *,
    checked: bool = True,
    unverified: Sequence[Unverified] = (),
    keys: Mapping[str, str] = MappingProxyType({}),
    tags: Mapping[str, str] = MappingProxyType({}),
    warm: Collection[Probed] = frozenset(),
    zero: Collection[str] = frozenset(),
) -> tuple[list[ProbeResult], list[Finding]]:
    """Tie each failed probe to the drift on its service that can explain it, and turn it
    into a `probe.*` finding. Without a check (`drift probe`), nothing is claimed. Only a
    failure the service's container can cause has suspects (`ProbeResult.container_may_cause`):
    no variable of it makes its URL fail to resolve. `unverified`: what the check could not
    verify; on the probed service it may explain the failure (never "not configuration").
    `keys`: the CMEK key of each revision that has one (`_no_instance`); `tags`: the tag of
    each revision reached only through tags, which its probe's finding carries as the
    revision's other findings do (`DiffContext.tag`); `warm`: what min instances keep running
    (`kept_warm`), where a hung handshake is no cold start (`_cold`); `zero`: the services
    manually scaled to 0 instances (`scaled_to_zero`), whose error no drift explains but that
    of their scaling (`zero_note`).
    Suspects: most likely first by the catalogue's `cause_rank`, but Cloud Run's own answer
    (`_in_front`) puts the `FRONT` settings first; a socket that opened has none at the
    `DOOR`."""
    out: list[ProbeResult] = []
    extra: list[Finding] = []
    for result in probes:
        if result.ok:
            out.append(result)
            continue
        scaled, explained = zero_note(result, zero, tags, profile)
        # a 429 the count explains is not max_instances leaving no instance free
        service = profile.services.get(result.service)
        spec = service.probe if service is not None else None
        front = None if explained else _in_front(result, spec)
        cold = _cold(result, warm)
        if not result.container_may_cause:
            no_cause = NOT_HTTP_ANSWER if result.not_http else NOT_REACHED
        elif explained:
            no_cause = scaled
        elif not checked:
            no_cause = NOT_CHECKED
        elif unruled := _unruled(result.service, unverified):
            no_cause = unruled
        elif keyed := _no_instance(result, keys):
            no_cause = keyed
        elif front is not None or cold is not None or scaled:  # the cause may be outside
            no_cause = NO_DRIFT_FOUND  # what drift reads (an IAM binding), or no configuration
        else:
            no_cause = NOT_CONFIGURATION
        suspects = sorted(
            (
                f
                for f in findings
                if f.kind is Kind.SERVICE  # a job or pool of the same name is another workload
                and f.service == result.service
                and _reached(f, result)
                and not serves_nothing(f)
                and f.counted
                and f.severity is not Severity.INFO
                and rule_info(f.rule).cause_rank is not None
                and not (result.http_status == 101 and _at_door(f))
                and (not explained or f.target in EXPLAINS_AT_ZERO)
            ),
            key=lambda f: (
                not (front is not None and f.rule == "setting.value" and f.target in FRONT),
                rule_info(f.rule).cause_rank or 0,
                f.target,
            ),
        )
        if not result.container_may_cause:
            suspects = []
        causes = tuple(dict.fromkeys(f.id for f in suspects))
        said = result.detail  # what the probe saw; the finding's message adds the causes once
        # the count said once: as the cause where it explains the failure, else beside it
        said_as_cause = explained and not causes
        others = [n for n in (front, cold, "" if said_as_cause else scaled) if n]
        notes = ([] if causes else [no_cause]) + others
        detail = "; ".join([said, *notes])
        result = replace(result, suspected_causes=causes, detail=detail)
        out.append(result)
        spec = profile.services[result.service].probe
        rule = result.outcome.rule
        assert rule is not None and spec is not None
        # The same list, in the same order, as the probe's `suspected_causes`: the finding
        # and the Probes section never disagree.
        named = list(dict.fromkeys(f"{f.rule} {f.target}" for f in suspects))
        suspects_text = (
            ("suspected cause: " if len(named) == 1 else "suspected causes: ") + ", ".join(named)
            if named
            else no_cause
        )
        extra.append(
            Finding(
                # one id per probed URL: the service URL's as it always was, a tag URL's by
                # its tag (stable across deploys, unlike the revision it points to)
                id=finding_id(profile.environment, result.service, rule, _probed(result)),
                rule=rule,
                severity=Severity.ERROR,
                service=result.service,
                revision=result.revision,
                # the tag whose URL was probed (its revision may have several)
                tag=(result.tag or tags[rev]) if (rev := result.revision or "") in tags else None,
                target="probe",
                message="; ".join(
                    [f"WebSocket probe of {result.url}: {said}", suspects_text, *others]
                ),
                expected=_expected(spec),
                actual=_probe_actual(result),
                location=spec.location,
            )
        )
    return out, extra


def _expected(spec: Probe) -> str:
    """What a passing probe sees: the socket open for the hold, or with none (`hold: 0s`) for
    `Probe.watched` after the handshake, or after the first message `expect` matches."""
    if spec.hold:
        return f"handshake accepted, open for {spec.hold:g}s"
    after = "it" if spec.expect is None else f"a first message matching {spec.expect!r}"
    watched = f"{spec.watched:g}s (hold: 0s: watched that long after {after})"
    return f"handshake accepted, open for {watched}"


def _at_door(finding: Finding) -> bool:
    return finding.rule == "setting.value" and finding.target in DOOR


def _reached(finding: Finding, result: ProbeResult) -> bool:
    """Whether the drift is on what the probe reached: the revision it probed, or (the service
    URL of a service split across revisions) any revision serving traffic, never one reached
    only through a tag."""
    if result.revision is None:
        return finding.tag is None
    return finding.on(result.revision)


def _probed(result: ProbeResult) -> str:
    return "probe" if result.tag is None else f"probe@{result.tag}"


def _probe_actual(result: ProbeResult) -> str:
    if result.close_code is not None:
        return f"closed {result.close_code}" + (
            f" ({result.close_reason})" if result.close_reason else ""
        )
    if result.http_status is not None:
        return f"HTTP {result.http_status}"
    return result.outcome.value
