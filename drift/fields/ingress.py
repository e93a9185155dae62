"""The `ingress` row: who may reach a service (run v2 Service.ingress, the service's setting,
not a revision's). On output the field is what Cloud Run observes: "Optional. Provides the
ingress settings for this Service. On output, returns the currently observed ingress
settings, or INGRESS_TRAFFIC_UNSPECIFIED if no revision is active" (service.proto). A service
read from the API with no value there tells nothing of what its ingress will be once a
revision is active: not read (`Field.unreadable`, the setting unverified), never the default
`all` — a profile stating `internal` was told "ingress is all" of a service Cloud Run had
closed to the internet (note 44, helper-547 F4). A manifest's Service is no answer of the API
(it has no `uid`: "Output only. Server assigned unique identifier"): there the field unset is
what a deploy creates, `all`."""

from __future__ import annotations

from typing import Literal

from drift.fields import access as a
from drift.fields.base import Field, Source, enum_name

INGRESS = {
    "INGRESS_TRAFFIC_ALL": "all",
    "INGRESS_TRAFFIC_INTERNAL_ONLY": "internal",
    "INGRESS_TRAFFIC_INTERNAL_LOAD_BALANCER": "internal-and-cloud-load-balancing",
    "INGRESS_TRAFFIC_NONE": "none",
}

_UNNAMED = a.unnamed("ingress", "ingress", lambda s: s.service)


def _unreadable(source: Source) -> str:
    """Why the service's ingress is not read: a number this client cannot name, or an answer
    of the API that observes none (no revision active)."""
    if why := _UNNAMED(source):
        return why
    service = source.service
    if (
        service is None
        or not service.uid
        or enum_name(service, "ingress") != ("INGRESS_TRAFFIC_UNSPECIFIED")
    ):
        return ""
    return (
        "Cloud Run reports no ingress while no revision of the service is active "
        '(Service.ingress: "INGRESS_TRAFFIC_UNSPECIFIED if no revision is active"): it is '
        "known once a revision is ready"
    )


INGRESS_FIELD = Field(
    "ingress",
    "Who may reach the service (the service's setting).",
    Literal["all", "internal", "internal-and-cloud-load-balancing"],
    level="service",
    terraform=(("ingress",),),
    read=lambda s: a.choice(s.service, "ingress", INGRESS, "all"),
    unreadable=_unreadable,
    write=a.enum_field("ingress", lambda: a.run_v2().IngressTraffic, INGRESS, template=False),
    gcloud=a.flag("ingress"),
)
