"""The Serverless VPC Access connector of a service or job (`VpcAccess.connector`: "Format:
projects/{project}/locations/{location}/connectors/{connector}"): how it is compared, read and
written, short or full."""

from __future__ import annotations

from typing import Any

from drift import textsafe
from drift.fields import access as a
from drift.fields.base import (
    Field,
    GcloudArg,
    PlannedSetting,
    SettingValue,
    Source,
    no_value,
    tf_template,
)
from drift.fields.network import connector_commands, direct_vpc
from drift.kinds import Kind


def _full(parts: list[str]) -> bool:
    return len(parts) == 6 and parts[0::2] == ["projects", "locations", "connectors"]


def _profile_connector(value: Any) -> str:
    """A profile's connector: a name (the workload's project's and region's, as gcloud's
    `--vpc-connector` takes one) or the full name VpcAccess.connector gives, "Format:
    projects/{project}/locations/{location}/connectors/{connector}"; anything else with a `/`
    (`projects/p/connectors/c`) is refused at its line — the fix wrote it and Cloud Run
    refuses the form (the sandbox too: `drift.sandbox.registry.refuse_connector`)."""
    name = no_value(value)
    if any(c.isspace() or textsafe.hidden(c) for c in name):
        raise ValueError("a connector's name holds no space nor control character")
    if "/" in name and not (_full(parts := name.split("/")) and all(parts[1::2])):
        raise ValueError(
            "expected a connector's name or its full name, projects/PROJECT/locations/REGION/"
            "connectors/CONNECTOR (or none: no connector)"
        )
    return name


def own_connector(value: SettingValue, project: str, region: str) -> str:
    """A connector as compared: its short name where it is the workload's own project's and
    region's (a short name means those: the API may return one for a connector of the same
    project, GoogleCloudPlatform/magic-modules#10332), else its full name, VpcAccess.connector
    "projects/{project}/locations/{location}/connectors/{connector}" — another project's
    connector of the same name is another connector."""
    parts = str(value).split("/")
    return parts[5] if _full(parts) and (parts[1], parts[3]) == (project, region) else str(value)


def write_connector(workload: Any, container: Any, value: SettingValue) -> None:
    """The connector as the profile names it, spelled as the workload spells its own: a short
    name over a full name of the workload's own project and region is written in full, as
    Cloud Run keeps what it is sent and a Terraform config naming the connector by its id
    would otherwise see a diff (GoogleCloudPlatform/magic-modules#10332); `own_connector`
    compares them alike either way (revexact F1)."""
    template = a.template_of(workload)
    access = template.vpc_access
    name = no_value(value)
    if not name:
        # no connector: its egress goes with it, as gcloud's `--clear-vpc-connector`
        # (ClearVpcConnectorChange deletes the connector and egress annotations); VPC access
        # with an egress and neither a connector nor network interfaces is refused (ONE_VPC)
        access.connector = ""
        if not len(access.network_interfaces):
            template.vpc_access = None
        return
    parts = str(access.connector).split("/")
    own = str(workload.name).split("/")
    mine = len(own) >= 4 and _full(parts) and (parts[1], parts[3]) == (own[1], own[3])
    if name and "/" not in name and mine:
        name = "/".join((*parts[:5], name))
    access.connector = name


def read_connector(source: Source) -> str:
    # the workload's name: projects/{project}/locations/{location}/{services|jobs}/{id}
    parts = str(source.service.name).split("/")
    project, region = (parts[1], parts[3]) if len(parts) >= 4 else ("", "")
    return own_connector(source.revision.vpc_access.connector, project, region)


def connector_flags(after: SettingValue, before: SettingValue | None) -> tuple[GcloudArg, ...]:
    """gcloud's arguments for a connector change: `--vpc-connector=NAME`, or, for none,
    `--clear-vpc-connector` (`--vpc-connector=` is no change to gcloud: it adds one only `if
    args.vpc_connector`, command_lib/run/flags.py) with `--vpc-egress=private-ranges-only`:
    without it gcloud refuses to run non-interactively where the egress is all-traffic
    ("Cannot remove VPC connector with VPC egress set to ...",
    resource_change_validators.ValidateClearVpcConnector), and the clear, applied after the
    egress ("MUST be after 'vpc_egress' change"), takes the egress away as the patch does."""
    if no_value(after):
        return ((f"--vpc-connector={after}", "revision"),)
    return (("--clear-vpc-connector", "revision"), ("--vpc-egress=private-ranges-only", "revision"))


def clear_note(c: PlannedSetting) -> str:
    """A plan says what taking the connector away takes with it: its egress, where no Direct
    VPC interface is left to route it (`write_connector`)."""
    egress = c.settings.get("vpc_egress")
    if no_value(c.after) or not c.before or not egress or "vpc_network" in c.changed:
        return ""
    if c.settings.get("vpc_network") or c.settings.get("vpc_subnet"):
        return ""
    return (
        f"taking vpc_connector away also clears vpc_egress ({egress}): no VPC access is left "
        "to route, and outbound traffic goes to the internet (gcloud's --clear-vpc-connector "
        "clears it too)"
    )


CONNECTOR_FIELD = Field(
    "vpc_connector",
    "Serverless VPC Access connector (name or full resource name); none: no connector.",
    str,
    terraform=(tf_template("vpc_access", 0, "connector"),),
    read=read_connector,
    write=write_connector,
    gcloud=a.set_or_clear("--vpc-connector", "--clear-vpc-connector"),
    gcloud_args=connector_flags,
    **a.or_none("none (no connector)", _profile_connector),
    plan_note=clear_note,
    names_project=True,
    qualify=own_connector,
    blocked=direct_vpc,
    blocked_commands=connector_commands,
    kinds=frozenset({Kind.SERVICE, Kind.JOB}),
)
