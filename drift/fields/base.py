"""What a row of the settings catalogue is, and the small helpers rows share: the source a
setting is read from, enum and name handling, and how a value reads to a person."""

from __future__ import annotations

import operator
from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

from drift.fields.bounds import held_most
from drift.kinds import Kind

SettingValue = str | int | bool
Level = Literal["revision", "container", "service"]
FlagAt = Literal["revision", "primary", "ingress", "every"]
"""Where a gcloud flag goes: the revision's (no `--container`), the container the profile
describes, the one requests reach (the one with a port: `drift.fields.ports.ingress`), or every
container (each after `--container NAME` when there are several)."""
GcloudArg = tuple[str, FlagAt]
Update = Callable[..., str]
"""`Commands.update`: the workload's update with the flags (`drift.blanks.Arg`) given,
shell-quoted, at the workload's level (no `--container`)."""
TerraformPath = tuple[str | int, ...]
"""A path in a `google_cloud_run_v2_service` (`_job`, `_worker_pool`) resource of a Terraform
plan: attribute names, and a block's index (a block is a list of one)."""
ANY_INDEX = -1
"""Any index in a Terraform path (each container)."""


def tf_template(*path: str | int) -> TerraformPath:
    """A path in the resource's `template` block."""
    return ("template", 0, *path)


def tf_container(*path: str | int) -> TerraformPath:
    """A path in each of the template's containers."""
    return ("template", 0, "containers", ANY_INDEX, *path)


class Unread(str):
    """Where a plan's held settings (`ServicePlan.held`) have a value drift could not read:
    why (`Field.unreadable`). Something is set there; a `Field.plan_note` may name it, never
    compare it."""

    __slots__ = ()


Stated = Mapping[str, tuple[SettingValue, str]]
"""Each setting a service's profile states (parsed) with its `file:line`."""


@dataclass(frozen=True)
class PlannedSetting:
    """One setting change of a plan, as its `Field.plan_note` sees it."""

    kind: Kind
    before: SettingValue | None
    after: SettingValue
    changed: set[str]
    """The plan's setting changes, by name."""
    settings: Mapping[str, SettingValue]
    """The workload's settings as the patch leaves them, an `Unread` where drift could not
    read one."""


PlanNote = Callable[[PlannedSetting], str]
"""`Field.plan_note`: what the plan says of a change beyond itself ("": nothing)."""


@dataclass(frozen=True)
class Floor:
    """The least a kind's workload takes of a setting, above what a service takes (checked
    when its profile loads, `drift.fields.catalogue.stated_conflicts`)."""

    least: int
    """As `amount` counts it (bytes, millicpu)."""
    shown: str
    """As a message says it (`512Mi`, `1 CPU`)."""
    why: str
    """Where Cloud Run says so."""
    amount: Callable[[SettingValue], int | Decimal]
    """A value as a profile states it (parsed), counted."""


Conflicts = Callable[[str, Stated], list[tuple[str, str]]]
"""What a profile states that Cloud Run refuses or ignores beside a setting, given the
service's name and every setting it states: (setting, message) each."""
BlockedCommands = Callable[[Update, Kind, SettingValue, str], tuple[str, ...]]
"""The gcloud commands that would set a blocked setting: (update, the workload's kind, the
profile's value, why no patch can)."""
NumberAt = tuple[Literal["workload", "template"], str]
"""A proto field a patch writes a number to: its dotted path in the workload (a run_v2
Service, Job or WorkerPool) or in its template (`drift.fields.access.template_of`)."""
INT32_MAX = 2**31 - 1
"""The narrowest range of any protobuf integer type (int32's); every integer row's minimum is
at least 0, so a number up to this one fits every integer field."""
UNTOLD = (
    "which one the profile means cannot be told from their order: name it with `container: NAME`"
)
"""Why a setting of "the" container of a job or pool is not read where it has several, none
with a port, and the profile names none (`drift.live.normalize.UNDESCRIBED`,
`drift.fields.hardware`): the end of each such reason, as `drift init` tells them apart."""
UNPRINTED = "holds a value drift does not print"
"""Why gcloud's script leaves a value to drift fix: it would print one masked (`Field.shown`)."""
SERVICES = frozenset({Kind.SERVICE})
EVERY_KIND = frozenset(Kind)


@dataclass(frozen=True)
class Source:
    """Where a setting is read from: the workload (a Service, Job or WorkerPool), the revision
    or template (a Job's: its task template) and the container the profile describes (raw
    protobuf messages; `container` may be None)."""

    service: Any
    revision: Any
    container: Any
    kind: Kind = Kind.SERVICE


