"""One service's plan (`drift.fix.plan` plans the environment): the patch of what the fix
builds on towards the profile, and the manual steps for what cannot be patched, or would fail
if it were."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from drift.diff.context import Context, judged
from drift.diff.served import rollout_target
from drift.diff.settings import as_compared, undecided
from drift.fields import DEFAULT_SERVICE_ACCOUNT, FIELDS, SettingValue, Unread
from drift.fields.moot import moot_settings
from drift.findings import Finding
from drift.fix.base import Base, planned_on, unreleased_note
from drift.fix.canary_left import measured, running_rule, unreleased_stop
from drift.fix.caps import cap_steps
from drift.fix.changes import After, apply_changes, doomed, env_change
from drift.fix.commands import Commands
from drift.fix.env_limit import over_limit
from drift.fix.exec_token import gcloud_resends, left_out
from drift.fix.formats.gcloud_keep import commands_keep
from drift.fix.gpu_floor import gpu_steps
from drift.fix.grant_steps import account_step, readable, unverified_grant
from drift.fix.ignored import Silenced
from drift.fix.instances import moved_splits, moves_note, pool_plan, split_change, traffic_change
from drift.fix.journal import Entry
from drift.fix.kept_defaults import kept_defaults
from drift.fix.kept_side import fixed_there, kept_step
from drift.fix.manual import (
    blocked_step,
    constraint_step,
    pattern_step,
    project_numbers,
    rollout_repaired,
    rollout_step,
    same_subject,
    secret_blocker,
    secret_version_step,
    unread_steps,
)
from drift.fix.model import EnvChange, ManualStep, ServicePlan, SettingChange
from drift.fix.mount_step import mount_step, unreachable
from drift.fix.patch import promotion_tags
from drift.fix.probetag import moved_tag_steps, probe_tag_steps
from drift.fix.proposed import Proposed, unwritable_steps
from drift.fix.recorded import written_levels
from drift.fix.revision_name import renamed_note
from drift.fix.sidecar_settings import limit_steps, sidecar_changes
from drift.fix.startup_steps import order_steps
from drift.fix.tag_steps import tag_steps
from drift.kinds import Kind
from drift.live.iam_policy import Grant
from drift.live.model import LiveService
from drift.live.secret_state import VersionState
from drift.live.state import LiveState
from drift.profiles.model import Profile, ServiceProfile, Setting, VarRule, stated_values
from drift.refs import SecretRef
from drift.rules import FIXABLE, HISTORY
from drift.secret_target import secret_key


class ServicePlanner:
    """Patch what the fix builds on (what serves, or the template with `--from-template`)
    towards the profile; what cannot be patched, or would fail if it were, becomes a manual
    step judged against what the patch leaves."""

    def __init__(
        self,
        profile: Profile,
        service: ServiceProfile,
        live: LiveService,
        state: LiveState,
        base: Base | None = None,
        *,
        from_template: bool = False,
        entries: Sequence[Entry] = (),
    ) -> None:
        self.profile, self.service, self.live, self.state = profile, service, live, state
        self.entries = entries  # the journal's: what left a canary (`rollout_step`)
        self.base, self.from_template = base, from_template  # a pool's (a service's: `base`)
        self.template = template = base.config if base else planned_on(live, from_template)
        self.cmd = Commands(
            profile.project,
            profile.region,
            service.name,
            template.primary if len(template.containers) > 1 else "",  # several
            service.kind,
            state.number_of(profile.project),
            state.number_of,
            **commands_keep(
                service.kind, live.source, Context(profile, state, service, live).hidden
            ),
        )
        self.manual: list[ManualStep] = []

    def plan(self, findings: list[Finding], ignored: Sequence[Finding] = ()) -> ServicePlan:
        """`findings`: the workload's active ones; `ignored`: those the profile silences (a
        change they alone ask for is left: `drift.fix.ignored`)."""
        template, base = self.template, self.base
        # a revision reached only through a tag is not what a patch writes: the tag's step
        on_tags, findings = [f for f in findings if f.tag], [f for f in findings if not f.tag]
        where = (self.profile.project, self.profile.region)
        self.manual += unread_steps(self.cmd, self.service.settings, template.unreadable)
        # moot as the profile wants it (a revocation action with no key): no change, no write
        moot = moot_settings(stated_values(self.service.settings), template.settings)
        stated = [
            s
            for s in self.service.settings.values()
            if s.name not in template.unreadable and s.name not in moot
        ]

        def meets(s: Setting, read: SettingValue | None) -> bool:
            seen = as_compared(s, read, self.state, where[0])
            return undecided(s, seen) or s.satisfied_by(seen, where)

        wrong = [s for s in stated if not meets(s, template.settings.get(s.name))]
        silenced = Silenced(findings, ignored, self._key, template.primary)
        wrong = silenced.stated(wrong)  # an ignored pattern's or blocked setting's step too
        source = self.live.source
        blocked = {s.name: why for s in wrong if (why := FIELDS[s.name].unpatchable(source))}
        settings = [
            SettingChange(s.name, template.settings.get(s.name), s.value)
            for s in wrong
            if s.pattern is None and s.name not in blocked
        ]
        self.manual += [
            pattern_step(self.cmd, s, template.settings.get(s.name))
            for s in wrong
            if s.pattern is not None
        ]
        self.manual += [
            blocked_step(self.cmd, s.name, s.value, blocked[s.name])
            for s in wrong
            if s.name in blocked
        ]
        on = base.template if base is not None else None  # a job's, pool's: own (`pool_base`)
        # a GPU on too small an instance first: under a GPU, a cpu below 1 is refused for it
        proposed = Proposed(self.live, on, self.service.container, settings)
        side, steps = sidecar_changes(self.service, template, self._within, silenced.kept)
        proposed, side, unmounted = unwritable_steps(self.cmd, proposed, side)
        settings, side, gpu = gpu_steps(self.cmd, proposed, side)
        floored = replace(proposed, settings=settings)  # with the sidecars' limits: one write
        settings, side, floor, held = limit_steps(self.cmd, floored, side, self._within)
        settings, cap = cap_steps(self.cmd, replace(proposed, settings=settings))
        settings, order = order_steps(replace(proposed, settings=settings + side))
        self.manual += unmounted + gpu + floor + cap + steps + held + order  # below 1 CPU…
        settings += kept_defaults(  # a sidecar's cpu moves the instance's too (helper-554 F3)
            replace(proposed, settings=settings), stated, meets, template.settings
        )
        account = str(template.settings.get("service_account", DEFAULT_SERVICE_ACCOUNT))
        planned_account = next(
            (str(c.after) for c in settings if c.name == "service_account"), account
        )
        env = silenced.env(self._env_changes(planned_account))
        env, full = over_limit(self.service.kind, template, env)  # Cloud Run's 1,000 a container
        self.manual += silenced.steps + full
        after = apply_changes(template, env)
        if planned_account != account and self._unverified(after, planned_account):
            self.manual.append(
                account_step(self.state, self.cmd, self.profile.project, after, planned_account)
            )
            settings = [c for c in settings if c.name != "service_account"]
            planned_account = account
            env = [c for c in env if c.ref is None or self._readable(c.ref, account)]
            after = apply_changes(template, env)
        patched: set[tuple[str | None, str]] = {
            (c.container or template.primary, f"env.{c.name}") for c in env
        }
        patched |= {(c.container, f"setting.{c.name}") for c in settings}
        to = rollout_target(self.live)  # what the fix writes; the older side keeps its own
        done = [f for f in findings if self._key(f) in patched and fixed_there(self.live, f, to)]
        fixes = sorted(
            (f for f in done if f.rule in FIXABLE), key=lambda f: (f.target, FIXABLE.index(f.rule))
        )
        fix_ids = [f.id for f in fixes]
        at_once, both = written_levels(source, settings, self.entries, self.live.full_name)
        sp = ServicePlan(
            service=self.service.name,
            full_name=self.live.full_name,
            etag=self.live.etag,
            live=self.live.source,
            held={**template.settings, **{n: Unread(r) for n, r in template.unreadable.items()}},
            region=self.profile.region,
            project=self.profile.project,
            # what `drift fix` builds on (a pool's: `rollout_target`), else the most serving
            revision=(base.revision if base is not None else to)
            or (self.live.serving[0].name if self.live.serving else self.live.latest_ready),
            env=tuple(env),
            settings=tuple(settings),
            containers=tuple(c.name for c in template.containers),
            primary=template.primary,
            unreleased=unreleased_note(self.live, self.state, self.profile.project),
            built_on=base.revision if base is not None and not base.on_template else "",
            numbers=project_numbers((ref for *_, ref in after.uses), self.state),
            hidden=Context(self.profile, self.state, self.service, self.live).hidden,
            template_differences=base.differences if base is not None else (),
            failed_template=base.failed if base is not None else "",
            from_template=base.on_template if base is not None else False,
            at_once=at_once,
            both_levels=both,
            kind=self.service.kind,
            # a job's template is checked as a revision's ("During job creation, Cloud Run checks
            # all the secrets you use", run/docs/configuring/jobs/secrets; an update too, Google
            # leaves open: sandbox `job_update_secret_check`): never one failing it (revjobs60 F2)
            doomed=doomed(after, self.state, planned_account),
        )
        canary = sp.kind is Kind.SERVICE and sp.changes_template and base is not None
        stops = sp.stops  # else fix's stop at an unreleased template, where it makes a canary
        # what the older side's move runs: the template with `--from-template` (`fix_base`)
        kept_on = (to, template, base is not None and base.on_template and bool(base.differences))
        if canary and base and not stops:
            running = running_rule(self.state, self.service.key)
            environment = self.profile.environment
            stops = unreleased_stop(base, self.live, environment, self.entries, running)
            if stops:  # measured where its `blocked:` line says, the older side's move too
                rev, lines, ran = measured(base, self.live, self.entries)
                sp, kept_on = replace(sp, template_differences=lines), (rev, ran, False)
        for f in findings:
            if any(f is d for d in done) or f.rule.startswith("probe."):
                continue
            if f.rule == "revision.rollout" and rollout_repaired(
                f, self.live, (env, settings), self.service.settings, where
            ):
                fix_ids.append(f.id)  # the patch writes the template back to what it runs
                continue
            # a revision to make (an update in place makes none), and fix's stop before it
            left = kept_step(self.cmd, self.live, f, kept_on, sp.changes_template, bool(stops))
            own = self._manual_for(f, after, planned_account)  # a grant repairs every side
            step = left if left and (f.rule in HISTORY or own is None) else own
            if step is None and f.rule.startswith("secret."):
                fix_ids.append(f.id)  # the patch no longer references what was broken
            elif step is not None:
                self._once(step)
        self.manual += tag_steps(self.cmd, self.live, on_tags, self.service.checks_tag)
        sp = replace(sp, manual=tuple(self.manual), fixes=tuple(dict.fromkeys(fix_ids)))
        if not sp.changes_template:
            # only what the workload holds itself (a pool's manual instance count: "does not
            # create a new revision", run/docs/configuring/workerpools/manual-scaling): no
            # revision, so no deploy-time check of its secrets (revjobs60 F1); what a pool's
            # template holds that does not serve stays as it is, nothing of it goes out
            pool = sp.kind is Kind.WORKER_POOL
            sp = replace(sp, doomed=(), unreleased="" if pool else sp.unreleased)
        sp = pool_plan(sp, self.live, from_template=self.from_template, base=base)
        built_on = base.revision if base else ""
        kept = probe_tag_steps(self.cmd, self.service, source, sp, built_on)
        kept += moved_tag_steps(self.cmd, self.service, source, sp, built_on)
        moves = moves_note(self.live, built_on) if sp.changes_template else ""
        tags = promotion_tags(source.traffic, base.revision) if canary and base else ""
        moved = bool(moves) and bool(moved_splits(self.live, "", built_on).moved)
        renamed = renamed_note(sp, source, moved, canary) if sp.has_patch else ""
        split = split_change(self.cmd, self.live, built_on) if moved and sp.has_patch else ""
        if canary and base:  # a service's: the share pinned to what serves, moved by hand,
            # unless fix stops before it makes the revision to move it to
            split = "" if stops else traffic_change(self.cmd, source, base.revision)
        if canary and base and base.unknown:  # the fix stops there (start.what_stops): say why
            kept += (ManualStep("revision", f"drift fix stops at {sp.label}: {base.unknown}"),)
        job = sp.kind is Kind.JOB and sp.has_patch  # its write leaves out its token
        return replace(
            sp, instances=moves, tags=tags, renamed=renamed, manual=sp.manual + kept,
            split_change=split, token=left_out(source) if job else "",
            resent=gcloud_resends(source) if job else "", silenced=tuple(silenced.dropped),
            # fix's stop for its secrets first, as `stops.what_stops` judges it (revjobs67 F1),
            # then a pool's own (`pool_plan`), else a service's
            stops=sp.doomed_stop or sp.stops or stops,
        )  # fmt: skip

    def _key(self, f: Finding) -> tuple[str | None, str]:
        """What a finding is about, as the patch names it: (container, `env.NAME`), or
        (None, `setting.NAME`)."""
        if f.target.startswith("setting."):
            sidecar = f.container if f.container != self.template.primary else None
            return sidecar, f.target
        return f.container or self.template.primary, f.target

    def _within(self, container: str) -> Commands:
        return replace(self.cmd, container=container) if self.cmd.container else self.cmd

    def _env_changes(self, account: str) -> list[EnvChange]:
        """The variable changes of every container the profile describes (the one `env`
        describes, and each sidecar of `containers:`)."""
        env: list[EnvChange] = []
        primary = self.template.primary
        for rules in judged(self.service, self.template):  # none on a guessed container
            name = rules.name or primary
            if not self.template.has(name):
                self._once(
                    ManualStep(
                        f"container.{name}",
                        f"the revision has no container {name}: drift does not add containers; "
                        "deploy it with the container, or drop it from the profile",
                    )
                )
                continue
            current = self.template.named(name).env
            cmd = self._within(name)
            sidecar = name if name != primary else None
            own = self.template.sets_itself(self.service.kind, name)  # not judged: unverified
            stated = {n: r for n, r in rules.env.items() if n not in own}
            mine: list[EnvChange] = []
            for rule in stated.values():
                live = current.get(rule.name)
                project = self.profile.project
                change = env_change(rule, live, sidecar, self.state, project)
                # Most variables are as stated: no change, and nothing to say
                if change is not None or (live is None and rule.must_exist):
                    mine += self._var_change(rule, change, cmd, account)
            env += mine
        return env

    def _var_change(
        self, rule: VarRule, change: EnvChange | None, cmd: Commands, account: str
    ) -> list[EnvChange]:
        """The change a rule asks for, if it can be made; `None`: the variable is missing
        and the profile states no value to set."""
        if change is None:
            self.manual.append(
                ManualStep(
                    f"env.{rule.name}",
                    f"{rule.name} is missing and the profile states no value to set",
                    (cmd.set_plain(rule.name),),
                )
            )
            return []
        if change.ref is not None:
            blocker = secret_blocker(self.state, rule.name, change.ref, account, cmd)
            if blocker is not None:
                self._once(blocker)
                return []
            if (unsure := unverified_grant(self.state, change.ref, account, cmd)) is not None:
                self._once(unsure)  # never read as granted; the change stays (it may be)
        return [change]

    def _once(self, step: ManualStep) -> None:
        said = {same_subject(m.target, self.state, self.profile.project) for m in self.manual}
        if same_subject(step.target, self.state, self.profile.project) not in said:
            self.manual.append(step)

    def _readable(self, ref: SecretRef, account: str) -> bool:
        return readable(self.state, account, ref)

    def _unverified(self, after: After, account: str) -> bool:
        """An account to set must be granted every secret the revision uses: denied, the
        revision cannot start; unknown (a grant drift cannot evaluate or read), drift cannot
        say it will."""
        return any(self.state.grant(account, r) is not Grant.GRANTED for _, _, r in after.uses)

    def _manual_for(self, f: Finding, after: After, account: str) -> ManualStep | None:
        name = f.target.split(".", 1)[-1]
        container = f.container or self.template.primary
        cmd = self._within(container)
        if f.rule in ("secret.missing", "secret.disabled", "secret.destroyed"):
            bad = [
                (where, user, ref)
                for where, user, ref in after.uses
                if secret_key(ref, self.state, self.profile.project) == name
                and (info := self.state.versions.get(ref)) is not None
                and info.state is not VersionState.ENABLED
            ]
            if not bad:
                return None  # the patch no longer references what was broken
            where, _, ref = bad[0]
            users = [user for w, user, r in bad if r == ref and w == where]
            reached, why = unreachable(self.template, where, users, self.service.kind.noun)
            step = secret_version_step(self._within(where), ref, self.state, reached, f.message)
            return replace(step, reason=step.reason + why) if why else step
        if f.rule == "secret.no_access":
            own = self.profile.project
            uses = (r for _, _, r in after.uses if secret_key(r, self.state, own) == name)
            if denied := next((r for r in uses if not self._readable(r, account)), None):
                return ManualStep(f.target, f.message, (cmd.grant(denied, account),))
            return None
        sets = [
            r for r in self.service.containers if (r.name or self.template.primary) == container
        ]
        rule = next((r.env[name] for r in sets if name in r.env), None)
        live = self.template.named(container).env.get(name)
        if f.rule in ("env.constraint", "env.inconsistent") and rule and live:
            return constraint_step(cmd, rule, live, f.message)
        if f.rule == "env.plaintext_secret":
            moves = cmd.move_to_secret(name, rule.ref if rule else None)
            return ManualStep(f.target, f"{f.message}: move it to Secret Manager", moves)
        if f.rule == "env.unexpected":
            removed = any(name in r.removed_env for r in sets)  # its rule, by a `null`
            return ManualStep(
                f.target,
                f"{f.message}{'; or' if removed else ': add it to the profile, or'} remove it",
                (cmd.remove_env(name),),
            )
        if f.rule == "revision.rollout":
            environment, key = self.profile.environment, self.service.key
            return rollout_step(self.cmd, self.live, f, self.state, environment, key, self.entries)
        if f.rule.startswith("mount."):
            mount = next((r.mounts[name] for r in sets if name in r.mounts), None)
            wanted = mount.ref if mount is not None else None
            seen = self.template.named(container)
            named = {p: m.ref for r in sets for p, m in r.mounts.items()}
            return mount_step(cmd, f.target, f.message, name, wanted, seen, named, f.rule)
        return None
