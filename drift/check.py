"""`drift check`: read what runs (or what is about to: another `Source`), diff it against the
profile, optionally probe, report."""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, replace
from functools import partial
from typing import Protocol

from drift.causes import attach_causes, encryption_keys, kept_warm, scaled_to_zero
from drift.diff import apply_ignores, diff
from drift.diff.context import At, Context
from drift.diff.engine import configuration_findings
from drift.diff.env import reserved_vars
from drift.diff.ignores import unmatched_ignores
from drift.diff.inlined import hide_inlined
from drift.diff.rotation import rotated_notes
from drift.diff.same_as import to_read, uncompared
from drift.diff.secrets import unknown_refs
from drift.diff.settings import unread_settings
from drift.diff.since import History, with_since
from drift.diff.undescribed import undescribed
from drift.diff.unlisted import histories_unread, unlisted_revisions
from drift.diff.unread_values import unread_values
from drift.diff.unserved import CanaryRecord, JournalCanaries
from drift.errors import ApiError, UsageError
from drift.findings import Finding, ProbeResult, Unverified
from drift.kinds import Kind, split_key
from drift.live.calls import CallRunner
from drift.live.held_still import held_still
from drift.live.history import list_revisions
from drift.live.model import LiveService
from drift.live.reader import HistoryWanted
from drift.live.remember import remember_history
from drift.live.session import Session, read_live
from drift.live.state import LiveState
from drift.live.value_reads import unread_values_note
from drift.next_steps import refused_throughout
from drift.profiles.model import Profile, ServiceProfile, utc_today
from drift.redact import mask
from drift.report import Report
from drift.rules import HISTORY
from drift.settings import Settings


@dataclass
class CheckResult:
    report: Report
    state: LiveState


@dataclass(frozen=True)
class Reading:
    """How a source reads: with which settings and call runner, and whose revision history
    it reads too."""

    settings: Settings
    runner: CallRunner | None = None
    history: HistoryWanted | None = None
    compared: frozenset[str] = frozenset()
    """The keys of workloads read only for what a `same_as` compares with (`to_read`)."""


class Source(Protocol):
    """Where "what runs" is read from, as the same `LiveState` whoever describes it: the live
    services (`LiveSource`), or the files a pipeline is about to deploy (`drift.manifest`).
    Everything after the read (diff, rules, ignores, report, exit code) is shared."""

    deployed: bool
    """What the source describes is deployed (so it can be probed and has a history)."""
    notes: tuple[str, ...]
    """What the report should say about what was read (and what was not)."""

    def scope(self, profile: Profile, names: list[str]) -> list[str]:
        """Which of the services asked for this source describes (the others are not
        checked)."""
        ...

    async def read(self, profile: Profile, names: list[str], how: Reading) -> LiveState: ...

    def settle(self, findings: list[Finding]) -> list[Finding]:
        """The findings the source can vouch for (a value not known yet is no drift)."""
        ...


@dataclass
class LiveSource:
    """The serving (and tagged) revisions, read from Cloud Run."""

    deployed: bool = True
    notes: tuple[str, ...] = ()

    def scope(self, profile: Profile, names: list[str]) -> list[str]:
        return names

    async def read(self, profile: Profile, names: list[str], how: Reading) -> LiveState:
        settings = how.settings
        return await read_live(
            profile,
            names,
            settings.access(),
            how.runner,
            wait=settings.wait,
            history=how.history,
            compared=how.compared,
        )

    def settle(self, findings: list[Finding]) -> list[Finding]:
        return findings


