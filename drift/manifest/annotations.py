"""The annotations of a Knative document that stand for settings (gcloud's forms, `keys`): each
value checked before the conversion reads it (`drift.fix.knative`), so that a value gcloud
would refuse is refused at its line, saying what is expected, never read wrong in silence nor
failed on in Python's words (revman85 F2)."""

from __future__ import annotations

import json
from typing import Any

from drift.errors import Problem
from drift.fix.knative import keys
from drift.units import shown
from drift.yamldoc import Located

_WHOLE = frozenset(
    {keys.MIN_SCALE, keys.MAX_SCALE, keys.SERVICE_MIN_SCALE, keys.SERVICE_MAX_SCALE}
    | {keys.MANUAL_INSTANCES, keys.SHUTDOWN_HOURS}
)
_FLAGS = frozenset(
    {keys.CPU_THROTTLING, keys.STARTUP_BOOST, keys.SESSION_AFFINITY, keys.HEALTH_CHECK_DISABLED}
    | {keys.INVOKER_IAM_DISABLED, keys.DEFAULT_URL_DISABLED, keys.IAP_ENABLED}
    | {keys.GPU_ZONAL_REDUNDANCY_DISABLED}
)
_WORDS: dict[str, frozenset[str]] = {
    keys.INGRESS: frozenset(keys.INGRESS_VALUES.values()),
    keys.EXECUTION_ENVIRONMENT: frozenset(keys.EXECUTION_VALUES.values()),
    keys.VPC_EGRESS: frozenset(keys.EGRESS_VALUES.values()) | frozenset(keys.EGRESS_ALIASES),
    keys.SCALING_MODE: frozenset(keys.SCALING_MODES.values()),
    keys.REVOCATION_ACTION: frozenset(keys.REVOCATION_VALUES.values()),
}
INT32_MAX = 2**31 - 1
"""The API keeps counts (instances) and the shutdown delay's hours in int32 fields."""


def _texts(value: Any) -> bool:
    return isinstance(value, list) and all(isinstance(v, str) for v in value)


def _interfaces(value: Any) -> str | None:
    """run.googleapis.com/network-interfaces: `[{"network": …, "subnetwork": …, "tags": […]}]`
    (Cloud Run YAML reference, Direct VPC egress)."""
    if not isinstance(value, list):
        return "expected a JSON list"
    for i, item in enumerate(value):
        if not isinstance(item, dict):
            return f"item {i}: expected an object with network, subnetwork, tags"
        for field in ("network", "subnetwork"):
            if field in item and not isinstance(item[field], str):
                return f"item {i}: {field}: expected a string"
        if "tags" in item and not _texts(item["tags"]):
            return f"item {i}: tags: expected a list of strings"
    return None


def _by_container(value: Any, what: str, ok: Any) -> str | None:
    """An object with a value for each container name (`what` that value is)."""
    if not isinstance(value, dict):
        return "expected a JSON object"
    bad = [k for k, v in value.items() if not ok(v)]
    return f"{bad[0]!r}: expected {what}" if bad else None


_JSON: dict[str, Any] = {
    keys.NETWORK_INTERFACES: _interfaces,
    keys.CUSTOM_AUDIENCES: lambda v: None if _texts(v) else "expected a JSON list of strings",
    # container name -> the containers it starts after / its base image
    keys.DEPENDENCIES: lambda v: _by_container(v, "a list of container names", _texts),
    keys.BASE_IMAGES: lambda v: _by_container(v, "a string", lambda x: isinstance(x, str)),
}
"""The values the annotations standing for settings take (gcloud's forms; `keys`), and the
shape of those that hold JSON."""


def annotation_problems(doc: Located, data: dict[str, Any]) -> list[Problem]:
    """The annotations that stand for settings, on the resource and on its template."""
    places = (("metadata",), ("spec", "template", "metadata"))
    return [p for where in places for p in _annotations(doc, where, data)]


def _annotations(doc: Located, where: tuple[str, ...], data: dict[str, Any]) -> list[Problem]:
    node: Any = data
    for step in where:
        node = node.get(step) if isinstance(node, dict) else None
    annotations = node.get("annotations") if isinstance(node, dict) else None
    if not isinstance(annotations, dict):
        return []  # none, or not a mapping (the shape check says so)
    problems = []
    for name, value in annotations.items():
        message = _bad_value(name, value) if isinstance(value, str) else None
        if message is not None:
            problems.append(doc.problem((*where, "annotations", name), f"{name}: {message}"))
    return problems


def _bad_value(name: str, value: str) -> str | None:
    if name in _WHOLE and not (value.strip().isascii() and value.strip().isdigit()):
        return f"{value!r} is not a whole number"
    # more digits than Python's int converts was an internal error (helper-766)
    if name in _WHOLE and len(digits := value.strip().lstrip("0")) > len(str(INT32_MAX)):
        return f"{shown(value)}: expected a whole number at most {INT32_MAX}"
    if name in _WHOLE and int(digits or "0") > INT32_MAX:
        return f"{value!r}: expected a whole number at most {INT32_MAX}"
    if name in _FLAGS and value not in ("true", "false"):
        return f"{value!r} is neither 'true' nor 'false'"
    if name in _WORDS and value not in _WORDS[name]:
        return f"{value!r} is not one of {', '.join(sorted(_WORDS[name]))}"
    if name in _JSON:
        try:
            parsed = json.loads(value)
        except ValueError:
            return "not valid JSON"
        except RecursionError:
            return "not valid JSON (nested too deeply)"
        shape: str | None = _JSON[name](parsed)
        if shape is not None:
            return shape
    if name == keys.SECRETS:
        for pair in value.split(","):
            alias, _, full = pair.strip().partition(":")
            parts = full.split("/")
            if not alias or len(parts) != 4 or parts[0] != "projects" or parts[2] != "secrets":
                return f"{pair.strip()!r} is not ALIAS:projects/PROJECT/secrets/NAME"
    return None
