"""Why Cloud Run failed a revision, a job or a pool drift wrote, and what to do next: the
`Condition.CommonReason` of its Ready condition (google/cloud/run/v2/condition.proto) by name,
with the next step for those drift knows, built from the reason, never from the server's
words. Used by the canary's proof, the cleanup, the judgement of what cannot start again and
a failed job or pool update."""

from __future__ import annotations

from typing import Any

from drift.errors import ApiError
from drift.live.api import attempt
from drift.live.session import Session

AGAIN = "then run drift fix again"
_NEXT = {
    # "The container image path is incorrect"; gcloud: "Image '…' not found."
    "CONTAINER_MISSING": "an image it names does not exist in its registry: push it, or "
    f"correct the image the profile names, {AGAIN}",
    # "Insufficient permissions on the container image": the Cloud Run service agent reads it
    # (cloud.google.com/run/docs/deploying, "Deploying images from other Google Cloud
    # projects": roles/artifactregistry.reader for service-PROJECT_NUMBER@serverless-robot-
    # prod.iam.gserviceaccount.com)
    "CONTAINER_PERMISSION_DENIED": "Cloud Run may not read an image it names: grant the Cloud "
    "Run service agent (service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com) "
    f"roles/artifactregistry.reader on its repository, {AGAIN}",
    # "If the new revision does not conform to the policy, the deployment will fail. …
    # you can use the breakglass feature" (binary-authorization/docs/run/overview)
    "CONTAINER_IMAGE_UNAUTHORIZED": "Binary Authorization does not allow an image it names: "
    "attest the image (or have the policy allow it), or deploy it with a breakglass "
    f"justification (gcloud run services update --breakglass=JUSTIFICATION), {AGAIN}",
    "CONTAINER_IMAGE_AUTHORIZATION_CHECK_FAILED": "Binary Authorization could not check an "
    f"image it names: see the policy's audit logs, {AGAIN}",
    # "Insufficient permissions on encryption key": the Cloud Run service agent encrypts
    # with it (run/docs/securing/using-cmek: the Cloud KMS CryptoKey Encrypter/Decrypter role)
    "ENCRYPTION_KEY_PERMISSION_DENIED": "Cloud Run may not use its customer-managed "
    "encryption key: grant the Cloud Run service agent (service-PROJECT_NUMBER@serverless-"
    "robot-prod.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the "
    f"key, {AGAIN}",
    # "If a CMEK key is disabled, deploying a new Cloud Run revision will fail unless a new
    # valid key is used" (run/docs/securing/using-cmek)
    "ENCRYPTION_KEY_CHECK_FAILED": "its customer-managed encryption key could not be used "
    "(disabled or destroyed?): enable its primary key version, or name a valid key in the "
    f"profile, {AGAIN}",
    "SECRETS_ACCESS_CHECK_FAILED": "a secret it uses failed Cloud Run's access check "
    "(missing, not enabled, or not readable by its service account; `drift check` names "
    f"which): fix that, {AGAIN}",
    # "User-provided VPC network was not found"; a connector: "VPC connector … does not exist,
    # or Cloud Run does not have permission to use it." (the Cloud Run service agent needs
    # roles/vpcaccess.user where the connector is: run/docs/configuring/vpc-connectors)
    # Direct VPC egress: the subnet, or the Cloud Run service agent's compute.networkUser on
    # a shared one (run/docs/configuring/shared-vpc-direct-vpc)
    "VPC_NETWORK_NOT_FOUND": "the VPC network or connector it names does not exist (or its "
    "Direct VPC egress subnet), or Cloud Run may not use it: create it (or grant the Cloud Run "
    "service agent "
    "roles/vpcaccess.user on a connector, roles/compute.networkUser on a shared subnet), or "
    "correct the network the profile names, " + AGAIN,
}


def reason_name(condition: Any) -> str:
    """The CommonReason a condition carries, by name (`CONTAINER_MISSING`); "" for none."""
    reason = getattr(condition, "reason", 0) if condition is not None else 0
    return str(getattr(reason, "name", "")) if reason else ""  # proto-plus: the enum member


def cause_of(condition: Any, *, step: bool = True) -> str:
    """`Cloud Run's reason: CONTAINER_MISSING — …what to do next` for a failed Ready condition
    whose reason drift knows (without `step`: the reason alone); "" for any other (the
    failure's own words then stand alone)."""
    name = reason_name(condition)
    if name not in _NEXT:
        return ""
    return f"Cloud Run's reason: {name}" + (f" — {_NEXT[name]}" if step else "")


async def revision_condition(session: Session, revision: str) -> Any:
    """The Ready condition of `revision` (a full name), read with GetRevision: None when it
    cannot be read (the failure already says what Cloud Run answered) or has none."""
    call = attempt(session.clients.revisions.get_revision, name=revision)
    try:
        read = await session.runner.call("run", "GetRevision", revision, call)
    except ApiError:
        return None
    return next((c for c in read.conditions if c.type_ == "Ready"), None)


async def revision_cause(session: Session, revision: str, *, step: bool = True) -> str:
    """`cause_of` the Ready condition of `revision` (a full name): "" when it cannot be
    read."""
    return cause_of(await revision_condition(session, revision), step=step)