async def run_check(
    profile: Profile,
    settings: Settings,
    *,
    services: Sequence[str] | None = None,
    probe: bool = False,
    environ: Mapping[str, str] | None = None,
    today: dt.date | None = None,
    runner: CallRunner | None = None,
    source: Source | None = None,
    canaries: JournalCanaries | None = None,
    ignored_since: bool = True,
) -> CheckResult:
    """`canaries`: what drift's journal recorded of its canaries (`drift.fix.served`), for
    `since` to pass over one that never served where the revisions alone cannot tell, and for
    a canary at 0 % to be said from its journal entry here (`JournalCanaries.left`).
    `ignored_since`: an output shows an ignored finding's `since` (JSON, SARIF, a baseline);
    else no history is read for drift an `ignore` silences (helper-663 L2)."""
    if source is None:
        source = LiveSource()
    if probe and not source.deployed:
        raise UsageError("--probe does not apply here: nothing is deployed to probe")
    names = source.scope(profile, profile.select(services))
    targets_env = dict(environ or {})
    if probe:
        from drift.probe.live import check_probe_config

        check_probe_config(profile, names, targets_env)
    history = settings.history and source.deployed
    chosen = set(names)
    today = today or utc_today()
    silenced = None if ignored_since else today
    wanted = partial(_drifted, chosen, profile, LiveState(), silenced) if history else None
    # what a `same_as` of the checked services compares with is read too (never reported)
    reading, read = to_read(profile, names) if source.deployed else (profile, list(names))
    compared = frozenset(reading.services[n].key for n in read[len(names) :])
    state = await source.read(reading, read, Reading(settings, runner, wanted, compared))
    if len(read) > len(names):
        state.unverified[:] = [u for u in state.unverified if u.key in chosen or u.key == "-"]
    state.unverified.extend(uncompared(profile, names, read, state))
    state.unverified.extend(reserved_vars(profile, names, state))
    state.unverified.extend(undescribed(profile, names, state))
    state.unverified.extend(unread_settings(profile, names, state))
    state.unverified.extend(unknown_refs(profile, names, state))
    state.unverified.extend(unread_values(profile, names, state))
    if source.deployed:
        state.unverified.extend(_unaccounted(names, state))
    found = source.settle(diff(profile, names, state, today, canaries))
    if source.deployed:  # a secret finding of reads at two moments is confirmed, or unverified
        found = await held_still(profile, found, state, settings.access(), runner)
    traced = [f for f in found if ignored_since or not f.ignored]
    if history and (late := [k for k in _tracing(traced, state) if not _listed(k, state)]):
        # a drift judged only once everything is read (`same_as`: the other workload's value)
        await _list_histories(profile, settings, state, late, runner)
    # a service's revisions read for its pin alone (`drift.live.trap.own_pin`) give no `since`
    # where the history is not wanted
    findings = _traced(profile, state, found, canaries) if history else found
    probes: list[ProbeResult] = []
    idle: tuple[str, ...] = ()  # a probe asked for where no probe is described
    if probe:
        from drift.probe.live import nothing_to_probe, probe_services, unprobed

        idle = nothing_to_probe(profile, names)
        state.unverified.extend(unprobed(profile, names, state))

        probes, changed = await probe_services(profile, names, state, targets_env, settings, runner)
        state.unverified.extend(changed)
        probes, probe_findings = attach_causes(
            profile,
            probes,
            findings,
            unverified=state.unverified,
            keys=encryption_keys(state),
            tags=state.tag_only(),
            warm=kept_warm(state),
            zero=scaled_to_zero(state),
        )
        # made after the diff, which applied the ignores to its own: an entry naming a probe
        # rule (`{service: api, rule: probe.close_1011}`) silences the probe's finding too
        findings.extend(apply_ignores(profile, probe_findings, today))
    # on what is deployed: a manifest does not show what only a live service has (its
    # rollout, its secrets' state), which an entry may be for
    stale = (
        unmatched_ignores(
            profile, names, findings, state.unverified, {p.service for p in probes}, state
        )
        if source.deployed
        else []
    )
    report = Report.of(
        profile,
        names,
        settings.fail_on,
        findings=findings,
        probes=probes,
        unverified=_unique(state.unverified, profile),
        source="" if source.deployed else "manifest",
    )
    if source.deployed and (refused := _refused_project(profile, names, state)) is not None:
        report = replace(report, project_refused=refused)
    if source.deployed and names and all(n in state.missing for n in names):
        report = replace(report, region_empty=profile.region_from)  # nothing found there
    absent = _tag_notes(profile, names, state) if source.deployed else []
    notes = (
        *profile.notes,
        *source.notes,
        *absent,
        *histories_unread(profile, names, state),
        *unlisted_revisions(profile, findings, state),
        *(rotated_notes(profile, names, state) if source.deployed else ()),
        *stale,
        *state.notes,
        *unread_values_note(state.unmasked),  # a plain copy shown as it is (helper-781 C1)
        *idle,
    )
    if notes:
        report = replace(report, notes=(*report.notes, *notes))
    return CheckResult(report, state)


def _traced(
    profile: Profile, state: LiveState, findings: list[Finding], canaries: CanaryRecord | None
) -> list[Finding]:
    """`findings`, each with its `since` where its service's revision history was read."""
    if not state.history:
        return findings
    histories = {
        name: History(
            Context(profile, state, profile.services[name], state.services[name]),
            records,
            canaries,
        )
        for name, records in state.history.items()
        if name in state.services
    }
    # made before the older revisions were read (a late `same_as`): masked
    # as the rules mask a secret pasted in, now that those revisions tell which is one
    return with_since(list(hide_inlined(profile, state, findings)), histories)


def _tracing(findings: Sequence[Finding], state: LiveState) -> list[str]:
    """The workloads whose revisions have a finding a revision can begin (a job has none)."""
    keys = {f.key for f in findings if f.rule in HISTORY and f.revision and f.key in state.services}
    return [k for k in sorted(keys) if state.services[k].kind is not Kind.JOB]


def _listed(key: str, state: LiveState) -> bool:
    return key in state.history or key in state.history_unread