def enum_name(message: Any, name: str) -> str:
    """Name of an enum field of a raw protobuf message (`""` for an unknown number)."""
    number = getattr(message, name)
    enum = message.DESCRIPTOR.fields_by_name[name].enum_type
    value = enum.values_by_number.get(number)
    return value.name if value is not None else ""


def short_name(name: str) -> str:
    """`projects/p/locations/r/connectors/c` -> `c`."""
    return name.rsplit("/", 1)[-1]


def project_token(value: SettingValue) -> str:
    """The project a resource name `projects/{project}/…` names, as written (an id or a
    number: VpcAccess.connector "where {project} can be project id or number"); "" for a
    value naming none (a short name: the workload's own project's; none; `default`)."""
    parts = str(value).split("/", 2)
    return parts[1] if len(parts) == 3 and parts[0] == "projects" and parts[1] else ""


def with_project(value: SettingValue, project: str) -> SettingValue:
    """`value` naming its project as `project` (unchanged where it names none)."""
    parts = str(value).split("/", 2)
    return "/".join((parts[0], project, parts[2])) if project_token(value) else value


NONE = ("", "none")
"""A profile's no connector, network, key, GPU… ("" is proto3's unset)."""


def no_value(value: Any) -> str:
    """A profile's name as written, or "" for none (`NONE`)."""
    return "" if str(value).strip() in NONE else str(value).strip()


def text(value: SettingValue | None) -> str:
    """A value as a person reads it (`true`, `600s`)."""
    if isinstance(value, bool):
        return "true" if value else "false"
    return "" if value is None else str(value)


def unchanged(value: Any) -> Any:
    return value


