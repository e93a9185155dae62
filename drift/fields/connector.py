"""The Serverless VPC Access connector of a service or job (`VpcAccess.connector`: "Format:
projects/{project}/locations/{location}/connectors/{connector}"): how it is compared, read and
written, short or full."""

from __future__ import annotations

from typing import Any

from drift.fields import access as a
from drift.fields.base import SettingValue, Source


def _full(parts: list[str]) -> bool:
    return len(parts) == 6 and parts[0::2] == ["projects", "locations", "connectors"]


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
    access = a.template_of(workload).vpc_access
    name = str(value)
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
