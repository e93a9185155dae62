"""What a new revision meets outside Cloud Run besides its images and connector
(`drift.sandbox.registry`): the VPC network or subnetwork its Direct VPC egress names, its
customer-managed encryption key (CMEK) and Binary Authorization. The scenario names what
does not exist or may not be used (options `missing_networks`, `unusable_keys`,
`binauthz_denied_images`); by default everything exists and is allowed. Where the docs leave
open whether the write is refused or a revision is made and fails, an option picks
(`missing_network`, `unusable_key`, `binauthz_denied`). No document quotes the server's
words for any of these: the messages are the sandbox's, shaped like the connector's
("… does not exist, or Cloud Run does not have permission to use it.").

Direct VPC egress: NetworkInterface (google/cloud/run/v2/vendor.proto): "At least one of
network or subnetwork must be specified. … If network is not specified, it will be looked up
from the subnetwork. … If subnetwork is not specified, the subnetwork with the same name with
the network will be used." The Cloud Run service agent needs compute.networkUser on a shared
subnet (cloud.google.com/run/docs/configuring/shared-vpc-direct-vpc). Reason
VPC_NETWORK_NOT_FOUND ("User-provided VPC network was not found", condition.proto).

CMEK (cloud.google.com/run/docs/securing/using-cmek): "If a CMEK key is disabled, new
instances of existing Cloud Run revisions using the key won't start. If a CMEK key is
disabled, deploying a new Cloud Run revision will fail unless a new valid key is used."; its
autoscaling table: "Key disabled/destroyed: New instances won't start, existing instances are
shut down after a waiting period" (`encryption_key_shutdown_duration`; the revocation action
PREVENT_NEW "Prevents the creation of new instances", SHUTDOWN "Shuts down existing
instances, and prevents creation of new ones": vendor.proto EncryptionKeyRevocationAction).
Reasons ENCRYPTION_KEY_PERMISSION_DENIED ("Insufficient permissions on encryption key") and
ENCRYPTION_KEY_CHECK_FAILED ("Permission check on encryption key failed").

Binary Authorization (cloud.google.com/binary-authorization/docs/run/overview): "When you set
a Binary Authorization policy on a service, Cloud Run checks the policy each time you deploy
a new revision. If the new revision does not conform to the policy, the deployment will fail.
… you can use the breakglass feature … Changes in the Binary Authorization policy do not
retroactively apply to existing revisions." For a job: "You can still update the job
successfully. Executing the job will fail." Breakglass: BinaryAuthorization.
breakglass_justification ("If present, indicates to use Breakglass using this justification",
vendor.proto). Reason CONTAINER_IMAGE_UNAUTHORIZED ("Container image is not authorized by
policy", condition.proto)."""

from __future__ import annotations

from collections.abc import Mapping

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.names import invalid
from drift.sandbox.state import ProjectRec, World

REASONS = run_v2.Condition.CommonReason
KEY_REASONS = {
    "permission_denied": REASONS.ENCRYPTION_KEY_PERMISSION_DENIED,
    "check_failed": REASONS.ENCRYPTION_KEY_CHECK_FAILED,
}


def _network_names(project: ProjectRec, region: str, name: str, kind: str) -> str:
    """`name` (a network or subnetwork, bare or full) as its full Compute Engine name."""
    if name.startswith("projects/"):
        return name
    where = "global" if kind == "networks" else f"regions/{region}"
    return f"projects/{project.id}/{where}/{kind}/{name}"


def _missing_network(
    world: World, project: ProjectRec, region: str, template: Message
) -> str | None:
    """The message for a network interface naming a network or subnetwork listed in
    `missing_networks` (a bare name there is either, in the resource's project), or None."""
    gone = world.options.missing_networks
    if not gone or "vpc_access" not in template.DESCRIPTOR.fields_by_name:
        return None
    for interface in template.vpc_access.network_interfaces:
        named = [("networks", interface.network), ("subnetworks", interface.subnetwork)]
        if not interface.subnetwork:  # "the subnetwork with the same name with the network"
            named.append(("subnetworks", interface.network.rsplit("/", 1)[-1]))
        for kind, name in named:
            if not name:
                continue
            full = _network_names(project, region, name, kind)
            listed = {_network_names(project, region, g, kind) for g in gone}
            if full in listed:
                what = "VPC network" if kind == "networks" else "Subnetwork"
                return (
                    f"{what} {full} does not exist, or Cloud Run does not have permission to "
                    "use it."
                )
    return None


