"""Whether Cloud Run can start a revision of the configuration that served before a change:
the one an abort's cleanup and `drift rollback` deploy again. A secret version disabled,
destroyed or deleted since it served (often the very thing the fix repaired) fails every new
revision that references it ("During service deployment, all secrets used … are checked …
If any check fails, the service deployment fails", cloud.google.com/run/docs/configuring/
services/secrets); such a write only adds a failed revision, while the service's spec keeps
what was sent (`Service.reconciling`). Judged as a canary is (`drift.fix.changes.doomed`,
check's `secret.disabled`/`secret.destroyed`), each referenced version read once.

Likewise an image or a VPC connector gone since: Cloud Run imports every image of a new
revision at deploy ("Container images are not pulled from their container repository when a
new Cloud Run instance is started": run/docs/deploying), so a canary that failed CONTAINER_MISSING
on an image the plan did not change, or VPC_NETWORK_NOT_FOUND on a connector it did not change,
says the configuration that served fails the same way (`canary_verdict`)."""

from __future__ import annotations

import asyncio
import re
from collections.abc import Iterable
from typing import Any
from weakref import WeakKeyDictionary

from drift.errors import ApiError
from drift.fix.binauthz_own import MAY_ADMIT, may_admit, not_judged
from drift.fix.changes import After, apply_changes, doomed
from drift.fix.journal import Entry, State
from drift.fix.reasons import reason_name
from drift.fix.recorded import base_template, before_service, served_by, service_parts
from drift.fix.secret_remedy import remedy
from drift.fix.workload_doomed import IMAGE, NETWORK, names_image, same_outside
from drift.kinds import Kind
from drift.live.api import attempt
from drift.live.model import RevisionConfig
from drift.live.normalize import raw, revision_config, template_config
from drift.live.secrets import SecretReads, Tasks
from drift.live.session import Access, Session
from drift.live.state import LiveState


async def unstartable(
    session: Session, entry: Entry, known: LiveState | None = None, *, canary: bool = True
) -> tuple[str, ...]:
    """Why a new revision of `entry`'s recorded configuration would fail to deploy, one line
    per secret use (none when it deploys, or when what could not be read leaves it
    undecided). `canary`: also what the canary's own failure says (`canary_verdict`; not
    after `drift rollback --deployable`, the operator's word that it is usable again: drift
    cannot read a registry, Cloud KMS or the network). `known`: what this run read already (a
    fix's plan: the versions what served uses, and who may read them), judged with no call
    when it holds every version used."""
    verdict = await canary_verdict(session, entry) if canary else ()
    return (*await _secrets(session, entry, known), *verdict)


async def _secrets(session: Session, entry: Entry, known: LiveState | None) -> tuple[str, ...]:
    """`unstartable`'s secret versions: one line per use that fails the deploy-time check."""
    before = before_service(entry)
    config = revision_config(base_template(entry), service=before, container=None)
    return await _judged(session, entry.project, config, before.template.service_account, known)


async def read_ahead(session: Session, entry: Entry) -> None:
    """Read the secret versions `unstartable` judges `entry`'s recorded configuration by (each
    once a session: `unstartable` then finds them read), before whether it is asked is known:
    `drift rollback` reads them beside the service (helper-663 M4)."""
    before = before_service(entry)
    config = revision_config(base_template(entry), service=before, container=None)
    await _read(session, entry.project, apply_changes(config, ()))


async def workload_unstartable(session: Session, entry: Entry, now: Any) -> tuple[str, ...]:
    """`unstartable` for a job or worker pool put back in place (`workload_restore`), when
    the put-back changes its template: one naming a version Cloud Run cannot access fails as
    a service's new revision does (a job's update lands and leaves the job failed, so its next
    execution fails; a pool's revision fails). drift's fix refuses such a write (`doomed`);
    its rollback wrote it, and said "restored" (helper-528 F1). None when the template stays
    as it is (a pool's instance count alone: no revision)."""
    from drift.fix.workload_restore import before_workload

    kind = Kind(entry.kind)
    before = before_workload(entry)
    if before.template == now.template:
        return ()
    template = raw(before).template
    account = (template.template if kind is Kind.JOB else template).service_account
    config = template_config(before, container=None, kind=kind)
    return await _judged(session, entry.project, config, account, None)


async def _judged(
    session: Session, project: str, config: RevisionConfig, account: str, known: LiveState | None
) -> tuple[str, ...]:
    """Each secret use of `config` that fails the deploy-time check, its versions read once
    a session and project (none read when `known` holds them all)."""
    after = apply_changes(config, ())
    if known is not None and all(ref in known.versions for *_, ref in after.uses):
        return doomed(after, known, account)
    return doomed(after, await _read(session, project, after), account)


