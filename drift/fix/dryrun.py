"""`drift fix --dry-run`: the server validates each service's first write with
`validate_only`, and nothing changes."""

from __future__ import annotations

import asyncio
from collections.abc import Mapping

from drift.errors import ApiError, ExitCode, UsageError
from drift.fix.base import Base
from drift.fix.context import FixUI, canary_request
from drift.fix.model import ServicePlan
from drift.fix.patch import canary_name, canary_tag, patched_template
from drift.fix.plan import Planned
from drift.fix.pool_base import built_on
from drift.fix.recorded import setting_parts
from drift.fix.update import update_workload
from drift.kinds import Kind
from drift.live.changeids import new_change_id
from drift.live.session import Session
from drift.profiles.model import Profile
from drift.report import Outcome, Report
from drift.settings import Settings
from drift.textsafe import plural

JUDGED = frozenset(
    {
        "INVALID_ARGUMENT",
        "FAILED_PRECONDITION",
        "OUT_OF_RANGE",
        "ALREADY_EXISTS",
        "NOT_FOUND",
        "UNAUTHENTICATED",
        "UNIMPLEMENTED",
    }
)
"""The statuses by which the server judges the request (googleapis google/rpc/code.proto:
the arguments, the system's state, the caller, the method): the fix would not go through.
Any other (UNAVAILABLE, DEADLINE_EXCEEDED, RESOURCE_EXHAUSTED after retries, INTERNAL,
UNKNOWN, ABORTED…) says nothing about the patch: it could not be validated (exit 3). Nor
does PERMISSION_DENIED: the caller was refused before the patch was looked at — it lacks the
kind's update permission (run.services.update, run.jobs.update, run.workerpools.update), or
iam.serviceAccounts.actAs on the runtime service account, which a deploy needs
(https://cloud.google.com/run/docs/reference/iam/roles: roles/run.developer "Requires
additional configuration in order to deploy services"; https://cloud.google.com/run/docs/
configuring/services/service-identity: "creating or updating a service or revision, require
the deployer account to have permissions on the service identity resource")."""


VALIDATED = ": the request is valid; its secrets and image may be checked only at deploy"
"""What an accepted validation proves: `validate_only` promises the request "validated and
default values populated, without persisting" (UpdateServiceRequest), not that the revision
deploys; whether the server checks the secrets the revision reads is not documented (sandbox
option `validate_only_checks`)."""


async def validate(
    profile: Profile,
    settings: Settings,
    planned: Planned,
    todo: list[ServicePlan],
    ui: FixUI,
    stops: Mapping[str, str] | None = None,
) -> tuple[ExitCode, str]:
    """The first write of each service's fix — the canary, under the name a fix would give
    it — sent with `validate_only`: 0 accepted, 2 rejected (UsageError: a `JUDGED` status),
    3 when a service could not be validated (the API unreachable, a quota, the caller refused:
    the server judged nothing) or the read behind the plan was incomplete (never 0: SPEC
    invariant 6); and what to say. Every
    service is validated, but one a fix would stop at before any write (`stops`: a new
    revision would fail Cloud Run's deploy-time check of its secrets, a template with an
    unreleased change, a deploy in progress): it is said why, and the dry run's answer is a
    rejection (2), as the fix would not go through — SPEC gives a dry run 0 (accepted) and 2
    (rejected), never 4, which is for a fix aborted, and a dry run aborts nothing."""
    stops = stops or {}
    rejected: list[str] = []
    unvalidated: list[str] = []
    change_id = new_change_id()
    sent = [sp for sp in todo if sp.key not in stops]  # else nothing: fix would not write it
    async with Session(settings.access()) as session:
        # independent of each other: sent at once (the session's call runner bounds how many
        # are in flight: --concurrency), answers said in the plan's order
        answers = await asyncio.gather(
            *(_validate(session, profile, planned, sp, change_id) for sp in sent)
        )
    for sp, exc in zip(sent, answers, strict=True):
        if exc is None:
            ui.say(f"{sp.label}: {_accepted()}")
        else:
            judged = exc.status in JUDGED
            failed = f"{sp.label}: {exc.reason}{_next(sp, exc, judged)}"
            (rejected if judged else unvalidated).append(failed)
    refused = [stops[sp.key] for sp in todo if sp.key in stops]
    if refused or rejected:
        said = []
        if refused:
            said.append("drift fix would stop before writing " + "; ".join(refused))
        if rejected:
            said.append("the server rejected the patch: " + "; ".join(rejected))
        if unvalidated:
            said.append("could not validate " + "; ".join(unvalidated))
        raise UsageError("; and ".join(said) + ": nothing was changed (dry run)")
    if unvalidated:
        return ExitCode.INCOMPLETE, (
            "dry run: nothing was changed, but could not validate " + "; ".join(unvalidated)
        )
    unverified = planned.check.report.unverified
    if unverified:
        return ExitCode.INCOMPLETE, (
            f"dry run: nothing was changed, but {plural(len(unverified), 'item')} "
            "could not be read, so the plan may be incomplete: "
            + "; ".join(f"{u.service} {u.target}: {u.reason}" for u in unverified)
        )
    return ExitCode.OK, "dry run: nothing was changed"


