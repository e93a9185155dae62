"""The rows of the settings catalogue, each with its source in the API's documentation where
the default or the reading is not obvious (field comments: the googleapis protos')."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any, Literal

from drift.fields import access as a
from drift.fields.accounts import normalise_account, profile_account, same_account
from drift.fields.allocation import boosted, disagreeing, reader, throttled
from drift.fields.audiences import AUDIENCE_FIELDS
from drift.fields.base import (
    EVERY_KIND,
    SERVICES,
    Field,
    SettingValue,
    Source,
    Stated,
    tf_container,
    tf_template,
)
from drift.fields.binauthz import BINAUTHZ_FIELD
from drift.fields.cloudsql import CLOUDSQL_FIELD
from drift.fields.command import COMMAND_FIELDS
from drift.fields.connector import CONNECTOR_FIELD
from drift.fields.cpu_floor import runs_below_one
from drift.fields.hardware import HARDWARE_FIELDS
from drift.fields.health import HEALTH_FIELDS
from drift.fields.ingress import INGRESS_FIELD
from drift.fields.limits import CPU, MEMORY, concurrency_unknown, default_concurrency, limit_field
from drift.fields.manual_scaling import MANUAL_FIELDS
from drift.fields.mesh import MESH_FIELD
from drift.fields.network import (
    INTERFACES,
    NETWORK_FIELDS,
    egress_commands,
    no_vpc_access,
)
from drift.fields.ports import PORT_FIELDS
from drift.fields.readiness import READINESS_FIELD
from drift.fields.scaling import SCALING_FIELDS
from drift.fields.startup_order import DEPENDS_ON_FIELD
from drift.fields.storage import STORAGE_FIELDS
from drift.fields.workloads import JOBS_GEN2, WORKLOAD_FIELDS
from drift.images import profile_image, same_image
from drift.kinds import Kind

EXECUTION = {"EXECUTION_ENVIRONMENT_GEN1": "gen1", "EXECUTION_ENVIRONMENT_GEN2": "gen2"}
EGRESS = {"ALL_TRAFFIC": "all-traffic", "PRIVATE_RANGES_ONLY": "private-ranges-only"}


def _execution_environment(source: Source) -> str:
    # Unset on a service: "Cloud Run selects the execution environment based on the features
    # used" (execution-environments page). "Cloud Run jobs only use the second generation
    # execution environment, and this cannot be changed for jobs" (the same page).
    default = "gen2" if source.kind is Kind.JOB else "default"
    # below one CPU, "You must use the first generation execution environment" (CPU page):
    # what Cloud Run chooses there is gen1 (helper-547 F3)
    if source.kind is Kind.SERVICE and runs_below_one(source.revision):
        default = "gen1"
    return a.choice(source.revision, "execution_environment", EXECUTION, default)


def _revision(source: Source) -> Any:
    return source.revision


def _vpc(source: Source) -> Any:
    """The revision's VPC access, None without one (no egress to route)."""
    vpc = source.revision.vpc_access
    return vpc if vpc.connector or len(vpc.network_interfaces) else None


def _vpc_egress(source: Source) -> str:
    # VpcAccess.egress: "If not provided, it defaults to PRIVATE_RANGES_ONLY." (with VPC access)
    vpc = _vpc(source)
    return "" if vpc is None else a.choice(vpc, "egress", EGRESS, "private-ranges-only")


def _image(source: Source) -> str:
    return str(source.container.image) if source.container is not None else ""


def _service_switch(
    name: str, help: str, gcloud: Callable[[SettingValue], str], **more: Any
) -> Field:
    """The row of a boolean the service itself holds under the name of its profile key (false
    where the service's message has no such field)."""

    def read(source: Source) -> bool:
        service = source.service
        return bool(getattr(service, name)) if name in service.DESCRIPTOR.fields_by_name else False

    return Field(
        name,
        help,
        bool,
        level="service",
        read=read,
        write=a.service_field(name, bool),
        gcloud=gcloud,
        terraform=((name,),),
        **more,
    )


