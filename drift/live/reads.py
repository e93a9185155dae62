"""What a check must read, as rules: the revisions a service's description leaves to fetch, the
secret references a profile expects, and the secret references whose value a rule compares.
The reader follows them; the benchmark's lower bound counts calls with them."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from typing import Any

from drift.fields import enum_name
from drift.live.api import short
from drift.live.model import EnvVar, RevisionConfig, tag_order
from drift.profiles.model import ContainerRules, ServiceProfile
from drift.refs import SecretRef

Split = tuple[str, int, tuple[str, ...], tuple[str, ...]]
"""(revision, percent, tags, tag URLs)"""
LiveVars = Callable[[str, str | None, str], set[EnvVar]]
"""(service, container or None for the main one, variable) -> what its checked revisions hold"""


def reachable(svc: Any, profile: ServiceProfile, statuses: Any = None) -> list[Split]:
    """Every revision receiving traffic (a worker pool: instances), and every revision a
    checked tag points to (at 0 %: it has its own URL), most traffic first (`svc` is a raw
    protobuf Service or WorkerPool, `statuses` its traffic or instance split statuses, the
    traffic's when not given). A LATEST status may or may not name its revision (not
    documented either way): it is the latest ready one (TrafficTargetAllocationType and
    InstanceSplitAllocationType LATEST: "Allocates … to the Service's latest ready
    Revision")."""
    by_revision: dict[str, list[Any]] = {}
    for status in svc.traffic_statuses if statuses is None else statuses:
        kind = enum_name(status, "type_")
        revision = status.revision or (svc.latest_ready_revision if kind.endswith("LATEST") else "")
        if revision:
            by_revision.setdefault(short(revision), []).append(status)
    out = []
    for name, found in by_revision.items():
        percent = sum(int(s.percent) for s in found)
        # instance splits have none; the checked first, each group by name (`tag_order`)
        tagged = sorted(
            (s for s in found if getattr(s, "tag", "")),
            key=lambda s: tag_order(s.tag, profile.checks_tag),
        )
        tags = tuple(s.tag for s in tagged)
        if percent <= 0 and not any(profile.checks_tag(t) for t in tags):
            continue
        urls = tuple(s.uri for s in tagged)  # one per tag ("" when not known)
        out.append((name, percent, tags, urls))
    return sorted(out, key=lambda item: -item[1])


def template_describes(svc: Any) -> str | None:
    """The revision the service's template describes exactly, if any (`svc` is a raw protobuf
    Service): the latest created one, once the service has settled, its reconciliation
    succeeded, and it is the latest ready one. Every other reachable revision is fetched.
    Matching names follow from a success ("If reconciliation succeeded, … latest_ready_revision
    and latest_created_revision will match", Service.reconciling) but do not prove one: "the
    outcome … can be found in terminal_condition.state". A failed deploy whose revision was
    deleted leaves the older revision as latest created and ready under a template it never
    ran: only a succeeded terminal condition says the template is what serves."""
    settled = svc.observed_generation == svc.generation and not svc.reconciling
    succeeded = enum_name(svc.terminal_condition, "state") == "CONDITION_SUCCEEDED"
    current = short(svc.latest_created_revision)
    described = settled and succeeded and current == short(svc.latest_ready_revision)
    return current if described else None


def to_fetch(svc: Any, split: Iterable[Split]) -> list[str]:
    """The reachable revisions the template does not describe: one GetRevision each."""
    described = template_describes(svc)
    return [name for name, *_ in split if name != described]


def expected_refs(profile: ServiceProfile) -> Iterator[SecretRef]:
    """Every secret reference the profile expects, in any container's env or mounts."""
    for rules in profile.containers:
        yield from _rule_refs(rules)


def _rule_refs(rules: ContainerRules) -> Iterator[SecretRef]:
    for rule in rules.env.values():
        if rule.ref is not None:
            yield rule.ref
    for mount in rules.mounts.values():
        yield mount.ref


def values_needed(profiles: Iterable[ServiceProfile], live_vars: LiveVars) -> set[SecretRef]:
    """Secret references whose value some rule must compare (never for display): those a
    constrained rule's variable holds, and both sides of a `same_as` unless they are the very
    same secret version."""
    needed: set[SecretRef] = set()
    for p in profiles:
        for rules in p.containers:
            for rule in rules.env.values():
                compares = bool(
                    rule.pattern or rule.not_values or rule.one_of or rule.min_length is not None
                )
                if not compares and rule.same_as is None:
                    continue
                mine = live_vars(p.key, rules.name, rule.name)
                mine_refs = {v.ref for v in mine if v.ref is not None}
                if compares:
                    needed |= mine_refs
                if rule.same_as is None or not mine:
                    continue
                theirs = live_vars(rule.same_as[0], None, rule.same_as[1])
                theirs_refs = {v.ref for v in theirs if v.ref is not None}
                if not theirs:
                    continue  # nothing to compare with: the other side reports it missing
                if len(mine) == len(theirs) == 1 and mine_refs and mine_refs == theirs_refs:
                    continue  # the very same secret version: equal without reading it
                needed |= mine_refs | theirs_refs
    return needed


def pasted(profiles: Iterable[ServiceProfile], live_vars: LiveVars) -> set[SecretRef]:
    """The secret versions a variable may hold pasted in: a rule expects the variable from
    Secret Manager and a checked revision sets it as a plain value. Their values are read when
    the caller may (`SecretReads.read_pasted`: never required, a failure is nobody's
    finding), so that such a plain value is masked wherever it is shown, and a fix that turns
    it into the reference records it in its journal as that version, not as the text
    (`drift.fix.withheld`, SPEC invariant 1: it was journaled whole, helper-543 F1)."""
    found: set[SecretRef] = set()
    for p in profiles:
        for rules in p.containers:
            for rule in rules.env.values():
                if rule.ref is not None and any(
                    v.ref is None and v.value for v in live_vars(p.key, rules.name, rule.name)
                ):
                    found.add(rule.ref)
    return found


def same_as_own(profiles: Iterable[ServiceProfile], live_vars: LiveVars) -> set[SecretRef]:
    """The secret versions a `same_as`'s own variable holds, whatever the other side holds:
    `values_needed` reads none when both sides are the very same version (equal without
    reading it), yet a plain variable may hold a copy of it. Read as `pasted`'s are (never
    required, a refusal is nobody's finding but a note's), so that the copy is masked in
    `check` as in `history` (helper-597 F1, helper-835 F1)."""
    found: set[SecretRef] = set()
    for p in profiles:
        for rules in p.containers:
            for rule in rules.env.values():
                if rule.same_as is not None:
                    mine = live_vars(p.key, rules.name, rule.name)
                    found |= {v.ref for v in mine if v.ref is not None}
    return found


def held(configs: Iterable[RevisionConfig], container: str | None, var: str) -> set[EnvVar]:
    """What a variable is in each of a service's checked revisions (`container` None: the one
    the profile's `env` describes)."""
    found = set()
    for config in configs:
        env = config.env if container is None else config.named(container).env
        if (value := env.get(var)) is not None:
            found.add(value)
    return found
