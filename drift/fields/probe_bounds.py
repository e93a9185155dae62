"""The bounds of a probe's timings (`drift.fields.probe_text` parses a profile's by them,
`drift.fields.health_rules` and `drift.fix.startup_bounds` narrow a startup probe's by its
workload's kind and GPU, quoting `STARTUP_RULES` and `WINDOW_RULES`): each
timing's least and most per probe (`BOUNDS`), the most a startup probe's initial delay, period
and timeout may be (`startup_most`), and its failure threshold times its period
(`window_bound`), and a liveness probe's initial delay as its page says (`liveness_delay_most`),
each from the page or the proto that says it."""

from __future__ import annotations

from drift.kinds import Kind

OLDER_WINDOW_S = 240
"""A startup probe's failure threshold times its period at the most, as the older copies of the
jobs' healthchecks page say ("This time interval is calculated as failureThreshold *
periodSeconds and can't exceed 240 seconds", cloud.google.com/run/docs/configuring/jobs/
healthchecks) and every copy of the worker pools' ("The time is a maximum of 240 seconds,
calculated as failureThreshold * periodSeconds", …/workerpools/healthchecks). No copy of the
services' page gave one before the newest (`JOB_WINDOW_S`)."""
JOB_WINDOW_S, GPU_WINDOW_S = 600, 1800
"""A job's, as the newest copy of its page says: "This time interval is calculated as
`failureThreshold` * `periodSeconds` and can't exceed 600 seconds (1800 for GPU)"
(docs.cloud.google.com/run/docs/configuring/jobs/healthchecks.md.txt); a service's, as the
newest services' page says ("Startup probe requirements and behavior": "If a startup probe does
not succeed within the specified time (`failureThreshold` * `periodSeconds`), which cannot
exceed 600 seconds (1800 for GPU), the container is shut down", docs.cloud.google.com/run/docs/
configuring/healthchecks); and a service's startup probe's initial delay, period and timeout at
the most (`startup_most`)."""
PROTO_STARTUP_S = 240
"""run v2's Probe (k8s.min.proto; google-cloud-run 0.16.2 `k8s_min.Probe`): initial_delay_seconds
and period_seconds "Maximum value for startup probe is 240"."""
WINDOW_RULES = {
    Kind.SERVICE: (
        "a service's startup probe time (failureThreshold * periodSeconds) \"cannot exceed 600 "
        'seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/configuring/healthchecks)'
    ),
    Kind.JOB: (
        "a job's startup probe time \"is calculated as failureThreshold * periodSeconds and "
        "can't exceed 600 seconds (1800 for GPU)\" (docs.cloud.google.com/run/docs/configuring/"
        "jobs/healthchecks)"
    ),
    Kind.WORKER_POOL: (
        "a worker pool's startup probe time \"is a maximum of 240 seconds, calculated as "
        'failureThreshold * periodSeconds" (cloud.google.com/run/docs/configuring/workerpools/'
        "healthchecks)"
    ),
}
"""What is quoted of a kind's bound (`window_bound`)."""
STARTUP_RULES = {
    Kind.SERVICE: "a service's startup probe's initial delay, period and timeout are each at most "
    '"600 seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/configuring/healthchecks)',
    Kind.JOB: 'run v2\'s Probe: "Maximum value for startup probe is 240" (k8s.min.proto)',
}
"""What is quoted of a kind's `startup_most` (a worker pool's: a job's)."""


def window_bound(kind: Kind, gpu: bool | None) -> int:
    """The most a `kind`'s startup probe's failure threshold times its period may be: the
    largest its newest page gives. A job's or service's 600 s, 1800 s with a GPU (`gpu`:
    whether it has one; None: not known, the larger); a worker pool's 240 s. The pages
    disagree (helper-722 F9): drift refuses only what no reading of the newest takes, so a
    profile Cloud Run may take is never refused on an older copy."""
    if kind is Kind.WORKER_POOL:
        return OLDER_WINDOW_S
    return JOB_WINDOW_S if gpu is False else GPU_WINDOW_S


