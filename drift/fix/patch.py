"""Apply a service plan to the service as read (read-modify-write): only the planned
variables and settings change; every other field is sent back exactly as it was read. And the
traffic of each write a fix makes: the canary's (pinned, plus a 0 % tag), the promotion's and
the restoration's."""

from __future__ import annotations

from typing import Any

from drift.diff.differences import system_key
from drift.fields import CONTAINER_SETTINGS, FIELDS, enum_name
from drift.fields.access import template_of
from drift.fix.formats.text import shell_line
from drift.fix.model import Action, EnvChange, ServicePlan
from drift.live.api import short
from drift.live.changeids import compact
from drift.live.normalize import pick_container, raw

MAX_TAGGED = 46
"""The most characters a traffic tag and its service's name may have together (`canary_tag`)."""

MAX_REVISION_NAME = 63
"""Revision names are DNS-1035 labels of at most 63 characters that start with `SERVICE-`
(Knative `validateRevisionName`; Cloud Run's own name rule, terraform-docs-samples#171)."""


def without_system_metadata(workload: Any, *, template: bool = True) -> Any:
    """`workload` (a run_v2 Service, Job or WorkerPool about to be written), changed in place:
    no system-namespace label or annotation on it or (with `template`) its template
    (SYSTEM_NAMESPACES). Every other key, and every other field, stays as it is."""
    for part in (workload, getattr(workload, "template", None) if template else None):
        if part is None:
            continue
        for field in ("labels", "annotations"):
            mapping = getattr(part, field, None)
            if mapping is None:
                continue
            for key in [k for k in mapping if system_key(k)]:
                del mapping[key]
    return workload


def copy_service(service: Any) -> Any:
    """A copy of a run_v2 Service to write: without system labels and annotations."""
    from google.cloud import run_v2

    return without_system_metadata(run_v2.Service.deserialize(run_v2.Service.serialize(service)))


def copy_workload(workload: Any) -> Any:
    """A copy of a run_v2 Service, Job or WorkerPool (proto-plus), of its own type."""
    kind = type(workload)
    return kind.deserialize(kind.serialize(workload))


def canary_name(service: str, change_id: str = "") -> str:
    """`SERVICE-drift-CHANGE`; where that would pass 63 characters, `SERVICE-` plus the
    compact form of the change (`drift.live.changeids.compact`, 13 characters at most: v2
    service ids are under 50), which every reader turns back into the change. Without a
    change (a plan's, made before it), the form the fix will use, CHANGE standing for the
    change: `SERVICE-drift-CHANGE`, or `SERVICE-d-CHANGE` where a change id
    (`new_change_id`'s `YYYYMMDD-HHMMSS-hhhhh`, of one length) would not fit."""
    if len(f"{service}-drift-{change_id or 'YYYYMMDD-HHMMSS-hhhhh'}") <= MAX_REVISION_NAME:
        return f"{service}-drift-{change_id or 'CHANGE'}"
    return f"{service}-{compact(change_id) if change_id else 'd-CHANGE'}"


def canary_tag(service: str, change_id: str) -> str:
    """The canary's traffic tag: `drift-CHANGE`, else the compact form of the change, so that
    tag and service name fit MAX_TAGGED together; "" (no tag) when even that does not fit.
    Cloud Run refuses a longer pair with INVALID_ARGUMENT "spec.traffic.tag: traffic tag '…'
    and service name '…' together are too long. Combined traffic tag and service name cannot
    exceed 46 characters." (the server's answer as firebase/firebase-tools#6137 and
    PolicyEngine/policyengine-api#3729 quote it: the pair forms the tag URL's DNS label).
    An untagged canary has no URL of its own: it is deployed at 0 % and cannot be probed."""
    for tag in (f"drift-{change_id}", compact(change_id)):
        if len(tag) + len(service) <= MAX_TAGGED:
            return tag
    return ""


