"""Whether a secret finding paired reads of one moment. A workload is read at one moment and its
secrets' version states and IAM policies at others (before it, for the secrets the profile
names; after it, for those it references), so a rotation (add a version, deploy a revision
pinned to it, disable the old one) or a runtime-account switch (grant the new account, deploy
as it, revoke the old one) landing in between pairs the workload's old read with the secret's
new state: a `secret.disabled` or `secret.no_access` that no single state had (helper-650 F1).
And the secret's policy and its project's are read at two moments: a grant moved from the
project to the secret in between is no grant in either read (helper-650 F2).

So once the diff is made, each workload with such a finding is read again (one GetService,
GetJob or GetWorkerPool, as the probe does: `drift.probe.moved`): its generation moved →
those findings are *not verified* ("run again"), never a false error and never clean. For a
`secret.no_access` of a workload that held still, the secret's policy is read again too and
its etag compared: another one → not verified. A run without such findings makes no call."""

from __future__ import annotations

import asyncio
from collections.abc import Iterable

from drift.errors import ApiError
from drift.findings import Finding, Unverified
from drift.kinds import label
from drift.live.api import attempt, written_since
from drift.live.calls import CallRunner
from drift.live.model import LiveService
from drift.live.normalize import raw
from drift.live.secret_state import SecretPolicy
from drift.live.session import Access, Session
from drift.live.state import LiveState
from drift.live.workloads import get_workload
from drift.profiles.model import Profile
from drift.secret_target import secret_target

PAIRED = frozenset({"secret.disabled", "secret.destroyed", "secret.missing", "secret.no_access"})
"""The rules judging a workload's read against a secret's read made at another moment."""


async def held_still(
    profile: Profile,
    findings: list[Finding],
    state: LiveState,
    access: Access,
    runner: CallRunner | None = None,
) -> list[Finding]:
    """`findings` less those of `PAIRED` whose workload (or, for `secret.no_access`, whose
    secret's policy) changed while drift read it, or could not be read again: each of those
    goes into `state.unverified` instead, naming what moved."""
    doubted = [f for f in findings if f.rule in PAIRED and not f.ignored and _read(state, f.key)]
    if not doubted:
        return findings
    keys = sorted({f.key for f in doubted})
    async with Session(access, runner) as session:
        said = await asyncio.gather(*(_again(session, state.services[k]) for k in keys))
        moved = dict(zip(keys, said, strict=True))
        denied = [f for f in doubted if f.rule == "secret.no_access" and not moved[f.key]]
        policies = {p.resource: p for f in denied for p in _policies(profile, state, f)}
        changed = dict(
            zip(
                policies,
                await asyncio.gather(*(_policy_again(session, p) for p in policies.values())),
                strict=True,
            )
        )
    why = {id(f): (f, moved[f.key]) for f in doubted if moved[f.key]}
    for f in denied:
        reasons = (changed[p.resource] for p in _policies(profile, state, f))
        if reason := next((r for r in reasons if r), ""):
            why[id(f)] = (f, reason)
    state.unverified.extend(_items(why.values()))
    return [f for f in findings if id(f) not in why]


def _read(state: LiveState, key: str) -> bool:
    live = state.services.get(key)
    return live is not None and live.source is not None


async def _again(session: Session, live: LiveService) -> str:
    """Why the workload cannot be taken to have held still since it was read: it reads with
    another generation now, or cannot be read again; empty when it held still."""
    before = raw(live.source)
    what = label(live.kind, live.name)
    try:
        now = raw(await get_workload(session.clients, session.runner, live.kind, before.name))
    except ApiError as exc:
        return f"{what} could not be read again after its secrets ({exc.brief})"
    if now.generation == before.generation:
        return ""
    # Service.generation (Job's, WorkerPool's alike) "monotonically increases every time the
    # user modifies the desired state" (google/cloud/run/v2/service.proto)
    since = written_since(int(before.generation), now)
    return f"{what} changed while drift read its secrets ({since})"


def _policies(profile: Profile, state: LiveState, finding: Finding) -> list[SecretPolicy]:
    """The policies read of the secret a `secret.no_access` finding names (its target), of
    the references the workload's revisions hold (a secret named by id and by number: both)."""
    live = state.services[finding.key]
    refs = {ref for rev in live.checked for _, _, ref in rev.config.secret_refs()}
    out = {
        policy.resource: policy
        for ref in refs
        if secret_target(ref, state, profile.project) == finding.target
        and (policy := state.policies.get(ref.key)) is not None
        and policy.resource
    }
    return [out[r] for r in sorted(out)]


async def _policy_again(session: Session, policy: SecretPolicy) -> str:
    """Why the secret's policy cannot be taken to have held still since it was read: another
    etag now, or it cannot be read again; empty when it held still."""
    from google.iam.v1 import iam_policy_pb2

    secret = policy.resource.rsplit("/", 1)[-1]
    # as `drift.live.secrets` read it: conditional bindings come back faithfully only with
    # requested_policy_version 3 (google/iam/v1/options.proto)
    request = iam_policy_pb2.GetIamPolicyRequest(
        resource=policy.resource, options={"requested_policy_version": 3}
    )
    get = attempt(session.clients.secrets.get_iam_policy, request=request)
    try:
        now = await session.runner.call("secrets", "GetIamPolicy", policy.resource, get)
    except ApiError as exc:
        return f"the IAM policy of secret {secret} could not be read again ({exc.brief})"
    if SecretPolicy.stamp(now) == policy.etag:
        return ""
    # Policy.etag changes with every write of the policy ("used for optimistic concurrency
    # control", google/iam/v1/policy.proto)
    return f"the IAM policy of secret {secret} changed while drift read it (another etag)"


def _items(why: Iterable[tuple[Finding, str]]) -> Iterable[Unverified]:
    """One item per (workload, target), naming the rules it leaves unconfirmed."""
    grouped: dict[tuple[str, str], tuple[set[str], str]] = {}
    for f, reason in why:
        grouped.setdefault((f.key, f.target), (set(), reason))[0].add(f.rule)
    for (key, target), (rules, reason) in grouped.items():
        judged = ", ".join(sorted(rules))
        yield Unverified.at(key, target, f"{reason}: its {judged} is not verified, run again")
