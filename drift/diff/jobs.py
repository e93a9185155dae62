"""`revision.rollout` of a job whose latest update failed (its Ready condition), and
`job.failed`: the latest execution of a job failed. Its reason is the execution's own
failed condition, a server's text: any secret value drift knows, any value the job holds or
that execution ran that is a credential (or that the profile expects to be a secret, or of a
variable that is a secret reference), and any text in it shaped like a credential, is masked
in it."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator

from drift.credentials import credential_pieces, hidden_plain
from drift.diff.context import Context
from drift.findings import Finding, Severity
from drift.live.model import EnvVar
from drift.live.reasons import STEPS, step
from drift.redact import MASK, mask, register
from drift.textsafe import shell_quote


def job_findings(ctx: Context) -> Iterator[Finding]:
    if not ctx.live.latest_created_ready:  # its Ready condition failed: never clean
        generation = int(getattr(ctx.live.source, "generation", 0) or 0)
        yield ctx.finding(
            "revision.rollout",
            "revision.job",
            f"{ctx.service.label} is not ready: its latest update (generation {generation}) "
            f"did not reach the desired state: {masked(ctx, ctx.live.latest_created_message)}",
            revision=None,
            expected="job ready",
            actual="not ready",
        )
    execution = ctx.live.execution
    if execution is None or not execution.failed:
        return
    when = f" on {execution.completed:%Y-%m-%d %H:%M} UTC" if execution.completed else ""
    reason = masked(ctx, execution.reason)
    yield ctx.finding(
        "job.failed",
        "execution",
        f"the latest execution of {ctx.service.label}, {execution.name}, failed{when}: {reason}"
        + next_step(ctx)
        + rerun_note(ctx),
        revision=None,
        expected="latest execution succeeded",
        actual="failed",
        severity=Severity.WARNING,
        # what a baseline compares (drift.same_drift): another failed execution is another
        # failure, `updated`, never `unchanged` (revjobs3 F5); the id stays the job's. A
        # baseline of a drift that did not record it is read from its message, which names
        # the execution the same way.
        failed=(execution.name,),
    )


def rerun_note(ctx: Context) -> str:
    """What `job.failed` adds when the failed execution, created before the job's last
    update, ran another configuration than the job's current one (`Execution.before_update`:
    a fix may have removed its cause), which only the next execution tells: the command that
    starts it ("" otherwise). Only that: an execution records no marker of the overrides it
    was started with (`gcloud run jobs execute --update-env-vars … --tasks …`, RunJobRequest
    `overrides`, its template holding them applied), so the difference may be theirs and not
    the update's (revown68 F5): a run that had them needs them again."""
    execution = ctx.live.execution
    if execution is None or not execution.before_update:
        return ""
    return (
        f" (execution {execution.name} ran a configuration other than the job's current "
        f"one, and stays its latest until the job runs again: `{execute(ctx)}` runs the "
        f"current one, with the overrides again if that execution was started with any: "
        f"`--update-env-vars`, `--args`, `--tasks`, `--task-timeout`)"
    )


def next_step(ctx: Context) -> str:
    """What `job.failed` says to do, from its failed condition's reason (a proto enum, never
    the server's words: `drift.live.reasons`): what the reason means, then the job run again
    where a fix of its configuration or access is what it needs ("" for a reason drift does
    not know). Once the job was updated since (`rerun_note`), that note says how to run it."""
    execution = ctx.live.execution
    if execution is None:
        return ""
    project, region, _ = _words(ctx)
    said = step(
        execution.cause,
        update=_gcloud(ctx, "update"),
        execution=shell_quote(execution.name),  # the server's name, pasted into a shell
        project=project,
        region=region,
    )
    if not said:
        return ""
    if execution.cause in STEPS and not execution.before_update:
        said += f", then run the job again (`{execute(ctx)}`)"
    elif execution.cause in ("CANCELLED", "DELETED") and not execution.before_update:
        said += f": `{execute(ctx)}` runs it again"
    return f" — {said}"


def execute(ctx: Context) -> str:
    """The gcloud command that runs the job now."""
    return _gcloud(ctx, "execute")


def _gcloud(ctx: Context, verb: str) -> str:
    """`gcloud run jobs VERB JOB --project=P --region=R`: of this job, each word as the shell
    reads it back (the names are the server's)."""
    project, region, job = _words(ctx)
    where = f" --project={project} --region={region}" if region else ""
    return f"gcloud run jobs {verb} {job or shell_quote(ctx.service.name)}{where}"


def _words(ctx: Context) -> tuple[str, ...]:
    """`_parts` as the shell reads them back (the names are the server's); "" stays ""."""
    return tuple(shell_quote(part) if part else "" for part in _parts(ctx))


def _parts(ctx: Context) -> tuple[str, str, str]:
    """The job's project, region and name: projects/P/locations/R/jobs/J (Job.name, job.proto)."""
    _, project, _, region, _, job = (ctx.live.full_name.split("/") + [""] * 6)[:6]
    return project, region, job


def masked(ctx: Context, text: str) -> str:
    """The reason with every value hidden that a finding would hide (`masked_reason`): of the
    job's variables, and of those its latest execution ran (`Execution.ran`: a password
    replaced by a reference since, or an override of that execution, which the job does not
    hold; helper-712 F1); plain values of variables the profile expects to be secrets among
    them, and of variables that are a Secret Manager reference in either, as `drift history`
    masks them (`Masking.referenced`)."""
    execution = ctx.live.execution
    variables = [
        *(v for c in ctx.live.template.containers for v in c.env.values()),
        *(execution.ran if execution is not None else ()),
    ]
    secret_names = {
        rule.name for rules in ctx.service.containers for rule in rules.env.values() if rule.secret
    } | {var.name for var in variables if var.ref is not None}
    return masked_reason(text, variables, secret_names.__contains__)


def masked_reason(text: str, variables: Iterable[EnvVar], secret: Callable[[str], bool]) -> str:
    """A server's text with every value hidden that a finding would hide: secrets drift read
    (and prefixes a server cut them to), plain `variables` that look like credentials, and
    plain values of the variables `secret` names; and what in the text itself is shaped like
    a credential (a URL with a password, `password=…`: `credential_pieces`, the rule of live
    values and baselines), registered as `drift.live.remember` registers a live value's, so
    that every output masks it (revleak60 F5). `job.failed` and `drift history` alike."""
    for piece in credential_pieces(text):
        register(piece)
    return without_values(mask(text, echo=True), variables, secret)


def without_values(text: str, variables: Iterable[EnvVar], secret: Callable[[str], bool]) -> str:
    """`text` with the plain value of each of `variables` that a finding would hide (of a
    variable `secret` names, or one that looks like a credential or is named like a password:
    `hidden_plain`) shown `***`: `masked_reason`'s rule of values, and a baseline's text's
    (`drift.diff.older.carried`)."""
    for var in variables:
        value = var.value or ""
        if len(value) < 4 or var.ref is not None:
            continue
        if secret(var.name) or hidden_plain(var.name, value):
            text = text.replace(value, MASK)
    return text