def patched_template(
    service: Any,
    plan: ServicePlan,
    container: str | None,
    base: Any | None = None,
    *,
    clear_name: bool = True,
) -> Any:
    """A copy of `service` whose template is `base` (the configuration that serves; the
    service's own template when None) carrying the plan's changes. For a write that changes
    the template, its revision name is cleared: it names an existing revision (Terraform
    `template.revision`, gcloud `--revision-suffix`) and another configuration under that name
    is refused (ALREADY_EXISTS "Revision named … with different configuration already
    exists"), and the system labels and annotations are left out (`without_system_metadata`).
    A patch of what the workload holds itself (a pool's instance count, Binary Authorization)
    leaves the template, name and annotations included, as it is: a changed template alone
    would roll out a new revision of the same configuration, which the plan does not name."""
    from google.cloud import run_v2

    out = copy_workload(service)
    if base is not None:
        kind = type(out.template)  # a service's RevisionTemplate, a pool's its own
        out.template = kind.deserialize(kind.serialize(base))
    template = template_of(out)  # a job's: its task template (which has no revision name)
    was = type(template).deserialize(type(template).serialize(template))  # a copy
    # None where several containers have no port and none is named: the plan then changes
    # nothing of the main one's (its rules are not judged: `drift.diff.undescribed`), and a
    # patch is never built on the first by order (helper-619 F4)
    chosen = pick_container(template.containers, container)
    for change in plan.env:
        target = chosen if change.container is None else _named(template, change.container)
        if target is None:
            wanted = change.container or container
            raise ValueError(f"{plan.label}: no container {wanted!r} in the template")
        target.env = _changed_env(list(target.env), change)
    for setting in plan.settings:
        into = chosen if setting.container is None else _named(template, setting.container)
        # a setting of the whole revision (its timeout, its account) is written to none
        if into is None and (setting.container is not None or _of_container(setting.name)):
            wanted = setting.container or container
            raise ValueError(f"{plan.label}: no container {wanted!r} in the template")
        field = FIELDS[setting.name]
        if field.write_levels is None:
            field.write(out, into, setting.after)
        else:  # the plan's level: the service's where it held the value (`written_levels`)
            held = setting.name in plan.at_once
            field.write_levels(out, setting.after, field.levels(out, setting.after, held))
    # message equality, not bytes: a map's serialized order is not fixed
    changed = base is not None or template_of(out) != was
    if not clear_name:
        return out
    if changed and not isinstance(out, run_v2.Job):
        template_of(out).revision = ""
    return without_system_metadata(out, template=changed)


def _of_container(name: str) -> bool:
    """Whether the setting is one container's (`Field.per_container`: cpu, memory, image,
    startup order), which only a container can be written with."""
    return name in CONTAINER_SETTINGS


def _named(template: Any, name: str) -> Any:
    return next((c for c in template.containers if c.name == name), None)


def _changed_env(env: list[Any], change: EnvChange) -> list[Any]:
    """`env` with one variable removed, added or replaced in place (a minimal diff)."""
    from google.cloud import run_v2

    index = next((i for i, v in enumerate(env) if v.name == change.name), None)
    if change.action is Action.REMOVE:
        return env if index is None else env[:index] + env[index + 1 :]
    if change.action is Action.SET_SECRET:
        ref = change.written
        assert ref is not None
        var = run_v2.EnvVar(
            name=change.name,
            value_source=run_v2.EnvVarSource(
                secret_key_ref=run_v2.SecretKeySelector(secret=ref.api_name(), version=ref.version)
            ),
        )
    else:
        var = run_v2.EnvVar(name=change.name, value=change.value or "")
    if index is None:
        return [*env, var]
    return env[:index] + [var] + env[index + 1 :]


def is_latest(target: Any) -> bool:
    kind = enum_name(raw(target), "type_")
    return kind.endswith("LATEST") or (not kind.endswith("REVISION") and not target.revision)


def _target(kind: str, revision: str = "", percent: int = 0, tag: str = "") -> Any:
    from google.cloud import run_v2

    kinds = run_v2.TrafficTargetAllocationType
    if kind == "LATEST":
        return run_v2.TrafficTarget(
            type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=percent, tag=tag
        )
    return run_v2.TrafficTarget(
        type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
        revision=revision,
        percent=percent,
        tag=tag,
    )


def copy_traffic(targets: Any) -> list[Any]:
    from google.cloud import run_v2

    return [run_v2.TrafficTarget.deserialize(run_v2.TrafficTarget.serialize(t)) for t in targets]


def canary_traffic(service: Any, canary: str, tag: str) -> list[Any]:
    """Today's traffic made explicit — a LATEST target would move to the canary, since a
    ready canary is the latest ready revision ("Allocates instances to the Service's latest
    ready Revision", `TrafficTargetAllocationType`) — plus a 0 % tag on the canary."""
    latest = short(service.latest_ready_revision)
    targets = pinned_traffic(service.traffic or [_target("LATEST", percent=100)], latest)
    return [*targets, _target("REVISION", canary, 0, tag)]


def pinned_traffic(traffic: Any, revision: str) -> list[Any]:
    """`traffic` with each LATEST target naming `revision` instead (its percent and tag
    kept), every other target as it is: the canary write's pin, and a failed restoration's."""
    return [
        _target("REVISION", revision, t.percent, t.tag) if is_latest(t) else copy_traffic([t])[0]
        for t in traffic
    ]


def promoted_traffic(before: Any, base: str, canary: str) -> list[Any]:
    """The traffic as it was before the fix, with the canary in the base revision's place:
    LATEST targets stay LATEST (the canary is the latest ready revision), targets naming the
    base revision name the canary (a tag on the base stays on it, at 0 %), every other target,
    percent and tag unchanged; the canary's own tag is gone."""
    targets = []
    for t in before.traffic or [_target("LATEST", percent=100)]:
        if is_latest(t):
            targets.append(_target("LATEST", percent=t.percent, tag=t.tag))
        elif short(t.revision) == base and t.percent:
            targets.append(_target("REVISION", canary, t.percent))
            if t.tag:
                targets.append(_target("REVISION", t.revision, 0, t.tag))
        else:
            targets.append(copy_traffic([t])[0])
    return targets