async def _read(session: Session, project: str, config: After) -> LiveState:
    """The state of each version `config` uses, read once a session and project."""
    reads = _reader(session, project)
    await asyncio.gather(*(reads.version(ref) for ref in dict.fromkeys(r for *_, r in config.uses)))
    return reads.state


_READS: WeakKeyDictionary[Session, dict[str, SecretReads]] = WeakKeyDictionary()


def _reader(session: Session, project: str) -> SecretReads:
    """One reader a session and project: each version read once a run."""
    of_session = _READS.setdefault(session, {})
    if (reads := of_session.get(project)) is None:
        reads = of_session[project] = SecretReads(
            session.clients, session.runner, project, LiveState(), Tasks()
        )
    return reads


async def read_templates(
    access: Access, state: LiveState, project: str, configs: Iterable[RevisionConfig]
) -> None:
    """The state of each secret version `configs` use that the check did not read, into
    `state.versions`, so that the plan judges a canary of them before it is deployed
    (`doomed`): with `--from-template` a fix builds on a template that does not serve, whose
    secrets no check reads (helper-612: a template that failed on a secret that does not
    exist was deployed again as a canary, which failed the same way). Each version read once;
    one that cannot be read stays unjudged."""
    refs = dict.fromkeys(
        ref
        for config in configs
        for *_, ref in apply_changes(config, ()).uses
        if ref not in state.versions and not ref.unread
    )
    if not refs:
        return
    async with Session(access) as session:
        reads = _reader(session, project)
        await asyncio.gather(*(reads.version(ref) for ref in refs))
    for ref, info in reads.state.versions.items():
        state.versions.setdefault(ref, info)


_STEP = {
    # a policy "checks the policy each time you deploy a new revision" (binary-authorization/
    # docs/run/overview): a redeploy of what served is checked again
    "CONTAINER_IMAGE_UNAUTHORIZED": "attest the image {} (or have the Binary Authorization "
    "policy allow it)",
    "ENCRYPTION_KEY_PERMISSION_DENIED": "let the Cloud Run service agent use the key {} "
    "(roles/cloudkms.cryptoKeyEncrypterDecrypter)",
    "ENCRYPTION_KEY_CHECK_FAILED": "enable the primary version of the key {}",
    "CONTAINER_MISSING": "push the image {} to its registry again",
    "CONTAINER_PERMISSION_DENIED": "let the Cloud Run service agent (service-PROJECT_NUMBER@"
    "serverless-robot-prod.iam.gserviceaccount.com) read the image {} "
    "(roles/artifactregistry.reader on its repository)",
    NETWORK: "create the VPC connector {} (or let the Cloud Run service agent use it: "
    "roles/vpcaccess.user)",
}


def _step(reason: str, what: str) -> str:
    """What to do about `what` Cloud Run failed the canary on: a Direct VPC egress subnet is
    created or shared (compute.networkUser for the Cloud Run service agent:
    run/docs/configuring/shared-vpc-direct-vpc), not a connector."""
    if reason == NETWORK and "/subnetworks/" in what:
        return (
            f"create the subnet {what} (or let the Cloud Run service agent use it: "
            "roles/compute.networkUser)"
        )
    return _STEP[reason].format(what)


_FAILED = re.compile(r"Cloud Run failed the canary \S+ with (\w+) for (\S+)(?:,|;|$)")
"""A line of `canary_verdict` (also as `recorded_unstartable` finds it in a journal note)."""


async def canary_verdict(session: Session, entry: Entry) -> tuple[str, ...]:
    """Why the configuration that served fails again, from the canary's Ready condition when
    Cloud Run failed it (the journal holds a canary-failed step) for an image the plan did
    not change (CONTAINER_MISSING, CONTAINER_PERMISSION_DENIED, CONTAINER_IMAGE_UNAUTHORIZED:
    each new revision imports its images) or a connector, subnet or key it did not change
    (`drift.fix.workload_doomed`, the same rules as a job's put-back); one GetRevision. None
    when the canary did not fail so, when it cannot be read, or when the plan changed what
    failed (a redeploy of what served may then start): Binary Authorization's refusal under
    the plan's own binary_authorization change, or of a service whose policy did not check
    what served (`drift.fix.binauthz_own`)."""
    if not entry.canary_revision or entry.kind != "service":
        return ()
    if not any(step.get("state") == State.CANARY_FAILED for step in entry.history):
        return ()
    name = f"{entry.full_name}/revisions/{entry.canary_revision}"
    call = attempt(session.clients.revisions.get_revision, name=name)
    try:
        canary = await session.runner.call("run", "GetRevision", name, call)
    except ApiError:
        return ()
    ready = next((c for c in canary.conditions if c.type_ == "Ready"), None)
    reason, message = reason_name(ready), str(getattr(ready, "message", ""))
    # what served ran under no policy, or a breakglass: its redeploy, under what was recorded
    # before the change and put back with it, is not checked (`binauthz_own`)
    if not_judged(reason, before_service(entry)):
        return ()
    served = base_template(entry)
    said = f"Cloud Run failed the canary {entry.canary_revision} with {reason} for "
    if reason in IMAGE:
        was = list(dict.fromkeys(c.image for c in served.containers))
        named = [image for image in was if names_image(message, image)]
        same = sorted(c.image for c in canary.containers) == sorted(was)
        if not named and same and len(was) == 1:
            named = was  # the one image both run: the one that failed
        # the plan named another policy than the enforced one that served: it may still
        # allow the image, which the operator may know (`--deployable`)
        other = "binary_authorization" in service_parts(entry)
        maybe = may_admit(reason, before_service(entry), other=other)
        back = f", {maybe}: if it does, `drift rollback {entry.change_id} --deployable` "
        back += "restores it now"
        return tuple(
            f"{said}{image}, which the configuration that served names too{back if maybe else ''}"
            for image in named
        )
    if what := same_outside(reason, served, canary, entry.project, entry.region):
        return (f"{said}{what}, which the configuration that served names too",)
    return ()


