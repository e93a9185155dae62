"""A plan as data: per service, the variables and settings a patch changes (with what they
were), the manual steps no patch can take, and the findings the patch repairs."""

from __future__ import annotations

from collections.abc import Collection, Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

from drift.diff.describe import mask_plain
from drift.fields import FIELDS, PlannedSetting, SettingValue
from drift.fields.workloads import kept_over_tasks
from drift.findings import Scope
from drift.fix.secret_remedy import remedies
from drift.kinds import Kind, label, workload_key
from drift.live.model import EnvVar
from drift.refs import SecretRef
from drift.textsafe import plural, visible

UNREAD = "0 changes in what could be read; incomplete"
"""A plan's, or a workload's, with no change nor manual step while items were not read: never
"nothing to change" (SPEC guarantee 6), the items listed with the plan's `incomplete`."""


class Action(StrEnum):
    """What a patch does to one variable (`action` in the plan's JSON)."""

    SET_VALUE = "set_value"
    """It gets the plain `value` the profile states: added, or replacing a value or a secret
    reference."""
    SET_SECRET = "set_secret"
    """It becomes a reference to `ref`: added, or replacing a plain value or a reference to
    another secret or version."""
    REMOVE = "remove"
    """It goes: the profile forbids it."""


@dataclass(frozen=True)
class EnvChange:
    action: Action
    name: str
    before: EnvVar | None
    value: str | None = None
    ref: SecretRef | None = None
    container: str | None = None
    """The container whose variable changes; None: the one the profile's `env` describes."""
    spelt: SecretRef | None = None
    """What the write names, where it is not `ref`: a repin of the secret the variable names
    already keeps how the workload spells its project (by number, by id, omitted), only the
    version the profile's (`drift.fix.changes.env_change`)."""

    @property
    def written(self) -> SecretRef | None:
        """The reference the patch writes."""
        return self.spelt or self.ref

    @property
    def masked(self) -> bool:
        """A plain value that looks like a credential: no output prints it."""
        return self.value is not None and self.shown_value() != self.value

    def shown_value(self) -> str | None:
        """The new value as every output shows it (masked when it looks like a credential)."""
        if self.ref is not None:
            return str(self.ref)
        if self.value is None:
            return None
        return mask_plain(self.name, self.value, secret=False)

    def shown_before(self, hidden: Collection[str] = ()) -> str | None:
        """The value it has, as every output shows it; `hidden`: the workload's values that
        are never shown (`ServicePlan.hidden`)."""
        if self.before is None:
            return None
        if self.before.ref is not None:
            return str(self.before.ref)
        value = self.before.value or ""
        secret = self.action is Action.SET_SECRET or value.strip() in hidden
        return mask_plain(self.name, value, secret=secret)


@dataclass(frozen=True)
class SettingChange:
    name: str
    before: SettingValue | None
    after: SettingValue
    container: str | None = None
    """A sidecar's own setting (`CONTAINER_SETTINGS`), by the container's name; None: the
    workload's (of the container `env` describes, where the setting is a container's)."""

    @property
    def keeps(self) -> bool:
        """It writes the value that runs, which the patch's other changes would move
        (`drift.fix.kept_defaults`)."""
        return self.before == self.after


@dataclass(frozen=True)
class ManualStep:
    """What a person must do that no patch can: `commands` are templates to adapt (values in
    `<ANGLE_BRACKETS>` to fill in), shown as comments in every output, never run as is."""

    target: str
    reason: str
    commands: tuple[str, ...] = ()


