"""What every rule evaluation needs: the profile, what was read, the service's expectations and
live state (`Context`), and the revision being checked (`At`), with a way to make a finding
with its stable id."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from functools import cached_property

from drift.diff.describe import Rank, moved_values
from drift.diff.unserved import JournalCanaries
from drift.findings import Finding, Location, Severity, finding_id
from drift.kinds import Kind
from drift.live.changeids import tagged_change
from drift.live.model import (
    EnvVar,
    LiveService,
    RevisionConfig,
    RevisionVariables,
    ServingRevision,
)
from drift.live.normalize import raw
from drift.live.remember import referenced
from drift.live.state import LiveState, RevisionRecord
from drift.profiles.model import ContainerRules, Profile, ServiceProfile
from drift.refs import SecretRef


@dataclass
class Context:
    profile: Profile
    state: LiveState
    service: ServiceProfile
    live: LiveService
    journal: JournalCanaries | None = None
    """What drift's journal here recorded of its canaries (None: not read)."""

    def finding(
        self,
        rule: str,
        target: str,
        message: str,
        *,
        revision: str | None,
        location: Location | None = None,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = Severity.ERROR,
        container: str | None = None,
        tag: str | None = None,
        tags: tuple[str, ...] = (),
        scope: str | None = None,
        variant: str | None = None,
        failed: tuple[str, ...] = (),
    ) -> Finding:
        """`location`: the profile line the expectation comes from; by default the workload's
        own entry (a finding about the workload as a whole: its rollout, its executions).
        `scope` (a sidecar's name) keeps the ids of the same target in two containers apart;
        the main container's findings keep the id they always had. A job's or worker pool's
        ids hold its kind (a service's do not: they stay what they were). `variant` keeps two
        findings of one rule on one target apart (a secret's expiry, its version's
        destruction, the state of a version only pinned references use)."""
        key = f"{target}@{scope}" if scope else target
        key = f"{key}#{variant}" if variant else key
        key = f"{key}~{tag}" if tag else key  # a revision reached only through that tag
        return Finding(
            id=finding_id(self.profile.environment, self.service.key, rule, key),
            rule=rule,
            severity=severity,
            service=self.service.name,
            revision=revision or None,
            target=target,
            message=message,
            expected=expected,
            actual=actual,
            location=location if location is not None else self.service.location,
            container=container,
            scope=scope,
            tag=tag,
            tags=tags or ((tag,) if tag else ()),
            kind=self.service.kind,
            failed=failed,
            generation=self.generation,
        )

    @cached_property
    def generation(self) -> str | None:
        """A live job's `UID/GENERATION` (`Finding.generation`); None for another kind or a
        manifest's job, which is no generation yet."""
        if self.live.kind is not Kind.JOB or self.live.source is None or self.live.manifest:
            return None
        job = raw(self.live.source)
        return f"{job.uid}/{job.generation}" if job.generation else None

    def value(self, var: EnvVar) -> str | None:
        """What a variable holds: its plain value, or the value its secret resolved to (None
        when that was not read)."""
        if var.ref is not None:
            return self.state.values.get(var.ref)
        return var.value

    def inlined(self, var: EnvVar) -> bool:
        """Whether `var` holds a plain value where some configuration read of this workload
        (its template, a revision it serves, an older one read for `since`) has a secret
        reference of the same name: that secret's value pasted in, very likely, never shown
        however short (`drift.live.remember.inlined`, which registers the longer ones)."""
        return var.ref is None and var.name in self._referenced

    def never_shown(self, var: EnvVar) -> bool:
        """Whether `var`'s plain value is never shown, whatever its own name: `inlined`, or a
        value some configuration read of this workload hides whole as its own variable's
        (`moved_values`: `DB_PASSWORD=…` in an older revision, the same value in `PGPASS`
        now), as `drift history` masks it."""
        return self.inlined(var) or (var.ref is None and (var.value or "").strip() in self.hidden)

    @cached_property
    def hidden(self) -> frozenset[str]:
        """`moved_values` of every configuration read of this workload (once a run: each rule
        makes its own `Context`; again once more of its history is read)."""
        return moved_of(self.state, self.service.key, self.live)

    @cached_property
    def _read(self) -> tuple[RevisionVariables, ...]:
        """The variables of every configuration read of this workload: its template, the
        revisions it serves or tags, and those read of its history (for `since`)."""
        older = self.state.history.get(self.service.key, ())
        return (*(c.variables for c in self.live.configs), *(r.variables for r in older))

    @cached_property
    def _referenced(self) -> frozenset[str]:
        return referenced(self._read)

    def same_ref(self, expected: SecretRef, live: SecretRef) -> bool | None:
        """Whether a live reference is the one expected: the same secret and version in the
        same project, whichever way each names it (omitted for the service's own project, an
        id or a number); None when that cannot be told (`LiveState.same_ref`)."""
        return self.state.same_ref(expected, live, self.profile.project)