async def _list_histories(
    profile: Profile,
    settings: Settings,
    state: LiveState,
    keys: list[str],
    runner: CallRunner | None,
) -> None:
    """The revision history of each workload of `keys`, into `state` (why not, where not)."""
    async with Session(settings.access(), runner) as session:

        async def listed(key: str) -> None:
            live, service = state.services[key], profile.services[key]
            try:
                records = await list_revisions(
                    session.clients, session.runner, live.source, service.container, live.kind
                )
            except ApiError as exc:  # as a check's own read: no partial `since`
                state.history_unread[key] = exc.brief
                return
            # an older revision's reference tells which plain value is a secret pasted in
            # (`remember_history`), registered before anything renders: every format masks
            # a finding's words again then (`drift.format.interface`), those made before too
            remember_history(live, records)
            state.history[key] = records

        await asyncio.gather(*(listed(k) for k in keys))


def _unaccounted(names: Sequence[str], state: LiveState) -> list[Unverified]:
    """A workload checked that the read left neither read, nor missing, nor unverified: no
    path of the reader should leave one so, and one that did would be reported clean with no
    finding (revmutant2: a single line kept a failed re-read during `--wait` from that). It is
    unverified here, whatever path forgot it: incomplete never looks clean."""
    said = {u.key for u in state.unverified}
    return [
        Unverified.at(key, split_key(key)[0].value, "not read: drift has no answer for it")
        for key in names
        if key not in state.services and key not in state.missing and key not in said
    ]


def _tag_notes(profile: Profile, names: list[str], state: LiveState) -> list[str]:
    """A `check_tags` list naming a tag a service does not have, and a tag it leaves out that
    alone reaches a revision: said, not unverified (the profile chose what to check; a canary
    tag comes and goes)."""
    out = []
    for name in names:
        service, live = profile.services[name], state.services.get(name)
        if live is None or service.check_tags == "all":
            continue
        wanted = () if isinstance(service.check_tags, str) else service.check_tags
        out += [
            f"check_tags: service {name} has no traffic tag {tag}: no revision checked for it"
            for tag in wanted
            if tag not in live.tags
        ]
        # a tag it leaves out that reaches a revision nothing else does: that URL is not
        # checked (helper-537 F4: `check_tags: none` said nothing of a drifted `e2e`)
        checked = [*(s for s in live.serving if s.percent > 0), *live.tagged]
        reached = {t for s in checked for t in s.tags}  # a revision checked, by any tag
        out += [
            f"check_tags: service {name}'s tag {tag} is left out: the revision only it "
            "reaches (its own URL) was not checked"
            for tag in live.tags
            if not service.checks_tag(tag) and tag not in reached
        ]
    return out


def _drifted(
    checked: set[str],
    profile: Profile,
    state: LiveState,
    silenced: dt.date | None,
    service: ServiceProfile,
    live: LiveService,
) -> bool:
    """Whether a checked service's configuration has drifted (so its history is worth reading),
    judged as soon as it is described: no secret state is known yet, and none is needed.
    `silenced`: the day by which a drift an `ignore` silences does not count (no output shows
    its `since`)."""
    if service.key not in checked:
        return False  # read only to compare with (`same_as`): not reported, no history
    ctx = Context(profile, state, service, live)
    # one finding at a time: the first drift that counts is enough (an ignore keeps a rule)
    found: Iterator[Finding] = (
        f for rev in live.checked for f in configuration_findings(At(ctx, rev)) if f.rule in HISTORY
    )
    if silenced is not None:
        found = (g for f in found for g in apply_ignores(profile, [f], silenced))
    return any(not f.ignored for f in found)


def _unique(items: list[Unverified], profile: Profile) -> tuple[Unverified, ...]:
    """One item per (workload key, target) (a service and a job may share a name: Cloud Run
    keeps them in separate collections), each at its workload's entry in the profile, its
    reason masked as what a server sent back (`redact.mask(..., echo=True)`), now that every
    secret of the run is known: the plan and `fix --dry-run` quote the reasons in text of their
    own (the plan's "incomplete:" lines, `fix_commands`), where a secret's cut-off prefix
    would no longer be recognised as the server's."""
    seen: dict[tuple[str, str], Unverified] = {}
    for item in items:
        seen.setdefault((item.key, item.target), item)
    located = (
        replace(
            u,
            reason=mask(u.reason, echo=True),
            location=entry.location if (entry := profile.services.get(u.key)) else u.location,
        )
        for u in seen.values()
    )
    return tuple(sorted(located, key=lambda u: (u.service, u.kind, u.target)))


def _refused_project(profile: Profile, names: Sequence[str], state: LiveState) -> str | None:
    """Where the profile's project was set, when every read in it was refused: each
    workload's PERMISSION_DENIED (`refused_throughout`: also the answer for a project that does
    not exist, AIP-211), and nothing else of it answered (no workload found missing or
    listed, no secret of it looked up); else None."""
    whole = {u.key: u.reason for u in state.unverified if u.target == u.kind.value}
    if not names or any(n not in whole for n in names):
        return None
    if not refused_throughout(profile.project, (whole[n] for n in names)):
        return None
    own = ("", profile.project)
    if (
        state.services
        or state.missing
        or state.listed
        or any(r.project in own for r in state.versions)
    ):
        return None
    return profile.project_from
