"""A manifest's workload as it will run once deployed: the same `LiveService` the live reader
builds (one revision, `manifest:FILE`), and what it says of the traffic that revision gets."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from typing import Any

from drift.kinds import Kind
from drift.live.api import parent
from drift.live.model import LiveService, RevisionConfig, ServingRevision, tag_order
from drift.live.normalize import outside_split, raw, revision_config
from drift.live.workloads import job_service
from drift.manifest.model import Workload
from drift.profiles.model import Profile, ServiceProfile
from drift.textsafe import visible


def live_service(workload: Workload, profile: Profile, expected: ServiceProfile) -> LiveService:
    """The service as it will run once deployed: its template, serving all traffic (a job:
    its template, which its next execution runs; a worker pool: its template, on all of its
    instances).

    Named in the profile's project and region, whatever the file says: a manifest is checked
    against that environment, and what qualifies names by the workload's own project (its
    own VPC connector named in full is its short name, `connector.read_connector`) reads as
    the live check does. A Knative `metadata.namespace` is the project's number in an export
    (`namespace: PROJECT_NUMBER`, Cloud Run YAML reference) or absent in a file written by
    hand (gcloud then deploys to the configured project; one it names must be that project,
    by id or number: surface/run/services/replace.py "Namespace must be project ID [..] or
    quoted number [..]"); a Terraform plan's `project` is empty when the provider's default
    applies. One that names another project by id is not checked (`scope.placement`), nor one
    that names another's number, once GetProject told this one's (`ManifestSource.read`;
    offline, a number is not verified)."""
    workload.resource.name = (
        f"{parent(profile.project, profile.region)}/{workload.kind.collection}/{workload.name}"
    )
    if workload.kind is Kind.JOB:
        job = workload.resource
        live = job_service(workload.name, job, expected.container, revision=workload.revision)
        config = _masked(live.template, workload)
        serving = tuple(replace(r, config=config) for r in live.serving)
        return replace(live, template=config, serving=serving, manifest=workload.revision)
    kind = workload.kind  # a service, or a worker pool: its instances run the template
    resource = workload.resource
    under = outside_split(resource) if outside_traffic(workload) else resource
    config = revision_config(
        resource.template, service=under, container=expected.container, kind=kind
    )
    config = _masked(config, workload)
    revision = ServingRevision(workload.revision, 100, (), (), config)
    return LiveService(
        name=workload.name,
        full_name=resource.name,
        uri="",
        etag="",
        template=config,
        serving=(revision,),
        latest_created=workload.revision,
        latest_ready=workload.revision,
        latest_created_ready=True,
        source=resource,
        kind=kind,
        manifest=workload.revision,
        taken=workload.taken,
    )


def _masked(config: RevisionConfig, workload: Workload) -> RevisionConfig:
    """The configuration with each variable the manifest marks sensitive flagged so, and each
    setting it marks (`RevisionConfig.hidden`): compared, never shown, whatever its length."""
    sensitive = workload.sensitive
    if workload.hidden:
        config = replace(config, hidden=workload.hidden)
    if not sensitive:
        return config
    containers = []
    for i, c in enumerate(config.containers):
        hidden = {n for j, n in sensitive if j == i}
        env = {n: replace(v, sensitive=True) if n in hidden else v for n, v in c.env.items()}
        containers.append(replace(c, env=env))
    return replace(config, containers=tuple(containers))


def _created(pb: Any) -> Callable[[Any], bool]:
    """Whether a traffic target (or instance split) routes to the revision the deploy creates:
    of type LATEST, or by the name the template gives it (RevisionTemplate.revision: "The
    unique name for the revision. If this field is omitted, it will be automatically
    generated"; a blue/green deploy sends its share there by type REVISION)."""
    from drift.fields import enum_name

    own = pb.template.revision
    return lambda t: enum_name(t, "type_").endswith("LATEST") or bool(own and t.revision == own)


def outside_traffic(workload: Workload) -> bool:
    """Whether the service's revision the deploy creates gets none of a traffic split the
    manifest tells (a no-traffic deploy reached through its tag): it runs with its own
    bounds, not the service-level ones (`drift.live.normalize.outside_split`)."""
    if workload.kind is not Kind.SERVICE or workload.split_unknown:
        return False
    pb = raw(workload.resource)
    created = _created(pb)
    return bool(pb.traffic) and sum(t.percent for t in pb.traffic if created(t)) <= 0


UNNAMED = "a revision not named"
"""How a target of type REVISION that names none is named (never one to read)."""


def kept_shares(workload: Workload) -> dict[str, int]:
    """The revisions a manifest's traffic (a worker pool's instance split) keeps serving once
    deployed, each with its share (`_shares`)."""
    return _shares(workload)[1]


def kept_tags(workload: Workload, checks: Callable[[str], bool]) -> dict[str, tuple[str, ...]]:
    """The revisions a manifest's traffic keeps reachable only through a traffic tag at 0 %,
    by name (`UNNAMED` for a REVISION target naming none), each with its tags, the checked
    first as the live reader orders them (`drift.live.model.tag_order`). Once deployed each
    still has its own URL (TrafficTarget.tag: "Indicates a string to be part of the URI to
    exclusively reference this target", run v2 traffic_target.proto), so it is checked as the
    live check checks it: only when a tag `checks` selects (the profile's `check_tags`)
    reaches it (helper-600 F1). None for a job or a worker pool (instance splits have no
    tags), a split not known until apply, a target the deploy creates (`_created`: checked
    already) or a revision kept with a share (`kept_shares`: read already)."""
    return {
        name: tuple(sorted(tags, key=lambda tag: tag_order(tag, checks)))
        for name, tags in _tag_only(workload).items()
        if any(checks(tag) for tag in tags)
    }


def _tag_only(workload: Workload) -> dict[str, tuple[str, ...]]:
    """The revisions a manifest's traffic keeps reachable only through traffic tags at 0 %
    (checked or not), by name, each with its tags (`kept_tags`)."""
    if workload.kind is not Kind.SERVICE or workload.split_unknown:
        return {}
    pb = raw(workload.resource)
    created = _created(pb)
    shared = kept_shares(workload)
    found: dict[str, tuple[str, ...]] = {}
    for t in pb.traffic:
        if t.tag and not created(t):
            found[t.revision or UNNAMED] = (*found.get(t.revision or UNNAMED, ()), t.tag)
    return {name: tags for name, tags in found.items() if name not in shared}


def _shares(workload: Workload) -> tuple[int, dict[str, int]]:
    """The share the revision the deploy creates gets (`_created`), and every other target's
    with a share, by name (`UNNAMED` for a REVISION target naming none). Nothing
    kept for a job, a split not known until apply, or LATEST with it all."""
    if workload.kind is Kind.JOB or workload.split_unknown:
        return 100, {}
    pb = raw(workload.resource)
    # a worker pool splits its instances (instance_splits, worker_pool.proto) as a service
    # splits its traffic; both name revisions or the latest one the same way
    split = pb.instance_splits if workload.kind is Kind.WORKER_POOL else pb.traffic
    created = _created(pb)
    latest = sum(t.percent for t in split if created(t))
    if not split or latest >= 100:
        return 100, {}
    kept: dict[str, int] = {}
    for t in split:
        if t.percent > 0 and not created(t):
            name = t.revision or UNNAMED
            kept[name] = kept.get(name, 0) + t.percent
    return latest, kept


def pinned(workload: Workload, *, offline: bool = False) -> str:
    """What a manifest's traffic leaves on named revisions: the revision the deploy creates
    gets only the share of type LATEST ("the Service's latest ready Revision", run v2
    `traffic_target.proto` TrafficTarget.type_; none at all in the usual no-traffic deploy, a
    named revision at 100 % and LATEST at 0 % with a tag); the named ones keep the rest, and
    the note says which: each is checked as it runs now (`drift.manifest.kept`), or, offline,
    not verified. Nothing when LATEST has it all; a split not known until apply (in part or
    whole) is said to be so, not read as shares."""
    pool = workload.kind is Kind.WORKER_POOL
    share, stays = ("instances", "stay") if pool else ("traffic", "stays")
    # the provider computes the split when the configuration sets none (magic-modules
    # cloudrunv2/Service.yaml: `traffic` and its `percent` are `default_from_api`; "If traffic
    # is empty or not provided, defaults to 100% traffic to the latest Ready Revision"), so a
    # create without one has it unknown; a percent read as 0 % there is no share
    if workload.split_unknown and workload.kind is not Kind.JOB:
        split_name = "instance split" if pool else "traffic split"
        return (
            f"{workload.where}: its {split_name} is not known until apply "
            f"({workload.split_unknown}): what is checked is the revision the deploy creates "
            f"for {workload.name}, whose share of the {share} is not said (all of it if the "
            f"configuration sets none)"
        )
    # a template that names its revision (RevisionTemplate.revision: "The unique name for the
    # revision. If this field is omitted, it will be automatically generated") is routed to
    # by that name as well: a blue/green deploy sends its share there by type REVISION
    latest, kept = _shares(workload)
    if not kept:
        return ""
    if latest <= 0 and len(kept) == 1:
        named = visible(next(iter(kept)))  # all of it
    else:
        named = ", ".join(f"{visible(r)} ({p} %)" for r, p in sorted(kept.items()))
    gets = f"only {latest} % of the {share}" if latest > 0 else f"no {share}"
    them, runs = ("that revision", "it runs") if len(kept) == 1 else ("those revisions", "they run")
    how = f"; {them}: not verified (--offline)" if offline else f", and {them} as {runs} now"
    return (
        f"{workload.where}: {share} {stays} on {named}; what is checked is the revision the "
        f"deploy creates for {workload.name}, which gets {gets}{how}"
    )


def _tags(tags: list[str]) -> str:
    """Tags in words: `tag e2e`, `tags e2e, qa` (each URL reaches the revision)."""
    return ("tags " if len(tags) > 1 else "tag ") + ", ".join(map(visible, tags))


def tag_notes(workload: Workload, expected: ServiceProfile, *, offline: bool) -> list[str]:
    """What a manifest's traffic keeps reachable only through tags at 0 % (`kept_tags`): each
    revision a checked tag reaches, with every checked tag that reaches it, checked as it runs
    now (or, offline, not verified); each one only tags the profile's `check_tags` leaves out
    reach, not checked; and a tag `check_tags` names that the traffic does not have. As the
    live check says them (`drift.check._tag_notes`), in the manifest's words (helper-604)."""
    checks, out = expected.checks_tag, []
    found = kept_tags(workload, checks)
    if found:
        named = ", ".join(
            f"{visible(r)} ({_tags([x for x in t if checks(x)])})" for r, t in sorted(found.items())
        )
        how = "not verified (--offline)" if offline else "checked as it runs now"
        out.append(
            f"{workload.where}: the traffic keeps {named} reachable at 0 % through its own "
            f"URL; {how}"
        )
    for name, tags in sorted(_tag_only(workload).items()):
        if name not in found:
            which = ", ".join(map(visible, tags))
            out.append(
                f"{workload.where}: check_tags leaves out tag {which}: {visible(name)}, which "
                "only it reaches once deployed (its own URL), is not checked"
            )
    if workload.kind is Kind.SERVICE and not workload.split_unknown:
        had = {t.tag for t in raw(workload.resource).traffic if t.tag}
        wanted = () if isinstance(expected.check_tags, str) else expected.check_tags
        out += [
            f"{workload.where}: check_tags names tag {visible(tag)}, which the traffic does "
            "not have: no revision checked for it"
            for tag in wanted
            if tag not in had
        ]
    return out
