"""A Binary Authorization refusal that drift's own plan brought about. A policy is checked when a
revision is deployed, under what the workload holds then: "Cloud Run checks the policy each
time you deploy a new revision. If the new revision does not conform to the policy, the
deployment will fail. … Changes in the Binary Authorization policy do not retroactively apply
to existing revisions" (cloud.google.com/binary-authorization/docs/run/overview); run v2
BinaryAuthorization `use_default` ("If True, indicates to use the default project's binary
authorization policy. If False, binary authorization will be disabled") or `policy`. A
breakglass is not checked at all: it is how one "bypass[es] Binary Authorization enforcement
and deploy[s] or serve[s] a container that violates the policy"
(cloud.google.com/binary-authorization/docs/run/using-breakglass-cloud-run;
`breakglass_justification`: "If present, indicates to use Breakglass using this
justification").

So a plan that turns a policy on or ends a breakglass makes its canary (a worker pool's new
revision) the first revision checked under it, and its CONTAINER_IMAGE_UNAUTHORIZED says nothing
of the configuration that served: a redeploy of that runs under the binary authorization put
back with it (the cleanup's, the put-back's and the rollback's write carry it), the one it was
deployed under, which checks nothing when it held no policy or a breakglass. Such a refusal is
no "cannot start again" (helper-632 F1: drift left a service's traffic pinned on the canary's
template, a pool on its failed update with the breakglass dropped), and what to do is the
plan's own change's: attest the image, or keep the binary authorization that served until it
is. One that names another policy than an enforced one is not told apart from that policy
refusing the image too since it was deployed (helper-642 F1): judged as any image's refusal,
and said so. The plan says beforehand that its new revision is checked so (`plan_note`): drift
cannot read attestations."""

from __future__ import annotations

from typing import Any

from drift.fields.binauthz import BREAKGLASS
from drift.fix.model import ServicePlan
from drift.fix.reasons import cause_of, reason_name, revision_condition
from drift.kinds import Kind
from drift.live.normalize import raw
from drift.live.session import Session
from drift.textsafe import visible

UNAUTHORIZED = "CONTAINER_IMAGE_UNAUTHORIZED"
MAY_ADMIT = "which may still allow it"
"""How `may_admit` says the policy what served ran under may still allow its image."""
SETTING = "setting.binary_authorization"


def _held(workload: Any) -> Any | None:
    """The BinaryAuthorization `workload` (a Service, Job or WorkerPool) holds (None: its
    message has no such field)."""
    message = raw(workload)
    if "binary_authorization" not in message.DESCRIPTOR.fields_by_name:
        return None
    return message.binary_authorization


def enforced(workload: Any) -> bool:
    """Whether Binary Authorization checks a new revision of `workload`: a policy named
    (`use_default` or `policy`) and no breakglass justification."""
    held = _held(workload)
    if held is None:
        return False
    return bool(held.use_default or held.policy) and not held.breakglass_justification


def changed(before: Any, after: Any) -> bool:
    """Whether `after` holds another binary authorization than `before` (the justification's
    text included: a breakglass is one whatever it says)."""
    return _held(before) != _held(after)


def shown(workload: Any) -> str:
    """The binary authorization `workload` holds as a profile's value reads (`default`, a
    policy's name, `none`), ` (breakglass)` after it where one bypasses it (the justification
    is an operator's free text: never shown)."""
    held = _held(workload)
    if held is None:
        return "none"
    policy = "default" if held.use_default else str(held.policy) or "none"
    return visible(policy + (BREAKGLASS if held.breakglass_justification else ""))


def not_judged(reason: str, before: Any) -> bool:
    """Whether a revision that failed for `reason` says nothing of a redeploy of what ran
    under `before` (the workload as it was): a Binary Authorization refusal where `before`
    enforced none (its redeploy, under it again, is not checked). Where it enforced a policy,
    whether that policy still admits the image is not known (a policy "do[es] not
    retroactively apply to existing revisions": it is checked at each deploy, and drift cannot
    read attestations), even when the plan named another policy: the refusal is judged as any
    image's (helper-642 F1: a redeploy of what served failed too, and was said restored)."""
    return reason == UNAUTHORIZED and not enforced(before)