def promotion_question(name: str, before: Any, base: str, canary: str) -> str:
    """The promotion's question, naming the traffic it moves (`promoted_traffic`): all of it,
    or the share of LATEST and of the targets naming `base`, each other revision keeping its
    own — never "all traffic" while one does (helper-700 F1)."""
    moved, kept = 0, []
    for t in before.traffic or [_target("LATEST", percent=100)]:
        if is_latest(t) or short(t.revision) == base:
            moved += int(t.percent)
        elif t.percent:
            kept.append(f"{short(t.revision)} keeps its {int(t.percent)}%")
    if not kept:
        return f"Move all traffic of {name} to {canary}"
    served = f" (what {base} serves)" if base else ""
    return f"Move {moved}% of the traffic of {name}{served} to {canary}; {', '.join(kept)}"


def promotion_tags(traffic: Any, base: str) -> str:
    """What a promotion (`promoted_traffic`) does with the tags of the traffic it moves, "" when
    none carries a tag: a tag on the base revision stays on it, at 0 % (its share goes to the
    canary, untagged: a tag names one revision, so its URL keeps reaching the old one — "A
    tag … lets you access the revision at a specific URL without serving traffic", Cloud Run
    "Rollbacks, gradual rollouts, and traffic migration"); a tag on LATEST stays on LATEST,
    which is the canary once it is the latest ready revision."""
    said = []
    for t in traffic or ():
        if not t.tag or not t.percent:
            continue
        if is_latest(t):
            said.append(f"tag {t.tag} stays on LATEST (then the canary, with its {t.percent}%)")
        elif short(t.revision) == base:
            said.append(
                f"tag {t.tag} stays on {base} at 0% (its {t.percent}% moves to the canary, "
                "untagged)"
            )
    if not said:
        return ""
    return "the promotion moves traffic, not tags: " + "; ".join(said)


def update_traffic_flags(targets: Any) -> str:
    """`update_traffic_words` as one line of shell: each word quoted where it needs it (a
    revision name is the server's; Cloud Run's own are plain words, left bare)."""
    return shell_line(update_traffic_words(targets))


def update_traffic_words(targets: Any) -> list[str]:
    """The `gcloud run services update-traffic` flags that send exactly `targets`' shares,
    and put every tag `targets` has on LATEST back on LATEST. gcloud's reference:
    `--to-revisions=[REVISION-NAME=PERCENTAGE,…]`, where "You can also refer to the current
    or future LATEST revision in --to-revisions by the string LATEST"; a revision it leaves
    out that serves is scaled to make up the rest ("To increase the traffic to … s5sxn to 20%
    and by reducing the traffic to … cp9kw to 80% run: … --to-revisions=myservice-s5sxn=20"),
    so every target with traffic is named; `--to-latest` assigns "100% of traffic to the
    current or future LATEST revision"
    (cloud.google.com/sdk/gcloud/reference/run/services/update-traffic). Tags are not
    traffic: gcloud keeps them where they are (`--remove-tags` drops one). drift's pin
    (`canary_traffic`) moved LATEST's tags to the revision LATEST resolved to, so they go back
    by name: `--update-tags=[TAG=REVISION,…]` (same reference; gcloud's
    command_lib/run/traffic.py `UpdateTags` takes LATEST as the revision and moves a tag it
    names from wherever it is: its unit test `test_adds_tag_to_latest`). Without that, the
    tag's URL stays on the old revision (revfix60 F2)."""
    shares: dict[str, int] = {}
    for t in targets:
        if t.percent:
            key = "LATEST" if is_latest(t) else short(t.revision)
            shares[key] = shares.get(key, 0) + int(t.percent)
    split = ",".join(f"{name}={percent}" for name, percent in shares.items())
    words = ["--to-latest"] if shares == {"LATEST": 100} else ["--to-revisions", split]
    latest = [f"{t.tag}=LATEST" for t in targets if t.tag and is_latest(t)]
    return [*words, *(["--update-tags", ",".join(latest)] if latest else [])]


def restored_traffic(before: Any) -> list[Any]:
    """The traffic exactly as it was before the change (LATEST targets as LATEST)."""
    return copy_traffic(before.traffic) or [_target("LATEST", percent=100)]


def canary_percent(before: Any, base: str) -> int:
    """How much traffic a promotion gives the canary: what LATEST and the base revision had."""
    return sum(
        int(t.percent)
        for t in before.traffic or [_target("LATEST", percent=100)]
        if is_latest(t) or short(t.revision) == base
    )