@dataclass(frozen=True)
class Field:
    name: str
    help: str
    annotation: Any
    """The Python type of the profile key (its JSON Schema)."""
    read: Callable[[Source], SettingValue]
    write: Callable[[Any, Any, SettingValue], None]
    """Patch (workload, container, value) — proto-plus run_v2 messages."""
    gcloud: Callable[[SettingValue], str]
    """gcloud's flag for a value (`access.no_flag`: gcloud has none on any kind)."""
    level: Level = "revision"
    per_container: bool = False
    """`gcloud`'s flag is a container's (`--cpu`, `--memory`: gcloud run deploy's
    "--container=CONTAINER" group): with several containers it follows `--container NAME`.
    Not `level`: `--cpu-throttling` and `--cpu-boost` set a container's field but are the
    revision's flags to gcloud."""
    gcloud_args: Callable[[SettingValue, SettingValue | None], tuple[GcloudArg, ...]] | None = None
    """gcloud's arguments for a change (after, before) when one flag does not do what a
    patch does (None: `gcloud`'s flag, where `per_container` says)."""
    service_part: str = ""
    """A part of the Service (not of its template) the setting is written to when the service
    sets it there (`scaling` for min/max instances): applied at once, not by a revision, so a
    rollback puts that part back as it was."""
    written_at: Callable[[Any, SettingValue, bool], frozenset[str]] | None = None
    """The levels (`service`, `revision`) a patch of a (run_v2) Service writes a value to (None:
    the row's own); the flag: the service held one there when drift read it (`service_held`)."""
    write_levels: Callable[[Any, SettingValue, frozenset[str]], None] | None = None
    service_gcloud: Callable[[SettingValue], str] | None = None
    """gcloud's flag for the setting where the service itself holds it (`written_at`), when
    that is another flag than `gcloud`'s (the revision's)."""

    blocked: Callable[[Any], str] | None = None
    """Why no patch of this (run_v2) workload can set it as it runs now ("" or None: one
    can): a mismatch is a manual step saying so."""
    blocked_commands: BlockedCommands | None = None
    """The commands that would set it where `blocked` says no patch can: each row with
    `blocked` gives its own (a test keeps them paired), so no row gets another's."""
    unwritable: Callable[[Any, Any, SettingValue], str] | None = None
    """Why `write`, given the same arguments, cannot make this value ("" or None: it can): a
    manual step says so, and nothing is written (`drift.fix.proposed.unwritable_steps`)."""

    unreadable: Callable[[Source], str] | None = None
    """Why the value cannot be read from this workload ("" or None: it can): the value read
    is then not judged, and the setting is not verified (SPEC invariant 6)."""

    terraform: tuple[TerraformPath, ...] = ()
    """Where a Terraform plan holds what decides it (`drift.manifest.unknowns`: a value
    unknown there leaves the setting unjudged): every row has one (a test keeps it so)."""
    conflicts: Conflicts | None = None
    """The row's cross-setting check of a profile (cpu below 1 and what Cloud Run requires
    with it; a manual instance count beside min/max): consulted for every row in one place,
    `drift.fields.catalogue.stated_conflicts` (None: none)."""
    conflicts_for: frozenset[Kind] = frozenset({Kind.SERVICE})
    """The kinds whose profiles `conflicts` judges: the workloads Cloud Run's rule is about
    (below one CPU: a service's; parallelism over the task count: a job's)."""
    floors: tuple[tuple[Kind, Floor], ...] = ()
    """The kinds that take more than a service at the least (a job's memory, a worker pool's
    CPU), each with its floor: a profile stating less is refused where it says it."""
    moot: Callable[[Mapping[str, SettingValue]], bool] | None = None
    """Whether the setting means nothing given the workload's other settings as read (a CMEK
    revocation action without a key): `drift init` leaves it out (None: never moot)."""
    void: Callable[[Mapping[str, SettingValue]], bool] | None = None
    """Whether the setting means nothing, and a fix leaves nothing of it, given the workload
    as the profile wants it (its stated values over the ones read): a revocation action or
    shutdown with no key, which fix clears with the key (as gcloud's `--clear-key`). Check,
    plan and fix then neither compare nor write it, and `profiles validate` notes one the
    profile's own lines make void (`drift.fields.moot`; None: never). Narrower than `moot`:
    shutdown hours beside prevent-new are moot to init, yet a profile's `0` still clears a
    duration left on the template."""

    sparse: bool = False
    """Left out of a configuration's fingerprint while unset (it reads as `unset`): a row
    added after journals recorded digests of it (`drift.fix.routing.template_key`), so an
    entry an older drift wrote still matches, where the setting is unset, the workload it
    wrote."""
    unset: SettingValue = ""
    """What the row reads where the workload does not set it, for `sparse` ("": a name or a
    list; a port's default, 8080)."""
    unset_too: Callable[[SettingValue], bool] | None = None
    """Other values a `sparse` row reads where the workload sets nothing of its own (a
    default Cloud Run writes in that depends on another setting: the default startup probe
    on the container's port)."""

    held_by_service: Callable[[Any, str], bool] | None = None
    """Whether a value read (as shown) is the (run_v2) Service's own, its level giving it:
    no revision set it."""

    def is_unset(self, value: SettingValue | None) -> bool:
        """Whether `value` read is what the row reads where nothing is set (`unset`)."""
        return value == self.unset or (
            value is not None and self.unset_too is not None and self.unset_too(value)
        )

    def flags(self, after: SettingValue, before: SettingValue | None) -> tuple[GcloudArg, ...]:
        """The gcloud arguments that make the change `before` -> `after`, each with where."""
        if self.gcloud_args is not None:
            return self.gcloud_args(after, before)
        return ((self.gcloud(after), "primary" if self.per_container else "revision"),)

    def levels(self, service: Any, value: SettingValue, held: bool = False) -> frozenset[str]:
        """Where a patch writes `value`: the service, the revision, or both."""
        if self.written_at is not None:
            return self.written_at(service, value, held)
        return frozenset({"service" if self.level == "service" else "revision"})

    def both(self, service: Any, value: SettingValue, held: bool = False) -> bool:
        """Whether a patch writes `value` to the service itself and to the revision."""
        return len(self.levels(service, value, held)) > 1

    def unpatchable(self, service: Any) -> str:
        """Why no patch of this (run_v2) workload can set the setting now ("": one can)."""
        return self.blocked(service) if self.blocked is not None else ""

    def unblocking(
        self, update: Update, kind: Kind, value: SettingValue, reason: str
    ) -> tuple[str, ...]:
        """The commands that would set `value` where no patch can (`reason`); none when the
        row gives none."""
        if self.blocked_commands is None:
            return ()
        return self.blocked_commands(update, kind, value, reason)

    def at_once(self, service: Any, value: SettingValue, held: bool = False) -> bool:
        """Whether a patch takes effect on the service at once, with the canary's write."""
        return "service" in self.levels(service, value, held)

    parse: Callable[[Any], Any] = unchanged
    """Profile value -> the form a patch writes (raises ValueError)."""
    normalise: Callable[[SettingValue], SettingValue] = unchanged
    """The form values are compared in (live reads already give it)."""
    equivalent: Callable[[SettingValue, SettingValue], bool] = operator.eq
    """Whether two normalised values are the same setting."""
    show: Callable[[SettingValue], str] = text
    hides: Callable[[SettingValue, Collection[str]], str] | None = None
    """`show` given the workload's plain values never shown (`ServicePlan.hidden`,
    `Context.hidden`: a password moved there from a variable), for a row whose value may hold
    one, a container's command line (None: it holds none; `shown`)."""
    examples: tuple[str | int, ...] = ()
    """Values as a profile writes them (the JSON Schema's `examples`)."""
    minimum: int | None = None
    """The smallest number a profile may give."""
    maximum: int | None = None
    """The largest number a profile may give: where it is written to no integer field (a
    Duration's hours), or where Cloud Run documents less than its field holds (`why_max`)."""
    why_max: str = ""
    """Where Cloud Run documents `maximum` (said when a profile gives more)."""
    numbers_at: tuple[NumberAt, ...] = ()
    """Where a patch writes the profile's number (an integer row): each place, in the workload
    of every kind the row has. The largest number a profile may give is what the narrowest of
    those proto fields holds (`largest`)."""
    patterns: bool = False
    """A profile may give `{pattern: RE2}` instead of a value."""
    fixable: bool = True
    """A patch may set it (else a mismatch is a manual step)."""
    kinds: frozenset[Kind] = SERVICES
    """The kinds of workload that have it (the API has a field for it there)."""
    flagless: frozenset[Kind] = frozenset()
    """Kinds whose `gcloud … update` has no flag for it (a script leaves it to a comment)."""
    ga_since: str = ""
    """The gcloud release whose GA track first has the flag `flagless` says GA gcloud 528 (the
    oldest release drift's commands parse on) lacks, where its beta track had it: said, so
    that the script's comment is not false on a current gcloud (helper-557 G4)."""
    no_flag: Callable[[Kind, SettingValue], str] | None = None
    """Why `gcloud … update` of a kind has no flag for this value when it has one for others
    (a job's `--key` but no `--clear-key`): a script leaves it to a comment ("" or None: it
    has one)."""
    refused: tuple[tuple[Kind, Any, str], ...] = ()
    """(kind, value, why): a value the API refuses on that kind of workload; a profile
    giving it there is refused at its line, a default giving it does not apply there."""
    names_project: bool = False
    """A value may name a project (`projects/P/…`, an account `…@P.iam.gserviceaccount.com`):
    `drift compare` flags one naming the other environment's project."""

    def shown(self, value: SettingValue, hidden: Collection[str] = ()) -> str:
        """`value` as every output shows it, each of `hidden` (the workload's values never
        shown) masked where it stands."""
        return self.show(value) if self.hides is None else self.hides(value, hidden)

    def applies(self, kind: Kind) -> bool:
        return kind in self.kinds

    def largest(self) -> int | None:
        """The largest number the proto fields of `numbers_at` hold, or `maximum` (None:
        neither)."""
        if not self.numbers_at:
            return self.maximum
        held = held_most(self.kinds, self.numbers_at)
        return held if self.maximum is None or held is None else min(held, self.maximum)

    def refusal(self, kind: Kind, value: Any) -> str:
        """Why the API refuses `value` on a workload of `kind` ("": it takes it)."""
        return next((why for k, v, why in self.refused if k is kind and v == value), "")

    def lacks_flag(self, kind: Kind, value: SettingValue, hidden: Collection[str] = ()) -> str:
        """Why `gcloud … update` of `kind` (the track drift names: `fix.commands.update_command`)
        has no flag for `value` ("": it has one): the one rule for the script
        (`fix/formats/gcloud.py`) and a manual step's command (`fix/manual.py`). A value
        holding one of `hidden` (the workload's values never shown) is never printed."""
        if self.shown(value, hidden) != self.shown(value):
            return UNPRINTED
        if kind in self.flagless and self.ga_since:
            return (
                f"has no flag for it before gcloud {self.ga_since} (the beta track's, which "
                "a manual step uses, has one)"
            )
        if kind in self.flagless:
            return "has no flag for it"
        return self.no_flag(kind, value) if self.no_flag is not None else ""

    plan_note: PlanNote | None = None
    """What a change before -> after does beyond the setting, given the names of the plan's
    setting changes and the workload's settings as the patch leaves them (those it builds on,
    read live, with the plan's changes): a plan says it ("" or None: nothing)."""

    qualify: Callable[[SettingValue, str, str], SettingValue] | None = None
    """A profile value in the form reads give, given the profile's project and region (a
    name that means "in this project and region")."""

    def compared(self, expected: SettingValue, where: tuple[str, str] = ("", "")) -> SettingValue:
        """A profile's value in the form a value read is compared with (`same`); `where`: the
        profile's project and region (for `qualify`)."""
        if self.qualify is not None:
            expected = self.qualify(expected, *where)
        return self.normalise(expected)

    def same(
        self, expected: SettingValue, actual: SettingValue | None, where: tuple[str, str] = ("", "")
    ) -> bool:
        """`where`: the profile's project and region (for `qualify`)."""
        return actual is not None and self.equivalent(self.compared(expected, where), actual)