@dataclass(frozen=True)
class ServicePlan:
    service: str
    full_name: str
    etag: str
    region: str
    project: str
    revision: str
    env: tuple[EnvChange, ...] = ()
    settings: tuple[SettingChange, ...] = ()
    manual: tuple[ManualStep, ...] = ()
    fixes: tuple[str, ...] = ()
    """Ids of the findings this patch repairs."""
    silenced: tuple[tuple[str | None, str], ...] = ()
    """The changes the profile's ignore left out (`drift.fix.ignored`): (container, target)."""
    containers: tuple[str, ...] = ()
    """The names of the template's containers, in order."""
    primary: str = ""
    """The container the profile's `env` describes (changes without a container go there)."""
    unreleased: str = ""
    """Why `gcloud run services update` (which builds on the service template) would carry
    more than this plan: the template differs from what serves, or its revision failed."""
    built_on: str = ""
    """The serving revision the patch applies to ("" when it applies to the template)."""
    numbers: tuple[tuple[str, str], ...] = ()
    """(id, number) of each project a secret of the patch names by id, as the read learnt it
    (`LiveState.projects`): gcloud names a secret of another project by number only."""
    hidden: frozenset[str] = frozenset()
    """Plain values of the workload never shown, whatever variable holds them: a password
    another variable held in some configuration read (`Context.hidden`)."""
    template_differences: tuple[str, ...] = ()
    """How the service's template differs from what serves (what serves → the template)."""
    failed_template: str = ""
    """A failed revision whose template the fix replaces (`template_differences`: what it had)."""
    from_template: bool = False
    """`--from-template`: the patch applies to the template, and its differences roll out."""
    at_once: tuple[str, ...] = ()
    """Settings the service holds itself (not a revision): the canary's write applies them."""
    both_levels: tuple[str, ...] = ()
    """Settings of `at_once` also written to the revision (service- and revision-level
    scaling both set: the write sets each level that would otherwise still bind)."""
    kind: Kind = Kind.SERVICE
    """A job or a worker pool is updated in place (no canary: nothing serves traffic)."""
    instances: str = ""
    """A worker pool whose instance split pins revisions: where the fix moves those
    instances, or why it cannot ("" when nothing is pinned)."""
    split_change: str = ""
    """A worker pool whose pinned instances the fix moves (`instances`), a service whose
    traffic to what the fix builds on is pinned by name (`instances.traffic_change`): the
    command moving them as the fix does, its patched revision a `<…>` to fill in ("" otherwise).
    gcloud's `worker-pools update` leaves a split as it is (gcloud 528, command_lib/run/v2/
    config_changes.py: only NoPromoteChange and InstanceSplitChange touch it), as `services
    update` leaves a target naming a revision."""
    tags: str = ""
    """What `drift fix`'s promotion does with a tag on the traffic it moves (a tag stays on
    its revision, `drift.fix.patch.promotion_tags`); "" when the moved traffic carries none."""
    renamed: str = ""
    """What `drift fix`'s update in place does with the revision name the team fixed in the
    template (a pool's: `drift.fix.patch.patched_template` clears it, a name being unique):
    `revision_name.cleared_names`; "" when it keeps it or none is fixed."""
    doomed: tuple[str, ...] = ()
    """Why any new revision of the patched configuration would fail Cloud Run's deploy-time
    check of the secrets it uses (a reference that stays, not ENABLED or not accessible):
    a fix would only add a failed revision, so none starts (the manual steps say what to do)."""
    stops: str = ""
    """Why `drift fix` stops at this workload before any write (a worker pool's:
    `instances.pool_stop`; a service's template holding what does not serve:
    `canary_left.unreleased_stop`, in fix's own words; "" when it does not): the plan shows its
    changes blocked, never as changes a fix makes."""
    token: str = ""
    """A job carrying an execution token that the fix leaves out, as every format and the
    fix's outcome say it (`drift.fix.exec_token.left_out`; "" otherwise)."""
    resent: str = ""
    """Why `gcloud run jobs update` of such a job is not a runnable line: it writes the token
    back (`drift.fix.exec_token.gcloud_resends`; "" otherwise)."""
    held: Mapping[str, SettingValue] = field(default_factory=dict, compare=False, repr=False)
    """The settings of what the patch builds on, as read when planned (`RevisionConfig
    .settings`; empty when not read): what a setting change's `Field.plan_note` sees beside
    it (a key set on a template whose revocation settings were left behind without one)."""
    live: Any = field(default=None, compare=False, repr=False)
    """The run_v2 workload as read when planned (None when not read): what a saved plan's
    journal entries are judged against (`drift.fix.saved_applied.applied_already`)."""
    unread: tuple[str, ...] = ()
    """Its items that could not be read, as `Plan.unverified` lists them: its block never
    says "nothing to change" then (SPEC guarantee 6)."""
    lost: str = ""
    """A service's write built on its serving revision would drop fields this client does not
    know (`Base.unknown`, where `drift fix` stops): its document is not appliable."""
    held_back: str = ""
    """What `drift fix --no-promote` does with a worker pool instead of moving its instances
    (its new revision gets none: `drift.fix.plan_hold.held_plan`); "" otherwise."""

    @property
    def key(self) -> str:
        return workload_key(self.kind, self.service)

    @property
    def label(self) -> str:
        """As a person reads it: `api`, `job migrate-db`."""
        return label(self.kind, self.service)

    def container_of(self, change: EnvChange) -> str:
        return change.container or self.primary

    @property
    def has_patch(self) -> bool:
        return bool(self.env or self.settings)

    @property
    def doomed_stop(self) -> str:
        """Why `drift fix` stops at a workload whose write would fail Cloud Run's deploy-time
        check of its secrets (`doomed`; "" when none): the one judgement fix's stop
        (`stops.what_stops`) and the plan's `blocked:` line (`stops`) both say (revjobs67 F1)."""
        if not self.doomed:
            return ""
        # a job's update makes no revision; it may meet the check, its executions do
        what = "its update may fail" if self.kind is Kind.JOB else "a new revision would fail"
        uses = "; ".join(map(visible, self.doomed))  # one line: live names escaped
        steps = visible(remedies(self.doomed, self.project))  # each use's own, or none
        return (
            f"{what} Cloud Run's deploy-time check of its secrets ({uses}); "
            f"{steps or 'make each secret it uses exist, enabled and accessible'}, "
            "then run drift fix again"
        )

    @property
    def blocked(self) -> str:
        """What every format says of a workload `drift fix` stops at (`stops`), before any
        write ("" when it does not stop there, or nothing of it would be written)."""
        if not (self.stops and self.has_patch):
            return ""
        return f"drift fix stops here before any write: {self.stops}"

    def incomplete(self, where: str = "below") -> str:
        """What its block says of its items not read (`unread`), in the summary's words
        (`UNREAD`), where the plan lists them; "" when all were read."""
        if not self.unread:
            return ""
        if not (self.has_patch or self.manual):
            return f"{UNREAD} ({where})"
        return f"incomplete ({where}): {plural(len(self.unread), 'item')} could not be read"

    @property
    def releases_unasked(self) -> bool:
        """Whether gcloud's update, which builds on the template, would release what does not
        serve (`unreleased`) unasked: without `--from-template`, or where `drift fix` stops
        all the same (`blocked`: a pool's pinned instances). With it, building on the
        template is what was asked, as `drift fix --from-template` does (SPEC invariant 8)."""
        return bool(self.unreleased) and (not self.from_template or bool(self.blocked))

    @property
    def stops_gcloud(self) -> bool:
        """Whether its gcloud command is a comment, never a runnable line: it would release
        the template too (`releases_unasked`), resend a job's token (`resent`), or make the
        write `drift fix` refuses for its secrets (`doomed_stop`)."""
        return bool(self.releases_unasked or self.resent or self.doomed_stop)

    @property
    def notes(self) -> tuple[str, ...]:
        """What the setting changes do beyond themselves (`Field.plan_note`), each once."""
        own = [s for s in self.settings if s.container is None]  # not a sidecar's
        changed = {s.name for s in own}
        after = {**self.held, **{s.name: FIELDS[s.name].normalise(s.after) for s in own}}
        said = [
            note(PlannedSetting(self.kind, s.before, s.after, changed, after))
            for s in own
            if (note := FIELDS[s.name].plan_note) is not None
        ]
        said.append(kept_over_tasks(self.kind, after))
        moved = sorted(  # a sidecar's cpu too (helper-555 F3)
            f"{c.container}/{c.name}" if c.container else c.name
            for c in self.settings
            if not c.keeps
        )
        said += [  # `drift.fix.kept_defaults`: a default the patch's other changes move
            f"{s.name} is written as {FIELDS[s.name].shown(s.after, self.hidden)}, as it runs "
            f"now: with {', '.join(moved)} changed, Cloud Run would run another"
            for s in own
            if s.keeps
        ]
        return tuple(dict.fromkeys(n for n in said if n))

    @property
    def changes_template(self) -> bool:
        """Whether the patch changes the template (a new revision), not only what the
        workload holds itself (a service's ingress or own scaling, a pool's instance count,
        Binary Authorization: `at_once`, and not also written to the revision)."""
        return (
            bool(self.env)
            or any(s.name not in self.at_once or s.name in self.both_levels for s in self.settings)
            # a service whose latest revision failed: an update in place keeps that template
            # and is judged by it (the service is not Ready); the canary path builds on what
            # serves and replaces it (revown13 1). A template not rolled out (a team's
            # `--no-traffic` hold) stays in place, sent back unchanged — but a setting whose
            # level is chosen from the template (min/max instances) is then chosen from what
            # does not serve: the canary path stops on it (invariant 8, revown13 2). A worker
            # pool's alike: its own instance count written beside a failed template leaves it
            # failed (helper-627), so its write replaces it too (`drift.fix.pool_base`)
            or bool(self.failed_template)
            or (
                self.kind is Kind.SERVICE
                and bool(self.template_differences)
                and any(FIELDS[s.name].level != "service" for s in self.settings)
            )
        )

    @property
    def targets(self) -> tuple[str, ...]:
        return tuple(
            [f"env.{c.name}" for c in self.env] + [f"setting.{c.name}" for c in self.settings]
        )

    def env_id(self, change: EnvChange) -> str:
        """`SERVICE/env.NAME`, or `SERVICE/CONTAINER/env.NAME` in a container other than the
        one the profile's `env` describes (what `drift fix --only` names)."""
        container = self.container_of(change)
        within = f"{container}/" if container != self.primary else ""
        return f"{self.key}/{within}env.{change.name}"

    def setting_id(self, change: SettingChange) -> str:
        """`SERVICE/setting.NAME`, or `SERVICE/CONTAINER/setting.NAME` for a sidecar's own."""
        within = f"{change.container}/" if change.container else ""
        return f"{self.key}/{within}setting.{change.name}"

    @property
    def silenced_ids(self) -> tuple[str, ...]:
        """The ids `change_ids` would give the changes an ignore left out."""
        return tuple(
            f"{self.key}/{f'{c}/' if c and c != self.primary else ''}{target}"
            for c, target in self.silenced
        )

    @property
    def change_ids(self) -> tuple[str, ...]:
        return tuple(
            [self.env_id(c) for c in self.env] + [self.setting_id(s) for s in self.settings]
        )


