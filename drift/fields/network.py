"""The rows of the settings catalogue for Direct VPC egress: the VPC network a revision (a
job's task, a worker pool's instance) sends traffic to, the subnetwork it gets its IPs from and
the network tags it carries — `vpc_access.network_interfaces` of RevisionTemplate, TaskTemplate
and WorkerPoolRevisionTemplate, which a Revision carries too (google/cloud/run/v2
vpc_access.proto, revision.proto), so the serving revision says what it runs with.

A connector (`vpc_connector`) and network interfaces are exclusive: the API refuses VPC
access naming both ("one and only one of connector and network_interfaces must be set",
ONE_VPC; the sandbox's validate_vpc_access), so a row here is blocked where the
workload reaches its VPC through a connector, as `vpc_connector` is blocked where it reaches
it directly. Field comments quoted are the installed `google.cloud.run_v2` types' docstrings
(the googleapis protos' comments)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from drift.blanks import blank, word
from drift.fields import access as a
from drift.fields import lists
from drift.fields.base import (
    EVERY_KIND,
    BlockedCommands,
    Field,
    SettingValue,
    Source,
    Stated,
    TerraformPath,
    Update,
    no_value,
    short_name,
    tf_template,
)
from drift.fields.direct_vpc import away_note, none_conflicts
from drift.kinds import Kind

INTERFACES: TerraformPath = tf_template("vpc_access", 0, "network_interfaces")
"""Where a Terraform plan holds the network interfaces (each Direct VPC row's, and whether
`vpc_egress` has VPC access to route)."""


def _interface(source: Source) -> Any | None:
    """The revision's network interface (VpcAccess.network_interfaces: "Currently only single
    network interface is supported", REST reference of VpcAccess), None without one."""
    interfaces = source.revision.vpc_access.network_interfaces
    return interfaces[0] if len(interfaces) else None


def _network(source: Source) -> str:
    interface = _interface(source)
    return "" if interface is None else own_network(interface.network, *_project_region(source))


def _network_unread(source: Source) -> str:
    # NetworkInterface.network: "If network is not specified, it will be looked up from the
    # subnetwork" — by Cloud Run, not in anything drift reads
    interface = _interface(source)
    if interface is None or interface.network:
        return ""
    return (
        f"the network interface names only subnetwork {interface.subnetwork!r}; Cloud Run "
        "looks its network up from it, which drift cannot read"
    )


def _subnet(source: Source) -> str:
    # NetworkInterface.subnetwork: "If subnetwork is not specified, the subnetwork with the
    # same name with the network will be used."
    interface = _interface(source)
    if interface is None:
        return ""
    project, region = _project_region(source)
    subnet = str(interface.subnetwork)
    if not subnet and interface.network:
        # the network's project's subnetwork of its name, in the workload's region
        parts = str(interface.network).split("/")
        owner = parts[1] if len(parts) == 5 else project
        subnet = f"projects/{owner}/regions/{region}/subnetworks/{parts[-1]}"
    return own_subnet(subnet, project, region)


def _tags(source: Source) -> str:
    interface = _interface(source)
    return "" if interface is None else lists.joined(interface.tags)


def _profile_tags(value: Any) -> str:
    """A profile's tags: `a,b` (gcloud's `--network-tags` form), a YAML list, or none; as
    compared, a set (`drift.fields.lists`: a tag holding a comma, which no RFC 1035 name
    does, stays one tag, for Cloud Run to refuse rather than two to write)."""
    if isinstance(value, list):
        return lists.joined(value)
    if isinstance(value, dict | bool):
        raise ValueError("expected network tags: a list, comma-separated text, or none")
    return lists.same_text(no_value(value))


def _project_region(source: Source) -> tuple[str, str]:
    # the workload's name: projects/{project}/locations/{location}/{services|jobs|…}/{id}
    parts = str(source.service.name).split("/")
    return (parts[1], parts[3]) if len(parts) >= 4 else ("", "")


def own_network(value: SettingValue, project: str, region: str) -> str:
    """A network as compared: its short name where it is the workload's own project's
    (NetworkInterface.network: "name or the full name"; a short name means the workload's
    project), else its full name `projects/P/global/networks/N` — a Shared VPC host's network
    of the same short name is another network (a service egressing into it is drift)."""
    parts = str(value).split("/")
    full = len(parts) == 5 and (parts[0], parts[2], parts[3]) == ("projects", "global", "networks")
    return parts[4] if full and parts[1] == project else str(value)


def own_subnet(value: SettingValue, project: str, region: str) -> str:
    """A subnetwork as compared: its short name where it is the workload's own project's and
    region's, else its full name `projects/P/regions/R/subnetworks/S`."""
    parts = str(value).split("/")
    full = len(parts) == 6 and parts[0::2] == ["projects", "regions", "subnetworks"]
    return parts[5] if full and (parts[1], parts[3]) == (project, region) else str(value)