CANNOT_START = "the configuration that served cannot start again, so deploying it again would "
"""What a cleanup records when it left the canary for that reason (`left_unstartable`), the
reasons after it: how `recorded_unstartable` finds them in the journal entry's last note."""
MAY_NOT_START = "the configuration that served may not start again, so deploying it again may "
"""The same where a reason is not certain (`doubtful`): the policy it was deployed under may
still allow its image (helper-647 F6: "cannot start again" beside "may still allow it")."""


def doubtful(why: tuple[str, ...]) -> bool:
    """Whether a reason of `unstartable` only may hold (`binauthz_own.may_admit`)."""
    return any(MAY_ADMIT in reason for reason in why)


def left_unstartable(why: tuple[str, ...]) -> str:
    """Why drift left its canary (the cleanup's note ends with it): `unstartable`'s reasons."""
    start = MAY_NOT_START if doubtful(why) else CANNOT_START
    return f"{start}only add a failed revision: {'; '.join(why)}"


def recorded_unstartable(entry: Entry) -> str:
    """Why `entry`'s cleanup left its canary, as its journal records it (`left_unstartable`):
    `drift rollback` refuses it while that holds (`unstartable`, judged again); "" when the
    cleanup did not stop for that."""
    note = str(entry.history[-1].get("note", "")) if entry.history else ""
    start = next((s for s in (CANNOT_START, MAY_NOT_START) if s in note), None)
    if entry.state != State.CLEANUP_FAILED or start is None:
        return ""
    return note.rpartition(start)[2].partition(": ")[2]


def _secret_steps(why: str, project: str) -> list[str]:
    """What makes each secret use `why` names (`; ` between them) pass Cloud Run's
    deploy-time check again (`secret_remedy`; `project`, the workload's): a disabled version
    enabled where none is named (the one step a use can always take)."""
    steps = [step for use in why.split("; ") if (step := remedy(use, project))]
    return steps or ["enable that version (`gcloud secrets versions enable`)"]


def ways_out(entry: Entry, *, pinned: bool = False, why: str = "") -> str:
    """What the operator can do instead: enable the version (`why`, the reasons: push the
    image, create the connector, as `canary_verdict` found them), or route by name to the
    revision that ran the configuration (it still exists unless deleted; not said when
    the traffic is `pinned` there already)."""
    ran = "" if pinned else served_by(entry)
    pin = (
        f"; or route traffic by name to {ran}, which ran it: `gcloud run services "
        f"update-traffic {entry.service} --to-revisions {ran}=100 --project {entry.project} "
        f"--region {entry.region}`"
        if ran
        else ""
    )
    if "which is DESTROYED" in why:  # Secret Manager: destruction cannot be undone
        return (
            f"a destroyed version never comes back, so `drift rollback {entry.change_id}` "
            f"cannot restore it{pin}; or deploy a configuration naming a version that exists, "
            "then run drift fix again"
        )
    found = _FAILED.findall(why)
    steps = [_step(reason, what) for reason, what in found if reason in _STEP]
    if not found or len(found) < len([line for line in why.split("; ") if line]):
        steps += _secret_steps(why, entry.project)
    # drift cannot read a registry: once usable again, `--deployable` tells it so (`unstartable`)
    back = " --deployable" if found else ""
    return (
        f"{' and '.join(dict.fromkeys(steps))}, then `drift rollback {entry.change_id}{back}` "
        f"restores it{pin}"
        + (
            "; or, to move on from it, deploy a configuration naming what exists, then run "
            "drift fix again"
            if found
            else ""
        )
    )