FIELDS: dict[str, Field] = {
    f.name: f
    for f in (
        Field(
            "timeout",
            "Request timeout (e.g. 600s, 10m); 300s when unset.",
            a.NUMBER_OR_TEXT,
            terraform=(tf_template("timeout"),),
            read=a.duration("timeout", 300),
            write=a.template_field("timeout", a.seconds),
            gcloud=a.flag("timeout"),
            # request-timeout page: "can be extended up to 60 minutes (3600 seconds)"
            parse=a.scalar(a.duration_text(3600, "the longest request timeout Cloud Run allows")),
            examples=("600s", "10m"),
        ),
        *SCALING_FIELDS,
        *MANUAL_FIELDS,
        a.integer(
            "concurrency",
            "Max concurrent requests per instance (80 when unset, 1 below one CPU).",
            "max_instance_request_concurrency",
            terraform=(
                tf_template("max_instance_request_concurrency"),
                tf_container("resources", 0, "limits", "cpu"),
            ),
            default=default_concurrency,
            gcloud="concurrency",
            minimum=1,
            default_unknown=concurrency_unknown,
        ),
        limit_field("cpu", "CPU limit (1, 2, 0.5, 500m).", CPU, ("1", "1000m")),
        limit_field("memory", "Memory limit (512Mi, 1Gi, 1G).", MEMORY, ("512Mi",)),
        Field(
            "cpu_throttling",
            "CPU only allocated during requests (true unless the revision sets cpu_idle false).",
            bool,
            level="container",
            terraform=(tf_container("resources", 0, "cpu_idle"),),
            read=reader(throttled, True),
            unreadable=disagreeing("cpu_throttling", throttled),
            write=a.instance_field("cpu_idle", bool, every=True),
            gcloud=a.switch("cpu-throttling"),
        ),
        Field(
            "startup_cpu_boost",
            "Extra CPU while instances start.",
            bool,
            level="container",
            terraform=(tf_container("resources", 0, "startup_cpu_boost"),),
            # a container's own boost (of "the requested CPU threshold" it has): the one the
            # profile describes, whatever a sidecar's is (not an instance's, as throttling)
            read=reader(boosted, False),
            write=a.instance_field("startup_cpu_boost", bool),
            gcloud=a.switch("cpu-boost"),
        ),
        Field(
            "session_affinity",
            "Route a client's requests to the same instance.",
            bool,
            terraform=(tf_template("session_affinity"),),
            read=lambda s: bool(s.revision.session_affinity),
            write=a.template_field("session_affinity", bool),
            gcloud=a.switch("session-affinity"),
        ),
        Field(
            "service_account",
            "Runtime service account.",
            str,
            terraform=(tf_template("service_account"),),
            read=lambda s: normalise_account(s.revision.service_account),
            write=a.template_field("service_account", str),
            gcloud=a.flag("service-account"),
            names_project=True,
            parse=a.scalar(profile_account),
            normalise=lambda v: normalise_account(str(v)),
            equivalent=same_account,
            kinds=EVERY_KIND,
        ),
        INGRESS_FIELD,
        Field(
            "execution_environment",
            "gen1 or gen2 (unset: Cloud Run chooses).",
            Literal["gen1", "gen2"],
            terraform=(tf_template("execution_environment"),),
            read=_execution_environment,
            unreadable=a.unnamed("execution_environment", "execution_environment", _revision),
            write=a.enum_field(
                "execution_environment", lambda: a.run_v2().ExecutionEnvironment, EXECUTION
            ),
            gcloud=a.flag("execution-environment"),
            kinds=frozenset({Kind.SERVICE, Kind.JOB}),
            flagless=frozenset({Kind.JOB}),
            refused=((Kind.JOB, "gen1", JOBS_GEN2),),
        ),
        CONNECTOR_FIELD,
        Field(
            "vpc_egress",
            "Which traffic goes through the VPC (private-ranges-only when VPC access is set).",
            Literal["all-traffic", "private-ranges-only"],
            terraform=(
                tf_template("vpc_access", 0, "connector"),
                tf_template("vpc_access", 0, "egress"),
                INTERFACES,
            ),
            read=_vpc_egress,
            unreadable=a.unnamed("vpc_egress", "egress", _vpc),
            write=a.enum_field("vpc_access.egress", lambda: a.run_v2().VpcAccess.VpcEgress, EGRESS),
            gcloud=a.flag("vpc-egress"),
            show=lambda v: str(v) or "unset (no VPC access)",
            blocked=no_vpc_access,
            blocked_commands=egress_commands,
            kinds=EVERY_KIND,
        ),
        _service_switch(
            "invoker_iam_disabled",
            "The service is invoked without an IAM check (the service's setting).",
            a.switch("no-invoker-iam-check", "invoker-iam-check"),
        ),
        _service_switch(
            "default_uri_disabled",
            "The run.app URL is disabled (the service's setting).",
            # GA gcloud (528) has no --[no-]default-url, beta has (as --iap, --scaling): the GA
            # script leaves it to drift fix; a manual step is beta's (commands.BETA_FLAGS)
            a.switch("no-default-url", "default-url"),
            flagless=SERVICES,
            ga_since="529",  # AddDefaultUrlFlag in GA CommonArgs from 529.0.0
        ),
        BINAUTHZ_FIELD,
        Field(
            "image",
            "The container image: the same reference however spelled (nginx is "
            "docker.io/library/nginx:latest; a tag is not resolved to a digest), or "
            "{pattern: RE2} (never patched: deploy it).",
            str,
            level="container",
            terraform=(tf_container("image"),),
            read=_image,
            write=lambda service, container, value: setattr(container, "image", str(value)),
            gcloud=a.flag("image"),
            equivalent=same_image,  # `nginx` is docker.io/library/nginx:latest (drift.images)
            parse=profile_image,
            per_container=True,
            patterns=True,
            fixable=False,
            kinds=EVERY_KIND,
        ),
        DEPENDS_ON_FIELD,
        *HARDWARE_FIELDS,
        *NETWORK_FIELDS,
        CLOUDSQL_FIELD,
        *STORAGE_FIELDS,
        *PORT_FIELDS,
        *COMMAND_FIELDS,
        MESH_FIELD,
        *HEALTH_FIELDS,
        READINESS_FIELD,
        *AUDIENCE_FIELDS,
        *WORKLOAD_FIELDS,
    )
}