@dataclass
class At:
    """One revision being checked: the revision a finding is read from, and the tag when it is
    reached only through one."""

    ctx: Context
    revision: ServingRevision

    @property
    def name(self) -> str:
        return self.revision.name

    @property
    def config(self) -> RevisionConfig:
        return self.revision.config

    @property
    def rules(self) -> tuple[ContainerRules, ...]:
        """`judged` on this revision."""
        return judged(self.ctx.service, self.config)

    @property
    def tag(self) -> str | None:
        return self.revision.only_tag

    @property
    def tags(self) -> tuple[str, ...]:
        """The tags a revision reached only through tags is reached by (none for one with
        traffic): its findings' `tag` first, then every other that `check_tags` selects, by
        name: each URL serves it (helper-739 F3: `e2e` and `qa` on one revision). Drift's own
        canary tag only where it is the finding's `tag` (`only_tag`: the revision has no
        other): a plan's manual step leaves it out, and an ignore entry naming it, short-lived,
        never silences the drift a team's tag reaches (helper-778 F2)."""
        if self.tag is None:
            return ()
        checked = self.ctx.service.checks_tag
        others = (t for t in self.revision.tags if t != self.tag and checked(t))
        return (self.tag, *(t for t in others if tagged_change(t) is None))

    @property
    def through(self) -> str:
        """`tags` in words: `tag e2e`, `tags e2e, qa` ("" for none)."""
        tags = self.tags
        return ("tags " if len(tags) > 1 else "tag ") + ", ".join(tags) if tags else ""

    @property
    def where(self) -> str:
        """The revision as messages name it (with its tags when reached through them); a job,
        which has no revisions, by itself, and so any workload a manifest describes, whose
        revision is named `manifest:FILE` (that name is the finding's `revision`, and the
        table's heading): "LOG_LEVEL on service api", as "on job migrate" (helper-834 F8).
        A revision a manifest's traffic keeps is a revision (its name, its tags)."""
        service = self.ctx.service
        if self.name and self.name == self.ctx.live.manifest:
            return f"{service.kind.noun} {service.name}"
        if not self.name or service.kind is Kind.JOB:
            return service.label
        return f"{self.name} ({self.through})" if self.tag else self.name

    def on(self, container: str) -> str:
        """Where something is, in words: the revision, and the container when it has several
        (every output format shows the message; the container is not in all of them)."""
        if len(self.config.containers) > 1:  # a manifest's may have no name (Container.name
            # is optional: "Name of the container specified as a DNS_LABEL"): helper-551 F4
            return f"{self.where} (container {container or 'with no name'})"
        return self.where

    def finding(
        self,
        rule: str,
        target: str,
        message: str,
        *,
        location: Location,
        expected: str | None = None,
        actual: str | None = None,
        severity: Severity = Severity.ERROR,
        container: str | None = None,
        variant: str | None = None,
        failed: tuple[str, ...] = (),
        scoped: bool = True,
    ) -> Finding:
        """`scoped`: a sidecar's findings are told apart by its name in their id (False: the
        target names the container already, `container.missing`)."""
        name = container if container is not None else self.config.primary
        sidecar = scoped and name != self.config.primary
        return self.ctx.finding(
            rule,
            target,
            message,
            revision=self.name,
            location=location,
            expected=expected,
            actual=actual,
            severity=severity,
            container=name if len(self.config.containers) > 1 else None,
            tag=self.tag,
            tags=self.tags,
            scope=name if sidecar else None,
            variant=variant,
            failed=failed,
        )


def judged(service: ServiceProfile, config: RevisionConfig) -> tuple[ContainerRules, ...]:
    """The profile's rule sets judged (and planned) on `config`, each on its container: all of
    them, but the main one (`env`, its mounts) where which container it describes cannot be
    told (`RevisionConfig.undescribed`: not verified, `drift.diff.undescribed`)."""
    sets = service.containers
    return sets[1:] if config.undescribed else sets


def moved_of(state: LiveState, key: str, live: LiveService) -> frozenset[str]:
    """`moved_in` of the workload `key` as `state` read it, worked out once a run whoever
    asks (`Context.hidden`, compare's views; again once more of its history is read)."""
    older = state.history.get(key, ())
    cached = ("moved", key, len(older), len(live.configs))
    if cached not in state.derived:
        state.derived[cached] = moved_in(older, live)
    found: frozenset[str] = state.derived[cached]
    return found


def moved_in(older: Sequence[RevisionRecord], live: LiveService) -> frozenset[str]:
    """`moved_values` of every configuration read of a workload (`live`, and `older`: its
    history as read), ranked by when it was made: the history in its order; a revision that
    serves or is tagged and is not in it by its `create_time`, after it (as Cloud Run lists
    none: `--no-history`, a deploy landed since); the template last."""
    at = {r.name: i for i, r in enumerate(older)}
    ranked: list[tuple[Rank, RevisionVariables]] = []
    ranked += [((0, i, 0.0), r.variables) for i, r in enumerate(older)]
    for revision in (r for r in live.checked if r.name not in at):  # else: by it
        made = raw(revision.source) if revision.source is not None else None
        if made is not None and made.HasField("create_time"):
            rank = (1, 0, made.create_time.seconds + made.create_time.nanos / 1e9)
        else:
            rank = (2, 0, 0.0)  # described by the template: the latest
        ranked.append((rank, revision.config.variables))
    ranked.append(((2, 0, 0.0), live.template.variables))
    return moved_values(ranked)
