"""A probe's text (`drift.fields.health`'s rows: `startup_probe`, `liveness_probe`, and
`drift.fields.readiness`'s `readiness_probe`), one a
profile states and drift shows: `http /healthz port 8080`, `tcp port 8080`, `grpc port 8080
service NAME`, or `none`, then any of `header NAME=VALUE` (an HTTP probe's, each it sends),
`delay 10s`, `timeout 1s`, `period 10s`, `failure 3` (google/cloud/run/v2 k8s.min.proto
`Probe`): how it parses (`parse_check`), compares (`same_check`) and shows (`shown`: its HTTP
path and gRPC service, free text that may hold a token, by `credentials.masked_text`, the rule
`working_dir` and the volume rows show theirs by; a header's value never, `***`).

Headers (`HTTPGetAction.http_headers`, Knative `httpGet.httpHeaders`: name and value; gcloud
528's probe flags have no key for them): a text read states every one the probe sends; a
profile's that states none compares none (as before headers were part of the text), one that
states any compares them all, names alike whatever their case (RFC 9110 §5.1: "Field names
are case-insensitive"), values exactly, in any order. NAME is an HTTP token (RFC 9110 §5.6.2
`tchar`: no `=`, no space, no quote), so the first `=` ends it; VALUE runs to the next space,
or is in double quotes (`header Authorization="Bearer x"`, `\"` and `\\` inside) where it is
empty, starts with a quote or holds a space.

Defaults as documented: Probe "initial_delay_seconds … Defaults to 0", "timeout_seconds …
Defaults to 1 second", "period_seconds … Default to 10 seconds", "failure_threshold …
Defaults to 3". A service with no startup probe gets "The default TCP startup probe …
timeoutSeconds: 240 periodSeconds: 240 failureThreshold: 1"
(cloud.google.com/run/docs/configuring/healthchecks)."""

from __future__ import annotations

import re
from collections.abc import Collection, Sequence
from dataclasses import dataclass, field, replace
from typing import Any

from drift.credentials import masked_text
from drift.fields.base import SettingValue
from drift.fields.ports import DEFAULT_PORT
from drift.fields.probe_bounds import BOUNDS
from drift.redact import MASK

TIMINGS = (
    ("delay", "initial_delay_seconds", "initialDelaySeconds", 0),
    ("timeout", "timeout_seconds", "timeoutSeconds", 1),
    ("period", "period_seconds", "periodSeconds", 10),
    ("failure", "failure_threshold", "failureThreshold", 3),
)
"""(word, proto field, gcloud key, the proto's default): each timing of a probe."""
DEFAULTS = {w: d for w, _, _, d in TIMINGS}
"""Each timing's default, by its word: what a text that leaves it out means."""
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
    headers: tuple[tuple[str, str], ...] = ()
    """(name, value) of each HTTP header, in order (a profile's: those it states)."""

    def text(self) -> str:
        if not self.kind:
            return ""
        words = [self.kind, *([self.path] if self.kind == "http" else []), "port", str(self.port)]
        if self.service:
            words += ["service", self.service]
        for name, value in self.headers:
            words += ["header", f"{name}={_quoted(value)}"]
        return " ".join([*words, *timed(self.timings)])


TOKEN = re.compile(r"[!#$%&'*+\-.^_`|~0-9A-Za-z]+")
"""An HTTP field name (RFC 9110 §5.6.2 `token`)."""
_QUOTED = re.compile(r'"((?:[^"\\]|\\.)*)"', re.S)
_HEADER_WORD = re.compile(r'[^\s"=]*="(?:[^"\\]|\\.)*"(?=\s|$)', re.S)
_SPACE, _WORD = re.compile(r"\s*"), re.compile(r"\S+")


def _quoted(value: str) -> str:
    if value and not value.startswith('"') and not any(c.isspace() for c in value):
        return value
    return '"' + value.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _words(text: str) -> list[str]:
    """`text` split at whitespace, a header's quoted value kept whole (after `header`, where a
    key stands: a gRPC service or an HTTP path named `header` is no key)."""
    words: list[str] = []
    at = _SPACE.match(text).end()  # type: ignore[union-attr]
    while at < len(text):
        head = 2 if words[:1] == ["http"] else 1
        keyed = len(words) > head and (len(words) - head) % 2 == 1 and words[-1] == "header"
        found = (keyed and _HEADER_WORD.match(text, at)) or _WORD.match(text, at)
        words.append(found.group())  # type: ignore[union-attr]
        at = _SPACE.match(text, found.end()).end()  # type: ignore[union-attr]
    return words


def _header(word: str) -> tuple[str, str]:
    """A `header` word's name and value (raises ValueError naming the header, never its
    value)."""
    name, sep, value = word.partition("=")
    if not sep or not TOKEN.fullmatch(name):  # nothing quoted: it may be a value misspelt
        raise ValueError(
            "a probe's header is `header NAME=VALUE`, NAME an HTTP token (letters, digits, "
            "!#$%&'*+-.^_`|~), VALUE to the next space or in double quotes"
        )
    if value.startswith('"'):
        if not (quoted := _QUOTED.fullmatch(value)):
            raise ValueError(
                f"`header {name}`: its value opens a double quote it does not close (a quote "
                'inside it is \\", a backslash \\\\)'
            )
        value = re.sub(r"\\(.)", r"\1", quoted.group(1), flags=re.S)
    return name, value


def _masked(words: Sequence[str]) -> str:
    """The words of a probe's text, each header's value `***`: what an error quotes."""
    return " ".join(
        w.partition("=")[0] + "=" + MASK if i and words[i - 1] == "header" and "=" in w else w
        for i, w in enumerate(words)
    )


