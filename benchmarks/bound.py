"""The least any reader must ask for a check, counted from the sandbox's world (read directly,
not through the API) with the reader's own rules (`drift.live.reads`: which revisions the
template leaves to fetch, which references the profile expects, which values rules compare);
and what a one-call-after-another reader asks for the same check."""

from __future__ import annotations

import math
from collections import Counter
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from drift.live.model import EnvVar, RevisionConfig
    from drift.profiles.model import Profile
    from drift.sandbox import Sandbox


@dataclass(frozen=True)
class Bound:
    """Distinct items per method, and the round trips on the dependency chain (list ->
    revision -> secret version/value). `sequential` is what a one-call-after-another reader
    makes for the same check (no dedupe, nothing skipped)."""

    calls: Counter[str]
    chain: int
    chain_text: str
    sequential: Counter[str]

    @property
    def total(self) -> int:
        return sum(self.calls.values())


REGION_LIMIT = 1000
"""The most services (and jobs, and worker pools) a project keeps in a region: "Maximum number
of services | 1000 | per project and region" ("Cloud Run quotas and limits",
https://cloud.google.com/run/quotas). No page_size maximum is documented for ListServices,
ListJobs, ListWorkerPools (run/v2 service.proto: "Maximum number of Services to return in this
call"), so the least any reader needs is one List per this many: the bound is the documented
limit's, never drift's own page size (which it would then only echo)."""


def lower_bound(sandbox: Sandbox, profile: Profile) -> Bound:
    from drift.kinds import Kind
    from drift.live.normalize import raw, revision_config
    from drift.live.reads import expected_refs, held, pasted, reachable, to_fetch, values_needed
    from drift.live.workloads import GET
    from drift.refs import SecretRef

    calls: Counter[str] = Counter()
    profiles = list(profile.services.values())
    world = sandbox.scenario.projects[profile.project]
    # Workloads of one kind: more than one listed (a call per page, a page a region's worth:
    # `REGION_LIMIT`), one with its Get
    lists = {
        Kind.SERVICE: "ListServices",
        Kind.JOB: "ListJobs",
        Kind.WORKER_POOL: "ListWorkerPools",
    }
    for kind, in_world in (
        (Kind.SERVICE, world.services),
        (Kind.JOB, world.jobs),
        (Kind.WORKER_POOL, world.worker_pools),
    ):
        asked = sum(p.kind is kind for p in profiles)
        if asked > 1:
            calls[lists[kind]] = max(1, math.ceil(len(in_world) / REGION_LIMIT))
        elif asked:
            calls[GET[kind]] = 1
    # what follows counts for services only: the benchmark's worlds have no jobs or pools
    profiles = [p for p in profiles if p.kind is Kind.SERVICE]
    calls["ListSecrets"] = 1
    expected = {ref for p in profiles for ref in expected_refs(p)}
    configs: dict[str, list[RevisionConfig]] = {}
    for p in profiles:
        svc = raw(sandbox.service(profile.project, p.name, region=profile.region))
        split = reachable(svc, p)
        fetched = to_fetch(svc, split)
        calls["GetRevision"] += len(fetched)
        configs[p.name] = [
            revision_config(
                sandbox.revision(profile.project, p.name, name, region=profile.region)
                if name in fetched
                else svc.template,
                service=svc,
                container=p.container,
            )
            for name, *_ in split
        ]
    live = {ref for cs in configs.values() for c in cs for _, _, ref in c.secret_refs()}
    # one read per secret (version, value), however its project is named: by id or by number
    ids = {str(p.number): pid for pid, p in sandbox.scenario.projects.items()}

    def canonical(ref: SecretRef) -> SecretRef:
        found = ids.get(ref.project, ref.project)
        return SecretRef(ref.secret, ref.version, "" if found == profile.project else found)

    refs = {canonical(ref) for ref in expected | live}
    calls["GetSecretVersion"] = len(refs)
    own = {ref.key for ref in refs if not ref.project and ref.secret in world.secrets}
    calls["GetIamPolicy"] = len(own)

    def live_vars(service: str, container: str | None, var: str) -> set[EnvVar]:
        return held(configs.get(service, ()), container, var)

    # read to compare, or to know a secret pasted in as a plain value: one read per version
    values = values_needed(profiles, live_vars) | pasted(profiles, live_vars)
    calls["AccessSecretVersion"] = len({canonical(ref) for ref in values})
    sequential: Counter[str] = Counter(GetService=len(configs))
    for p in profiles:
        for config in configs[p.name]:
            sequential["GetRevision"] += 1
            for var in config.env.values():
                if var.ref is None:
                    continue  # one reference per serving revision: read each time, no dedupe
                sequential["GetSecretVersion"] += 1
                sequential["GetIamPolicy"] += 1
                rule = p.env.get(var.name)
                if rule is not None and rule.needs_value:
                    sequential["AccessSecretVersion"] += 1
    steps = ["ListServices ∥ ListSecrets ∥ the profile's secrets"]
    if calls["GetRevision"]:
        steps.append("GetRevision")
    if values or live - expected:
        steps.append("AccessSecretVersion" if values else "GetSecretVersion")
    return Bound(+calls, len(steps), " → ".join(steps), sequential)
