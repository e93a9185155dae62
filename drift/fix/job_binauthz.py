"""What a fix that changed a job's images under Binary Authorization says: the policy does not
check the job's update, only each execution — "You can still update the job successfully.
Executing the job will fail." (cloud.google.com/binary-authorization/docs/run/overview, on a
job whose image does not conform) — so the update succeeding proves nothing about the images,
and only an execution tells. A policy is enforced when the job names one (run v2
BinaryAuthorization `use_default`, "If True, indicates to use the default project's binary
authorization policy", or `policy`) and holds no breakglass justification ("If present,
indicates to use Breakglass using this justification"). A fix that changes the job's binary
authorization has every image of its next execution checked under the policy it writes."""

from __future__ import annotations

from typing import Any

from drift.fix.binauthz_own import changed, shown
from drift.live.normalize import raw


def _images(job: Any) -> list[str]:
    return [str(c.image) for c in job.template.template.containers]


def checked_when_run(before: Any, after: Any) -> str:
    """The note for a job (`before` and `after` the update, run_v2 Jobs or their protobufs)
    whose update brought images it did not run under an enforced policy; "" otherwise."""
    job, was = raw(after), raw(before)
    if "binary_authorization" not in job.DESCRIPTOR.fields_by_name:
        return ""
    held = job.binary_authorization
    if not (held.use_default or held.policy) or held.breakglass_justification:
        return ""
    # the fix's own binary_authorization change (a policy turned on, a breakglass ended,
    # another policy): every image runs under a policy that has not checked it
    other = changed(was, job)
    new = [image for image in _images(job) if other or image not in _images(was)]
    if not new:
        return ""
    under = (
        f" under the binary_authorization the fix writes ({shown(was)} → {shown(job)})"
        if other
        else ""
    )
    # never "execute it to see": an execution of a production job does its work
    return (
        f"Binary Authorization checks each execution of the job, not its update: its next "
        f"execution runs {', '.join(dict.fromkeys(new))}{under}, which the policy has not "
        "checked yet (a refusal fails that execution with CONTAINER_IMAGE_UNAUTHORIZED, which "
        "`drift check` reports as job.failed)"
    )