CONTAINER_SETTINGS: tuple[str, ...] = tuple(n for n, f in FIELDS.items() if f.per_container)
"""The settings each container holds for itself (`image`, `depends_on`, `cpu`, `memory`,
`command`, `args`: gcloud's `--container NAME` group, `Field.per_container`): what a profile
may state for a sidecar (`containers: {NAME: {settings: …}}`), read from that container."""


def digested(settings: Mapping[str, SettingValue], leave: tuple[str, ...]) -> dict[str, Any]:
    """`settings` as a configuration's fingerprint holds them: without `leave`, nor an unset
    row that is `Field.sparse` (an older drift's journal digests hold none of it)."""
    unset = {n for n, f in FIELDS.items() if f.sparse and f.is_unset(settings.get(n))}
    return {k: v for k, v in settings.items() if k not in leave and k not in unset}


_READERS = {
    kind: tuple((name, field.read) for name, field in FIELDS.items() if field.applies(kind))
    for kind in Kind
}
"""Each kind's rows, in catalogue order (chosen once: a check reads every workload's)."""


def stated_conflicts(name: str, kind: Kind, stated: Stated) -> list[tuple[str, str]]:
    """What a workload's profile states that Cloud Run refuses or ignores given the rest of
    what it states: every row's cross-setting check for its kind (`Field.conflicts`,
    `Field.conflicts_for`), (setting, message) each. The one place they are consulted
    (`drift.profiles.build`)."""
    return [
        problem
        for row in FIELDS.values()
        if row.conflicts is not None and kind in row.conflicts_for
        for problem in row.conflicts(name, stated)
    ] + [problem for row in FIELDS.values() for problem in _below_floor(name, kind, row, stated)]