def same_name(a_: SettingValue, b: SettingValue) -> bool:
    """Two networks (subnetworks) as compared — each already its short name where it is the
    workload's own project's (and region's), else its full name (`own_network`,
    `own_subnet`): a full name left is another project's (a Shared VPC host's), another
    network than the own one of its short name, so only the same text is the same one."""
    return str(a_) == str(b)


def vpc_conflicts(service: str, settings: Stated) -> list[tuple[str, str]]:
    """A Direct VPC setting a profile states beside a connector (setting, message) each, at
    its own file:line: VpcAccess takes "one and only one of connector and network_interfaces"
    (catalogue.ONE_VPC), so such a profile never reads clean and `fix` blocks one row or the
    other (revown46 R5). `none` on either side states no VPC access of that kind."""
    connector = settings.get("vpc_connector")
    if connector is None or no_value(connector[0]) == "":
        return []
    return [
        (
            name,
            f"{service}: {name} with vpc_connector {connector[0]} ({connector[1]}): a revision "
            'reaches its VPC through a connector or directly, "one and only one of connector '
            'and network_interfaces must be set"; state one or the other',
        )
        for name in ("vpc_network", "vpc_subnet")
        if name in settings and no_value(settings[name][0])
    ]


def _connector(workload: Any) -> str:
    connector = a.template_of(workload).vpc_access.connector
    if not connector:
        return ""
    return (
        f"the revision reaches its VPC through connector {short_name(str(connector))}, and "
        f"{ONE_VPC}{_CLEARS_EGRESS.format(flag='--clear-vpc-connector')}"
    )


def _ensure_interface(workload: Any) -> Any:
    vpc = a.template_of(workload).vpc_access
    if not len(vpc.network_interfaces):
        vpc.network_interfaces.append(a.run_v2().VpcAccess.NetworkInterface())
    return vpc.network_interfaces[0]


def _interface_writer(key: str) -> Any:
    def write(workload: Any, container: Any, value: SettingValue) -> None:
        name = no_value(value)
        if not name:
            _clear_interfaces(workload)
            return
        setattr(_ensure_interface(workload), key, name)

    return write


def _clear_interfaces(workload: Any) -> None:
    """No Direct VPC egress, as gcloud's `--clear-network` (ClearNetworkInterfacesChange: the
    network interfaces go, and the egress with them)."""
    vpc = a.template_of(workload).vpc_access
    if not len(vpc.network_interfaces):
        return
    del vpc.network_interfaces[:]
    if not vpc.connector:
        a.template_of(workload).vpc_access = None


def _write_tags(workload: Any, container: Any, value: SettingValue) -> None:
    tags = lists.items(value)
    interface = _ensure_interface(workload)
    del interface.tags[:]
    interface.tags.extend(tags)


def _untaggable(workload: Any) -> str:
    if _connector(workload):
        return _connector(workload)
    if len(a.template_of(workload).vpc_access.network_interfaces):
        return ""
    return (
        'the revision has no Direct VPC network interface to tag (NetworkInterface: "At least '
        'one of network or subnetwork must be specified"): set vpc_network or vpc_subnet first'
    )


ONE_VPC = '"one and only one of connector and network_interfaces must be set"'
"""The API's INVALID_ARGUMENT for VPC access naming both, or neither (an egress alone):
googleapis/google-cloud-node#4731."""


def no_vpc_access(workload: Any) -> str:
    """Why `vpc_egress` cannot be set: no VPC access to route ("": there is some)."""
    vpc = a.template_of(workload).vpc_access
    if vpc.connector or len(vpc.network_interfaces):
        return ""
    return f"there is no VPC access to route (no connector, no network interfaces): {ONE_VPC}"


def direct_vpc(workload: Any) -> str:
    """Why `vpc_connector` cannot be set: the revision reaches its VPC directly."""
    if not len(a.template_of(workload).vpc_access.network_interfaces):
        return ""
    return (
        f"the revision reaches its VPC directly (network interfaces), and {ONE_VPC}"
        f"{_CLEARS_EGRESS.format(flag='--clear-network')}"
    )


_CLEARS_EGRESS = (
    "; gcloud's {flag} clears the VPC egress too (private-ranges-only after it, even beside "
    "--vpc-egress): the second command sets it again"
)
"""gcloud's ClearNetworkInterfacesChange and ClearVpcConnectorChange delete the egress
annotation with their own, after any `--vpc-egress` change ("# MUST be after 'vpc_egress'
change.", command_lib/run/flags.py), and the API then defaults it ("If not provided, it
defaults to PRIVATE_RANGES_ONLY", run v2 VpcAccess.egress): a switch between a connector and
Direct VPC printed alone turned an `all-traffic` egress (a static outbound IP through Cloud
NAT) into `private-ranges-only`, unsaid (helper-557 G2)."""
_EGRESS_AGAIN = word("--vpc-egress=", blank("EGRESS"))


