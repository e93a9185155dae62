"""What a failed condition's reason means and what to do about it: the `Condition.CommonReason`
of a revision's, job's or pool's Ready condition (or an execution's failed one), and the
`Condition.ExecutionReason` of an execution's (google/cloud/run/v2/condition.proto), by name.
Each step is built from the reason, never from the server's words (a hostile value cannot
reach it), and ends where the caller's own next step begins: `drift fix` again after a
failed write (`drift.fix.reasons`), the job run again after a failed execution
(`drift.diff.jobs`)."""

from __future__ import annotations

STEPS = {
    # "The container image path is incorrect"; gcloud: "Image '…' not found."
    "CONTAINER_MISSING": "an image it names does not exist in its registry: push it, or "
    "correct the image the profile names",
    # "Insufficient permissions on the container image": the Cloud Run service agent reads it
    # (cloud.google.com/run/docs/deploying, "Deploying images from other Google Cloud
    # projects": roles/artifactregistry.reader for service-PROJECT_NUMBER@serverless-robot-
    # prod.iam.gserviceaccount.com)
    "CONTAINER_PERMISSION_DENIED": "Cloud Run may not read an image it names: grant the Cloud "
    "Run service agent (service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com) "
    "roles/artifactregistry.reader on its repository",
    # "If the new revision does not conform to the policy, the deployment will fail. …
    # you can use the breakglass feature" (binary-authorization/docs/run/overview); the
    # breakglass is set by the kind's own update: `gcloud run services update SERVICE_NAME
    # --breakglass=JUSTIFICATION` (binary-authorization/docs/run/using-breakglass-cloud-run),
    # `gcloud run jobs update` and `gcloud run worker-pools update` take --breakglass too
    # (sdk/gcloud/reference/run/jobs/update, …/run/worker-pools/update)
    "CONTAINER_IMAGE_UNAUTHORIZED": "Binary Authorization does not allow an image it names: "
    "attest the image (or have the policy allow it), or deploy it with a breakglass "
    "justification ({update} --breakglass=JUSTIFICATION)",
    "CONTAINER_IMAGE_AUTHORIZATION_CHECK_FAILED": "Binary Authorization could not check an "
    "image it names: see the policy's audit logs",
    # "Insufficient permissions on encryption key": the Cloud Run service agent encrypts
    # with it (run/docs/securing/using-cmek: the Cloud KMS CryptoKey Encrypter/Decrypter role)
    "ENCRYPTION_KEY_PERMISSION_DENIED": "Cloud Run may not use its customer-managed "
    "encryption key: grant the Cloud Run service agent (service-PROJECT_NUMBER@serverless-"
    "robot-prod.iam.gserviceaccount.com) roles/cloudkms.cryptoKeyEncrypterDecrypter on the "
    "key",
    # "If a CMEK key is disabled, deploying a new Cloud Run revision will fail unless a new
    # valid key is used" (run/docs/securing/using-cmek)
    "ENCRYPTION_KEY_CHECK_FAILED": "its customer-managed encryption key could not be used "
    "(disabled or destroyed?): enable its primary key version, or name a valid key in the "
    "profile",
    "SECRETS_ACCESS_CHECK_FAILED": "a secret it uses failed Cloud Run's access check "
    "(missing, not enabled, or not readable by its service account; `drift check` names "
    "which): fix that",
    # "User-provided VPC network was not found"; a connector: "VPC connector … does not exist,
    # or Cloud Run does not have permission to use it." (the Cloud Run service agent needs
    # roles/vpcaccess.user where the connector is: run/docs/configuring/vpc-connectors)
    # Direct VPC egress: the subnet, or the Cloud Run service agent's compute.networkUser on
    # a shared one (run/docs/configuring/shared-vpc-direct-vpc)
    "VPC_NETWORK_NOT_FOUND": "the VPC network or connector it names does not exist (or its "
    "Direct VPC egress subnet), or Cloud Run may not use it: create it (or grant the Cloud Run "
    "service agent roles/vpcaccess.user on a connector, roles/compute.networkUser on a shared "
    "subnet), or correct the network the profile names",
}
"""The CommonReasons drift knows, each with what to do (the caller says what comes after)."""

EXECUTION_STEPS = {
    # "A task reached its retry limit and the last attempt failed due to the user container
    # exiting with a non-zero exit code": what it ran is the job's to say, in its logs
    # (Execution.log_uri: "URI where logs for this execution can be found in Cloud Console",
    # which `gcloud run jobs executions describe` shows)
    "NON_ZERO_EXIT_CODE": "a task's container exited with an error on its last retry: its "
    "logs say why (`gcloud run jobs executions describe {execution} --project={project} "
    "--region={region}` links them)",
    # "The execution was cancelled by users" / "is in the process of being cancelled" / "was
    # deleted": nothing of what it runs failed
    "CANCELLED": "someone cancelled it: nothing it ran failed",
    "CANCELLING": "someone is cancelling it: nothing it ran failed",
    "DELETED": "someone deleted it: nothing it ran failed",
}
"""The ExecutionReasons of a failed execution drift knows, each with what it means (`{execution}`,
`{project}`, `{region}` filled in by the caller)."""


def step(reason: str, **fill: str) -> str:
    """What to do about a failed condition's `reason` (a CommonReason or ExecutionReason name),
    "" for one drift does not know; each `{name}` in it is `fill[name]`: `update`, the gcloud
    command that updates the workload the condition is about, with its name (`gcloud run jobs
    update job …`), and an execution's `execution`, `project` and `region`."""
    said = STEPS.get(reason) or EXECUTION_STEPS.get(reason, "")
    for name, value in fill.items():
        said = said.replace(f"{{{name}}}", value)
    return said
