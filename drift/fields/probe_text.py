"""A probe's text (`drift.fields.health`'s rows: `startup_probe`, `liveness_probe`, and
`drift.fields.readiness`'s `readiness_probe`), one a
profile states and drift shows: `http /healthz port 8080`, `tcp port 8080`, `grpc port 8080
service NAME`, or `none`, then any of `delay 10s`, `timeout 1s`, `period 10s`, `failure 3`
(google/cloud/run/v2 k8s.min.proto `Probe`): how it parses (`parse_check`), compares
(`same_check`) and shows (`shown`: its HTTP path and gRPC service, free text that may hold a
token, by `credentials.masked_text`, the rule `working_dir` and the volume rows show theirs by).

Defaults as documented: Probe "initial_delay_seconds … Defaults to 0", "timeout_seconds …
Defaults to 1 second", "period_seconds … Default to 10 seconds", "failure_threshold …
Defaults to 3". A service with no startup probe gets "The default TCP startup probe …
timeoutSeconds: 240 periodSeconds: 240 failureThreshold: 1"
(cloud.google.com/run/docs/configuring/healthchecks)."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field, replace
from typing import Any

from drift.credentials import masked_text
from drift.fields.base import SettingValue
from drift.fields.ports import DEFAULT_PORT

TIMINGS = (
    ("delay", "initial_delay_seconds", "initialDelaySeconds", 0),
    ("timeout", "timeout_seconds", "timeoutSeconds", 1),
    ("period", "period_seconds", "periodSeconds", 10),
    ("failure", "failure_threshold", "failureThreshold", 3),
)
"""(word, proto field, gcloud key, the proto's default): each timing of a probe."""
DEFAULT_STARTUP = {"timeout": 240, "period": 240, "failure": 1}
"""The default TCP startup probe's timings (healthchecks page, above)."""
KINDS = ("http", "tcp", "grpc")
_ONEOF = {"http": "http_get", "tcp": "tcp_socket", "grpc": "grpc"}


@dataclass(frozen=True)
class Check:
    """A probe: its kind ("" for none), path (HTTP), port, gRPC service and the timings given
    (all of them in a value read; those a profile states in one of its own)."""

    kind: str = ""
    path: str = ""
    port: int = 0
    service: str = ""
    timings: dict[str, int] = field(default_factory=dict)

    def text(self) -> str:
        if not self.kind:
            return ""
        words = [self.kind, *([self.path] if self.kind == "http" else []), "port", str(self.port)]
        if self.service:
            words += ["service", self.service]
        return " ".join([*words, *timed(self.timings)])


def timed(timings: dict[str, int]) -> list[str]:
    """The words of the timings given (`delay 0s`, `failure 3`), in the catalogue's order."""
    words: list[str] = []
    for word, *_ in TIMINGS:
        if word in timings:
            words += [word, f"{timings[word]}s" if word != "failure" else str(timings[word])]
    return words


def _seconds(word: str, raw: str) -> int:
    number = raw[:-1] if raw.endswith("s") and word != "failure" else raw
    if not (number.isascii() and number.isdigit() and len(number) <= 12):  # `٨`, `²`: digits
        unit = "a count" if word == "failure" else "whole seconds (10s)"
        raise ValueError(f"`{word} {raw}`: {unit}")
    return int(number)


def parse_check(value: Any, *, probe: str = "") -> Check:
    """A probe's text as a `Check` (raises ValueError saying what is wrong). `probe`: a
    profile's `startup`, `liveness` or `readiness` probe, judged by that probe's bounds
    (`BOUNDS`) and actions; "": a value read or already parsed, whose timings Cloud Run took (a
    liveness probe's period of 600s, over a startup probe's 240, reads back)."""
    words = str(value).split()
    if not words or words == ["none"]:
        return Check()
    kind, rest = words[0], words[1:]
    if kind not in KINDS:
        raise ValueError(f"`{kind}`: a probe is http PATH, tcp or grpc, then `port N`; or none")
    if probe in NO_TCP and kind == "tcp":
        raise ValueError(f"a {probe} probe is http or grpc ({NO_TCP[probe]})")
    path = ""
    if kind == "http":
        if not rest or not rest[0].startswith("/"):
            raise ValueError("an http probe names its path first: `http /healthz port 8080`")
        path, rest = rest[0], rest[1:]
    pairs = dict(zip(rest[::2], rest[1::2], strict=False))
    if len(rest) % 2 or len(pairs) != len(rest) // 2:
        raise ValueError(f"`{value}`: each of port, service, delay, timeout, period, failure once")
    if "port" not in pairs:
        raise ValueError(f"`{value}`: name the port (`{kind} … port 8080`)")
    known = {"port", "service", *(w for w, *_ in TIMINGS)}
    if unknown := sorted(set(pairs) - known):
        raise ValueError(
            f"`{unknown[0]}`: a probe takes port, service, delay, timeout, period, failure"
        )
    if "service" in pairs and kind != "grpc":
        raise ValueError("only a grpc probe names a service")
    raw = pairs["port"]
    if not (raw.isascii() and raw.isdigit() and len(raw) < 6) or not 0 < int(raw) < 65536:
        raise ValueError(f"`port {raw}`: a TCP port number, 1 to 65535")
    port = int(raw)
    timings = {w: _seconds(w, pairs[w]) for w, *_ in TIMINGS if w in pairs}
    if probe:
        _bounded(timings, probe)
        if {"timeout", "period"} <= timings.keys() and period_below(timings):
            period, timeout = timings["period"], timings["timeout"]
            raise ValueError(
                f"period {period}s below timeout {timeout}s: {PERIOD_RULE}; state a period of "
                f"{timeout}s or more, or a timeout of {period}s or less"
            )
    return Check(kind, path, port, pairs.get("service", ""), timings)


PERIOD_RULE = (
    "Cloud Run refuses a probe whose period is below its timeout (k8s.min.proto "
    'Probe.period_seconds: "Must be greater or equal than timeout_seconds")'
)


STARTUP_WINDOW_S = 240
"""A job's or worker pool's startup probe's failure threshold times its period, at the most:
"This time interval is calculated as failureThreshold * periodSeconds and can't exceed 240
seconds" (cloud.google.com/run/docs/configuring/jobs/healthchecks), "The time is a maximum of
240 seconds, calculated as failureThreshold * periodSeconds" (…/workerpools/healthchecks, every
copy). A later copy of the jobs' page (docs.cloud.google.com/…/jobs/healthchecks.md.txt) says
600 seconds (1800 for GPU): the pages disagree, and drift keeps the lower bound, as it keeps
k8s.min.proto's period bound, until a source settles it. The services' page gives a service's
probes no such window (`health._kept` says a long one in the plan; nothing refuses it)."""


WINDOW_RULE = (
    "a job's or worker pool's startup probe time \"is calculated as failureThreshold * "
    f"periodSeconds and can't exceed {STARTUP_WINDOW_S} seconds\" (cloud.google.com/run/docs/"
    "configuring/jobs/healthchecks, …/workerpools/healthchecks)"
)


def window(timings: dict[str, int]) -> int:
    """A startup probe's failure threshold times its period, in seconds (those left out: the
    proto's defaults, 3 and 10 s)."""
    defaults = {w: d for w, _, _, d in TIMINGS}
    return timings.get("failure", defaults["failure"]) * timings.get("period", defaults["period"])


def period_below(timings: dict[str, int]) -> bool:
    """Whether a probe of these timings (those left out: the proto's defaults) is one Cloud
    Run refuses: its period below its timeout (`PERIOD_RULE`)."""
    defaults = {w: d for w, _, _, d in TIMINGS}
    return timings.get("period", defaults["period"]) < timings.get("timeout", defaults["timeout"])


NO_TCP = {
    "liveness": "Cloud Run has no TCP liveness probe",
    "readiness": "Cloud Run's readiness probes are HTTP or gRPC; gcloud's --readiness-probe "
    "has no tcpSocket key",
}
"""The probes a profile may not give a TCP action, and why: "HTTP and gRPC liveness probes"
(every healthchecks page); the services page's "Configure readiness probes" configures HTTP
and gRPC ones only (console, gcloud, YAML, Terraform; its requirements table: "HTTP
readiness", "gRPC readiness"), and gcloud 528's `_SUPPORTED_READINESS_PROBE_KEYS` (command_lib/
run/flags.py) has no `tcpSocket.port`. Whether the API refuses a TCP readiness probe is not
documented (the sandbox's option `readiness_tcp`)."""

# Probe (k8s.min.proto): initial delay and period "Maximum value for liveness probe is 3600.
# Maximum value for startup probe is 240"; timeout "Minimum value is 1. Maximum value is
# 3600"; period and failure threshold "Minimum value is 1". A readiness probe
# (cloud.google.com/run/docs/configuring/healthchecks, "Configure readiness probes"): period
# and timeout each "Specify a value from 1 to 300"; no initial delay (the page names none, and
# gcloud's --readiness-probe has no initialDelaySeconds key): `delay` is refused (None)
BOUNDS: dict[str, dict[str, tuple[int, int | None] | None]] = {
    "startup": {"delay": (0, 240), "timeout": (1, 3600), "period": (1, 240), "failure": (1, None)},
    "liveness": {
        **{"delay": (0, 3600), "timeout": (1, 3600), "period": (1, 3600)},
        "failure": (1, None),
    },
    "readiness": {"delay": None, "timeout": (1, 300), "period": (1, 300), "failure": (1, None)},
}


def _bounded(timings: dict[str, int], probe: str) -> None:
    for word, number in timings.items():
        limits = BOUNDS[probe][word]
        if limits is None:
            raise ValueError(
                f"`{word}`: a {probe} probe takes none (Cloud Run's {probe} probes have no "
                f"initial delay; gcloud's --{probe}-probe has no initialDelaySeconds key)"
            )
        low, high = limits
        if number < low or (high is not None and number > high):
            raise ValueError(f"{word} {number}: a {probe} probe's is {low} to {high or 'more'}")


def same_check(expected: SettingValue, actual: SettingValue) -> bool:
    """The kind, path, port and gRPC service alike, and each timing `expected` states."""
    want, got = parse_check(expected), parse_check(actual)
    if (want.kind, want.path, want.port, want.service) != (
        got.kind,
        got.path,
        got.port,
        got.service,
    ):
        return False
    defaults = {w: d for w, _, _, d in TIMINGS}
    return all(got.timings.get(w, defaults[w]) == n for w, n in want.timings.items())


def shown(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """A probe as every output shows it: its HTTP path and gRPC service by `credentials.
    masked_text` (a token in `/healthz?token=…`: `/healthz?token=***`), as `working_dir` is
    shown; none: `none`. A text that is no probe's is masked whole by the same rule."""
    try:
        check = parse_check(value)
    except ValueError:
        return masked_text(str(value), hidden)
    if not check.kind:
        return "none"
    path, service = (masked_text(p, hidden) if p else "" for p in (check.path, check.service))
    return replace(check, path=path, service=service).text()


def port_of(container: Any) -> int:
    """The port a probe's port 0 is: the container's first, else Cloud Run's default."""
    ports = container.ports
    return int(ports[0].container_port) if len(ports) and ports[0].container_port else DEFAULT_PORT


def read_check(probe: Any, container: Any) -> Check:
    """A (raw protobuf) Probe as drift reads it, each timing given (0: the proto's default)."""
    kind = next((k for k, one in _ONEOF.items() if probe.HasField(one)), "")
    if not kind:
        return Check()
    action = getattr(probe, _ONEOF[kind])
    timings = {w: int(getattr(probe, f)) or (d if w != "delay" else 0) for w, f, _, d in TIMINGS}
    return Check(
        kind,
        (action.path or "/") if kind == "http" else "",
        int(action.port) or port_of(container),
        action.service if kind == "grpc" else "",
        timings,
    )


def merged_check(after: Check, before: Check) -> Check:
    """`after` with the timings it leaves unstated as `before` has them, where it keeps
    `before`'s kind (a fix changes only what the profile states); else the proto's."""
    if after.kind != before.kind:
        return after
    return replace(after, timings={**before.timings, **after.timings})


def live_check(container: Any, part: str) -> Check:
    """The container's (proto-plus) probe as read (none: `Check()`)."""
    old = getattr(container, part) if part in container else None
    return read_check(type(old).pb(old), container) if old is not None else Check()