def may_admit(reason: str, before: Any, *, other: bool, new: str = "the canary") -> str:
    """Where Binary Authorization refused a revision (`new`: the canary, a pool's new
    revision) run under `other` binary authorization (the plan's) than the policy `before`
    enforced, what may still hold of a redeploy of what ran under it: that policy may still
    allow the image (judged as any image's refusal all the same, `not_judged`); "" otherwise."""
    if reason != UNAUTHORIZED or not other or not enforced(before):
        return ""
    return (
        f"deployed under {shown(before)}, {MAY_ADMIT} (the plan's policy refused "
        f"{new}, a policy is checked at each deploy, and drift cannot read attestations)"
    )


def _what(before: Any) -> str:
    """What a change to an enforced binary authorization did to `before`'s, in words."""
    was = _held(before)
    if enforced(before):
        return "it names another policy"
    if was is None or not was.breakglass_justification:
        return "it turns a policy on"
    if not (was.use_default or was.policy):
        return "it turns a policy on and ends the breakglass"
    return "it ends the breakglass, which bypassed the policy"


def _rest(sp: ServicePlan, environment: str) -> str:
    """How to fix the rest of the plan, its binary authorization left as it is."""
    ids = [i for i in sp.change_ids if not i.endswith(f"/{SETTING}")]
    only = " ".join(f"--only {i}" for i in ids)
    rest = f" (`drift fix {environment} {only}` fixes the rest)" if ids else ""
    return f"leave {sp.key}/{SETTING} out of the fix{rest}"


def own_refusal(condition: Any, before: Any, after: Any, sp: ServicePlan, environment: str) -> str:
    """Cloud Run's reason and what to do, for a revision of `sp`'s write that Binary
    Authorization refused (its Ready `condition`) while it ran under the binary authorization
    the plan wrote (`after`, the workload read back) rather than what ran (`before`); ""
    for any other failure."""
    if reason_name(condition) != UNAUTHORIZED or not changed(before, after):
        return ""
    was, now = shown(before), shown(after)
    new = "the canary" if sp.kind is Kind.SERVICE else f"the {sp.kind.noun}'s new revision"
    if enforced(before):  # what ran was checked under its own policy, which may refuse it now
        return (
            f"Cloud Run's reason: {UNAUTHORIZED} — the plan's own binary_authorization change "
            f"({was} → {now}: {_what(before)}) had Binary Authorization check {new}, and the "
            f"policy does not allow an image it names; what ran before was deployed under {was}, "
            "which may no longer allow its image either (a policy is checked at each deploy, "
            "and drift cannot read attestations): attest the image (or have the policies allow "
            f"it), then run drift fix again; or, if {was} still allows it, "
            f"{_rest(sp, environment)}"
        )
    return (
        f"Cloud Run's reason: {UNAUTHORIZED} — the plan's own binary_authorization change "
        f"({was} → {now}: {_what(before)}) had Binary Authorization check {new}, and "
        f"the policy does not allow an image it names; what ran before was deployed under "
        f"{was}, which is put back with it: attest the image (or have the policy allow it), "
        f"then run drift fix again; or, to keep {was} until then, {_rest(sp, environment)}"
    )


async def refusal_cause(
    session: Session, revision: str, before: Any, after: Any, sp: ServicePlan, environment: str
) -> str:
    """Why Cloud Run failed `revision` (a full name) of `sp`'s write and what to do next:
    the plan's own Binary Authorization change (`own_refusal`), or the reason's own step
    (`drift.fix.reasons.cause_of`); "" when the revision cannot be read."""
    condition = await revision_condition(session, revision)
    return own_refusal(condition, before, after, sp, environment) or cause_of(condition, revision)


def plan_note(sp: ServicePlan, before: Any, after: Any) -> str:
    """What the plan says of a write making a new revision (a service's canary, a worker
    pool's) under a binary authorization that checks what `before` ran unchecked or under
    another policy: drift cannot tell whether its images are attested ("" otherwise)."""
    if sp.kind is Kind.JOB or not sp.changes_template:  # a job: `job_binauthz`
        return ""
    if not enforced(after) or not changed(before, after):
        return ""
    new = "the canary" if sp.kind is Kind.SERVICE else "the pool's new revision"
    images = ", ".join(dict.fromkeys(visible(str(c.image)) for c in after.template.containers))
    back = "what served serving" if sp.kind is Kind.SERVICE else "what it ran running"
    return (
        f"{sp.label}: binary_authorization {shown(before)} → {shown(after)} ({_what(before)}): "
        f"Binary Authorization checks {new} ({images}) when it is deployed, which the revisions "
        f"running now were not checked against; drift cannot tell whether the images are "
        f"attested: a refusal fails its deploy (CONTAINER_IMAGE_UNAUTHORIZED), and the fix "
        f"stops with {back} as before"
    )
