"""What a new revision (or a job's task template) meets outside Cloud Run when it is created:
its container images in their registry and its Serverless VPC Access connector. The scenario
names what does not exist (options `missing_images`, `missing_connectors`) and the images
Cloud Run may not read (`unreadable_images`); by default everything exists and is readable.

Images: "The container image is imported by Cloud Run when deployed. Cloud Run keeps this copy
of the container image as long as it is used by a serving revision. Container images are not
pulled from their container repository when a new Cloud Run instance is started"
(cloud.google.com/run/docs/deploying). So only a *new* revision (a job update, an execution)
meets an image missing from its registry; a revision already created keeps serving. It fails
its deploy — Condition.CommonReason CONTAINER_MISSING, "The container image path is
incorrect" (google/cloud/run/v2/condition.proto) — with the message gcloud prints after the
revision's name: "Revision 'streamlit-peloton-service-00004-6j9' is not ready and cannot serve
traffic. Image 'gcr.io/***/streamlit-peloton-image:latest' not found."
(github.com/kiera-dev/peloton_dashboard/actions/runs/8040379024); a job update fails the same
way: "ERROR: (gcloud.run.jobs.update) Image 'us-central1-docker.pkg.dev/...' not found".

Connectors: gcloud prints "ERROR: (gcloud.run.deploy) VPC connector
projects/P/locations/R/connectors/C does not exist, or Cloud Run does not have permission to
use it." with no revision named — the write itself refused, it seems; the status code is not
documented, nor whether a revision is made. Option `missing_connector`: `refused` (the
default) answers the write INVALID_ARGUMENT, as the v2 API answers a bad `vpc_access` ("3
INVALID_ARGUMENT: Violation in CreateServiceRequest.service.template.vpc_access.connector",
googleapis/google-cloud-node#4731); `revision` accepts it and fails the new revision with
that message and CommonReason VPC_NETWORK_NOT_FOUND ("User-provided VPC network was not
found")."""

from __future__ import annotations

import re

from google.cloud import run_v2
from google.protobuf.message import Message

from drift.sandbox.deploy_checks import binauthz_problem, outside_problem, refuse_outside
from drift.sandbox.names import invalid
from drift.sandbox.state import ProjectRec, World

REASONS = run_v2.Condition.CommonReason
SECRETS_FAILED = int(REASONS.SECRETS_ACCESS_CHECK_FAILED)


class Problem(str):
    """Why a revision (a job's update, an execution) fails its deploy checks: the message,
    carrying the Condition.CommonReason it is reported with."""

    reason: int

    def __new__(cls, text: str, reason: int = SECRETS_FAILED) -> Problem:
        made = super().__new__(cls, text)
        made.reason = int(reason)
        return made


def reason_of(problem: str) -> int:
    """The CommonReason a deploy-check failure carries (a secret check's unless it says)."""
    return getattr(problem, "reason", SECRETS_FAILED)


def connector_name(world: World, project: ProjectRec, region: str, connector: str) -> str:
    """A connector as `projects/ID/locations/REGION/connectors/NAME`: a bare name is in the
    resource's project and region (VpcAccess.connector: "projects/{project}/locations/
    {location}/connectors/{connector}, where {project} can be project id or number")."""
    parts = connector.split("/")
    if len(parts) != 6 or parts[0] != "projects":
        return f"projects/{project.id}/locations/{region}/connectors/{connector}"
    owner = world.projects.get(world.by_number.get(parts[1], parts[1]))
    if owner is not None:
        parts[1] = owner.id
    return "/".join(parts)


def _missing_connector(
    world: World, project: ProjectRec, region: str, template: Message
) -> str | None:
    connector = template.vpc_access.connector if template.HasField("vpc_access") else ""
    if not connector or not world.options.missing_connectors:
        return None
    full = connector_name(world, project, region, connector)
    gone = {connector_name(world, project, region, c) for c in world.options.missing_connectors}
    if full not in gone:
        return None
    return f"VPC connector {full} does not exist, or Cloud Run does not have permission to use it."


CONNECTOR = re.compile(r"projects/[^/]+/locations/[^/]+/connectors/[^/]+")


def refuse_connector(world: World, project: ProjectRec, region: str, template: Message) -> None:
    """A write naming a connector in no form VpcAccess.connector takes ("Format: projects/
    {project}/locations/{location}/connectors/{connector}"; a bare name, as the API keeps one,
    GoogleCloudPlatform/magic-modules#10332), refused; one that does not exist, refused at once
    (option `missing_connector: refused`). The wording is the sandbox's."""
    connector = template.vpc_access.connector if template.HasField("vpc_access") else ""
    if "/" in connector and not CONNECTOR.fullmatch(connector):
        raise invalid(
            f"Violation in template.vpc_access.connector: '{connector}' is not a connector's "
            "name: expected projects/PROJECT/locations/LOCATION/connectors/CONNECTOR."
        )
    if world.options.missing_connector == "refused":
        message = _missing_connector(world, project, region, template)
        if message:
            raise invalid(message)
    refuse_outside(world, project, region, template)  # a network, a key


def registry_problem(
    world: World, project: ProjectRec, region: str, template: Message
) -> Problem | None:
    """Why a new revision of `template` fails outside the secret check, or None: a
    connector that does not exist (option `missing_connector: revision`), a network or an
    encryption key it may not use (`drift.sandbox.deploy_checks`), an image of any
    container (sidecars too: each is imported) that does not exist."""
    if world.options.missing_connector == "revision":
        message = _missing_connector(world, project, region, template)
        if message:
            return Problem(message, REASONS.VPC_NETWORK_NOT_FOUND)
    outside = outside_problem(world, project, region, template)  # a network, a key
    if outside is not None:
        return Problem(*outside)
    missing, unreadable = set(world.options.missing_images), set(world.options.unreadable_images)
    for container in template.containers:
        if container.image in missing:
            return Problem(f"Image '{container.image}' not found.", REASONS.CONTAINER_MISSING)
        if container.image in unreadable:
            return Problem(
                _unreadable(project, container.image), REASONS.CONTAINER_PERMISSION_DENIED
            )
    return None


def owner_problem(
    world: World, owner: Message, template: Message, *, execution: bool = False
) -> Problem | None:
    """Why a new revision of `owner` (an `execution` of a job) fails its owner's Binary
    Authorization policy (`drift.sandbox.deploy_checks`), or None."""
    found = binauthz_problem(world, owner, template, execution=execution)
    return Problem(*found) if found else None


def _unreadable(project: ProjectRec, image: str) -> str:
    """An image the Cloud Run service agent may not read: CONTAINER_PERMISSION_DENIED
    ("Insufficient permissions on the container image"), in the words Cloud Run's
    troubleshooting page quotes ("Cloud Run Service Agent missing permission to read the
    image") and the revision's condition carries (GoogleCloudPlatform/gcpdiag's cloudrun
    service_deployment runbook matches "Revision '…' is not ready and cannot serve traffic.
    Google Cloud Run Service Agent (…) must have permission to read the image, (…).")."""
    agent = f"service-{project.number}@serverless-robot-prod.iam.gserviceaccount.com"
    return (
        f"Google Cloud Run Service Agent {agent} must have permission to read the image, "
        f"{image}. Ensure that the provided container image URL is correct and that the above "
        "account has permission to access the image. If you just enabled the Cloud Run API, the "
        "permissions might take a few minutes to propagate."
    )