@dataclass(frozen=True)
class Plan(Scope):
    services: tuple[ServicePlan, ...] = ()
    unverified: tuple[str, ...] = field(default=())
    notes: tuple[str, ...] = field(default=())
    """What the plan's reader must know of the whole plan (a history not read: some values
    may show unmasked, `drift.fix.plan.history_notes`); every format says them, a script on
    stderr (never in its text). Not part of a saved plan's digest: a note is no change."""
    hints: tuple[str, ...] = field(default=())
    """What to do about the items not read, as `drift check` says it
    (`drift.format.summary.unverified_steps`): under them in `incomplete`."""

    @property
    def has_patch(self) -> bool:
        return any(s.has_patch for s in self.services)

    @property
    def manual(self) -> tuple[ManualStep, ...]:
        return tuple(m for s in self.services for m in s.manual)

    def incomplete(self) -> str:
        """What the plan could not see, as every format says it (never a plan that looks
        complete): a line, then each item with its reason; "" when everything was read."""
        if not self.unverified:
            return ""
        head = (
            f"incomplete: {plural(len(self.unverified), 'item')} could not be read; the plan "
            "may miss drift:"
        )
        # one line each: a live name's line break shown escaped (helper-591 F1)
        items = [f"  {visible(item)}" for item in self.unverified]
        return "\n".join([head, *items, *(f"hint: {hint}" for hint in self.hints)])
