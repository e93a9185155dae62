"""Apply a service plan to the service as read (read-modify-write): only the planned
variables and settings change; every other field is sent back exactly as it was read."""

from __future__ import annotations

from typing import Any

from drift.fix.plan import Action, ServicePlan
from drift.live.normalize import INGRESS_TO_PROTO, pick_container
from drift.units import parse_duration

_EXECUTION = {"gen1": "EXECUTION_ENVIRONMENT_GEN1", "gen2": "EXECUTION_ENVIRONMENT_GEN2"}
_EGRESS = {"all-traffic": "ALL_TRAFFIC", "private-ranges-only": "PRIVATE_RANGES_ONLY"}


def copy_service(service: Any) -> Any:
    from google.cloud import run_v2

    return run_v2.Service.deserialize(run_v2.Service.serialize(service))


def patched_template(service: Any, plan: ServicePlan, container: str | None) -> Any:
    """A copy of `service` whose template carries the plan's changes."""
    from google.cloud import run_v2

    out = copy_service(service)
    template = out.template
    chosen = pick_container(template.containers, container)
    if chosen is None and plan.env:
        raise ValueError(f"{plan.service}: no container {container!r} in the template")
    if chosen is not None:
        env = list(chosen.env)
        for change in plan.env:
            index = next((i for i, v in enumerate(env) if v.name == change.name), None)
            if change.action is Action.REMOVE:
                if index is not None:
                    del env[index]
                continue
            if change.action is Action.SET_SECRET:
                assert change.ref is not None
                var = run_v2.EnvVar(
                    name=change.name,
                    value_source=run_v2.EnvVarSource(
                        secret_key_ref=run_v2.SecretKeySelector(
                            secret=change.ref.secret, version=change.ref.version
                        )
                    ),
                )
            else:
                var = run_v2.EnvVar(name=change.name, value=change.value or "")
            if index is None:
                env.append(var)
            else:
                env[index] = var  # keep the variable's position: a minimal diff
        chosen.env = env
    for setting in plan.settings:
        _apply_setting(out, chosen, setting.name, setting.after)
    return out


def _apply_setting(service: Any, container: Any, name: str, value: object) -> None:
    template = service.template
    if name == "timeout":
        from datetime import timedelta

        template.timeout = timedelta(seconds=parse_duration(str(value)))
    elif name == "min_instances":
        template.scaling.min_instance_count = int(str(value))
    elif name == "max_instances":
        template.scaling.max_instance_count = int(str(value))
    elif name == "concurrency":
        template.max_instance_request_concurrency = int(str(value))
    elif name == "cpu":
        container.resources.limits["cpu"] = str(value)
    elif name == "memory":
        container.resources.limits["memory"] = _memory_text(int(str(value)))
    elif name == "cpu_throttling":
        container.resources.cpu_idle = bool(value)
    elif name == "startup_cpu_boost":
        container.resources.startup_cpu_boost = bool(value)
    elif name == "session_affinity":
        template.session_affinity = bool(value)
    elif name == "service_account":
        template.service_account = str(value)
    elif name == "ingress":
        service.ingress = INGRESS_TO_PROTO[str(value)]
    elif name == "execution_environment":
        template.execution_environment = _EXECUTION[str(value)]
    elif name == "vpc_connector":
        template.vpc_access.connector = str(value)
    elif name == "vpc_egress":
        template.vpc_access.egress = _EGRESS[str(value)]
    else:  # pragma: no cover - every SettingsSpec field is handled above
        raise ValueError(f"unknown setting {name}")


def _memory_text(size: int) -> str:
    for suffix, unit in (("Gi", 2**30), ("Mi", 2**20), ("Ki", 2**10)):
        if size % unit == 0:
            return f"{size // unit}{suffix}"
    return str(size)


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
