"""A scenario's revision templates for a service or worker pool (its history's, then its
current one), made and checked once per scenario spec: every `Sandbox.reset` builds the same
scenario again (`drift.sandbox.seed`)."""

from __future__ import annotations

import threading
from typing import Any

from drift.errors import InputError, Problem
from drift.sandbox.kinds import kind_of
from drift.sandbox.names import SERVICES, ResourceKey, RpcError
from drift.sandbox.scenario_fields import OlderSpec
from drift.sandbox.scenario_jobs import PoolSpec
from drift.sandbox.scenario_models import ServiceSpec
from drift.sandbox.server_defaults import fill_secret_versions, fill_template
from drift.sandbox.state import ProjectRec
from drift.sandbox.templates import merge_template, resolve, template_pb
from drift.sandbox.validate import SERVICE_ENV, validate_containers, validate_cpu

_TEMPLATES: dict[tuple[str, str, str, str, bool, bool], list[Any]] = {}
"""(project, id, collection, the spec as JSON, filled, latest) -> `owner_templates` of it: for
every reset."""
_KEPT, _KEEPING = 256, threading.Lock()


def owner_templates(
    project: ProjectRec,
    key: ResourceKey,
    spec: ServiceSpec | PoolSpec,
    *,
    filled: bool = False,
    latest: bool = False,
) -> list[tuple[Any, OlderSpec | None]]:
    """The revision templates of an owner's history, oldest first, each with the `history`
    entry that made it (None: the current, last), checked as Cloud Run checks a stored one
    (`refused`). Made once per spec as it reads now (its JSON: a scenario edited in place
    between two resets is built from what it says then, revown82 F1); nothing writes them
    (`make_revision` copies a template's fields, a message field copies the message).
    `filled`: with the defaults a create writes in (option `template_defaults`); `latest`: a
    secret reference without a version as `latest` (option `empty_secret_version`)."""
    cache_key = (project.id, key.id, key.collection, spec.model_dump_json(), filled, latest)
    found = _TEMPLATES.get(cache_key)
    if found is not None:
        return found
    kind = kind_of(key)
    current = resolve(spec.template)
    history: list[tuple[Any, OlderSpec | None]] = [
        (merge_template(current, older), older) for older in spec.history
    ]
    history.append((current, None))
    out: list[tuple[Any, OlderSpec | None]] = []
    group = "services" if key.collection == SERVICES else "worker_pools"  # the scenario's
    at = f"projects.{project.id}.{group}.{key.id}"
    for place, (template, older) in enumerate(history, 1):
        pb = template_pb(template, key.id, kind.template)
        if filled:
            fill_template(kind, pb)
        if latest:
            fill_secret_versions(pb)
        refused(pb, at, older, place, serves=kind.serves)  # refused: never made a revision
        out.append((pb, older))
    with _KEEPING:  # sandboxes of one process build on their own loops' threads
        while len(_TEMPLATES) >= _KEPT:
            del _TEMPLATES[next(iter(_TEMPLATES))]  # the oldest
        _TEMPLATES[cache_key] = out
    return out


def refused(
    template: Any,
    at: str,
    older: OlderSpec | None,
    number: int,
    *,
    serves: bool = True,
    reserved: frozenset[str] | None = None,
) -> None:
    """A scenario's template that the API refuses (its containers and volumes as a write
    has them, `validate_containers`: one ingress container among several, distinct names,
    `depends_on` and mounts naming what is there, variables once each, none Cloud Run sets,
    values within its limit — each rule cited in `drift.sandbox.validate`; a service's CPU,
    `validate_cpu`): one scenario error, as such a revision never existed (helper-608 F3:
    seeds were held to the values' rules alone).
    `reserved`: the variable names Cloud Run sets (a service's by default)."""
    try:
        if reserved is None:
            reserved = SERVICE_ENV if serves else frozenset()
        validate_containers(template, ingress=serves, reserved=reserved)
        if serves:
            validate_cpu(template, seeded=True)
    except RpcError as exc:
        where = f"{at}.history[{number - 1}]" if older is not None else f"{at}.template"
        problem = Problem("<scenario>", 1, f"{where}: {exc.message}")
        raise InputError([problem], kind="scenario") from None