def startup_most(kind: Kind, gpu: bool | None) -> int:
    """The most a `kind`'s startup probe's initial delay, period and timeout may each be (`gpu`:
    whether the workload has one; None: not known, the larger). A service's: the newest copy of
    the services' healthchecks page (docs.cloud.google.com/run/docs/configuring/healthchecks,
    "Configure startup probes"): initial delay "Specify a value from 0 seconds to 600 seconds
    (1800 for GPU)", period "Specify a value from 1 second to 600 seconds (1800 for GPU)",
    timeout "Specify a value from 1 to 600 (1800 for GPU)". run v2's Probe still says 240
    (`PROTO_STARTUP_S`): drift refuses only what no current source takes, so a service's 600 s
    is never refused on the proto's older word. A job's or worker pool's: the proto's 240 s, which
    no page of theirs raises (their pages bound only the failure threshold times the period)."""
    if kind is not Kind.SERVICE:
        return PROTO_STARTUP_S
    return JOB_WINDOW_S if gpu is False else GPU_WINDOW_S


PROTO_LIVENESS_S = 3600
"""run v2's Probe (k8s.min.proto; google-cloud-run 0.16.2 `k8s_min.Probe`): initial_delay_seconds
"Maximum value for liveness probe is 3600", what a profile's liveness delay is parsed by
(`BOUNDS`): drift refuses only what no current source takes."""
LIVENESS_RULE = (
    "the services' healthchecks page gives a liveness probe's initial delay \"from 0 seconds to "
    '600 seconds (1800 for GPU)" (docs.cloud.google.com/run/docs/configuring/healthchecks, '
    '"Configure liveness probes"); run v2\'s Probe: "Maximum value for liveness probe is '
    f'{PROTO_LIVENESS_S}" (k8s.min.proto)'
)
"""Both sources of a service's liveness delay's bound, quoted (`liveness_delay_most`)."""


def liveness_delay_most(kind: Kind, gpu: bool) -> int:
    """The most a `kind`'s liveness probe's initial delay may be as its newest page says
    (`gpu`: whether the workload has one): a service's 600 s, 1800 s with a GPU (the services'
    page, "Configure liveness probes", console, gcloud and YAML alike: "Specify a value from 0
    seconds to 600 seconds (1800 for GPU)"; the same page gives the liveness period and timeout
    up to 3600, as the proto does, so drift bounds those as before). The proto says 3600
    (`PROTO_LIVENESS_S`), which a worker pool keeps: its page states no liveness bound, and a job
    has no liveness probe. The two disagree: drift says the page's bound where it would write
    more (`drift.fields.liveness_bounds`), never refuses it."""
    if kind is not Kind.SERVICE:
        return PROTO_LIVENESS_S
    return GPU_WINDOW_S if gpu else JOB_WINDOW_S


# Probe (k8s.min.proto): initial delay and period "Maximum value for liveness probe is 3600.
# Maximum value for startup probe is 240"; timeout "Minimum value is 1. Maximum value is
# 3600"; period and failure threshold "Minimum value is 1". A startup probe's delay, period and
# timeout: the most any workload's may be (`startup_most`: a service's with a GPU, 1800 s),
# narrowed by its kind and GPU where the profile loads (`health_rules.startup_rules`) and where
# a fix writes it (`health_rules.startup_refused`). A liveness probe's delay: the proto's 3600;
# a service's over its page's 600 s (1800 s with a GPU) is said, never refused
# (`liveness_delay_most`). A readiness probe
# (cloud.google.com/run/docs/configuring/healthchecks, "Configure readiness probes"): period
# and timeout each "Specify a value from 1 to 300"; no initial delay (the page names none, and
# gcloud's --readiness-probe has no initialDelaySeconds key): `delay` is refused (None)
BOUNDS: dict[str, dict[str, tuple[int, int | None] | None]] = {
    "startup": {
        **{w: (low, startup_most(Kind.SERVICE, None)) for w, low in (("delay", 0), ("timeout", 1))},
        **{"period": (1, startup_most(Kind.SERVICE, None)), "failure": (1, None)},
    },
    "liveness": {
        **{"delay": (0, PROTO_LIVENESS_S), "timeout": (1, 3600), "period": (1, 3600)},
        "failure": (1, None),
    },
    "readiness": {"delay": None, "timeout": (1, 300), "period": (1, 300), "failure": (1, None)},
}
