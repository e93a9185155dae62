"""What a fix that changed a job's images under Binary Authorization says: the policy does not
check the job's update, only each execution — "You can still update the job successfully.
Executing the job will fail." (cloud.google.com/binary-authorization/docs/run/overview, on a
job whose image does not conform) — so the update succeeding proves nothing about the images,
and only an execution tells. A policy is enforced when the job names one (run v2
BinaryAuthorization `use_default`, "If True, indicates to use the default project's binary
authorization policy", or `policy`) and holds no breakglass justification ("If present,
indicates to use Breakglass using this justification")."""

from __future__ import annotations

from typing import Any

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
    new = [image for image in _images(job) if image not in _images(was)]
    if not new:
        return ""
    # never "execute it to see": an execution of a production job does its work
    return (
        f"Binary Authorization checks each execution of the job, not its update: its next "
        f"execution runs {', '.join(new)}, which the policy has not checked yet (a refusal "
        "fails that execution with CONTAINER_IMAGE_UNAUTHORIZED, which `drift check` reports "
        "as job.failed)"
    )