def _below_floor(name: str, kind: Kind, row: Field, stated: Stated) -> list[tuple[str, str]]:
    """The row's value a workload's profile states below its kind's floor (`Field.floors`):
    (setting, message), as `Field.conflicts` says them."""
    if row.name not in stated:
        return []
    value, where = stated[row.name]
    return [
        (
            row.name,
            f"{name}: {row.name} {row.show(value)} ({where}) is below the {floor.shown} a "
            f"{kind.noun} takes at the least ({floor.why})",
        )
        for of, floor in row.floors
        if of is kind and floor.amount(value) < floor.least
    ]


def read_conflicts(name: str, kind: Kind, read: Mapping[str, SettingValue]) -> dict[str, str]:
    """What a profile stating `read` (a workload's settings as read) would have refused by
    `stated_conflicts`, by setting: a workload a lenient server let hold such settings (a
    job's parallelism over its task count) is written by `drift init` without that line."""
    stated = {n: (v, "as it runs") for n, v in read.items() if v is not None}
    return dict(stated_conflicts(name, kind, stated))


def read_settings(source: Source, unread: dict[str, str] | None = None) -> dict[str, SettingValue]:
    """Every setting of the catalogue the workload's kind has, as Cloud Run applies it
    (defaults included), but those the workload does not let drift read
    (`unreadable_settings`, or `unread`: what it returned for this same source, when the
    caller has it already): never a default in their place (a worker pool that may scale
    automatically is not one manual instance), for any reader (check, init, compare,
    history, plan, rollback: SPEC invariant 6)."""
    if unread is None:
        unread = unreadable_settings(source)
    return {name: read(source) for name, read in _READERS[source.kind] if name not in unread}


def container_settings(source: Source) -> tuple[dict[str, SettingValue], dict[str, str]]:
    """The settings `source.container` holds for itself (`CONTAINER_SETTINGS`), defaults
    included, and those drift cannot read there, each with why (never a default in their
    place, as `read_settings`)."""
    unread = {
        name: why
        for name in CONTAINER_SETTINGS
        if (check := FIELDS[name].unreadable) is not None and (why := check(source))
    }
    read = {n: FIELDS[n].read(source) for n in CONTAINER_SETTINGS if n not in unread}
    return read, unread


def held_settings(
    settings: Mapping[str, SettingValue], unread: Mapping[str, str], kind: Kind
) -> tuple[dict[str, SettingValue], dict[str, str]] | None:
    """`container_settings` of the container a workload's settings were read with
    (`read_settings`, `unreadable_settings`): the same rows, read already, where its kind has
    them all (a service's); None where they must be read (a job or a worker pool lacks some)."""
    if not _ALL_PER_CONTAINER[kind]:
        return None
    read = {n: settings[n] for n in CONTAINER_SETTINGS if n in settings}
    return read, {n: unread[n] for n in CONTAINER_SETTINGS if n in unread}


_ALL_PER_CONTAINER = {k: all(FIELDS[n].applies(k) for n in CONTAINER_SETTINGS) for k in Kind}
_UNREADABLE = {
    kind: tuple(
        (name, field.unreadable)
        for name, field in FIELDS.items()
        if field.applies(kind) and field.unreadable is not None
    )
    for kind in Kind
}


def unreadable_settings(source: Source) -> dict[str, str]:
    """The settings whose value this workload does not let drift read, each with why."""
    return {
        name: why for name, unreadable in _UNREADABLE[source.kind] if (why := unreadable(source))
    }


NOT_READ = "unknown (drift cannot read it)"


def read_shown(source: Source, show: Callable[[str, SettingValue], str]) -> dict[str, str]:
    """Every setting of `read_settings` as `show` (name, value) shows it, and each one drift
    cannot read (`unreadable_settings`) as `NOT_READ`: what a rollback's preview says."""
    unread = unreadable_settings(source)
    shown = {name: show(name, value) for name, value in read_settings(source, unread).items()}
    return shown | dict.fromkeys(unread, NOT_READ)
