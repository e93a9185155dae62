"""A Cloud Functions (2nd gen) function in a Terraform plan, as the Cloud Run service it runs
on: `google_cloudfunctions2_function` deploys one (its `service_config.service`: "Output only.
Name of the service associated with a Function. The format of this field is
`projects/{project}/locations/{region}/services/{service}`", google.cloud.functions.v2
ServiceConfig), named as the function is. drift does not read the function's own shape, so a
profile's service it deploys is not verified, never left out as if the plan did not hold it
(helper-698 F1)."""

from __future__ import annotations

from typing import Any

FUNCTION = "google_cloudfunctions2_function"
WHAT = "the Cloud Run service of a Cloud Functions (2nd gen) function"


def as_service(change: dict[str, Any]) -> dict[str, Any]:
    """The change with `before` and `after` named as the Cloud Run service each runs on: the
    last part of `service_config[0].service` where the plan knows it, else the function's own
    name (a function being created: the service is named after it)."""
    return {**change, "before": _named(change.get("before")), "after": _named(change.get("after"))}


def _named(value: Any) -> Any:
    if not isinstance(value, dict):
        return value
    config = value.get("service_config")
    first = config[0] if isinstance(config, list) and config else None
    service = first.get("service") if isinstance(first, dict) else None
    if isinstance(service, str) and "/services/" in service:
        return {**value, "name": service.rsplit("/services/", 1)[1]}
    return value