def _unusable_key(
    project: ProjectRec, template: Message, reasons: Mapping[str, str]
) -> tuple[str, int] | None:
    key = getattr(template, "encryption_key", "")
    why = reasons.get(key) if key else None
    if why is None:
        return None
    agent = f"service-{project.number}@serverless-robot-prod.iam.gserviceaccount.com"
    if why == "permission_denied":
        return (
            f"The Cloud Run service agent {agent} does not have permission to use the "
            f"encryption key {key}: it needs roles/cloudkms.cryptoKeyEncrypterDecrypter.",
            int(KEY_REASONS[why]),
        )
    return (
        f"The encryption key {key} could not be used: it is disabled or destroyed, or "
        "has no enabled primary version.",
        int(KEY_REASONS[why]),
    )


def refuse_outside(world: World, project: ProjectRec, region: str, template: Message) -> None:
    """A write whose new revision names a missing network or an unusable key, refused at
    once (options `missing_network: refused`, `unusable_key: refused`)."""
    options = world.options
    if options.missing_network == "refused":
        message = _missing_network(world, project, region, template)
        if message:
            raise invalid(message)
    if options.unusable_key == "refused":
        found = _unusable_key(project, template, options.unusable_keys)
        if found:
            raise invalid(found[0])


def outside_problem(
    world: World, project: ProjectRec, region: str, template: Message
) -> tuple[str, int] | None:
    """Why a new revision of `template` fails on its network or key (options
    `missing_network: revision`, `unusable_key: revision`): the message and CommonReason."""
    options = world.options
    if options.missing_network == "revision":
        message = _missing_network(world, project, region, template)
        if message:
            return message, int(REASONS.VPC_NETWORK_NOT_FOUND)
    if options.unusable_key == "revision":
        return _unusable_key(project, template, options.unusable_keys)
    return None


def key_stops_instances(project: ProjectRec, world: World, revision: Message) -> str | None:
    """Why no new instance of an existing revision starts: its key listed in `unusable_keys`
    ("new instances of existing Cloud Run revisions using the key won't start"); None when
    its instances may start."""
    found = _unusable_key(project, revision, world.options.unusable_keys)
    return found[0] if found else None


def enforced(owner: Message) -> bool:
    """Whether Binary Authorization checks a new revision (an execution) of `owner`: a
    policy set (`use_default` or a named `policy`) and no breakglass justification."""
    if "binary_authorization" not in owner.DESCRIPTOR.fields_by_name:
        return False
    binauthz = owner.binary_authorization
    return bool(binauthz.use_default or binauthz.policy) and not binauthz.breakglass_justification


def denied_image(world: World, owner: Message, template: Message) -> str | None:
    """The first image of `template` the policy of `owner` denies, or None."""
    denied = list(world.options.binauthz_denied_images)
    if not enforced(owner):
        return None
    # a named policy's own rules (option `binauthz_policies`): the default's are the list's
    denied += world.options.binauthz_policies.get(str(owner.binary_authorization.policy), [])
    return next((c.image for c in template.containers if c.image in denied), None)


def binauthz_message(image: str) -> str:
    return (
        f"Container image {image} is not authorized by the Binary Authorization policy: "
        "attest it, have the policy allow it, or deploy with a breakglass justification."
    )


def refuse_binauthz(world: World, owner: Message, template: Message) -> None:
    """A service write whose new revision runs a denied image, refused at once (option
    `binauthz_denied: refused`)."""
    if world.options.binauthz_denied == "refused":
        image = denied_image(world, owner, template)
        if image:
            raise invalid(binauthz_message(image))


def binauthz_problem(
    world: World, owner: Message, template: Message, *, execution: bool = False
) -> tuple[str, int] | None:
    """Why a new revision of `owner` (an `execution` of a job) fails Binary Authorization
    (option `binauthz_denied: revision`; a job's execution always: its update is accepted)."""
    if world.options.binauthz_denied != "revision" and not execution:
        return None
    image = denied_image(world, owner, template)
    if image is None:
        return None
    return binauthz_message(image), int(REASONS.CONTAINER_IMAGE_UNAUTHORIZED)


def trial_problem(world: World, problem: str | None) -> str | None:
    """What a `validate_only` write's trial deploy fails with: the deploy-time problem (a
    secret the runtime account cannot read, say), or none when the scenario says validation
    checks only the request (option `validate_only_checks`: the field's doc promises
    "validated and default values populated, without persisting the request")."""
    return problem if world.options.validate_only_checks == "deploy" else None
