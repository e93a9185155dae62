"""rev100-poolsjobs: a job and a worker pool that name a CMEK key, Direct VPC egress (subnet
`apps` of network `vpc`) and Binary Authorization (the default policy), and the profile
changes that meet what Cloud Run refuses outside the template's own checks
(drift/sandbox/deploy_checks.py): a subnet nobody created, a key Cloud Run may not use
(either reason), an image Binary Authorization denies. Shared by the jobs' and the pools'
tests."""

from __future__ import annotations

import copy
from typing import Any

from tests.sandbox.jobworld import JOB_SPEC, POOL_SPEC, world

KEY = "projects/p/locations/us-central1/keyRings/r/cryptoKeys/k"
OTHER_KEY = f"{KEY}2"
UNSIGNED = "us-docker.pkg.dev/example/unsigned:2"
AGENT = "service-PROJECT_NUMBER@serverless-robot-prod.iam.gserviceaccount.com"
NEXT = "then run drift fix again"
OUTSIDE: dict[str, Any] = {
    "encryptionKey": KEY,
    "vpcAccess": {
        "networkInterfaces": [{"network": "vpc", "subnetwork": "apps"}],
        "egress": "PRIVATE_RANGES_ONLY",
    },
}
BINAUTHZ = {"binaryAuthorization": {"useDefault": True}}


def guarded_world(**options: Any) -> dict[str, Any]:
    """jobworld's job and pool, each with the key, the subnet and Binary Authorization."""
    job = copy.deepcopy(JOB_SPEC) | BINAUTHZ
    job["template"] |= OUTSIDE
    pool = copy.deepcopy(POOL_SPEC) | BINAUTHZ
    pool["template"] |= OUTSIDE
    return world(jobs={"job": job}, pools={"pool": pool}, seed=3, **options)


# what Cloud Run says for each (the sandbox's words, drift.sandbox.deploy_checks) and the
# CommonReason with drift's next step (drift.fix.reasons)
SUBNET_WORDS = (
    "Subnetwork projects/p/regions/us-central1/subnetworks/gone does not exist, or Cloud Run "
    "does not have permission to use it."
)
SUBNET_CAUSE = (
    "Cloud Run's reason: VPC_NETWORK_NOT_FOUND — the VPC network or connector it names does "
    "not exist (or its Direct VPC egress subnet), or Cloud Run may not use it: create it (or "
    "grant the Cloud Run service agent roles/vpcaccess.user on a connector, "
    f"roles/compute.networkUser on a shared subnet), or correct the network the profile names, "
    f"{NEXT}"
)
PERMISSION_WORDS = (
    "The Cloud Run service agent service-3@serverless-robot-prod.iam.gserviceaccount.com does "
    f"not have permission to use the encryption key {OTHER_KEY}: it needs "
    "roles/cloudkms.cryptoKeyEncrypterDecrypter."
)
PERMISSION_CAUSE = (
    "Cloud Run's reason: ENCRYPTION_KEY_PERMISSION_DENIED — Cloud Run may not use its "
    f"customer-managed encryption key: grant the Cloud Run service agent ({AGENT}) "
    f"roles/cloudkms.cryptoKeyEncrypterDecrypter on the key, {NEXT}"
)
DISABLED_WORDS = (
    f"The encryption key {OTHER_KEY} could not be used: it is disabled or destroyed, or has no "
    "enabled primary version."
)
DISABLED_CAUSE = (
    "Cloud Run's reason: ENCRYPTION_KEY_CHECK_FAILED — its customer-managed encryption key "
    "could not be used (disabled or destroyed?): enable its primary key version, or name a "
    f"valid key in the profile, {NEXT}"
)
BINAUTHZ_WORDS = (
    f"Container image {UNSIGNED} is not authorized by the Binary Authorization policy: attest "
    "it, have the policy allow it, or deploy with a breakglass justification."
)
BINAUTHZ_CAUSE = (
    "Cloud Run's reason: CONTAINER_IMAGE_UNAUTHORIZED — Binary Authorization does not allow an "
    "image it names: attest the image (or have the policy allow it), or deploy it with a "
    "breakglass justification (gcloud beta run worker-pools update pool --project=p "
    f"--region=us-central1 --breakglass=JUSTIFICATION), {NEXT}"
)


class Case:
    """One failure: the scenario options listing what is refused, the option that picks
    refused or a failed revision, the profile's settings that meet it, Cloud Run's words and
    drift's cause with its next step."""

    def __init__(
        self, listed: dict[str, Any], option: str, settings: str, words: str, cause: str
    ) -> None:
        self.listed, self.option, self.settings = listed, option, settings
        self.words, self.cause = words, cause

    def options(self, answer: str) -> dict[str, Any]:
        return {**self.listed, self.option: answer}


CASES = {
    "subnet": Case(
        {"missing_networks": ["gone"]},
        "missing_network",
        "      vpc_subnet: gone\n",
        SUBNET_WORDS,
        SUBNET_CAUSE,
    ),
    "key-permission": Case(
        {"unusable_keys": {OTHER_KEY: "permission_denied"}},
        "unusable_key",
        f"      encryption_key: {OTHER_KEY}\n",
        PERMISSION_WORDS,
        PERMISSION_CAUSE,
    ),
    "key-disabled": Case(
        {"unusable_keys": {OTHER_KEY: "check_failed"}},
        "unusable_key",
        f"      encryption_key: {OTHER_KEY}\n",
        DISABLED_WORDS,
        DISABLED_CAUSE,
    ),
    "binauthz": Case(
        {"binauthz_denied_images": [UNSIGNED]},
        "binauthz_denied",
        f"      image: {UNSIGNED}\n",
        BINAUTHZ_WORDS,
        BINAUTHZ_CAUSE,
    ),
}
ANSWERS = ["refused", "revision"]


def said(out: str) -> str:
    """The output with its lines joined (a long message may wrap)."""
    return " ".join(out.split())


SUBNET = "projects/p/regions/us-central1/subnetworks/apps"
# what the job or pool ran names became unusable since: the subnet was deleted, the key
# disabled or its grant removed (the options, what Cloud Run failed on, drift's cause)
SINCE: dict[str, tuple[dict[str, Any], str, str]] = {
    "subnet": (
        {"missing_networks": ["apps"], "missing_network": "revision"},
        SUBNET,
        SUBNET_CAUSE,
    ),
    "key-disabled": ({"unusable_keys": {KEY: "check_failed"}}, KEY, DISABLED_CAUSE),
    "key-permission": ({"unusable_keys": {KEY: "permission_denied"}}, KEY, PERMISSION_CAUSE),
}


def not_put_back(name: str, what: str, cause: str) -> str:
    """What a fix says when putting back what ran would fail as its update did."""
    return (
        f"drift did not put back what it ran before: that names {what} too, so it would fail "
        f"the same way; {name} holds drift's update, not ready. {cause}; or `drift rollback "
    )