_DIRECT = (word("--network=", blank("NETWORK")), word("--subnet=", blank("SUBNET")))
"""Direct VPC's network and subnet, to fill in."""


def egress_commands(
    update: Update, kind: Kind, value: SettingValue, reason: str
) -> tuple[str, ...]:
    """`vpc_egress` with no VPC access to route: VPC access names a connector or network
    interfaces, one and only one (`--vpc-connector`, or Direct VPC's `--network`/`--subnet`).
    A worker pool has no connector (the catalogue's vpc_connector; `gcloud beta run
    worker-pools update` has no --vpc-connector: revown44 F3)."""
    direct = update(*_DIRECT, f"--vpc-egress={value}")
    connector = update(word("--vpc-connector=", blank("CONNECTOR")), f"--vpc-egress={value}")
    return (direct,) if kind is Kind.WORKER_POOL else (connector, direct)


def connector_commands(
    update: Update, kind: Kind, value: SettingValue, reason: str
) -> tuple[str, ...]:
    """`vpc_connector` where the revision reaches its VPC directly: the connector, and
    `--clear-network` to leave Direct VPC; then the egress again (`_CLEARS_EGRESS`)."""
    return (update(f"--vpc-connector={value}", "--clear-network"), update(_EGRESS_AGAIN))


def _direct_commands(flag: Callable[[SettingValue], str]) -> BlockedCommands:
    """A Direct VPC row blocked by a connector (`--clear-vpc-connector` beside it: gcloud 528
    parses `gcloud run services|jobs update --network=N --clear-vpc-connector`), or (tags) by
    no network interface (a network and subnet to name)."""

    def commands(update: Update, kind: Kind, value: SettingValue, reason: str) -> tuple[str, ...]:
        own = flag(str(value))
        if "connector" in reason:
            return (update(own, "--clear-vpc-connector"), update(_EGRESS_AGAIN))
        return (update(*_DIRECT, own),)

    return commands


def _tags_flag(value: SettingValue) -> str:
    return lists.gcloud_list("--network-tags", value) if value else "--clear-network-tags"


def _interface_name(
    name: str,
    doc: str,
    part: str,
    read: Callable[[Source], str],
    flag: Callable[[SettingValue], str],
    qualify: Callable[[SettingValue, str, str], str],
    example: str,
    **more: Any,
) -> Field:
    """A row naming one part (`network`, `subnetwork`) of the revision's Direct VPC interface:
    a name or a full name (a Shared VPC host's: `projects/P/…`), none for no Direct VPC egress,
    blocked while a connector is set."""
    return Field(
        name,
        doc,
        str,
        terraform=(INTERFACES,),
        read=read,
        write=_interface_writer(part),
        gcloud=flag,
        **a.or_none("none (no Direct VPC egress)"),
        equivalent=same_name,
        qualify=qualify,
        blocked=_connector,
        blocked_commands=_direct_commands(flag),
        plan_note=away_note,
        examples=(example,),
        kinds=EVERY_KIND,
        names_project=True,
        **more,
    )


NETWORK_FIELDS: tuple[Field, ...] = (
    _interface_name(
        "vpc_network",
        "Direct VPC egress: the VPC network (name or full name); none: no Direct VPC egress.",
        "network",
        _network,
        # gcloud run deploy / services, jobs, worker-pools update: `--network=NETWORK`,
        # `--clear-network` (command_lib/run/flags.py AddVpcNetworkGroupFlagsForUpdate)
        a.set_or_clear("--network", "--clear-network"),
        own_network,
        "default",
        unreadable=_network_unread,
        conflicts=vpc_conflicts,
    ),
    _interface_name(
        "vpc_subnet",
        "Direct VPC egress: the subnetwork instances get IPs from (the network's name when "
        "unset); none: no Direct VPC egress.",
        "subnetwork",
        _subnet,
        a.set_or_clear("--subnet", "--clear-network"),
        own_subnet,
        "run-egress",
        conflicts=none_conflicts,
    ),
    Field(
        "vpc_network_tags",
        "Direct VPC egress: the network tags instances carry (a list or a,b; order does not "
        "matter); none: no tags.",
        str | list[str],
        terraform=(INTERFACES,),
        read=_tags,
        write=_write_tags,
        gcloud=_tags_flag,
        no_flag=lambda kind, v: lists.no_delimiter(v),
        parse=_profile_tags,
        normalise=lists.same_text,
        show=lambda v: str(v) or "none",
        blocked=_untaggable,
        blocked_commands=_direct_commands(_tags_flag),
        examples=("web,egress",),
        kinds=EVERY_KIND,
    ),
)