def headers_differ(want: Check, got: Check) -> list[str]:
    """The names of the headers `want` states that `got` does not send as it says (its
    value, or none of that name; each name once), and of those `got` sends that `want` does
    not state: [] where `want` states none (not compared)."""
    if not want.headers:
        return []
    wanted, sent = _folded(want.headers), _folded(got.headers)
    names = {n.lower(): n for n, _ in (*got.headers, *want.headers)}
    return [names[n] for n in sorted(names) if wanted.get(n) != sent.get(n)]


def header_note(want: Check, got: Check) -> str:
    """What a finding or a plan says of the headers `want` states that `got` sends otherwise
    ("": none): their names (`headers_differ`), never a value, which `shown` masks alike."""
    if not (names := headers_differ(want, got)):
        return ""
    said = ", ".join(masked_text(n) for n in names)
    return f"headers that differ: {said}; their values are not shown"


def _folded(headers: Sequence[tuple[str, str]]) -> dict[str, list[str]]:
    out: dict[str, list[str]] = {}
    for name, value in headers:
        out.setdefault(name.lower(), []).append(value)
    return {name: sorted(values) for name, values in out.items()}


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
    liveness probe's period of 3600s, over a startup probe's 1800, reads back)."""
    words = _words(str(value))
    if not words or words == ["none"]:
        return Check()
    said = _masked(words)  # what an error quotes: never a header's value
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
    if len(rest) % 2:
        raise ValueError(f"`{said}`: each of port, service, delay, timeout, period, failure once")
    said_pairs = list(zip(rest[::2], rest[1::2], strict=True))
    headers = tuple(_header(w) for k, w in said_pairs if k == "header")
    if headers and kind != "http":
        raise ValueError("only an http probe sends headers (HTTPGetAction.http_headers)")
    pairs = {k: w for k, w in said_pairs if k != "header"}
    if len(pairs) != len(said_pairs) - len(headers):
        raise ValueError(f"`{said}`: each of port, service, delay, timeout, period, failure once")
    if "port" not in pairs:
        raise ValueError(f"`{said}`: name the port (`{kind} … port 8080`)")
    known = {"port", "service", *(w for w, *_ in TIMINGS)}
    if unknown := sorted(set(pairs) - known):
        raise ValueError(
            f"`{unknown[0]}`: a probe takes port, service, header, delay, timeout, period, failure"
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
    return Check(kind, path, port, pairs.get("service", ""), timings, headers)


PERIOD_RULE = (
    "Cloud Run refuses a probe whose period is below its timeout (k8s.min.proto "
    'Probe.period_seconds: "Must be greater or equal than timeout_seconds")'
)


def window(timings: dict[str, int]) -> int:
    """A startup probe's failure threshold times its period, in seconds (those left out: the
    proto's defaults, 3 and 10 s)."""
    return timings.get("failure", DEFAULTS["failure"]) * timings.get("period", DEFAULTS["period"])


def period_below(timings: dict[str, int]) -> bool:
    """Whether a probe of these timings (those left out: the proto's defaults) is one Cloud
    Run refuses: its period below its timeout (`PERIOD_RULE`)."""
    return timings.get("period", DEFAULTS["period"]) < timings.get("timeout", DEFAULTS["timeout"])


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
    """The kind, path, port and gRPC service alike, and each timing `expected` states, and
    its headers where it states any (`headers_differ`)."""
    want, got = parse_check(expected), parse_check(actual)
    if (want.kind, want.path, want.port, want.service) != (
        got.kind,
        got.path,
        got.port,
        got.service,
    ):
        return False
    if headers_differ(want, got):
        return False
    return all(got.timings.get(w, DEFAULTS[w]) == n for w, n in want.timings.items())


def shown(value: SettingValue, hidden: Collection[str] = ()) -> str:
    """A probe as every output shows it: its HTTP path and gRPC service by `credentials.
    masked_text` (a token in `/healthz?token=…`: `/healthz?token=***`), as `working_dir` is
    shown; each header's value `***` (on the data: a header may carry a token, whatever its
    name or shape), its name as a free text; none: `none`. A text that is no probe's is masked
    whole by the same rule, its header values first."""
    try:
        check = parse_check(value)
    except ValueError:
        return masked_text(_masked(_words(str(value))), hidden)
    if not check.kind:
        return "none"
    path, service = (masked_text(p, hidden) if p else "" for p in (check.path, check.service))
    headers = tuple((masked_text(n, hidden), MASK) for n, _ in check.headers)
    return replace(check, path=path, service=service, headers=headers).text()


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
    timings = {w: int(getattr(probe, f)) or d for w, f, _, d in TIMINGS}  # 0: the default
    return Check(
        kind,
        (action.path or "/") if kind == "http" else "",
        int(action.port) or port_of(container),
        action.service if kind == "grpc" else "",
        timings,
        tuple((h.name, h.value) for h in action.http_headers) if kind == "http" else (),
    )


def merged_check(after: Check, before: Check) -> Check:
    """`after` with the timings it leaves unstated as `before` has them, and its headers
    where it states none, where it keeps `before`'s kind (a fix changes only what the profile
    states); else the proto's (no headers)."""
    if after.kind != before.kind:
        return after
    headers = after.headers or before.headers
    return replace(after, timings={**before.timings, **after.timings}, headers=headers)


def live_check(container: Any, part: str) -> Check:
    """The container's (proto-plus) probe as read (none: `Check()`)."""
    old = getattr(container, part) if part in container else None
    return read_check(type(old).pb(old), container) if old is not None else Check()
