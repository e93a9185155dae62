"""Apply a service plan to the service as read (read-modify-write): only the planned
variables and settings change; every other field is sent back exactly as it was read."""

from __future__ import annotations

from typing import Any

from drift.fields import FIELDS
from drift.fix.model import Action, EnvChange, ServicePlan
from drift.live.normalize import pick_container


def copy_service(service: Any) -> Any:
    from google.cloud import run_v2

    return run_v2.Service.deserialize(run_v2.Service.serialize(service))


def patched_template(service: Any, plan: ServicePlan, container: str | None) -> Any:
    """A copy of `service` whose template carries the plan's changes: each variable change in
    its own container (`EnvChange.container`, else the one the profile describes)."""
    out = copy_service(service)
    template = out.template
    chosen = pick_container(template.containers, container)
    for change in plan.env:
        target = chosen if change.container is None else _named(template, change.container)
        if target is None:
            wanted = change.container or container
            raise ValueError(f"{plan.service}: no container {wanted!r} in the template")
        target.env = _changed_env(list(target.env), change)
    for setting in plan.settings:
        FIELDS[setting.name].write(out, chosen, setting.after)
    return out


def _named(template: Any, name: str) -> Any:
    return next((c for c in template.containers if c.name == name), None)


def _changed_env(env: list[Any], change: EnvChange) -> list[Any]:
    """`env` with one variable removed, added or replaced in place (a minimal diff)."""
    from google.cloud import run_v2

    index = next((i for i, v in enumerate(env) if v.name == change.name), None)
    if change.action is Action.REMOVE:
        return env if index is None else env[:index] + env[index + 1 :]
    if change.action is Action.SET_SECRET:
        assert change.ref is not None
        var = run_v2.EnvVar(
            name=change.name,
            value_source=run_v2.EnvVarSource(
                secret_key_ref=run_v2.SecretKeySelector(
                    secret=change.ref.api_name(), version=change.ref.version
                )
            ),
        )
    else:
        var = run_v2.EnvVar(name=change.name, value=change.value or "")
    if index is None:
        return [*env, var]
    return env[:index] + [var] + env[index + 1 :]


def canary_traffic(service: Any, canary: str, tag: str) -> list[Any]:
    """Today's traffic, made explicit (LATEST would move to the new revision), plus a tag
    with 0% on the canary."""
    from google.cloud import run_v2

    targets = []
    for t in service.traffic:
        kind = getattr(t.type_, "name", str(t.type_))
        if kind.endswith("LATEST"):
            targets.append(
                run_v2.TrafficTarget(
                    type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
                    revision=service.latest_ready_revision.rsplit("/", 1)[-1],
                    percent=t.percent,
                    tag=t.tag,
                )
            )
        else:
            targets.append(run_v2.TrafficTarget.deserialize(run_v2.TrafficTarget.serialize(t)))
    targets.append(
        run_v2.TrafficTarget(
            type_=run_v2.TrafficTargetAllocationType.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION,
            revision=canary,
            percent=0,
            tag=tag,
        )
    )
    return targets


def promoted_traffic(before: Any, canary: str, tag: str) -> list[Any]:
    """All traffic to the canary (as LATEST when that was how traffic was routed), the
    drift tag dropped, every other tag kept with no traffic."""
    from google.cloud import run_v2

    kinds = run_v2.TrafficTargetAllocationType
    was_latest = any(
        getattr(t.type_, "name", str(t.type_)).endswith("LATEST") and t.percent == 100
        for t in before.traffic
    )
    targets = [
        run_v2.TrafficTarget(type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_LATEST, percent=100)
        if was_latest
        else run_v2.TrafficTarget(
            type_=kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION, revision=canary, percent=100
        )
    ]
    for t in before.traffic:
        if t.tag and t.tag != tag:
            kept = run_v2.TrafficTarget.deserialize(run_v2.TrafficTarget.serialize(t))
            kept.percent = 0
            if getattr(kept.type_, "name", "").endswith("LATEST"):
                kept.type_ = kinds.TRAFFIC_TARGET_ALLOCATION_TYPE_REVISION
                kept.revision = before.latest_ready_revision.rsplit("/", 1)[-1]
            targets.append(kept)
    return targets