def _accepted(of: str = "") -> str:
    """What the server said of a patch it accepted (of the workloads `of` names): the table
    says it beside each, the report once for all."""
    of = f" of {of}" if of else ""
    return f"the server accepted the patch{of} (validate_only){VALIDATED}"


def _next(sp: ServicePlan, exc: ApiError, judged: bool) -> str:
    """What to do about a validation that failed, said beside its service: what a validation
    refused to the caller (PERMISSION_DENIED) needs (an API not enabled, `ApiError.disabled`
    from the server's ErrorInfo: no permission helps); one the server answered no judgement
    for (unavailable, a quota, no answer), to run again; a rejection, nothing."""
    if judged:
        return ""
    if exc.status != "PERMISSION_DENIED":
        return " (run again)"
    if exc.disabled:
        return ""
    return (
        f" (the patch was not judged: the caller lacks run.{sp.kind.collection.lower()}"
        ".update, or iam.serviceAccounts.actAs on the runtime service account)"
    )


async def _validate(
    session: Session, profile: Profile, planned: Planned, sp: ServicePlan, change_id: str
) -> ApiError | None:
    """One service's first write sent with `validate_only`: None when accepted."""
    live = planned.check.state.services[sp.key]
    container = profile.services[sp.key].container
    if sp.kind is Kind.SERVICE and sp.changes_template:
        base: Base = planned.bases[sp.key]
        name, tag = canary_name(sp.service, change_id), canary_tag(sp.service, change_id)
        request = canary_request(live, sp, base, container, name, tag)
    else:  # in place (a pool whose template's revision failed: on what its instances run)
        request = patched_template(live.source, sp, container, built_on(planned.bases, sp))
    try:
        parts = setting_parts(sp.targets)  # as the fix's first write names them
        await update_workload(
            session, sp.kind, request, validate_only=True, base=live.source, parts=parts
        )
    except ApiError as exc:
        return exc
    return None


def dry_run_report(planned: Planned, todo: list[ServicePlan], code: ExitCode, said: str) -> Report:
    """What `fix --dry-run --format json|sarif|github|markdown` prints on stdout: the report
    of the check the plan repairs (the document `fix` prints in these formats: SPEC, fix's
    output is a report, after a fix its re-check), carrying the plan as its Repair script
    (`fix_commands`: what the fix would do) and the server's validation as a note. Its exit
    code is the dry run's (`Report.outcome`: 0 accepted, 3 not validated), the code the
    process exits with, never the check's. A rejection is exit 2 with its message, as with
    the table: no document."""
    from dataclasses import replace

    from drift.fix.render import plan_commands

    outcome = Outcome(code, "dry run not validated")
    if code is ExitCode.OK:
        names = ", ".join(sp.label for sp in todo)
        outcome = Outcome(code, "dry run accepted")
        said = f"dry run: {_accepted(names)}; nothing was changed"
    report = planned.check.report
    return replace(
        report,
        fix_commands=plan_commands(planned.plan),
        notes=(*report.notes, said),
        outcome=outcome,
    )
