"""The scenario's options for what a request to a service meets before its app answers (a part
of `scenario_options.Options`): the switches for serving behaviours the documentation leaves
open — the status of a request no instance takes, how long a cold start takes, a runner
outside the service's network, and a revision reached only through a tag of a service
manually scaled to 0 instances."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, NonNegativeInt


class ServingOptions(BaseModel):
    """The serving options: a part of `scenario_options.Options`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    no_instance_status: Literal[503, 429] = Field(
        503,
        description="The HTTP status a request to a revision gets when none of its instances "
        "can start (an env secret that cannot be retrieved: 'if secret retrieval fails, the "
        "instance does not start', run/docs/configuring/services/secrets). Cloud Run documents "
        "both for a request no instance takes ('requests might fail with 429 or 503 errors "
        '(with logs indicating "The request was aborted because there was no available '
        "instance\")', run/docs/known-issues), not which one this case gives.",
    )
    cold_start_ms: NonNegativeInt = Field(
        0,
        description="How long a revision that has no instance takes to start one for a request "
        "(a cold start: 'When a revision does not receive any traffic, by default it is scaled "
        "in to zero instances', run/docs/about-instance-autoscaling; how long is the app's). "
        "A revision the scenario seeds has none unless min instances keep one warm (set on "
        "the service later too: startup.kept_warm); a deploy's has one (ready once an "
        "instance started: its startup probe, run/docs/configuring/healthchecks). 0: every "
        "revision has one running.",
    )
    runner_outside_network: bool = Field(
        False,
        description="drift runs outside every service's network (a CI runner on the "
        "internet): a service whose ingress is not INGRESS_TRAFFIC_ALL refuses it before any "
        "container sees the request, at its URL and its tags' ('All network ingress paths are "
        "subject to the service's ingress setting'; with Internal, 'Requests from other "
        "sources, including the internet, cannot reach your service at the run.app URL', "
        "run/docs/securing/ingress). False: drift runs inside the network; every request "
        "reaches the service.",
    )
    outside_refusal_status: Literal[404, 403] = Field(
        404,
        description="The HTTP status of that refusal (`runner_outside_network`): the ingress "
        "page says the request cannot reach the service, not with which status.",
    )
    manual_zero_tags: Literal["served", "refused"] = Field(
        "served",
        description="A revision reached only through a tag of a service manually scaled to 0 "
        "instances. Its revisions with traffic get none: 'Traffic sent to those revisions "
        "will get the same error as if the revisions were disabled' (`no_instance_status`; "
        "run/docs/configuring/services/manual-scaling, which names no status). Of a revision "
        "'active only due to traffic tags' the page says its own minimum starts, else it "
        "scales to at most one instance for requests to its tag URL; not whether a count of 0 "
        "leaves it that. `served`: it does; `refused`: it gets the error too. One with its own "
        "minimum instances always has them ('will start but does not count toward the total "
        "service manual instance count').",
    )
